"""The entry corrections that concern someone: what the principal decides, what the homeroom
teacher is informed of, what a teacher asked for (REQ-15)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlmodel import col, or_, select

from domain.model import (
    CorrectionStatus,
    EntryCorrection,
    Person,
    Role,
    SchoolClass,
    Student,
)
from workflow._actor import Actor
from workflow._tracking_values import HomeroomValues, SubjectValues
from workflow._uow import UnitOfWork


class EntryCorrectionConcern(StrEnum):
    """Why a correction is in the reader's list."""

    DECIDE = "decide"
    """The principal: pending, waiting for their decision."""
    DECIDED = "decided"
    """The principal: decided already."""
    INFORMED = "informed"
    """The homeroom teacher of the class, informed of the request and its outcome."""
    REQUESTED = "requested"
    """The teacher who asked."""


@dataclass(frozen=True, slots=True)
class EntryCorrectionView:
    """One correction request, with the values before and as proposed."""

    id: int
    concern: EntryCorrectionConcern
    status: CorrectionStatus
    transcript_id: str
    student_id: int
    student_name: str
    class_id: int
    class_name: str
    semester: int
    subject_code: str | None
    """None: the homeroom data."""
    current: SubjectValues | HomeroomValues
    proposed: SubjectValues | HomeroomValues
    reason: str
    requested_by: str
    requested_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    decision_note: str | None


def _scope(actor: Actor) -> list[Any]:
    """SQL conditions: the corrections the actor's grants (or their own requests) reach."""
    conditions: list[Any] = [EntryCorrection.requested_by_id == actor.person_id]
    for grant in actor.grants:
        if grant.role is Role.HOMEROOM_TEACHER and grant.class_id is not None:
            conditions.append(EntryCorrection.class_id == grant.class_id)
        elif grant.role is Role.PRINCIPAL and grant.school_id is not None:
            school = SchoolClass.school_id == grant.school_id
            if grant.school_year_id is not None:
                school = school & (SchoolClass.school_year_id == grant.school_year_id)
            conditions.append(school)
    return conditions


def _concern(actor: Actor, row: EntryCorrection, klass: SchoolClass) -> EntryCorrectionConcern:
    school, year = klass.school_id, klass.school_year_id
    if actor.holds(Role.PRINCIPAL, school_id=school, school_year_id=year):
        pending = row.status == CorrectionStatus.PENDING
        return EntryCorrectionConcern.DECIDE if pending else EntryCorrectionConcern.DECIDED
    if actor.holds(
        Role.HOMEROOM_TEACHER, school_id=school, school_year_id=year, class_id=row.class_id
    ):
        return EntryCorrectionConcern.INFORMED
    return EntryCorrectionConcern.REQUESTED


def entry_corrections_for(
    uow: UnitOfWork,
    *,
    actor: Actor,
    now: datetime,
    status: CorrectionStatus | None = None,
) -> tuple[EntryCorrectionView, ...]:
    """The corrections that concern the actor (all, or those of ``status``), oldest first.

    The principal sees their school's, the homeroom teacher their class's, a teacher their
    own requests; the administrator none. Each student shown is a ``student.read`` entry.
    """
    if actor.is_administrator or actor.person_id is None:
        return ()
    with uow:
        session = uow.session
        query = (
            select(EntryCorrection, SchoolClass, Student)
            .join(SchoolClass, col(SchoolClass.id) == EntryCorrection.class_id)
            .join(Student, col(Student.id) == EntryCorrection.student_id)
            .where(or_(*_scope(actor)))
            .order_by(col(EntryCorrection.requested_at), col(EntryCorrection.id))
        )
        if status is not None:
            query = query.where(EntryCorrection.status == status)
        rows = session.exec(query).all()
        people = {
            p.id: p.full_name
            for p in session.exec(
                select(Person).where(
                    col(Person.id).in_(
                        {r.requested_by_id for r, _, _ in rows}
                        | {r.decided_by_id for r, _, _ in rows if r.decided_by_id}
                    )
                )
            ).all()
        }
        views = []
        for row, klass, student in rows:
            values = HomeroomValues if row.subject_code is None else SubjectValues
            assert row.id is not None and student.id is not None
            views.append(
                EntryCorrectionView(
                    id=row.id,
                    concern=_concern(actor, row, klass),
                    status=CorrectionStatus(row.status),
                    transcript_id=row.transcript_id,
                    student_id=student.id,
                    student_name=student.full_name,
                    class_id=row.class_id,
                    class_name=klass.name,
                    semester=row.semester,
                    subject_code=row.subject_code,
                    current=values.from_stored(row.current),
                    proposed=values.from_stored(row.proposed),
                    reason=row.reason,
                    requested_by=people.get(row.requested_by_id, str(row.requested_by_id)),
                    requested_at=row.requested_at,
                    decided_by=people.get(row.decided_by_id) if row.decided_by_id else None,
                    decided_at=row.decided_at,
                    decision_note=row.decision_note,
                )
            )
        for student_id in sorted({v.student_id for v in views}):
            uow.audit.record(
                actor=actor,
                action="student.read",
                object_type="student",
                object_id=str(student_id),
                now=now,
                details={"tracking": "entry_corrections"},
            )
        uow.commit("the audit log")
        return tuple(views)
