"""What a clock is. The workflow never reads one: ``now`` is always passed in."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol


class Clock(Protocol):
    """Something that tells the time: the machine's (api, scheduler) or a fixed one (tests)."""

    def now(self) -> datetime:
        """The current instant, timezone-aware."""
        ...
