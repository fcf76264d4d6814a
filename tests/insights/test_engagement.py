from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import polars as pl
import pytest

from rucher.insights.contract import Dataset
from rucher.insights.engagement import (
    ACTIVE_VERBS,
    activity,
    engagement_series,
    engagement_summary,
    engagement_table,
)
from rucher.insights.periods import Period, span_of

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
COLLEGE = DATA / "collegemsg" / "CollegeMsg.txt"


def day(d: int, hour: int = 0) -> datetime:
    return datetime(2024, 1, d, hour, tzinfo=UTC)


PERIOD = Period(day(18), day(28))  # ten days; the previous period is 8..17


def planted() -> Dataset:
    """Five people; eve only reads, so she is never active. Figures are worked out by hand
    in the tests below."""
    people = pl.DataFrame(
        {
            "person_id": [1, 2, 3, 4, 5],
            "display_name": ["alice", "bob", "carol", "dan", "eve"],
            "department": ["A", "A", "B", None, "B"],
            "kind": ["employee", "employee", "partner", "guest", "employee"],
            "organisation": [None, None, "Acme", "Acme", None],
            "joined_at": [day(1), day(1), day(1), day(20), day(1)],
        }
    )
    content = pl.DataFrame(
        {
            "content_id": [15, 10, 11, 12, 13, 14, 16, 17],
            "kind": ["post", "post", "question", "comment", "answer", "post", "comment", "comment"],
            "author_id": [1, 1, 2, 3, 3, 1, 1, 2],
            "space_id": [100, 100, 100, 100, 100, 200, 200, 200],
            "root_id": [None, None, None, 10, 11, 14, 14, 14],
            "created_at": [
                day(10),
                day(20),
                day(21),
                day(21, 5),
                day(22),
                day(25),
                day(26),
                day(28),
            ],
        }
    )
    events = pl.DataFrame(
        {
            "event_id": [1, 2, 3, 4, 5, 6],
            "at": [day(12), day(20), day(21), day(22), day(23), day(24)],
            "actor_id": [2, 4, 4, 2, 1, 5],
            "verb": ["reacted", "reacted", "viewed", "logged_in", "reacted", "viewed"],
            "object_id": [15, 10, 10, None, 14, 10],
            "space_id": [100, 100, 100, None, 200, 100],
            "target_id": [1, 1, 1, None, None, 1],
        }
    )
    return Dataset(people=people, content=content, events=events)


def values(results: dict, metric: str) -> tuple:
    value = results[metric].value
    return value["current"], value["previous"]


def test_overall_figures_match_the_hand_computation() -> None:
    results = engagement_summary(planted(), PERIOD)
    # Active person-days in 18..27: d20 {1,4}, d21 {2,3}, d22 {3}, d23 {1}, d25 {1}, d26 {1}.
    assert values(results, "dau") == pytest.approx((0.8, 0.2))
    # Trailing 7 days, per day 18..27: 1, 0, 2, 4, 4, 4, 4, 4, 4, 3 -> 30 / 10.
    assert results["wau"].value["current"] == pytest.approx(3.0)
    # Trailing 30 days: 2, 2, 3, then 4 for seven days -> 35 / 10.
    assert results["mau"].value["current"] == pytest.approx(3.5)
    assert results["stickiness"].value["current"] == pytest.approx(0.8 / 3.5)
    assert values(results, "active_members") == (4, 2)  # eve only read
    assert values(results, "new_members") == (1, 0)  # dan joined on the 20th
    assert values(results, "contributions") == (6, 1)  # comment 17 is after the period
    assert values(results, "contributions_post") == (2, 1)
    assert values(results, "contributions_comment") == (2, 0)
    assert values(results, "reactions") == (2, 1)
    # Roots 10, 11, 14: 10 and 11 answered by carol; 14 only by its own author in the period.
    assert values(results, "roots") == (3, 1)
    assert values(results, "reply_rate") == pytest.approx((2 / 3, 0.0))
    assert results["reply_rate"].value["change"] == pytest.approx(2 / 3)
    assert results["reply_rate"].value["relative_change"] is None  # from zero: undefined
    assert results["reply_rate"].denominator == {"current": 3, "previous": 1}
    assert results["reply_rate"].evidence == {"unreplied_content_ids": [14]}
    assert results["answered_share"].value["current"] == 1.0
    # 29 h for post 10 (comment at 05:00 next day) and 24 h for question 11.
    assert results["median_hours_to_first_response"].value["current"] == pytest.approx(26.5)
    assert results["median_hours_to_first_response"].value["previous"] is None
    assert values(results, "active_members") == (4, 2)
    assert results["active_members"].value["relative_change"] == pytest.approx(1.0)


def test_viewing_and_signing_in_do_not_make_a_member_active() -> None:
    acts = activity(planted())
    assert 5 not in acts["person_id"].to_list()
    assert "viewed" not in ACTIVE_VERBS and "logged_in" not in ACTIVE_VERBS
    # Counting reading as activity is a parameter away, and then eve counts.
    wide = engagement_summary(planted(), PERIOD, active_verbs=ACTIVE_VERBS | {"viewed"})
    assert wide["active_members"].value["current"] == 5


def test_per_space() -> None:
    rows = {r["group"]: r for r in engagement_summary(planted(), PERIOD, "space")["dau"].value}
    assert rows[100]["current"] == pytest.approx(0.5)
    assert rows[200]["current"] == pytest.approx(0.3)
    table = engagement_table(planted(), PERIOD, "space").to_dicts()
    by_space = {row["group"]: row for row in table}
    assert by_space[100]["active_members"] == 4 and by_space[100]["active_members_previous"] == 2
    assert by_space[200]["active_members"] == 1
    # First seen in space 100 during the period: carol, dan and eve (she read there first).
    assert by_space[100]["new_members"] == 3
    assert by_space[100]["reply_rate"] == 1.0 and by_space[200]["reply_rate"] == 0.0
    assert by_space[100]["reactions"] == 1 and by_space[200]["reactions"] == 1


def test_per_department_and_partner_organisation() -> None:
    departments = {
        r["group"]: r for r in engagement_table(planted(), PERIOD, "department").to_dicts()
    }
    assert set(departments) == {"A", "B"}  # dan has no department
    assert departments["A"]["active_members"] == 2
    assert departments["B"]["active_members"] == 1
    assert departments["A"]["contributions"] == 4 and departments["B"]["contributions"] == 2
    assert departments["B"]["reply_rate"] is None  # no root written by B
    organisations = engagement_table(planted(), PERIOD, "organisation").to_dicts()
    assert [row["group"] for row in organisations] == ["Acme"]  # employees are not in one
    assert organisations[0]["active_members"] == 2
    assert organisations[0]["reactions"] == 1
    with pytest.raises(ValueError):
        engagement_table(planted(), PERIOD, "site")  # type: ignore[arg-type]


def test_weekly_series_is_zero_filled() -> None:
    series = engagement_series(planted(), PERIOD, "week").value
    assert [row["bucket"] for row in series] == [day(15), day(22)]
    assert [row["active_members"] for row in series] == [4, 2]
    assert [row["contributions"] for row in series] == [3, 3]
    assert [row["new_members"] for row in series] == [1, 0]
    daily = engagement_series(planted(), PERIOD, "day", by="space").value
    assert len(daily) == 10 * 2
    assert sum(row["contributions"] for row in daily) == 6
    assert {row["active_members"] for row in daily if row["bucket"] == day(19)} == {0}


def test_results_are_json_serialisable() -> None:
    for by in (None, "space", "department", "organisation"):
        results = engagement_summary(planted(), PERIOD, by)
        json.dumps({k: r.to_dict() for k, r in results.items()})
    json.dumps(engagement_series(planted(), PERIOD, "day").to_dict())


def test_empty_dataset_and_silent_period_do_not_crash() -> None:
    for dataset in (Dataset(), planted()):
        silent = Period(datetime(2030, 1, 1, tzinfo=UTC), datetime(2030, 2, 1, tzinfo=UTC))
        results = engagement_summary(dataset, silent)
        assert results["dau"].value["current"] == 0.0
        assert results["reply_rate"].status == "not_enough_data"
        assert results["stickiness"].status == "not_enough_data"
        assert results["median_hours_to_first_response"].value is None
        series = engagement_series(dataset, silent, "week")
        assert all(row["active_members"] == 0 for row in series.value)


def random_dataset(seed: int) -> Dataset:
    rng = np.random.default_rng(seed)
    n = 4000
    verbs = np.array(["reacted", "viewed", "posted", "logged_in", "commented", "shared"])
    start = datetime(2024, 1, 1, tzinfo=UTC)
    seconds = rng.integers(0, 120 * 86400, n)
    events = pl.DataFrame(
        {
            "event_id": np.arange(n),
            "at": [start + timedelta(seconds=int(s)) for s in seconds],
            "actor_id": rng.integers(0, 60, n),
            "verb": verbs[rng.integers(0, len(verbs), n)],
            "space_id": rng.integers(0, 3, n),
        }
    )
    return Dataset(events=events)


def brute_force_rolling(dataset: Dataset, period: Period, window: int) -> float:
    frame = dataset.events.to_pandas()
    frame = frame[frame["verb"].isin(ACTIVE_VERBS)]
    frame["day"] = frame["at"].dt.floor("D").dt.tz_localize(None)
    per_day = frame.groupby("day")["actor_id"].apply(set).to_dict()
    first = pd.Timestamp(period.start.replace(tzinfo=None)).floor("D")
    days = pd.date_range(first, periods=period.days, freq="D")
    totals = []
    for d in days:
        people: set[int] = set()
        for back in range(window):
            people |= per_day.get(d - pd.Timedelta(days=back), set())
        totals.append(len(people))
    return float(np.mean(totals))


@pytest.mark.parametrize(("seed", "hour"), [(1, 0), (2, 0), (3, 18)])
def test_rolling_active_counts_match_a_day_by_day_recount(seed: int, hour: int) -> None:
    dataset = random_dataset(seed)
    # At 18:00 the period touches a partial first and last day: both count as whole days.
    period = Period(
        datetime(2024, 2, 20, hour, tzinfo=UTC), datetime(2024, 3, 31, hour, tzinfo=UTC)
    )
    table = engagement_table(dataset, period).row(0, named=True)
    for metric, window in (("dau", 1), ("wau", 7), ("mau", 30)):
        assert table[metric] == pytest.approx(brute_force_rolling(dataset, period, window))
        assert table[f"{metric}_previous"] == pytest.approx(
            brute_force_rolling(dataset, period.previous(), window)
        )


def load_college() -> Dataset:
    raw = pl.read_csv(
        COLLEGE, separator=" ", has_header=False, new_columns=["src", "dst", "unix_time"]
    )
    events = raw.with_row_index("event_id").select(
        pl.col("event_id").cast(pl.Int64),
        pl.from_epoch("unix_time", time_unit="s").alias("at"),
        pl.col("src").alias("actor_id"),
        pl.lit("messaged").alias("verb"),
        pl.col("dst").alias("target_id"),
    )
    people = pl.DataFrame({"person_id": pl.concat([raw["src"], raw["dst"]]).unique()})
    return Dataset(people=people, events=events)


@pytest.mark.dataset
@pytest.mark.skipif(not COLLEGE.exists(), reason=f"dataset absent: {COLLEGE}")
def test_college_messages_engagement_is_sane() -> None:
    dataset = load_college()
    span = span_of(dataset)
    assert span is not None
    period = Period(span.start + timedelta(days=30), span.start + timedelta(days=60))
    results = engagement_summary(dataset, period)
    dau, wau, mau = (results[m].value["current"] for m in ("dau", "wau", "mau"))
    assert 0 < dau <= wau <= mau
    assert 0 < results["stickiness"].value["current"] < 1
    assert mau == pytest.approx(brute_force_rolling(dataset, period, 30))
    senders = dataset.events.filter((pl.col("at") >= period.start) & (pl.col("at") < period.end))
    assert results["active_members"].value["current"] == senders["actor_id"].n_unique()
    # Every sender is first seen exactly once over the whole span; people who only received
    # messages never acted, so they are never "seen" (there is no joined_at here).
    monthly = engagement_series(dataset, span, "month").value
    assert sum(row["new_members"] for row in monthly) == dataset.events["actor_id"].n_unique()
    # The community fades: the last month has fewer active members than the busiest one.
    assert monthly[-1]["active_members"] < max(row["active_members"] for row in monthly) / 3


def test_system_accounts_are_not_people_but_their_writing_counts() -> None:
    dataset = planted()
    polluted = Dataset(
        people=dataset.people,
        content=pl.concat(
            [
                dataset.content,
                pl.DataFrame(
                    {
                        "content_id": [500],
                        "kind": ["comment"],
                        "author_id": [-3],
                        "space_id": [200],
                        "root_id": [14],
                        "created_at": [day(26, 6)],
                    }
                ),
            ],
            how="diagonal_relaxed",
        ),
        events=pl.concat(
            [
                dataset.events,
                pl.DataFrame(
                    {"event_id": [99], "at": [day(19)], "actor_id": [-2], "verb": ["reacted"]}
                ),
            ],
            how="diagonal_relaxed",
        ),
    )
    clean, results = engagement_summary(dataset, PERIOD), engagement_summary(polluted, PERIOD)
    for metric in ("dau", "wau", "mau", "active_members", "new_members"):
        assert results[metric].value == clean[metric].value
    assert values(results, "contributions") == (7, 1)
    assert values(results, "reactions") == (3, 1)
    assert values(results, "reply_rate")[0] == pytest.approx(1.0)  # someone did reply to 14
