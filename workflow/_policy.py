"""Who may do what, and when: the guards of the transcript workflow as named predicates.

Each ``check_*`` returns normally when the actor may fire the event, and raises the typed
error that names the reason otherwise. The state machine calls them as validators; the
"what can I do now" list calls them too, so both always agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.model import Role, SlotKind, TranscriptKind, TranscriptStatus, slot_name
from workflow._actor import Actor
from workflow._errors import (
    AdministratorForbiddenError,
    LockDatePassedError,
    NotAssignedError,
    NotYetLockedError,
    OrganisationCertificateRequiredError,
    ReasonRequiredError,
    SlotAlreadySignedError,
    SubjectNotInTranscriptError,
)
from workflow._facts import TranscriptFacts


@dataclass(frozen=True, slots=True)
class SignatureEvidence:
    """A signature that was made and verified for one slot, ready to be recorded."""

    certificate_sha256: str
    certificate_subject: str
    certificate_serial: str
    signed_at: datetime
    signed_bytes_sha256: str
    organisation: bool = False
    """Whether the certificate is an organisation certificate (required for the seal)."""


def _not_administrator(actor: Actor) -> None:
    if actor.is_administrator:
        raise AdministratorForbiddenError


def _reason_given(reason: str | None) -> None:
    if not reason or not reason.strip():
        raise ReasonRequiredError


def _school_role(actor: Actor, role: Role, facts: TranscriptFacts) -> bool:
    return actor.holds(role, school_id=facts.school_id, school_year_id=facts.school_year_id)


def _free_slot(facts: TranscriptFacts, slot: str) -> None:
    if slot in facts.live_slots:
        raise SlotAlreadySignedError(slot)


def subject_signer_stands_in(actor: Actor, facts: TranscriptFacts, subject_code: str) -> bool:
    """Whether ``actor`` signs a subject slot as the principal in place of a teacher who left."""
    return (
        subject_code not in facts.staffed_subjects
        and _school_role(actor, Role.PRINCIPAL, facts)
        and not actor.holds(
            Role.SUBJECT_TEACHER,
            school_id=facts.school_id,
            school_year_id=facts.school_year_id,
            class_id=facts.class_id,
            subject_code=subject_code,
        )
    )


def check_sign_subject(actor: Actor, facts: TranscriptFacts, subject_code: str) -> None:
    """The subject teacher of this class (or the principal in place of one who left, REQ-16)."""
    _not_administrator(actor)
    if facts.kind is TranscriptKind.SO_HOA:
        # REQ-27: the principal and the clerk certify a digitised paper record; no teacher of
        # this school kept it, so none signs a subject of it.
        raise NotAssignedError(
            "the principal (a digitised record has no subject signatures)",
            "hiệu trưởng (học bạ số hoá không có chữ ký giáo viên bộ môn)",
        )
    if subject_code not in facts.subjects:
        raise SubjectNotInTranscriptError(subject_code)
    teaches = actor.holds(
        Role.SUBJECT_TEACHER,
        school_id=facts.school_id,
        school_year_id=facts.school_year_id,
        class_id=facts.class_id,
        subject_code=subject_code,
    )
    if not teaches and not subject_signer_stands_in(actor, facts, subject_code):
        raise NotAssignedError(
            f"the teacher of {subject_code} in this class",
            f"giáo viên bộ môn {subject_code} của lớp này",
        )
    _free_slot(facts, slot_name(SlotKind.GVBM, subject_code))


def _is_homeroom_teacher(actor: Actor, facts: TranscriptFacts) -> bool:
    return actor.holds(
        Role.HOMEROOM_TEACHER,
        school_id=facts.school_id,
        school_year_id=facts.school_year_id,
        class_id=facts.class_id,
    )


def homeroom_signer_stands_in(actor: Actor, facts: TranscriptFacts) -> bool:
    """Whether ``actor`` signs the GVCN slot as the principal of a class left without one."""
    return (
        not facts.has_homeroom_teacher
        and _school_role(actor, Role.PRINCIPAL, facts)
        and not _is_homeroom_teacher(actor, facts)
    )


def check_sign_homeroom(actor: Actor, facts: TranscriptFacts) -> None:
    """The homeroom teacher of this class (or the principal if the class has none now)."""
    _not_administrator(actor)
    if not _is_homeroom_teacher(actor, facts) and not homeroom_signer_stands_in(actor, facts):
        raise NotAssignedError(
            "the homeroom teacher of this class", "giáo viên chủ nhiệm của lớp này"
        )
    _free_slot(facts, SlotKind.GVCN.value)


def check_sign_principal(actor: Actor, facts: TranscriptFacts) -> None:
    """The principal of this school for this year."""
    _not_administrator(actor)
    if not _school_role(actor, Role.PRINCIPAL, facts):
        raise NotAssignedError("the principal of this school", "hiệu trưởng của trường này")
    _free_slot(facts, SlotKind.HIEU_TRUONG.value)


def check_stamp(actor: Actor, facts: TranscriptFacts, evidence: SignatureEvidence) -> None:
    """The school's clerk, with the school's organisation certificate."""
    _not_administrator(actor)
    if not _school_role(actor, Role.CLERK, facts):
        raise NotAssignedError("the clerk of this school", "văn thư của trường này")
    if not evidence.organisation:
        raise OrganisationCertificateRequiredError
    _free_slot(facts, SlotKind.DON_VI.value)


def check_finalize(actor: Actor, facts: TranscriptFacts) -> None:
    """The system at the lock date, or the school's clerk or principal when submitting."""
    _not_administrator(actor)
    if actor.is_system:
        return
    if not (_school_role(actor, Role.CLERK, facts) or _school_role(actor, Role.PRINCIPAL, facts)):
        raise NotAssignedError(
            "the clerk or principal of this school", "văn thư hoặc hiệu trưởng của trường này"
        )


_LATER_SIGNERS: dict[TranscriptStatus, tuple[Role, ...]] = {
    TranscriptStatus.SUBJECT_SIGNED: (Role.HOMEROOM_TEACHER, Role.PRINCIPAL, Role.CLERK),
    TranscriptStatus.HOMEROOM_SIGNED: (Role.PRINCIPAL, Role.CLERK),
    TranscriptStatus.PRINCIPAL_SIGNED: (Role.CLERK,),
}


def check_send_back(
    actor: Actor, facts: TranscriptFacts, status: TranscriptStatus, reason: str | None
) -> None:
    """A signer of a later step returns the transcript to draft, saying why."""
    _not_administrator(actor)
    _reason_given(reason)
    roles = _LATER_SIGNERS.get(status, ())
    scope = {
        "school_id": facts.school_id,
        "school_year_id": facts.school_year_id,
        "class_id": facts.class_id,
    }
    if not any(actor.holds(role, **scope) for role in roles):  # type: ignore[arg-type]
        raise NotAssignedError(
            "a signer of a later step for this transcript",
            "người ký ở bước sau của học bạ này",
        )


def check_revoke(actor: Actor, facts: TranscriptFacts, reason: str | None, now: datetime) -> None:
    """The principal, before the lock date (REQ-22)."""
    _not_administrator(actor)
    _reason_given(reason)
    if not _school_role(actor, Role.PRINCIPAL, facts):
        raise NotAssignedError("the principal of this school", "hiệu trưởng của trường này")
    if now >= facts.lock_at:
        raise LockDatePassedError(facts.lock_at.isoformat())


def check_request_correction(
    actor: Actor, facts: TranscriptFacts, reason: str | None, now: datetime
) -> None:
    """The principal, after the lock date (REQ-23)."""
    _not_administrator(actor)
    _reason_given(reason)
    if not _school_role(actor, Role.PRINCIPAL, facts):
        raise NotAssignedError("the principal of this school", "hiệu trưởng của trường này")
    if now < facts.lock_at:
        raise NotYetLockedError(facts.lock_at.isoformat())


def check_decide_correction(actor: Actor, facts: TranscriptFacts) -> None:
    """An officer of the Department the school belongs to."""
    _not_administrator(actor)
    if not actor.holds(Role.DEPARTMENT_OFFICER, department_code=facts.department_code):
        raise NotAssignedError(
            "an officer of this school's Department", "cán bộ Sở GDĐT quản lý trường này"
        )


def check_reopen_for_correction(actor: Actor, facts: TranscriptFacts, now: datetime) -> None:
    """The principal, approving a correction of a signed tracking-book entry (REQ-15).

    Fired only by ``workflow.decide_entry_correction``; before the lock date, as after it
    the transcript can change only through the Department (REQ-23).
    """
    _not_administrator(actor)
    if not _school_role(actor, Role.PRINCIPAL, facts):
        raise NotAssignedError("the principal of this school", "hiệu trưởng của trường này")
    if now >= facts.lock_at:
        raise LockDatePassedError(facts.lock_at.isoformat())
