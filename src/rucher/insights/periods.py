"""Time periods shared by the insights: a half-open UTC interval, its predecessor, buckets.

Public API (kept small and stable; other modules import it):

- ``Period(start, end)``: the half-open interval ``[start, end)`` in UTC. Naive datetimes are
  read as UTC. ``period.previous()`` is the period of the same length just before it;
  ``Period.last(days, until)`` the ``days`` days ending at ``until``; ``period.days`` the
  number of calendar days it touches.
- ``span_of(dataset)``: the whole days covering every event and content item, or ``None``.
- ``in_period(frame, period, column="at")``: the rows whose ``column`` falls in the period.
- ``bucket(column, granularity)``: a Polars expression truncating a datetime column to the
  start of its day, ISO week (Monday) or calendar month.
- ``bucket_starts(period, granularity)``: every bucket start touching the period, in order,
  so that series can be filled with zeros where nothing happened.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal

import polars as pl

if TYPE_CHECKING:
    from rucher.insights.contract import Dataset

Granularity = Literal["day", "week", "month"]
GRANULARITIES: dict[str, str] = {"day": "1d", "week": "1w", "month": "1mo"}
DAY = timedelta(days=1)


def as_utc(moment: datetime) -> datetime:
    """The same instant as an aware UTC datetime (a naive datetime is taken to be UTC)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


@dataclass(frozen=True)
class Period:
    """The half-open interval ``[start, end)`` in UTC."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        object.__setattr__(self, "start", as_utc(self.start))
        object.__setattr__(self, "end", as_utc(self.end))
        if self.end <= self.start:
            raise ValueError(f"a period must end after it starts ({self.start} >= {self.end})")

    @classmethod
    def last(cls, days: int, until: datetime | None = None) -> Period:
        """The ``days`` days ending (exclusively) at ``until``, by default now."""
        if days < 1:
            raise ValueError("a period lasts at least one day")
        end = as_utc(until) if until is not None else datetime.now(UTC)
        return cls(end - timedelta(days=days), end)

    @property
    def length(self) -> timedelta:
        return self.end - self.start

    @property
    def first_day(self) -> int:
        """Days since 1970-01-01 of the first calendar day the period touches."""
        return _epoch_day(self.start)

    @property
    def last_day(self) -> int:
        """Days since 1970-01-01 of the last calendar day the period touches."""
        return _epoch_day(self.end - timedelta(microseconds=1))

    @property
    def days(self) -> int:
        """How many calendar days (UTC) the period touches."""
        return self.last_day - self.first_day + 1

    @property
    def weeks(self) -> float:
        """The period's length in weeks (fractional)."""
        return self.length / timedelta(weeks=1)

    def previous(self) -> Period:
        """The period of the same length that ends where this one starts."""
        return Period(self.start - self.length, self.start)

    def contains(self, moment: datetime) -> bool:
        return self.start <= as_utc(moment) < self.end

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start.isoformat(), "end": self.end.isoformat()}


def _epoch_day(moment: datetime) -> int:
    return (as_utc(moment) - datetime(1970, 1, 1, tzinfo=UTC)).days


def span_of(dataset: Dataset) -> Period | None:
    """Whole UTC days from the first to the last event or content item, or None if empty."""
    moments = [
        value
        for frame, column in ((dataset.events, "at"), (dataset.content, "created_at"))
        if frame.height
        for value in (frame.get_column(column).min(), frame.get_column(column).max())
    ]
    datetimes = [as_utc(value) for value in moments if isinstance(value, datetime)]
    if not datetimes:
        return None
    start = min(datetimes).replace(hour=0, minute=0, second=0, microsecond=0)
    end = max(datetimes).replace(hour=0, minute=0, second=0, microsecond=0) + DAY
    return Period(start, end)


def in_period(frame: pl.DataFrame, period: Period | None, column: str = "at") -> pl.DataFrame:
    """The rows of ``frame`` whose ``column`` lies in ``period`` (all rows when None)."""
    if period is None:
        return frame
    return frame.filter(period_mask(period, column))


def period_mask(period: Period, column: str = "at") -> pl.Expr:
    """A boolean expression: ``column`` lies in ``[period.start, period.end)``."""
    return (pl.col(column) >= period.start) & (pl.col(column) < period.end)


def bucket(column: str, granularity: Granularity) -> pl.Expr:
    """Truncate a datetime column to its day, ISO week (starting Monday) or calendar month."""
    return pl.col(column).dt.truncate(_every(granularity))


def bucket_starts(period: Period, granularity: Granularity) -> list[datetime]:
    """The start of every bucket touching ``period``; the first may begin before it."""
    first = pl.select(pl.lit(period.start).dt.truncate(_every(granularity))).item()
    starts = pl.datetime_range(
        first,
        period.end,
        interval=_every(granularity),
        closed="left",
        time_unit="us",
        time_zone="UTC",
        eager=True,
    )
    return [as_utc(value) for value in starts.to_list()]


def _every(granularity: str) -> str:
    try:
        return GRANULARITIES[granularity]
    except KeyError:
        raise ValueError(
            f"granularity must be one of {sorted(GRANULARITIES)}, not {granularity!r}"
        ) from None
