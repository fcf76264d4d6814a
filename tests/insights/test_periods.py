from __future__ import annotations

from datetime import UTC, datetime, timedelta

import polars as pl
import pytest

from rucher.insights.contract import Dataset
from rucher.insights.periods import (
    Period,
    bucket,
    bucket_starts,
    in_period,
    span_of,
)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def test_naive_datetimes_are_read_as_utc_and_periods_must_move_forward() -> None:
    period = Period(datetime(2024, 3, 1), datetime(2024, 3, 8))
    assert period.start == utc(2024, 3, 1)
    with pytest.raises(ValueError):
        Period(utc(2024, 3, 8), utc(2024, 3, 1))
    with pytest.raises(ValueError):
        Period(utc(2024, 3, 1), utc(2024, 3, 1))


def test_previous_period_has_the_same_length_and_ends_where_this_one_starts() -> None:
    period = Period(utc(2024, 3, 10, 12), utc(2024, 3, 17, 12))
    previous = period.previous()
    assert previous == Period(utc(2024, 3, 3, 12), utc(2024, 3, 10, 12))
    assert previous.length == period.length == timedelta(days=7)
    assert period.weeks == 1.0


def test_days_counts_every_calendar_day_touched() -> None:
    assert Period(utc(2024, 3, 1), utc(2024, 3, 8)).days == 7
    # Noon to noon touches eight calendar days.
    assert Period(utc(2024, 3, 1, 12), utc(2024, 3, 8, 12)).days == 8
    assert Period(utc(2024, 3, 1), utc(2024, 3, 1, 0, 1)).days == 1


def test_last_ends_at_until() -> None:
    period = Period.last(30, utc(2024, 4, 1))
    assert period == Period(utc(2024, 3, 2), utc(2024, 4, 1))
    with pytest.raises(ValueError):
        Period.last(0)


def test_in_period_is_half_open() -> None:
    frame = pl.DataFrame(
        {"at": [utc(2024, 3, 1), utc(2024, 3, 4), utc(2024, 3, 8)]},
        schema={"at": pl.Datetime("us", "UTC")},
    )
    kept = in_period(frame, Period(utc(2024, 3, 1), utc(2024, 3, 8)))
    assert kept["at"].to_list() == [utc(2024, 3, 1), utc(2024, 3, 4)]
    assert in_period(frame, None).height == 3


def test_buckets_start_on_monday_and_on_the_first_of_the_month() -> None:
    frame = pl.DataFrame(
        {"at": [utc(2024, 3, 6, 15), utc(2024, 3, 10, 23)]},  # a Wednesday and a Sunday
        schema={"at": pl.Datetime("us", "UTC")},
    )
    weeks = frame.select(bucket("at", "week"))["at"].to_list()
    assert weeks == [utc(2024, 3, 4), utc(2024, 3, 4)]
    months = frame.select(bucket("at", "month"))["at"].to_list()
    assert months == [utc(2024, 3, 1), utc(2024, 3, 1)]
    with pytest.raises(ValueError):
        bucket("at", "year")  # type: ignore[arg-type]


def test_bucket_starts_cover_the_period_including_partial_buckets() -> None:
    period = Period(utc(2024, 1, 31), utc(2024, 3, 2))
    assert bucket_starts(period, "month") == [utc(2024, 1, 1), utc(2024, 2, 1), utc(2024, 3, 1)]
    assert len(bucket_starts(period, "day")) == 31
    assert bucket_starts(period, "week")[0] == utc(2024, 1, 29)


def test_span_of_covers_events_and_content_in_whole_days() -> None:
    assert span_of(Dataset()) is None
    dataset = Dataset(
        events=pl.DataFrame(
            {
                "event_id": [1],
                "at": [utc(2024, 5, 2, 13)],
                "actor_id": [1],
                "verb": ["viewed"],
            }
        ),
        content=pl.DataFrame(
            {
                "content_id": [1],
                "kind": ["post"],
                "author_id": [1],
                "created_at": [utc(2024, 5, 9, 8)],
            }
        ),
    )
    assert span_of(dataset) == Period(utc(2024, 5, 2), utc(2024, 5, 10))
