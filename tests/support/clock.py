"""Fixed instants for tests: no test reads the real clock."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def vn(
    year: int, month: int, day: int, hour: int = 9, minute: int = 0, second: int = 0
) -> datetime:
    """An instant given in Vietnam's local time."""
    return datetime(year, month, day, hour, minute, second, tzinfo=VN)
