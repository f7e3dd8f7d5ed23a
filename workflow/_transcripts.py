"""Use cases of the transcript workflow: each opens one unit of work and commits once."""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.orm.attributes import flag_modified
from sqlmodel import Session, col, select
from statemachine.exceptions import TransitionNotAllowed

from domain.model import (
    Blob,
    CorrectionRequest,
    CorrectionStatus,
    Role,
    RoleAssignment,
    SchoolClass,
    Student,
    Transcript,
    TranscriptKind,
    TranscriptSignature,
    state_hash,
)
from workflow._actor import Actor
from workflow._errors import (
    AdministratorForbiddenError,
    ConflictError,
    DataLockedError,
    InvalidInputError,
    NotAllowedInStateError,
    NotAssignedError,
    NotFoundError,
)
from workflow._facts_loader import load_facts
from workflow._flow import TranscriptFlow
from workflow._policy import SignatureEvidence, subject_signer_stands_in
from workflow._signing_steps import EVENT_OF_STEP, SigningStep, slot_of_step
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

    def __init__(self, uow: UnitOfWork, transcript: Transcript, actor: Actor, now: datetime):
        self._uow, self._row, self._actor, self._now = uow, transcript, actor, now
        self._before = state_hash(snapshot(transcript))

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


def _get(session: Session, transcript_id: str) -> Transcript:
    row = session.get(Transcript, transcript_id)
    if row is None:
        raise NotFoundError("transcript", transcript_id)
    return row


def _fire(
    uow: UnitOfWork,
    transcript: Transcript,
    event: str,
    *,
    actor: Actor,
    now: datetime,
    **arguments: Any,
) -> None:
    """Send ``event`` through the machine; a refusal raises before anything changes."""
    facts = load_facts(uow.session, transcript, now=now)
    flow = TranscriptFlow(transcript, listeners=[_AuditListener(uow, transcript, actor, now)])
    # The machine runs validators (who may) before conditions (which way): asking the
    # conditions first refuses an event the state rules out (a CaNam draft to the principal)
    # for the state, whoever the actor is, as every other event the state does not allow.
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


def _person(actor: Actor) -> int:
    # Guards admit the system actor to ``finalize`` only, which records no person.
    if actor.person_id is None:
        raise NotAssignedError("a person", "một người dùng")
    return actor.person_id


def _departed_teacher(
    session: Session, row: Transcript, subject_code: str, now: datetime
) -> int | None:
    """The subject teacher whose duty ended last: whom a principal signs in place of."""
    return session.exec(
        select(RoleAssignment.person_id)
        .where(
            RoleAssignment.role == Role.SUBJECT_TEACHER,
            RoleAssignment.class_id == row.class_id,
            RoleAssignment.subject_code == subject_code,
            col(RoleAssignment.valid_until).is_not(None),
            col(RoleAssignment.valid_until) <= now,
        )
        .order_by(col(RoleAssignment.valid_until).desc())
        .limit(1)
    ).first()


def _store_blob(session: Session, content: bytes, media_type: str, now: datetime) -> str:
    digest = hashlib.sha256(content).hexdigest()
    if session.get(Blob, digest) is None:
        session.add(
            Blob(
                sha256=digest,
                media_type=media_type,
                size=len(content),
                content=content,
                created_at=now,
            )
        )
    return digest


def create_transcript(
    uow: UnitOfWork,
    *,
    student_id: int,
    class_id: int,
    kind: TranscriptKind,
    data: dict[str, Any],
    actor: Actor,
    now: datetime,
) -> str:
    """Open a draft transcript (version 1) for a student of a class; returns its id."""
    with uow:
        session = uow.session
        if actor.is_administrator:
            raise AdministratorForbiddenError
        klass = session.get(SchoolClass, class_id)
        if klass is None:
            raise NotFoundError("class", class_id)
        if session.get(Student, student_id) is None:
            raise NotFoundError("student", student_id)
        allowed = actor.is_system or any(
            actor.holds(role, school_id=klass.school_id, school_year_id=klass.school_year_id)
            for role in (Role.ACADEMIC_AFFAIRS, Role.PRINCIPAL)
        )
        if not allowed:
            raise NotAssignedError(
                "academic affairs or the principal of this school",
                "học vụ hoặc hiệu trưởng của trường này",
            )
        row = Transcript(
            id=str(uuid.uuid4()),
            student_id=student_id,
            school_id=klass.school_id,
            school_year_id=klass.school_year_id,
            class_id=class_id,
            kind=kind,
            data=data,
            created_at=now,
            updated_at=now,
        )
        session.add(row)
        uow.audit.record(
            actor=actor,
            action="transcript.create",
            object_type="transcript",
            object_id=row.id,
            now=now,
            after_sha256=state_hash(snapshot(row)),
            details={"kind": str(kind)},
        )
        uow.commit("the transcript")
        return row.id


def record_data(
    uow: UnitOfWork, *, transcript_id: str, data: dict[str, Any], actor: Actor, now: datetime
) -> None:
    """Replace a draft transcript's results snapshot (refused once signed, locked or final)."""
    with uow:
        session = uow.session
        row = _get(session, transcript_id)
        facts = load_facts(session, row, now=now)
        if actor.is_administrator:
            raise AdministratorForbiddenError
        if row.locked_at is not None or now >= facts.lock_at:
            raise DataLockedError(
                f"the lock date {facts.lock_at.isoformat()} has passed",
                f"đã qua thời hạn khoá {facts.lock_at.isoformat()}",
            )
        if row.status != "draft" or facts.live_slots:
            raise DataLockedError(
                "signed data can change only after it is returned to draft",
                "dữ liệu đã ký chỉ được sửa sau khi trả về bản nháp",
            )
        school, year = row.school_id, row.school_year_id
        if not (
            actor.holds(
                Role.HOMEROOM_TEACHER, school_id=school, school_year_id=year, class_id=row.class_id
            )
            or actor.holds(Role.ACADEMIC_AFFAIRS, school_id=school, school_year_id=year)
        ):
            raise NotAssignedError(
                "the homeroom teacher of this class or academic affairs",
                "giáo viên chủ nhiệm lớp này hoặc học vụ",
            )
        before = state_hash(snapshot(row))
        row.data = data
        row.updated_at = now
        session.add(row)
        uow.audit.record(
            actor=actor,
            action="transcript.record_data",
            object_type="transcript",
            object_id=row.id,
            now=now,
            before_sha256=before,
            after_sha256=state_hash(snapshot(row)),
        )
        uow.commit("the transcript")


def sign(
    uow: UnitOfWork,
    *,
    transcript_id: str,
    step: SigningStep,
    actor: Actor,
    evidence: SignatureEvidence,
    now: datetime,
    subject_code: str | None = None,
    signed_xml: bytes | None = None,
    signed_pdf: bytes | None = None,
) -> Transcript:
    """Record a verified signature in its slot and move the transcript one step."""
    if (step is SigningStep.SUBJECT) != (subject_code is not None):
        raise InvalidInputError(
            "subject_code",
            "required for the subject step and only for it",
            "chỉ và bắt buộc ghi ở bước ký của giáo viên bộ môn",
        )
    with uow:
        session = uow.session
        row = _get(session, transcript_id)
        facts = load_facts(session, row, now=now)
        on_behalf = (
            _departed_teacher(session, row, subject_code, now)
            if subject_code is not None and subject_signer_stands_in(actor, facts, subject_code)
            else None
        )
        _fire(
            uow,
            row,
            EVENT_OF_STEP[step],
            actor=actor,
            now=now,
            subject_code=subject_code,
            evidence=evidence,
        )
        slot = slot_of_step(step, subject_code)
        if signed_xml is not None:
            row.xml_sha256 = _store_blob(session, signed_xml, "application/xml", now)
        if signed_pdf is not None:
            row.pdf_sha256 = _store_blob(session, signed_pdf, "application/pdf", now)
        session.add(
            TranscriptSignature(
                transcript_id=row.id,
                slot=slot,
                signer_id=_person(actor),
                certificate_sha256=evidence.certificate_sha256,
                certificate_subject=evidence.certificate_subject,
                certificate_serial=evidence.certificate_serial,
                signed_at=evidence.signed_at,
                signed_bytes_sha256=evidence.signed_bytes_sha256,
                on_behalf_of_id=on_behalf,
            )
        )
        uow.audit.record(
            actor=actor,
            action="signature.add",
            object_type="transcript",
            object_id=row.id,
            now=now,
            details={
                "slot": slot,
                "certificate_sha256": evidence.certificate_sha256,
                "signed_bytes_sha256": evidence.signed_bytes_sha256,
                "on_behalf_of": on_behalf,
            },
        )
        uow.commit("the transcript")
        return row


def send_back(
    uow: UnitOfWork, *, transcript_id: str, actor: Actor, reason: str, now: datetime
) -> Transcript:
    """A later signer returns the transcript to draft; earlier signatures are archived."""
    with uow:
        session = uow.session
        row = _get(session, transcript_id)
        _fire(uow, row, "send_back", actor=actor, now=now, reason=reason)
        archived = _archive_signatures(session, row.id, reason=reason, now=now)
        uow.audit.record(
            actor=actor,
            action="signature.archive",
            object_type="transcript",
            object_id=row.id,
            now=now,
            details={"reason": reason, "slots": archived},
        )
        uow.commit("the transcript")
        return row


def _archive_signatures(
    session: Session, transcript_id: str, *, reason: str, now: datetime
) -> list[str]:
    live = session.exec(
        select(TranscriptSignature).where(
            TranscriptSignature.transcript_id == transcript_id,
            col(TranscriptSignature.archived_at).is_(None),
        )
    ).all()
    for signature in live:
        signature.archived_at = now
        signature.archive_reason = reason
        session.add(signature)
    return sorted(s.slot for s in live)


def finalize(uow: UnitOfWork, *, transcript_id: str, actor: Actor, now: datetime) -> Transcript:
    """Issue a stamped transcript: from now on its data never changes (REQ-21)."""
    with uow:
        row = _get(uow.session, transcript_id)
        _fire(uow, row, "finalize", actor=actor, now=now)
        row.locked_at = now
        uow.session.add(row)
        uow.commit("the transcript")
        return row


def _new_version(session: Session, old: Transcript, now: datetime) -> Transcript:
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
    session.add(new)
    return new


def revoke(uow: UnitOfWork, *, transcript_id: str, actor: Actor, reason: str, now: datetime) -> str:
    """Withdraw an issued version before the lock date; returns the new draft version's id."""
    with uow:
        session = uow.session
        row = _get(session, transcript_id)
        _fire(uow, row, "revoke", actor=actor, now=now, reason=reason)
        new = _new_version(session, row, now)
        uow.audit.record(
            actor=actor,
            action="transcript.new_version",
            object_type="transcript",
            object_id=new.id,
            now=now,
            after_sha256=state_hash(snapshot(new)),
            details={"replaces": row.id, "reason": reason},
        )
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
        row = _get(session, transcript_id)
        _fire(uow, row, "request_correction", actor=actor, now=now, reason=reason)
        request = CorrectionRequest(
            transcript_id=row.id,
            requested_by_id=_person(actor),
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
        row = _get(session, request.transcript_id)
        event = "approve_correction" if approve else "reject_correction"
        _fire(uow, row, event, actor=actor, now=now)
        request.status = CorrectionStatus.APPROVED if approve else CorrectionStatus.REJECTED
        request.decided_by_id = actor.person_id
        request.decided_at = now
        request.decision_note = note
        new_id = None
        if approve:
            new = _new_version(session, row, now)
            uow.flush("the transcript")  # the new version exists before the request names it
            request.new_transcript_id = new_id = new.id
            uow.audit.record(
                actor=actor,
                action="transcript.new_version",
                object_type="transcript",
                object_id=new.id,
                now=now,
                after_sha256=state_hash(snapshot(new)),
                details={"replaces": row.id, "correction_request": request_id},
            )
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
