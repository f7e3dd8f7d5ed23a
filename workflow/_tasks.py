"""Task queues: what waits for *my* signature or decision, grouped so a class signs in one batch.

One SQL statement per queue (a UNION ALL of one select per step, each grouped in the
database and driven by the caller's role assignments), so the cost grows with the caller's
pending work and the indexes, not with the size of the transcripts table.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import UTC, datetime
from typing import Any, cast

import sqlalchemy as sa
from sqlmodel import Session, SQLModel

from domain.model import (
    ClassSubject,
    CorrectionRequest,
    CorrectionStatus,
    Role,
    RoleAssignment,
    School,
    SchoolClass,
    SchoolYear,
    Transcript,
    TranscriptKind,
    TranscriptSignature,
    TranscriptStatus,
)
from workflow._duty_tasks import duty_rows
from workflow._locks import UNSTAMPED
from workflow._signing_steps import SigningStep
from workflow._transfer_tasks import transfer_rows


def _table(model: type[SQLModel], alias: str) -> sa.FromClause:
    return cast(sa.Table, model.__table__).alias(alias)  # type: ignore[attr-defined]


T = _table(Transcript, "t")
C = _table(SchoolClass, "c")
Y = _table(SchoolYear, "y")
RA = _table(RoleAssignment, "ra")
CS = _table(ClassSubject, "cs")
SIG = _table(TranscriptSignature, "sig")
OTHER = _table(RoleAssignment, "other")
CR = _table(CorrectionRequest, "cr")
SCH = _table(School, "s")

Clause = sa.ColumnElement[bool]


@dataclass(frozen=True, slots=True)
class TaskItem:
    """One line of a queue: an action on a group of transcripts (contracts.md ``GET /tasks``)."""

    id: str
    action: str
    step: str | None
    school_year: str
    class_id: int | None
    class_name: str | None
    subject_code: str | None
    transcript_ids: tuple[str, ...]
    count: int
    due_at: datetime | None


def _in_force(assignments: sa.FromClause, now: datetime) -> Clause:
    return sa.and_(
        assignments.c.valid_from <= now,
        sa.or_(assignments.c.valid_until.is_(None), assignments.c.valid_until > now),
    )


def _mine(person_id: int, role: Role, now: datetime) -> Clause:
    """The caller's assignment in ``role`` covers the transcript's school, year and class."""
    return sa.and_(
        RA.c.person_id == person_id,
        RA.c.role == role.value,
        _in_force(RA, now),
        sa.or_(RA.c.school_id.is_(None), RA.c.school_id == T.c.school_id),
        sa.or_(RA.c.school_year_id.is_(None), RA.c.school_year_id == T.c.school_year_id),
        sa.or_(RA.c.class_id.is_(None), RA.c.class_id == T.c.class_id),
    )


def _grouped(
    step: SigningStep | None,
    subject: sa.ColumnElement[Any] | None,
    where: Clause,
    joins: list[tuple[sa.FromClause, Clause]],
    action: str = "sign",
) -> sa.Select[Any]:
    """Transcripts matching ``where``, one row per year × class (× subject)."""
    keys: list[sa.ColumnElement[Any]] = [Y.c.name, C.c.id, C.c.name]
    if subject is not None:
        keys.append(subject)
    query = sa.select(
        sa.literal(action).label("action"),
        (sa.null() if step is None else sa.literal(step.value)).label("step"),
        Y.c.name.label("school_year"),
        C.c.id.label("class_id"),
        C.c.name.label("class_name"),
        (sa.null() if subject is None else subject).label("subject_code"),
        sa.func.aggregate_strings(T.c.id, ",").label("ids"),
        sa.func.min(_lock_at()).label("due_at"),
    ).select_from(T)
    for target, on in joins:
        query = query.join(target, on)
    query = query.join(C, C.c.id == T.c.class_id).join(Y, Y.c.id == T.c.school_year_id)
    return query.where(where).group_by(*keys)


def _lock_at() -> sa.ColumnElement[Any]:
    """The transcript's lock date: the supplementary one for the retest / training group."""
    return sa.case((T.c.supplementary, Y.c.supplementary_lock_at), else_=Y.c.main_lock_at)


def _overdue(person_id: int, now: datetime) -> list[sa.Select[Any]]:
    """Transcripts past their lock date and not stamped: the principal's and the Department's."""
    late = sa.and_(
        T.c.status.in_([s.value for s in UNSTAMPED]),
        # Y is joined after the role join; the lock date is compared in the WHERE clause.
        _lock_at() <= now,
    )
    officer = sa.and_(
        RA.c.person_id == person_id,
        RA.c.role == Role.DEPARTMENT_OFFICER.value,
        _in_force(RA, now),
        RA.c.department_code == SCH.c.department_code,
    )
    return [
        _grouped(None, None, late, [(RA, _mine(person_id, Role.PRINCIPAL, now))], "overdue"),
        _grouped(None, None, late, [(SCH, SCH.c.id == T.c.school_id), (RA, officer)], "overdue"),
    ]


def _subject_step(person_id: int, now: datetime) -> list[sa.Select[Any]]:
    unsigned = ~sa.exists().where(
        SIG.c.transcript_id == T.c.id,
        SIG.c.slot == sa.literal("GVBM:") + CS.c.subject_code,
        SIG.c.archived_at.is_(None),
    )
    pending = sa.and_(
        T.c.status == TranscriptStatus.DRAFT.value,
        T.c.kind == TranscriptKind.CA_NAM.value,
        unsigned,
    )
    in_class = CS.c.class_id == T.c.class_id
    teacher = _grouped(
        SigningStep.SUBJECT,
        CS.c.subject_code,
        pending,
        [
            (CS, in_class),
            (
                RA,
                sa.and_(
                    _mine(person_id, Role.SUBJECT_TEACHER, now),
                    RA.c.subject_code == CS.c.subject_code,
                ),
            ),
        ],
    )
    # REQ-16: a subject whose teacher left has no one assigned now; the principal stands in.
    orphaned = ~sa.exists().where(
        OTHER.c.role == Role.SUBJECT_TEACHER.value,
        OTHER.c.class_id == T.c.class_id,
        OTHER.c.subject_code == CS.c.subject_code,
        _in_force(OTHER, now),
    )
    principal = _grouped(
        SigningStep.SUBJECT,
        CS.c.subject_code,
        sa.and_(pending, orphaned),
        [(CS, in_class), (RA, _mine(person_id, Role.PRINCIPAL, now))],
    )
    return [teacher, principal]


def _later_steps(person_id: int, now: datetime) -> list[sa.Select[Any]]:
    status = T.c.status
    ready: list[tuple[SigningStep, Role, Clause]] = [
        (
            SigningStep.HOMEROOM,
            Role.HOMEROOM_TEACHER,
            status == TranscriptStatus.SUBJECT_SIGNED.value,
        ),
        (
            SigningStep.PRINCIPAL,
            Role.PRINCIPAL,
            sa.or_(
                status == TranscriptStatus.HOMEROOM_SIGNED.value,
                # ChuyenTruong and SoHoa go from draft to the principal (REQ-26, REQ-27).
                sa.and_(
                    status == TranscriptStatus.DRAFT.value,
                    T.c.kind != TranscriptKind.CA_NAM.value,
                ),
            ),
        ),
        (SigningStep.SCHOOL, Role.CLERK, status == TranscriptStatus.PRINCIPAL_SIGNED.value),
    ]
    return [
        _grouped(step, None, where, [(RA, _mine(person_id, role, now))])
        for step, role, where in ready
    ]


def _corrections(person_id: int, now: datetime) -> sa.Select[Any]:
    officer = sa.and_(
        RA.c.person_id == person_id,
        RA.c.role == Role.DEPARTMENT_OFFICER.value,
        _in_force(RA, now),
        RA.c.department_code == SCH.c.department_code,
    )
    return (
        sa.select(
            sa.literal("review_correction").label("action"),
            sa.null().label("step"),
            Y.c.name.label("school_year"),
            C.c.id.label("class_id"),
            C.c.name.label("class_name"),
            sa.null().label("subject_code"),
            sa.func.aggregate_strings(T.c.id, ",").label("ids"),
            sa.func.min(CR.c.created_at).label("due_at"),
        )
        .select_from(CR)
        .join(T, T.c.id == CR.c.transcript_id)
        .join(SCH, SCH.c.id == T.c.school_id)
        .join(RA, officer)
        .join(C, C.c.id == T.c.class_id)
        .join(Y, Y.c.id == T.c.school_year_id)
        .where(CR.c.status == CorrectionStatus.PENDING.value)
        .group_by(Y.c.name, C.c.id, C.c.name)
    )


def task_queue(session: Session, *, person_id: int, now: datetime) -> list[TaskItem]:
    """The caller's queue at ``now``, ordered by due date, class and subject."""
    statement = sa.union_all(
        *_subject_step(person_id, now),
        *_later_steps(person_id, now),
        _corrections(person_id, now),
        *_overdue(person_id, now),
    )
    by_id: dict[str, TaskItem] = {}
    for row in session.execute(statement):
        ids = tuple(sorted(set(row.ids.split(","))))
        item = TaskItem(
            id=f"{row.action}:{row.step or '-'}:{row.class_id}:{row.subject_code or '-'}",
            action=row.action,
            step=row.step,
            school_year=row.school_year,
            class_id=row.class_id,
            class_name=row.class_name,
            subject_code=row.subject_code,
            transcript_ids=ids,
            count=len(ids),
            due_at=_aware(row.due_at),
        )
        known = by_id.get(item.id)
        if known is not None:
            # Two overlapping assignments (e.g. teacher and stand-in) may yield one group twice.
            merged = tuple(sorted(set(known.transcript_ids) | set(ids)))
            item = replace(known, transcript_ids=merged, count=len(merged))
        by_id[item.id] = item
    # A class to build, a window decision to carry out: work that is not a signature.
    for line in duty_rows(session, person_id=person_id, now=now):
        by_id[line["id"]] = TaskItem(**line)
    for line in transfer_rows(session, person_id=person_id, now=now):
        by_id[line["id"]] = TaskItem(**line)
    return sorted(by_id.values(), key=_order)


def _order(item: TaskItem) -> tuple[Any, ...]:
    return (
        item.due_at is None,
        item.due_at,
        item.class_name or "",
        item.subject_code or "",
        item.action,
    )


def _aware(value: datetime | str | None) -> datetime | None:
    # A UNION loses the column's type decorator; timestamps are stored as naive UTC.
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC)


TASK_FIELDS = tuple(f.name for f in fields(TaskItem))
"""The keys of one queue line, as the API serialises them."""
