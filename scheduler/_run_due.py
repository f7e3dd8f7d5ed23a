"""Running every job due at an instant, once: the body of each tick and of ``run-due``."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session

from scheduler._outbox_job import deliver_city_exchange
from workflow import CityExchange, ConflictError, DeliveryReport, UnitOfWork, WorkflowError
from workflow._locks import LockOutcome, apply_lock, due_locks, finalize_late_stamps
from workflow._notifier import Message, Notifier
from workflow._reminders import create_reminders

log = logging.getLogger("hocba.scheduler")


@dataclass(frozen=True, slots=True)
class DueReport:
    """What one run changed."""

    at: datetime
    locks: tuple[LockOutcome, ...] = ()
    late_finalized: tuple[str, ...] = ()
    reminders: tuple[Message, ...] = ()
    undelivered: tuple[str, ...] = field(default=())
    city_exchange: DeliveryReport | None = None
    """What the city exchange's delivery did (None: the connector is off)."""

    def lines(self) -> list[str]:
        """The report as a person reads it."""
        out = [f"run at {self.at.isoformat()}"]
        for lock in self.locks:
            if lock.applied:
                out.append(
                    f"{lock.key}: applied — {len(lock.finalized)} finalized, "
                    f"{len(lock.overdue)} overdue"
                )
            else:
                out.append(f"{lock.key}: already applied, nothing changed")
        if self.late_finalized:
            out.append(f"late stamps finalized: {len(self.late_finalized)}")
        if self.reminders:
            out.append(f"reminders sent: {len(self.reminders)}")
        if self.undelivered:
            out.append(f"reminders not delivered (recorded): {', '.join(self.undelivered)}")
        if self.city_exchange is not None:
            out.extend(self.city_exchange.lines())
        if len(out) == 1:
            out.append("nothing was due")
        return out


def run_due(
    engine: Engine,
    *,
    at: datetime,
    notifier: Notifier,
    reminder_days: Sequence[int],
    timezone: str,
    exchange: CityExchange | None = None,
) -> DueReport:
    """Apply every lock due at ``at``, finalize late stamps, record and send reminders.

    Each job is its own transaction and idempotent: a second run, or a concurrent one in
    another process, changes nothing. Last, the city exchange sends what is due (``exchange``
    None: the connector is off and the messages stay queued).
    """
    with Session(engine) as session:
        due = due_locks(session, at=at)
    locks = []
    for lock in due:
        try:
            outcome = apply_lock(
                UnitOfWork(engine), school_year_id=lock.school_year_id, group=lock.group, now=at
            )
        except ConflictError:
            # Another scheduler process claimed the same run key at the same moment.
            outcome = LockOutcome(
                key=f"{lock.group.value}_lock:{lock.school_year_id}", applied=False
            )
        log.info("lock %s applied=%s", outcome.key, outcome.applied)
        locks.append(outcome)
    try:
        late = finalize_late_stamps(UnitOfWork(engine), now=at)
    except WorkflowError:
        # A clerk changed one of them at the same moment: the next tick finalizes them.
        log.exception("late stamps not finalized this run")
        late = ()
    try:
        messages = create_reminders(
            UnitOfWork(engine), now=at, days_before=reminder_days, timezone=timezone
        )
    except WorkflowError:
        log.exception("reminders not created this run")
        messages = []
    undelivered = []
    for message in messages:
        try:
            notifier.send(message)
        except Exception:  # a sender's failure must not stop the others
            log.exception("could not deliver a reminder to %s", message.username)
            undelivered.append(message.username)
    deliveries = deliver_city_exchange(engine, exchange=exchange, at=at)
    return DueReport(
        at=at,
        locks=tuple(locks),
        late_finalized=late,
        reminders=tuple(messages),
        undelivered=tuple(undelivered),
        city_exchange=deliveries,
    )
