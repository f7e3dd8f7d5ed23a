"""Lists for an actor: transcripts in their scope, their own records, their queue, the
Department's correction requests. Each list names students, so each is audited (REQ-17).

The scope filter is the SQL form of ``may_read``: the same grants admit the same transcripts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import col, select

from domain.model import (
    ACADEMIC_ROLES,
    CorrectionRequest,
    CorrectionStatus,
    GuardianLink,
    Person,
    Role,
    School,
    SchoolClass,
    SchoolYear,
    Student,
    Transcript,
    TranscriptStatus,
)
from workflow._actor import Actor, Grant
from workflow._duty_tasks import CARRY_OUT_WINDOW, duty_rows
from workflow._errors import AdministratorForbiddenError, InvalidInputError, NotAssignedError
from workflow._tasks import TaskItem, task_queue
from workflow._uow import UnitOfWork

MAX_PAGE = 500
"""The most rows one list call returns."""
MAX_OFFSET = 1_000_000
"""The most rows a list call may skip (beyond any real list; keeps OFFSET within bounds)."""

_SCHOOL_WIDE = frozenset({Role.PRINCIPAL, Role.ACADEMIC_AFFAIRS, Role.CLERK})
_CLASS_WIDE = frozenset({Role.HOMEROOM_TEACHER, Role.SUBJECT_TEACHER})


@dataclass(frozen=True, slots=True)
class TranscriptSummary:
    """One line of a transcript list: which document, whose, where it stands."""

    id: str
    version: int
    kind: str
    status: str
    school_year: str
    class_id: int
    class_name: str
    student_id: int
    student_name: str


@dataclass(frozen=True, slots=True)
class CorrectionRequestView:
    """A correction request as the Department reviews it."""

    id: int
    transcript_id: str
    school_name: str
    class_name: str
    student_name: str
    reason: str
    details: str
    status: str
    created_at: datetime
    decided_at: datetime | None
    decision_note: str | None
    new_transcript_id: str | None


def _equal_where_set(column: Any, value: object) -> sa.ColumnElement[bool]:
    # An empty scope field of a grant covers everything below it (Grant.covers).
    return sa.true() if value is None else column == value


def _grant_clause(grant: Grant) -> sa.ColumnElement[bool]:
    school = _equal_where_set(col(Transcript.school_id), grant.school_id)
    year = _equal_where_set(col(Transcript.school_year_id), grant.school_year_id)
    if grant.role in _SCHOOL_WIDE and grant.class_id is None and grant.subject_code is None:
        return sa.and_(school, year)
    if grant.role in _CLASS_WIDE:
        return sa.and_(school, year, _equal_where_set(col(Transcript.class_id), grant.class_id))
    if (
        grant.role is Role.DEPARTMENT_OFFICER
        and grant.department_code is not None
        and grant.school_id is None
        and grant.school_year_id is None
        and grant.class_id is None
        and grant.subject_code is None
    ):
        return col(Transcript.school_id).in_(
            select(School.id).where(School.department_code == grant.department_code)
        )
    return sa.false()


def _own_clause(person_id: int) -> sa.ColumnElement[bool]:
    return sa.or_(
        col(Transcript.student_id).in_(select(Student.id).where(Student.person_id == person_id)),
        col(Transcript.student_id).in_(
            select(GuardianLink.student_id).where(GuardianLink.person_id == person_id)
        ),
    )


def _not_administrator(actor: Actor) -> int:
    if actor.is_administrator:
        raise AdministratorForbiddenError
    if actor.person_id is None:
        raise NotAssignedError("a person", "một người dùng")
    return actor.person_id


def check_page(limit: int, offset: int) -> None:
    """Refuse a page size or offset out of bounds (every paged list shares these)."""
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInputError(
            "limit", f"must be between 1 and {MAX_PAGE}", f"phải từ 1 đến {MAX_PAGE}"
        )
    if not 0 <= offset <= MAX_OFFSET:
        raise InvalidInputError(
            "offset", f"must be between 0 and {MAX_OFFSET}", f"phải từ 0 đến {MAX_OFFSET}"
        )


def _summaries(
    uow: UnitOfWork,
    where: sa.ColumnElement[bool],
    *,
    actor: Actor,
    now: datetime,
    limit: int,
    offset: int,
) -> list[TranscriptSummary]:
    statement = (
        sa.select(
            col(Transcript.id),
            col(Transcript.version),
            col(Transcript.kind),
            col(Transcript.status),
            col(SchoolYear.name),
            col(SchoolClass.id),
            col(SchoolClass.name),
            col(Student.id),
            col(Student.full_name),
        )
        .join(Student, col(Student.id) == Transcript.student_id)
        .join(SchoolClass, col(SchoolClass.id) == Transcript.class_id)
        .join(SchoolYear, col(SchoolYear.id) == Transcript.school_year_id)
        .where(where)
        .order_by(
            col(SchoolYear.name).desc(),
            col(SchoolClass.name),
            col(Student.full_name),
            col(Transcript.version),
            col(Transcript.id),
        )
        .limit(limit)
        .offset(offset)
    )
    with uow:
        person = uow.session.get(Person, actor.person_id)
        if person is None or not person.is_active:
            return []  # a closed account reads nothing, its own records included
        rows = uow.session.execute(statement).all()
        items = [
            TranscriptSummary(
                id=r[0],
                version=r[1],
                kind=str(r[2]),
                status=str(r[3]),
                school_year=r[4],
                class_id=r[5],
                class_name=r[6],
                student_id=r[7],
                student_name=r[8],
            )
            for r in rows
        ]
        for item in items:
            uow.audit.record(
                actor=actor,
                action="student.read",
                object_type="student",
                object_id=str(item.student_id),
                now=now,
                details={"transcript_id": item.id, "via": "list"},
            )
        if items:
            uow.commit_reads()
        return items


def list_transcripts(
    uow: UnitOfWork,
    *,
    actor: Actor,
    now: datetime,
    class_id: int | None = None,
    school_year: str | None = None,
    status: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[TranscriptSummary]:
    """The transcripts ``actor`` may read, filtered; each student listed is an audit event."""
    person_id = _not_administrator(actor)
    check_page(limit, offset)
    conditions = [sa.or_(*(_grant_clause(g) for g in actor.grants), _own_clause(person_id))]
    if class_id is not None:
        conditions.append(col(Transcript.class_id) == class_id)
    if school_year is not None:
        conditions.append(col(SchoolYear.name) == school_year)
    if status is not None:
        if status not in {s.value for s in TranscriptStatus}:
            raise InvalidInputError("status", "unknown status", "trạng thái không hợp lệ")
        conditions.append(col(Transcript.status) == TranscriptStatus(status))
    return _summaries(uow, sa.and_(*conditions), actor=actor, now=now, limit=limit, offset=offset)


def my_transcripts(
    uow: UnitOfWork, *, actor: Actor, now: datetime, limit: int = 100, offset: int = 0
) -> list[TranscriptSummary]:
    """A student's own transcripts, or a guardian's children's (REQ-35); audited."""
    person_id = _not_administrator(actor)
    check_page(limit, offset)
    return _summaries(uow, _own_clause(person_id), actor=actor, now=now, limit=limit, offset=offset)


def my_tasks(uow: UnitOfWork, *, actor: Actor, now: datetime) -> list[TaskItem]:
    """The queue of a staff member or Department officer at ``now``; the administrator's
    holds only the principals' entry-window decisions to carry out (no academic data)."""
    if actor.is_administrator and actor.person_id is not None:
        with uow:
            lines = duty_rows(uow.session, person_id=actor.person_id, now=now)
            return [TaskItem(**line) for line in lines if line["action"] == CARRY_OUT_WINDOW]
    person_id = _not_administrator(actor)
    if not any(g.role in ACADEMIC_ROLES for g in actor.grants):
        raise NotAssignedError("a staff member", "cán bộ, giáo viên")
    with uow:
        # The actor's grants are those in force at ``now``: the queue need not read them again.
        return task_queue(uow.session, person_id=person_id, now=now, grants=actor.grants)


def list_correction_requests(
    uow: UnitOfWork,
    *,
    actor: Actor,
    now: datetime,
    status: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[CorrectionRequestView]:
    """The correction requests of the officer's department's schools; audited per student."""
    _not_administrator(actor)
    check_page(limit, offset)
    departments = {
        g.department_code
        for g in actor.grants
        if g.role is Role.DEPARTMENT_OFFICER and g.department_code is not None
    }
    if not departments:
        raise NotAssignedError("a Department officer", "cán bộ Sở GDĐT")
    statement = (
        sa.select(
            CorrectionRequest,
            col(School.name),
            col(SchoolClass.name),
            col(Student.id),
            col(Student.full_name),
        )
        .join(Transcript, col(Transcript.id) == CorrectionRequest.transcript_id)
        .join(School, col(School.id) == Transcript.school_id)
        .join(SchoolClass, col(SchoolClass.id) == Transcript.class_id)
        .join(Student, col(Student.id) == Transcript.student_id)
        .where(col(School.department_code).in_(departments))
        .order_by(col(CorrectionRequest.created_at), col(CorrectionRequest.id))
        .limit(limit)
        .offset(offset)
    )
    if status is not None:
        if status not in {s.value for s in CorrectionStatus}:
            raise InvalidInputError("status", "unknown status", "trạng thái không hợp lệ")
        statement = statement.where(col(CorrectionRequest.status) == CorrectionStatus(status))
    with uow:
        views = []
        for request, school_name, class_name, student_id, student_name in uow.session.execute(
            statement
        ).all():
            assert request.id is not None  # a stored row
            views.append(
                CorrectionRequestView(
                    id=request.id,
                    transcript_id=request.transcript_id,
                    school_name=school_name,
                    class_name=class_name,
                    student_name=student_name,
                    reason=request.reason,
                    details=request.details,
                    status=str(request.status),
                    created_at=request.created_at,
                    decided_at=request.decided_at,
                    decision_note=request.decision_note,
                    new_transcript_id=request.new_transcript_id,
                )
            )
            uow.audit.record(
                actor=actor,
                action="student.read",
                object_type="student",
                object_id=str(student_id),
                now=now,
                details={"transcript_id": request.transcript_id, "via": "correction_requests"},
            )
        if views:
            uow.commit_reads()
        return views
