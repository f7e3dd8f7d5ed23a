"""Appending to the audit log's hash chain, and checking it."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from domain.model import AuditEvent, AuditHead, ChainBreak, entry_hash, find_chain_break
from workflow._actor import Actor


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """An entry waiting for its place in the chain (given one when the use case commits)."""

    occurred_at: datetime
    actor_id: int | None
    actor_label: str
    action: str
    object_type: str
    object_id: str
    before_sha256: str | None = None
    after_sha256: str | None = None
    details: dict[str, Any] = field(default_factory=dict)


class AuditTrail:
    """The entries a use case records; written in order, inside its transaction, at commit."""

    def __init__(self) -> None:
        self._pending: list[AuditEntry] = []

    def record(
        self,
        *,
        actor: Actor,
        action: str,
        object_type: str,
        object_id: str,
        now: datetime,
        before_sha256: str | None = None,
        after_sha256: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        """Queue one entry."""
        self._pending.append(
            AuditEntry(
                occurred_at=now,
                actor_id=actor.person_id,
                actor_label=actor.label,
                action=action,
                object_type=object_type,
                object_id=object_id,
                before_sha256=before_sha256,
                after_sha256=after_sha256,
                details=details or {},
            )
        )

    def extend(self, entries: Iterable[AuditEntry]) -> None:
        """Queue entries recorded elsewhere (a batch of several use cases' reads)."""
        self._pending.extend(entries)

    def take(self) -> tuple[AuditEntry, ...]:
        """The entries not written yet, handed over: this trail no longer holds them."""
        taken, self._pending = tuple(self._pending), []
        return taken

    @property
    def pending(self) -> tuple[AuditEntry, ...]:
        """Entries not written yet."""
        return tuple(self._pending)

    def write(self, session: Session) -> None:
        """Chain the pending entries after the current head (locked until commit)."""
        if not self._pending:
            return
        # Locking the single head row serialises appenders, so the chain never forks.
        head = session.exec(select(AuditHead).where(AuditHead.id == 1).with_for_update()).one()
        seq, prev = head.seq, head.hash
        for entry in self._pending:
            seq += 1
            event = AuditEvent(
                seq=seq,
                occurred_at=entry.occurred_at,
                actor_id=entry.actor_id,
                actor_label=entry.actor_label,
                action=entry.action,
                object_type=entry.object_type,
                object_id=entry.object_id,
                before_sha256=entry.before_sha256,
                after_sha256=entry.after_sha256,
                details=entry.details,
                prev_hash=prev,
                hash="",
            )
            event.hash = entry_hash(event)
            session.add(event)
            prev = event.hash
        head.seq, head.hash = seq, prev
        session.add(head)
        self._pending.clear()


def _events_in_order(session: Session, batch: int = 2000) -> Iterator[AuditEvent]:
    last = 0
    while True:
        rows = session.exec(
            select(AuditEvent)
            .where(AuditEvent.seq > last)
            .order_by(col(AuditEvent.seq))
            .limit(batch)
        ).all()
        if not rows:
            return
        yield from rows
        last = rows[-1].seq
        session.expunge_all()


@dataclass(frozen=True, slots=True)
class AuditReport:
    """The outcome of checking the chain."""

    entries: int
    first_break: ChainBreak | None

    @property
    def ok(self) -> bool:
        """Whether the chain holds."""
        return self.first_break is None


def verify_audit_chain(session: Session) -> AuditReport:
    """Walk the whole chain in ``seq`` order; report the first edited, deleted or moved entry."""
    head = session.get(AuditHead, 1)
    head_seq, head_hash = (head.seq, head.hash) if head else (0, "")
    counted = 0

    def counting() -> Iterator[AuditEvent]:
        nonlocal counted
        for event in _events_in_order(session):
            counted += 1
            yield event

    snapshot = AuditHead(id=1, seq=head_seq, hash=head_hash) if head else None
    first_break = find_chain_break(counting(), snapshot)  # walk first: it sets ``counted``
    return AuditReport(entries=counted, first_break=first_break)
