"""Firing one event on a transcript inside a unit of work: the shared steps of every use case."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.orm.attributes import flag_modified
from sqlmodel import Session
from statemachine.exceptions import TransitionNotAllowed

from domain.model import Transcript, state_hash
from workflow._actor import Actor
from workflow._errors import NotAllowedInStateError, NotAssignedError, NotFoundError
from workflow._facts import TranscriptFacts
from workflow._facts_loader import load_facts
from workflow._flow import FlowRunner
from workflow._outbox_enqueue import OutboxListener
from workflow._transfer_freeze import check_transcript_not_transferred
from workflow._uow import UnitOfWork


def snapshot(transcript: Transcript) -> dict[str, Any]:
    """What an audit entry fingerprints of a transcript (its before/after hashes)."""
    return {
        "id": transcript.id,
        "version": transcript.version,
        "kind": str(transcript.kind),
        "status": str(transcript.status),
        "data": transcript.data,
        "xml_sha256": transcript.xml_sha256,
        "pdf_sha256": transcript.pdf_sha256,
    }


class _AuditListener:
    """Records every transition of one transcript in the unit of work's audit trail."""

    def __init__(
        self,
        uow: UnitOfWork,
        transcript: Transcript,
        actor: Actor,
        now: datetime,
        before: str | None = None,
    ) -> None:
        self._uow, self._row, self._actor, self._now = uow, transcript, actor, now
        self._before = before or state_hash(snapshot(transcript))

    def after_transition(self, event: str, source: Any, target: Any) -> None:
        self._uow.audit.record(
            actor=self._actor,
            action=f"transcript.{event}",
            object_type="transcript",
            object_id=self._row.id,
            now=self._now,
            before_sha256=self._before,
            after_sha256=state_hash(snapshot(self._row)),
            details={"from": str(source.value), "to": str(target.value)},
        )


def get_transcript(session: Session, transcript_id: str) -> Transcript:
    """The transcript row, or NotFoundError."""
    row = session.get(Transcript, transcript_id)
    if row is None:
        raise NotFoundError("transcript", transcript_id)
    return row


def fire(
    uow: UnitOfWork,
    transcript: Transcript,
    event: str,
    *,
    actor: Actor,
    now: datetime,
    facts: TranscriptFacts | None = None,
    before: str | None = None,
    runner: FlowRunner | None = None,
    **arguments: Any,
) -> None:
    """Send ``event`` through the machine; a refusal raises before anything changes.

    ``facts`` may be passed when the caller loaded them already for the same ``now``;
    ``before`` is the transcript's fingerprint before the use case touched it, when it set
    fields that belong to the transition (the signed files) before firing. ``runner`` may
    be shared by the events of one use case call on many transcripts (one machine for all).
    """
    # A school the student transferred away from keeps its record read-only (REQ-26).
    check_transcript_not_transferred(uow.session, transcript, event)
    facts = facts or load_facts(uow.session, transcript, now=now)
    listener = _AuditListener(uow, transcript, actor, now, before)
    # The city exchange's messages commit with the transition or not at all (REQ-31).
    outbox = OutboxListener(uow.session, transcript, now)
    with (runner or FlowRunner()).bound(transcript, [listener, outbox]) as flow:
        # The machine runs validators (who may) before conditions (which way): asking the
        # conditions first refuses an event the state rules out (a CaNam draft to the
        # principal) for the state, whoever the actor is, as every other event the state
        # does not allow.
        if event not in {e.id for e in flow.enabled_events(facts=facts, now=now, **arguments)}:
            raise NotAllowedInStateError(event, str(transcript.status))
        try:
            flow.send(event, actor=actor, facts=facts, now=now, **arguments)
        except TransitionNotAllowed:
            raise NotAllowedInStateError(event, str(transcript.status)) from None
    # Touching the row makes every event an UPDATE checked against row_version, so two
    # concurrent events on one transcript never both succeed (even draft → draft ones).
    transcript.updated_at = now
    flag_modified(transcript, "updated_at")  # even when ``now`` equals the stored value
    uow.session.add(transcript)
    uow.flush("the transcript")


def acting_person(actor: Actor) -> int:
    """The person behind ``actor`` (every event but the scheduler's finalize has one)."""
    # Guards admit the system actor to ``finalize`` only, which records no person.
    if actor.person_id is None:
        raise NotAssignedError("a person", "một người dùng")
    return actor.person_id


def new_version(
    uow: UnitOfWork, old: Transcript, *, actor: Actor, now: datetime, why: dict[str, Any]
) -> Transcript:
    """The next version of ``old`` (PhienBan + 1, ThayTheCho = old), in draft, same data.

    It is flushed (so other rows may name it) and audited with ``why`` in the details.
    """
    new = Transcript(
        id=str(uuid.uuid4()),
        student_id=old.student_id,
        school_id=old.school_id,
        school_year_id=old.school_year_id,
        class_id=old.class_id,
        kind=old.kind,
        version=old.version + 1,
        replaces_id=old.id,
        supplementary=old.supplementary,
        data=dict(old.data),
        created_at=now,
        updated_at=now,
    )
    uow.session.add(new)
    uow.flush("the transcript")
    uow.audit.record(
        actor=actor,
        action="transcript.new_version",
        object_type="transcript",
        object_id=new.id,
        now=now,
        after_sha256=state_hash(snapshot(new)),
        details={"replaces": old.id, **why},
    )
    return new


def replace_data(
    uow: UnitOfWork,
    row: Transcript,
    data: dict[str, Any],
    *,
    action: str,
    actor: Actor,
    now: datetime,
    details: dict[str, Any] | None = None,
) -> None:
    """Put ``data`` on ``row`` and audit the change with before/after hashes.

    The caller has checked that the data may change (draft, before the lock, not signed).
    """
    before = state_hash(snapshot(row))
    row.data = data
    row.updated_at = now
    uow.session.add(row)
    uow.flush("the transcript")
    uow.audit.record(
        actor=actor,
        action=action,
        object_type="transcript",
        object_id=row.id,
        now=now,
        before_sha256=before,
        after_sha256=state_hash(snapshot(row)),
        details=details or {},
    )
