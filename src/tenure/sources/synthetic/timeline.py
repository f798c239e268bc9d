"""The calendar of a generated history: its months, in microseconds since 1970.

All simulation code works on int64 microseconds (naive UTC), the unit of the
Parquet `timestamp('us')` columns, so no datetime objects are created per row.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

DAY_US = 86_400_000_000
DEFAULT_END_DATE = dt.date(2026, 10, 31)
_EPOCH = dt.date(1970, 1, 1)


def date_us(day: dt.date) -> int:
    """Microseconds since 1970 at the start (00:00 UTC) of `day`."""
    return (day - _EPOCH).days * DAY_US


def add_months(day: dt.date, months: int) -> dt.date:
    """The first of the month `months` after the month of `day`."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Timeline:
    """`months` calendar months ending with the month of `end` (inclusive)."""

    first_month: dt.date
    end: dt.date
    months: int

    @property
    def month_starts(self) -> tuple[dt.date, ...]:
        return tuple(add_months(self.first_month, m) for m in range(self.months))

    @property
    def end_us(self) -> int:
        """Exclusive end of the history: midnight after `end`."""
        return date_us(self.end) + DAY_US

    @property
    def start_us(self) -> int:
        return date_us(self.first_month)

    def bounds_us(self) -> np.ndarray:
        """Start of each month and the exclusive end of the last: `months + 1` values.

        The last month is cut at `end`, so a history can stop mid-month.
        """
        starts = [date_us(d) for d in self.month_starts]
        return np.array([*starts, self.end_us], dtype=np.int64)

    def calendar_months(self) -> np.ndarray:
        """Calendar month (0 = January) of each simulated month."""
        return np.array([d.month - 1 for d in self.month_starts], dtype=np.int64)

    def day_starts_us(self, month: int) -> np.ndarray:
        """Midnight of each day in simulated month `month` (within the history)."""
        bounds = self.bounds_us()
        return np.arange(bounds[month], bounds[month + 1], DAY_US, dtype=np.int64)


def timeline(end: dt.date, months: int) -> Timeline:
    """The timeline of `months` months whose last month contains `end`."""
    if months < 1:
        raise ValueError(f"months must be at least 1, got {months}")
    return Timeline(first_month=add_months(end, -(months - 1)), end=end, months=months)


def weekday_of(day_us: np.ndarray) -> np.ndarray:
    """Weekday (0 = Monday) of each timestamp; 1970-01-01 was a Thursday."""
    return (day_us // DAY_US + 3) % 7


def anniversaries_us(day_of_month: np.ndarray, timeline: Timeline) -> np.ndarray:
    """For each account (row) and month (column): midnight of its day-of-month in that month.

    Days past the month's end fall on its last day (a Jan 31 contract renews Feb 28).
    """
    bounds = [date_us(add_months(timeline.first_month, m)) for m in range(timeline.months + 1)]
    starts = np.array(bounds[:-1], dtype=np.int64)
    lengths = (np.array(bounds[1:]) - starts) // DAY_US
    day = np.minimum(day_of_month[:, None], lengths[None, :]) - 1
    return starts[None, :] + day * DAY_US
