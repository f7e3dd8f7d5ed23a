"""Counts for monitoring (Prometheus ``/metrics``): how much work waits, and what ran.

Only aggregates: no personal data, no audit event. Each is one grouped statement.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import col, select

from domain.model import OutboxMessage, SchedulerRun, SigningSession, Transcript
from workflow._uow import UnitOfWork


@dataclass(frozen=True, slots=True)
class OperationalCounts:
    """A snapshot of the system's queues at one instant."""

    transcripts_by_status: dict[str, int]
    open_signing_sessions: int
    """Prepared, not completed, not expired."""
    scheduler_runs_by_job: dict[str, int]
    last_scheduler_run_at: datetime | None
    outbox_by_state: dict[str, int]
    """Messages to the city system: pending (the backlog), delivered, dead."""


def operational_counts(uow: UnitOfWork, *, now: datetime) -> OperationalCounts:
    """The queues' sizes at ``now``."""
    with uow:
        session = uow.session
        by_status = {
            str(status): int(count)
            for status, count in session.exec(
                select(Transcript.status, sa.func.count()).group_by(col(Transcript.status))
            ).all()
        }
        open_sessions = session.exec(
            select(sa.func.count())
            .select_from(SigningSession)
            .where(col(SigningSession.completed_at).is_(None), SigningSession.expires_at > now)
        ).one()
        runs = {
            job: int(count)
            for job, count in session.exec(
                select(SchedulerRun.job, sa.func.count()).group_by(col(SchedulerRun.job))
            ).all()
        }
        last = session.exec(select(sa.func.max(SchedulerRun.ran_at))).one()
        outbox = {
            str(state): int(count)
            for state, count in session.exec(
                select(OutboxMessage.state, sa.func.count()).group_by(col(OutboxMessage.state))
            ).all()
        }
        return OperationalCounts(
            transcripts_by_status=by_status,
            open_signing_sessions=int(open_sessions),
            scheduler_runs_by_job=runs,
            last_scheduler_run_at=last,
            outbox_by_state=outbox,
        )
