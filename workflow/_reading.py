"""Reading a transcript: scope-checked, and recorded in the audit log (REQ-17, REQ-35)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from domain.model import (
    GuardianLink,
    Person,
    Role,
    School,
    SchoolClass,
    SchoolYear,
    Student,
    Transcript,
    TranscriptSignature,
    mask_personal_id,
)
from workflow._actor import Actor
from workflow._allowed import allowed_actions
from workflow._errors import NotFoundError
from workflow._transfer_reading import reads_as_receiving_school
from workflow._uow import UnitOfWork

_SCHOOL_WIDE = (Role.PRINCIPAL, Role.ACADEMIC_AFFAIRS, Role.CLERK)
_CLASS_WIDE = (Role.HOMEROOM_TEACHER, Role.SUBJECT_TEACHER)


@dataclass(frozen=True, slots=True)
class StudentView:
    """The student as a transcript page shows them (personal ID masked)."""

    id: int
    full_name: str
    personal_id_masked: str
    date_of_birth: date
    gender: str


@dataclass(frozen=True, slots=True)
class SignatureView:
    """One signature of the transcript, live or archived."""

    slot: str
    signer: str
    signed_at: datetime
    on_behalf_of: str | None
    archived: bool


@dataclass(frozen=True, slots=True)
class TranscriptView:
    """A transcript as its reader may see it, with what they may do to it now."""

    id: str
    version: int
    kind: str
    status: str
    school_year: str
    school_name: str
    class_name: str
    replaces_id: str | None
    student: StudentView
    data: dict[str, Any]
    signatures: tuple[SignatureView, ...]
    allowed_actions: tuple[str, ...]


def may_read(session: Session, actor: Actor, transcript: Transcript) -> bool:
    """Whether ``actor`` may read ``transcript`` (the administrator never may, REQ-07)."""
    if actor.is_administrator or actor.person_id is None:
        return False
    person = session.get(Person, actor.person_id)
    if person is None or not person.is_active:
        return False  # a closed account reads nothing, its own records included
    school_id, year_id = transcript.school_id, transcript.school_year_id
    if any(actor.holds(r, school_id=school_id, school_year_id=year_id) for r in _SCHOOL_WIDE):
        return True
    # A subject teacher's grant names a subject: any subject of the class counts for reading.
    if any(
        g.role in _CLASS_WIDE
        and g.covers(
            school_id=school_id,
            school_year_id=year_id,
            class_id=transcript.class_id,
            subject_code=g.subject_code,
        )
        for g in actor.grants
    ):
        return True
    school = session.get(School, transcript.school_id)
    if school and actor.holds(Role.DEPARTMENT_OFFICER, department_code=school.department_code):
        return True
    student = session.get(Student, transcript.student_id)
    if student is not None and student.person_id == actor.person_id:
        return True
    guardian = session.get(GuardianLink, (transcript.student_id, actor.person_id))
    return guardian is not None or reads_as_receiving_school(session, actor, transcript)


def _signatures(session: Session, transcript_id: str) -> tuple[SignatureView, ...]:
    signer, stood_for = aliased(Person), aliased(Person)
    rows = session.exec(
        select(
            TranscriptSignature,
            col(signer.full_name),
            col(stood_for.full_name),
        )
        .join(signer, col(signer.id) == TranscriptSignature.signer_id, isouter=True)
        .join(stood_for, col(stood_for.id) == TranscriptSignature.on_behalf_of_id, isouter=True)
        .where(TranscriptSignature.transcript_id == transcript_id)
        .order_by(col(TranscriptSignature.id))
    ).all()
    return tuple(
        SignatureView(
            slot=r.slot,
            signer=signer_name if signer_name is not None else str(r.signer_id),
            signed_at=r.signed_at,
            on_behalf_of=stood_for_name if r.on_behalf_of_id else None,
            archived=r.archived_at is not None,
        )
        for r, signer_name, stood_for_name in rows
    )


def read_transcript(
    uow: UnitOfWork, *, transcript_id: str, actor: Actor, now: datetime
) -> TranscriptView:
    """The transcript for a reader in scope; the read itself is an audit event.

    Outside the reader's scope the transcript does not exist for them (NotFoundError), so
    its existence is not disclosed either.
    """
    with uow:
        session = uow.session
        # One round trip for the transcript and the rows it names (the guards' facts then find
        # the school and year in the session instead of asking again).
        found = session.execute(
            sa.select(Transcript, Student, SchoolClass, SchoolYear, School)
            .join(Student, col(Student.id) == Transcript.student_id)
            .join(SchoolClass, col(SchoolClass.id) == Transcript.class_id)
            .join(SchoolYear, col(SchoolYear.id) == Transcript.school_year_id)
            .join(School, col(School.id) == Transcript.school_id)
            .where(col(Transcript.id) == transcript_id)
        ).first()
        if found is None or not may_read(session, actor, found[0]):
            raise NotFoundError("transcript", transcript_id)
        row, student, klass, year, school = found
        assert student.id is not None  # a stored row
        view = TranscriptView(
            id=row.id,
            version=row.version,
            kind=str(row.kind),
            status=str(row.status),
            school_year=year.name,
            school_name=school.name,
            class_name=klass.name,
            replaces_id=row.replaces_id,
            student=StudentView(
                id=student.id,
                full_name=student.full_name,
                personal_id_masked=mask_personal_id(student.personal_id),
                date_of_birth=student.date_of_birth,
                gender=student.gender,
            ),
            data=dict(row.data),
            signatures=_signatures(session, row.id),
            allowed_actions=allowed_actions(session, row, actor=actor, now=now),
        )
        uow.audit.record(
            actor=actor,
            action="student.read",
            object_type="student",
            object_id=str(student.id),
            now=now,
            details={"transcript_id": row.id},
        )
        uow.commit_reads()
        return view
