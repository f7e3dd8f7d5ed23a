"""The scheduler process (inside ``hocba serve`` or alone as ``hocba scheduler``)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from domain.model import SchoolYear
from scheduler._leader import LeaderLock
from scheduler._run_due import DueReport, run_due
from workflow import CityExchange, Clock
from workflow._locks import LockGroup, lock_key, lock_time
from workflow._notifier import Notifier

log = logging.getLogger("hocba.scheduler")

_WEEK = 7 * 24 * 3600


class SchedulerService:
    """Runs the due jobs at each lock time and on a regular tick, in the leader process only.

    Nothing is skipped while the system is down: whoever becomes leader first runs
    everything that came due (``run_due`` is idempotent), and APScheduler's misfire grace
    is a week with coalescing, so a late trigger still fires once.
    """

    def __init__(
        self,
        *,
        engine: Engine,
        clock: Clock,
        notifier: Notifier,
        reminder_days: Sequence[int],
        timezone: str,
        tick_seconds: int = 300,
        standby_seconds: int = 30,
        exchange: CityExchange | None = None,
    ) -> None:
        self._engine = engine
        self._clock = clock
        self._notifier = notifier
        self._reminder_days = tuple(reminder_days)
        self._timezone = timezone
        self._tick_seconds = tick_seconds
        self._standby_seconds = standby_seconds
        self._exchange = exchange
        self._leader = LeaderLock(engine)
        self._running = threading.Lock()
        self._scheduler = BackgroundScheduler(
            timezone=ZoneInfo(timezone),
            job_defaults={"coalesce": True, "misfire_grace_time": _WEEK, "max_instances": 1},
        )

    @property
    def leading(self) -> bool:
        """Whether this process runs the jobs."""
        return self._leader.held

    def start(self) -> bool:
        """Start; returns whether this process leads (then everything due has already run)."""
        self._scheduler.start()
        if not self._try_to_lead():
            log.info("another scheduler is active; standing by")
            self._scheduler.add_job(
                self._try_to_lead, IntervalTrigger(seconds=self._standby_seconds), id="elect"
            )
        return self.leading

    def shutdown(self) -> None:
        """Stop the jobs and step down."""
        self._scheduler.shutdown(wait=False)
        self._leader.release()

    def _try_to_lead(self) -> bool:
        if not self._leader.try_acquire():
            return False
        log.info("this process is the active scheduler")
        try:
            self.tick()  # catch up on whatever came due while no scheduler ran
        except Exception:
            # The regular tick retries; a failed catch-up must not stop the server starting.
            log.exception("catch-up run failed; the next tick retries")
        self._scheduler.add_job(
            self.tick,
            IntervalTrigger(seconds=self._tick_seconds),
            id="tick",
            replace_existing=True,
        )
        if self._scheduler.get_job("elect"):
            self._scheduler.remove_job("elect")
        return True

    def tick(self) -> DueReport:
        """Run what is due now and (re)plan a trigger at every future lock time."""
        with self._running:
            report = run_due(
                self._engine,
                at=self._clock.now(),
                notifier=self._notifier,
                reminder_days=self._reminder_days,
                timezone=self._timezone,
                exchange=self._exchange,
            )
            for line in report.lines():
                log.info("%s", line)
            self._plan_lock_times()
            return report

    def _plan_lock_times(self) -> None:
        now = self._clock.now()
        with Session(self._engine) as session:
            years = session.exec(select(SchoolYear)).all()
        for year in years:
            assert year.id is not None
            for group in LockGroup:
                when = lock_time(year, group)
                if when > now:
                    # Replacing keeps a trigger right when the Department moves a date.
                    self._scheduler.add_job(
                        self.tick,
                        DateTrigger(run_date=when),
                        id=f"at:{lock_key(group, year.id)}",
                        replace_existing=True,
                    )
