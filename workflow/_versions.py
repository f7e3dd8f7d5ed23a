"""New versions of an issued transcript: revocation (REQ-22) and corrections (REQ-23)."""

from __future__ import annotations

from datetime import datetime

from domain.model import CorrectionRequest, CorrectionStatus
from workflow._actor import Actor
from workflow._errors import ConflictError, NotFoundError
from workflow._transitions import acting_person, fire, get_transcript, new_version
from workflow._uow import UnitOfWork


def revoke(uow: UnitOfWork, *, transcript_id: str, actor: Actor, reason: str, now: datetime) -> str:
    """Withdraw an issued version before the lock date; returns the new draft version's id."""
    with uow:
        session = uow.session
        row = get_transcript(session, transcript_id)
        fire(uow, row, "revoke", actor=actor, now=now, reason=reason)
        new = new_version(uow, row, actor=actor, now=now, why={"reason": reason})
        uow.commit("the transcript")
        return new.id


def request_correction(
    uow: UnitOfWork,
    *,
    transcript_id: str,
    actor: Actor,
    reason: str,
    details: str,
    now: datetime,
) -> int:
    """Ask the Department to correct a locked transcript (REQ-23); returns the request id."""
    with uow:
        session = uow.session
        row = get_transcript(session, transcript_id)
        fire(uow, row, "request_correction", actor=actor, now=now, reason=reason)
        request = CorrectionRequest(
            transcript_id=row.id,
            requested_by_id=acting_person(actor),
            reason=reason,
            details=details,
            created_at=now,
        )
        session.add(request)
        uow.flush("the correction request")
        assert request.id is not None
        uow.audit.record(
            actor=actor,
            action="correction.request",
            object_type="correction_request",
            object_id=str(request.id),
            now=now,
            details={"transcript_id": row.id, "reason": reason},
        )
        uow.commit("the transcript")
        return request.id


def decide_correction(
    uow: UnitOfWork,
    *,
    request_id: int,
    actor: Actor,
    approve: bool,
    note: str,
    now: datetime,
) -> str | None:
    """The Department approves (a new draft version; returns its id) or rejects a request."""
    with uow:
        session = uow.session
        request = session.get(CorrectionRequest, request_id)
        if request is None:
            raise NotFoundError("correction request", request_id)
        if request.status != CorrectionStatus.PENDING:
            # Decided already (a stale page): deciding it again would act on the transcript
            # while another request may be the pending one.
            raise ConflictError("the correction request")
        row = get_transcript(session, request.transcript_id)
        event = "approve_correction" if approve else "reject_correction"
        fire(uow, row, event, actor=actor, now=now)
        request.status = CorrectionStatus.APPROVED if approve else CorrectionStatus.REJECTED
        request.decided_by_id = actor.person_id
        request.decided_at = now
        request.decision_note = note
        new_id = None
        if approve:
            new = new_version(
                uow, row, actor=actor, now=now, why={"correction_request": request_id}
            )
            request.new_transcript_id = new_id = new.id
        session.add(request)
        uow.audit.record(
            actor=actor,
            action=f"correction.{'approve' if approve else 'reject'}",
            object_type="correction_request",
            object_id=str(request_id),
            now=now,
            details={"note": note},
        )
        uow.commit("the correction request")
        return new_id
