"""What an academic affairs officer sees of transfers: the requests into and out of their
schools, what they may do to each now, and the classes a student may be asked into."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, or_, select

from domain.model import (
    Role,
    School,
    SchoolClass,
    SchoolYear,
    Student,
    Transcript,
    TranscriptStatus,
    Transfer,
    TransferKind,
    TransferStage,
    mask_personal_id,
)
from workflow._actor import Actor
from workflow._errors import AdministratorForbiddenError, NotAssignedError
from workflow._record_package import ISSUED
from workflow._transfer import officer_of
from workflow._transfer_new_year import deciding_school, deciding_years
from workflow._uow import UnitOfWork

LIMIT = 100
"""The newest transfers shown (open ones are always among them in practice)."""


@dataclass(frozen=True, slots=True)
class TransferLine:
    """One transfer as an officer of one of its schools sees it."""

    id: int
    kind: TransferKind
    stage: TransferStage
    incoming: bool
    """The officer's school receives the student (else it is the leaving school)."""
    student_name: str
    personal_id_masked: str
    school_year: str
    from_school: str
    from_class: str
    to_school: str
    to_class: str | None
    requested_at: datetime
    reason: str
    refusal_reason: str | None
    transcript_id: str | None
    actions: tuple[str, ...]
    """What the officer may do now: ``accept``, ``refuse``, ``complete``."""
    needs_class: bool
    """Accepting needs the receiving class to be named (the leaving school asked)."""


@dataclass(frozen=True, slots=True)
class ClassChoice:
    """A class of the officer's school a student may be asked into."""

    id: int
    name: str
    school_code: str
    school_year: str
    starts_on: str
    """The year's first day, ISO (before it: a transfer before the year)."""


@dataclass(frozen=True, slots=True)
class TransferOverview:
    """The officer's transfers, newest first, and the classes they may receive into."""

    lines: tuple[TransferLine, ...]
    classes: tuple[ClassChoice, ...]


def _officer_schools(actor: Actor) -> frozenset[int]:
    return frozenset(
        g.school_id
        for g in actor.grants
        if g.role is Role.ACADEMIC_AFFAIRS and g.school_id is not None
    )


def _actions(
    session: Session, actor: Actor, transfer: Transfer, status: TranscriptStatus | None
) -> tuple[str, ...]:
    if transfer.stage is TransferStage.REQUESTED:
        school = deciding_school(transfer)
        if any(officer_of(actor, school, y) for y in deciding_years(session, transfer)):
            return ("accept", "refuse")
        return ()
    if (
        transfer.stage is TransferStage.ACCEPTED
        and status in ISSUED
        and officer_of(actor, transfer.to_school_id, transfer.school_year_id)
    ):
        return ("complete",)
    return ()


def _classes(session: Session, actor: Actor, schools: frozenset[int]) -> tuple[ClassChoice, ...]:
    rows = session.exec(
        select(SchoolClass, SchoolYear, School.code)
        .join(SchoolYear, col(SchoolYear.id) == SchoolClass.school_year_id)
        .join(School, col(School.id) == SchoolClass.school_id)
        .where(col(SchoolClass.school_id).in_(list(schools)))
        .order_by(col(SchoolYear.starts_on).desc(), col(SchoolClass.name))
    ).all()
    return tuple(
        ClassChoice(k.id, k.name, code, y.name, y.starts_on.isoformat())
        for k, y, code in rows
        if k.id is not None and y.id is not None and officer_of(actor, k.school_id, y.id)
    )


def _school_names(session: Session, ids: set[int]) -> dict[int, str]:
    rows = session.exec(select(School.id, School.name).where(col(School.id).in_(list(ids))))
    return {i: name for i, name in rows.all() if i is not None}


def _class_names(session: Session, ids: set[int]) -> dict[int, str]:
    rows = session.exec(
        select(SchoolClass.id, SchoolClass.name).where(col(SchoolClass.id).in_(list(ids)))
    )
    return {i: name for i, name in rows.all() if i is not None}


def transfer_overview(uow: UnitOfWork, *, actor: Actor, now: datetime) -> TransferOverview:
    """The transfers into and out of the officer's schools, newest first, with the actions
    open to them; academic affairs only (NotAssignedError otherwise). One ``student.read``
    audit entry per transfer shown."""
    if actor.is_administrator:
        raise AdministratorForbiddenError
    schools = _officer_schools(actor)
    if not schools:
        raise NotAssignedError("academic affairs of a school", "giáo vụ của trường")
    with uow:
        session = uow.session
        rows = session.exec(
            select(Transfer, Student, col(SchoolYear.name))
            .join(Student, col(Student.id) == Transfer.student_id)
            .join(SchoolYear, col(SchoolYear.id) == Transfer.school_year_id)
            .where(
                or_(
                    col(Transfer.from_school_id).in_(list(schools)),
                    col(Transfer.to_school_id).in_(list(schools)),
                )
            )
            .order_by(col(Transfer.requested_at).desc(), col(Transfer.id).desc())
            .limit(LIMIT)
        ).all()
        transfers = [t for t, _, _ in rows]
        school_names = _school_names(
            session,
            {t.from_school_id for t in transfers} | {t.to_school_id for t in transfers},
        )
        class_names = _class_names(
            session,
            {t.from_class_id for t in transfers}
            | {t.to_class_id for t in transfers if t.to_class_id is not None},
        )
        statuses = {
            i: TranscriptStatus(status)
            for i, status in session.exec(
                select(Transcript.id, Transcript.status).where(
                    col(Transcript.id).in_(
                        [t.transcript_id for t in transfers if t.transcript_id is not None]
                    )
                )
            ).all()
        }
        lines = tuple(
            TransferLine(
                id=t.id or 0,
                kind=t.kind,
                stage=t.stage,
                incoming=t.to_school_id in schools,
                student_name=student.full_name,
                personal_id_masked=mask_personal_id(student.personal_id),
                school_year=year,
                from_school=school_names[t.from_school_id],
                from_class=class_names[t.from_class_id],
                to_school=school_names[t.to_school_id],
                to_class=None if t.to_class_id is None else class_names[t.to_class_id],
                requested_at=t.requested_at,
                reason=t.reason,
                refusal_reason=t.refusal_reason,
                transcript_id=t.transcript_id,
                actions=_actions(session, actor, t, statuses.get(t.transcript_id or "")),
                needs_class=t.to_class_id is None,
            )
            for t, student, year in rows
        )
        # Each student the list names is a read of their data (REQ-17), as in every listing.
        for transfer, student, _ in rows:
            uow.audit.record(
                actor=actor,
                action="student.read",
                object_type="student",
                object_id=str(student.id),
                now=now,
                details={"transfer_id": transfer.id, "via": "transfers"},
            )
        classes = _classes(session, actor, schools)
        if rows:
            uow.commit("the audit log")
        return TransferOverview(lines, classes)
