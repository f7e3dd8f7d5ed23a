"""Signing steps: record a verified signature and move on; return to draft; finalize."""

from __future__ import annotations

import hashlib
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from domain.model import (
    Blob,
    Role,
    RoleAssignment,
    Transcript,
    TranscriptSignature,
    state_hash,
)
from workflow._actor import Actor
from workflow._errors import InvalidInputError
from workflow._facts_loader import load_facts
from workflow._flow import FlowRunner
from workflow._policy import (
    SignatureEvidence,
    homeroom_signer_stands_in,
    subject_signer_stands_in,
)
from workflow._signing_steps import EVENT_OF_STEP, SigningStep, slot_of_step
from workflow._transitions import acting_person, fire, get_transcript, snapshot
from workflow._uow import UnitOfWork


def _departed_holder(
    session: Session, row: Transcript, role: Role, subject_code: str | None, now: datetime
) -> int | None:
    """Who held the duty last before it ended: the person a principal signs in place of."""
    query = select(RoleAssignment.person_id).where(
        RoleAssignment.role == role,
        RoleAssignment.class_id == row.class_id,
        col(RoleAssignment.valid_until).is_not(None),
        col(RoleAssignment.valid_until) <= now,
    )
    if subject_code is not None:
        query = query.where(RoleAssignment.subject_code == subject_code)
    return session.exec(query.order_by(col(RoleAssignment.valid_until).desc()).limit(1)).first()


_BLOB_KNOWN = sa.select(col(Blob.sha256)).where(col(Blob.sha256) == sa.bindparam("digest"))


def store_blob(session: Session, content: bytes, media_type: str, now: datetime) -> str:
    """Keep ``content`` in ``blobs`` (once per digest); returns its SHA-256 (hex)."""
    digest = hashlib.sha256(content).hexdigest()
    # Whether it is there, without reading back a content of the same digest (the same bytes).
    known = session.execute(_BLOB_KNOWN, {"digest": digest}).first()
    if known is None:
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
    """Record a verified signature in its slot and move the transcript one step.

    Signatures arrive through the signing sessions (``workflow._signing_sessions``), which
    verify the signed document and call ``record_signature`` in the same transaction; this
    entry records evidence handed over directly (tests of the state machine).
    """
    with uow:
        row = get_transcript(uow.session, transcript_id)
        record_signature(
            uow,
            row,
            step=step,
            actor=actor,
            evidence=evidence,
            now=now,
            subject_code=subject_code,
            signed_xml=signed_xml,
            signed_pdf=signed_pdf,
        )
        uow.commit("the transcript")
        return row


def record_signature(
    uow: UnitOfWork,
    row: Transcript,
    *,
    step: SigningStep,
    actor: Actor,
    evidence: SignatureEvidence,
    now: datetime,
    subject_code: str | None = None,
    signed_xml: bytes | None = None,
    signed_pdf: bytes | None = None,
    runner: FlowRunner | None = None,
) -> None:
    """The transition of ``sign`` inside the caller's open unit of work (no commit).

    ``runner``: one machine for the items of a signing session (``workflow._transitions.fire``).
    """
    if (step is SigningStep.SUBJECT) != (subject_code is not None):
        raise InvalidInputError(
            "subject_code",
            "required for the subject step and only for it",
            "chỉ và bắt buộc ghi ở bước ký của giáo viên bộ môn",
        )
    session = uow.session
    facts = load_facts(session, row, now=now)
    on_behalf = None
    if subject_code is not None and subject_signer_stands_in(actor, facts, subject_code):
        on_behalf = _departed_holder(session, row, Role.SUBJECT_TEACHER, subject_code, now)
    elif step is SigningStep.HOMEROOM and homeroom_signer_stands_in(actor, facts):
        on_behalf = _departed_holder(session, row, Role.HOMEROOM_TEACHER, None, now)
    # The signed files belong to the transition: set before it, so the audit entry's
    # "after" fingerprint is the state that commits.
    before = state_hash(snapshot(row))
    if signed_xml is not None:
        row.xml_sha256 = store_blob(session, signed_xml, "application/xml", now)
    if signed_pdf is not None:
        row.pdf_sha256 = store_blob(session, signed_pdf, "application/pdf", now)
    fire(
        uow,
        row,
        EVENT_OF_STEP[step],
        actor=actor,
        now=now,
        facts=facts,
        before=before,
        subject_code=subject_code,
        evidence=evidence,
        runner=runner,
    )
    slot = slot_of_step(step, subject_code)
    session.add(
        TranscriptSignature(
            transcript_id=row.id,
            slot=slot,
            signer_id=acting_person(actor),
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


def send_back(
    uow: UnitOfWork, *, transcript_id: str, actor: Actor, reason: str, now: datetime
) -> Transcript:
    """A later signer returns the transcript to draft; earlier signatures are archived."""
    with uow:
        session = uow.session
        row = get_transcript(session, transcript_id)
        fire(uow, row, "send_back", actor=actor, now=now, reason=reason)
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
        row = get_transcript(uow.session, transcript_id)
        fire(uow, row, "finalize", actor=actor, now=now)
        row.locked_at = now
        uow.session.add(row)
        uow.commit("the transcript")
        return row
