"""The demo's two school years and the instants its events happen at, all derived from ``now``."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from workflow._demo_data import YearRef

_YEAR_OPENS = (9, 1)
"""A school year runs September to August; duties start on 1 September."""
_TEACHING_ENDS = (5, 31)
_MAIN_LOCK = (6, 30)
_SUPPLEMENTARY_LOCK = (8, 15)
_LOCK_TIME = time(23, 59, 59)
_WORKDAY_START = timedelta(hours=8)
_WORKDAY_MINUTES = 9 * 60


@dataclass(frozen=True, slots=True)
class DemoYear:
    """One school year of the demo and its default lock calendar (REQ-20)."""

    ref: YearRef
    name: str
    """NamHoc, e.g. ``2026-2027``."""
    zone: ZoneInfo
    starts_on: date
    ends_on: date
    opens_at: datetime
    """1 September 00:00 local: when the year's duties start."""
    main_lock_at: datetime
    """30 June 23:59:59 local of the year's end."""
    supplementary_lock_at: datetime
    """15 August 23:59:59 local of the year's end."""

    def at(self, month: int, day: int, hour: int, minute: int = 0) -> datetime:
        """A local instant of this year (September–December fall in its first calendar year)."""
        calendar_year = self.starts_on.year if month >= _YEAR_OPENS[0] else self.ends_on.year
        return datetime(calendar_year, month, day, hour, minute, tzinfo=self.zone)


def _year(ref: YearRef, first: int, zone: ZoneInfo) -> DemoYear:
    last = first + 1
    return DemoYear(
        ref=ref,
        name=f"{first}-{last}",
        zone=zone,
        starts_on=date(first, *_YEAR_OPENS),
        ends_on=date(last, *_TEACHING_ENDS),
        opens_at=datetime.combine(date(first, *_YEAR_OPENS), time(0), tzinfo=zone),
        main_lock_at=datetime.combine(date(last, *_MAIN_LOCK), _LOCK_TIME, tzinfo=zone),
        supplementary_lock_at=datetime.combine(
            date(last, *_SUPPLEMENTARY_LOCK), _LOCK_TIME, tzinfo=zone
        ),
    )


def demo_years(now: datetime, *, zone: ZoneInfo) -> dict[YearRef, DemoYear]:
    """The school year containing ``now`` (September–August, local time) and the one before."""
    local = now.astimezone(zone)
    first = local.year if local.month >= _YEAR_OPENS[0] else local.year - 1
    return {
        YearRef.PREVIOUS: _year(YearRef.PREVIOUS, first - 1, zone),
        YearRef.CURRENT: _year(YearRef.CURRENT, first, zone),
    }


def so_far(year: DemoYear, *, now: datetime, fraction: float) -> datetime:
    """An instant ``fraction`` (0–1) of the way from the year's opening to ``now``.

    A working-day time on the day that far along (later fractions fall on later days and at
    later hours, so the order of events is kept), and never after ``now``.
    """
    days = max(0, (now.astimezone(year.zone).date() - year.starts_on).days)
    day = year.opens_at + timedelta(days=math.floor(fraction * days))
    minutes = timedelta(minutes=math.floor(fraction * _WORKDAY_MINUTES))
    return min(now, day + _WORKDAY_START + minutes)
