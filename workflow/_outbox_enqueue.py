"""Writing the city exchange messages a transition causes, in the transition's transaction.

The one hook is ``OutboxListener``, a listener of the transcript's state machine added by
``workflow._transitions.fire``: every way a transcript is finalized (the clerk's
``finalize``, the lock date, a late stamp) and every way a version is superseded (revoke,
an approved correction) passes through it, and the messages commit or roll back with the
transition itself.

| transition | messages, delivered in this order |
|---|---|
| ``finalize`` | ``register_create``, ``send_transcript``, ``register_verify``, ``relay_ministry`` |
| a registered version becomes ``superseded`` | ``register_cancel`` (after the ones above) |

A version superseded before it was finalized (revoked while only stamped) was never
registered: nothing is sent. A rejected correction returns the version to ``finalized``
without a ``finalize`` event: its registration stands and nothing is sent again.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from domain.model import (
    OutboxKind,
    OutboxMessage,
    School,
    Student,
    Transcript,
    TranscriptStatus,
)

FINALIZED_CHAIN = (
    OutboxKind.REGISTER_CREATE,
    OutboxKind.SEND_TRANSCRIPT,
    OutboxKind.REGISTER_VERIFY,
    OutboxKind.RELAY_MINISTRY,
)
"""What a finalized version sends, in order (docs/city-exchange.md)."""


def idempotency_key(kind: OutboxKind, transcript_id: str) -> str:
    """The message's key: one message per kind and transcript version, ever."""
    return f"hocba:{kind.value}:{transcript_id}"


def enqueue(
    session: Session,
    transcript: Transcript,
    kinds: tuple[OutboxKind, ...],
    *,
    now: datetime,
    details: dict[str, Any] | None = None,
) -> list[OutboxMessage]:
    """Add one pending message per kind for ``transcript`` (a key already queued is skipped)."""
    school = session.get(School, transcript.school_id)
    student = session.get(Student, transcript.student_id)
    assert school is not None and student is not None  # foreign keys
    keys = {kind: idempotency_key(kind, transcript.id) for kind in kinds}
    queued = set(
        session.exec(
            select(OutboxMessage.idempotency_key).where(
                col(OutboxMessage.idempotency_key).in_(keys.values())
            )
        ).all()
    )
    added = []
    for kind, key in keys.items():
        if key in queued:
            continue
        message = OutboxMessage(
            kind=kind,
            idempotency_key=key,
            transcript_id=transcript.id,
            department_code=school.department_code,
            personal_id=student.personal_id,
            document_sha256=transcript.xml_sha256,
            details=dict(details or {}),
            next_attempt_at=now,
            created_at=now,
            updated_at=now,
        )
        session.add(message)
        added.append(message)
    return added


def _registered(session: Session, transcript_id: str) -> bool:
    key = idempotency_key(OutboxKind.REGISTER_CREATE, transcript_id)
    found = session.exec(select(OutboxMessage.id).where(OutboxMessage.idempotency_key == key))
    return found.first() is not None


class OutboxListener:
    """Queues the city exchange messages of one transcript's transition (REQ-31, flows 3–5)."""

    def __init__(self, session: Session, transcript: Transcript, now: datetime) -> None:
        self._session, self._row, self._now = session, transcript, now

    def after_transition(self, event: str, source: Any, target: Any) -> None:
        """Called by the state machine after ``event`` moved the transcript."""
        if event == "finalize":
            enqueue(self._session, self._row, FINALIZED_CHAIN, now=self._now)
        elif target.value == TranscriptStatus.SUPERSEDED and _registered(
            self._session, self._row.id
        ):
            enqueue(
                self._session,
                self._row,
                (OutboxKind.REGISTER_CANCEL,),
                now=self._now,
                details={"event": event},
            )
