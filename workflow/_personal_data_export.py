"""The data subject's access export (Decree 13/2023 Art. 9, 14): everything the system holds
about one student, as JSON, for the student, their guardian, or their school's principal."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from domain.model import (
    AuditEvent,
    CorrectionRequest,
    Enrollment,
    GuardianLink,
    HomeroomRecord,
    Person,
    RecoveryRequest,
    Role,
    School,
    SchoolClass,
    SchoolYear,
    ScoreLine,
    ShareLink,
    Student,
    Transcript,
    TranscriptSignature,
    YearEndRecord,
    mask_phone,
)
from workflow._actor import Actor
from workflow._consent import consents_of
from workflow._errors import (
    AdministratorForbiddenError,
    InvalidInputError,
    NotAssignedError,
    NotFoundError,
)
from workflow._own_copies import owned_student_ids
from workflow._uow import UnitOfWork

FORMAT = "hocba.personal-data"
FORMAT_VERSION = 1
"""Bumped whenever a section's shape changes."""


def _value(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_value(v) for v in value]
    if hasattr(value, "value") and not isinstance(value, bool | int | float | str):
        return value.value
    return value


def _row(row: Any, *, leave: tuple[str, ...] = ()) -> dict[str, Any]:
    fields = row.model_dump()
    return {k: _value(v) for k, v in fields.items() if k not in leave and k != "row_version"}


def _student_id(session: Session, actor: Actor, student_id: int | None) -> int:
    if actor.is_administrator:
        raise AdministratorForbiddenError
    own = owned_student_ids(session, actor)
    if student_id is None:
        if len(own) == 1:
            return next(iter(own))
        if not own:
            raise NotFoundError("student", "-")
        raise InvalidInputError(
            "student_id", "say which of your children", "hãy chọn học sinh cần xuất dữ liệu"
        )
    if student_id in own:
        return student_id
    principal_of = {
        g.school_id for g in actor.grants if g.role is Role.PRINCIPAL and g.school_id is not None
    }
    if not principal_of:
        if own:
            raise NotFoundError("student", student_id)
        raise NotAssignedError("the principal of the student's school", "hiệu trưởng của trường")
    enrolled = session.exec(
        select(SchoolClass.school_id)
        .join(Enrollment, col(Enrollment.class_id) == col(SchoolClass.id))
        .where(Enrollment.student_id == student_id)
    ).all()
    if not principal_of & set(enrolled):
        raise NotFoundError("student", student_id)
    return student_id


def _mask_id(value: str) -> str:
    return value[:4] + "*" * max(len(value) - 4, 0)


def _sections(session: Session, student: Student) -> dict[str, Any]:
    sid = student.id
    account = session.get(Person, student.person_id) if student.person_id else None
    guardians = session.exec(
        select(GuardianLink, Person)
        .join(Person, col(Person.id) == col(GuardianLink.person_id))
        .where(GuardianLink.student_id == sid)
    ).all()
    enrollments = session.exec(
        select(Enrollment, SchoolClass, SchoolYear, School)
        .join(SchoolClass, col(SchoolClass.id) == col(Enrollment.class_id))
        .join(SchoolYear, col(SchoolYear.id) == col(Enrollment.school_year_id))
        .join(School, col(School.id) == col(SchoolClass.school_id))
        .where(Enrollment.student_id == sid)
        .order_by(col(Enrollment.enrolled_on))
    ).all()
    transcripts = session.exec(
        select(Transcript)
        .where(Transcript.student_id == sid)
        .order_by(col(Transcript.school_year_id), col(Transcript.version))
    ).all()
    transcript_ids = [t.id for t in transcripts]
    signatures = (
        session.exec(
            select(TranscriptSignature)
            .where(col(TranscriptSignature.transcript_id).in_(transcript_ids))
            .order_by(col(TranscriptSignature.id))
        ).all()
        if transcript_ids
        else []
    )
    corrections = (
        session.exec(
            select(CorrectionRequest)
            .where(col(CorrectionRequest.transcript_id).in_(transcript_ids))
            .order_by(col(CorrectionRequest.id))
        ).all()
        if transcript_ids
        else []
    )
    links = session.exec(
        select(ShareLink).where(ShareLink.student_id == sid).order_by(col(ShareLink.id))
    ).all()
    recoveries = session.exec(
        select(RecoveryRequest)
        .where(RecoveryRequest.student_id == sid)
        .order_by(col(RecoveryRequest.requested_at))
    ).all()
    link_ids = [str(link.id) for link in links]
    about = [
        sa.and_(col(AuditEvent.object_type) == "student", col(AuditEvent.object_id) == str(sid))
    ]
    if transcript_ids:
        about.append(
            sa.and_(
                col(AuditEvent.object_type) == "transcript",
                col(AuditEvent.object_id).in_(transcript_ids),
            )
        )
    if link_ids:
        about.append(
            sa.and_(
                col(AuditEvent.object_type) == "share_link", col(AuditEvent.object_id).in_(link_ids)
            )
        )
    events = session.exec(
        select(AuditEvent).where(sa.or_(*about)).order_by(col(AuditEvent.seq))
    ).all()
    return {
        "student": _row(student, leave=("person_id",)),
        "account": (
            {"username": account.username, "full_name": account.full_name, "phone": account.phone}
            if account
            else None
        ),
        "guardians": [
            {
                "relationship": link.relationship,
                "full_name": person.full_name,
                "username": person.username,
            }
            for link, person in guardians
        ],
        "enrollments": [
            {
                **_row(e, leave=("id", "student_id")),
                "class_name": klass.name,
                "grade": klass.grade,
                "school_year": year.name,
                "school_id": school.id,
                "school_name": school.name,
            }
            for e, klass, year, school in enrollments
        ],
        "score_lines": [
            _row(r, leave=("student_id",))
            for r in session.exec(
                select(ScoreLine).where(ScoreLine.student_id == sid).order_by(col(ScoreLine.id))
            ).all()
        ],
        "homeroom_records": [
            _row(r, leave=("student_id",))
            for r in session.exec(
                select(HomeroomRecord)
                .where(HomeroomRecord.student_id == sid)
                .order_by(col(HomeroomRecord.id))
            ).all()
        ],
        "year_end_records": [
            _row(r, leave=("student_id",))
            for r in session.exec(
                select(YearEndRecord)
                .where(YearEndRecord.student_id == sid)
                .order_by(col(YearEndRecord.id))
            ).all()
        ],
        "transcripts": [_row(t, leave=("student_id",)) for t in transcripts],
        "signatures": [_row(s) for s in signatures],
        "correction_requests": [_row(c) for c in corrections],
        "share_links": [_row(link, leave=("token_sha256", "student_id")) for link in links],
        "consents": [_row(c, leave=("student_id",)) for c in consents_of(session, sid or 0)],
        "lost_files_requests": [
            {
                "id": _mask_id(r.id),
                "requested_at": _value(r.requested_at),
                "expires_at": _value(r.expires_at),
                "sent_to_account": r.person_id,
                "sent_to_phone": _masked_phone(session, r.person_id),
                "attempts": r.attempts,
                "confirmed_at": _value(r.confirmed_at),
                "voided_at": _value(r.voided_at),
                "download_expires_at": _value(r.download_expires_at),
            }
            for r in recoveries
        ],
        "audit_events": [
            _row(e, leave=("prev_hash", "before_sha256", "after_sha256")) for e in events
        ],
    }


def _masked_phone(session: Session, person_id: int | None) -> str | None:
    person = session.get(Person, person_id) if person_id else None
    return mask_phone(person.phone) if person and person.phone else None


def export_personal_data(
    uow: UnitOfWork, *, actor: Actor, now: datetime, student_id: int | None = None
) -> dict[str, Any]:
    """Everything held about one student, as JSON-ready data with a format version.

    ``student_id`` None: the actor's own student (a guardian of several children must name
    one). The principal of a school the student is enrolled in may export any student of it
    on request; anyone else gets NotAssignedError, and a student or guardian asking for
    another student NotFoundError. The export is audited (``personal_data.export``).
    """
    with uow:
        session = uow.session
        sid = _student_id(session, actor, student_id)
        student = session.get(Student, sid)
        if student is None:
            raise NotFoundError("student", sid)
        document = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "generated_at": now.isoformat(),
            "generated_for": actor.label,
            **_sections(session, student),
        }
        uow.audit.record(
            actor=actor,
            action="personal_data.export",
            object_type="student",
            object_id=str(sid),
            now=now,
            details={"format_version": FORMAT_VERSION},
        )
        uow.commit("the audit log")
        return document
