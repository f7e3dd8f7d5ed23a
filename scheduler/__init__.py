"""Time-triggered entry point: lock dates, late stamps, reminders; the active-scheduler lock."""

from scheduler._leader import LeaderLock
from scheduler._run_due import DueReport, run_due
from scheduler._service import SchedulerService

__all__ = ["DueReport", "LeaderLock", "SchedulerService", "run_due"]
