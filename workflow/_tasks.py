"""Task queues: what waits for *my* signature or decision, grouped so a class signs in one batch.

One SQL statement per queue (a UNION ALL of one indexed select per step), grouped in the
database: the cost grows with the caller's pending work, not with the size of the table.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

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
from workflow._signing_steps import SigningStep

T = sa.orm.aliased(Transcript, name="t")
C = sa.orm.aliased(SchoolClass, name="c")
Y = sa.orm.aliased(SchoolYear, name="y")
RA = sa.orm.aliased(RoleAssignment, name="ra")


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


def _in_force(alias: Any, now: datetime) -> Any:
    return sa.and_(
        alias.valid_from <= now, sa.or_(alias.valid_until.is_(None), alias.valid_until > now)
    )


def _mine(person_id: int, role: Role, now: datetime) -> Any:
    return sa.and_(
        RA.person_id == person_id,
        RA.role == role,
        _in_force(RA, now),
        sa.or_(RA.school_id.is_(None), RA.school_id == T.school_id),
        sa.or_(RA.school_year_id.is_(None), RA.school_year_id == T.school_year_id),
        sa.or_(RA.class_id.is_(None), RA.class_id == T.class_id),
    )


def _due() -> Any:
    return sa.func.min(
        sa.case((T.supplementary, Y.supplementary_lock_at), else_=Y.main_lock_at)
    )


def _grouped(
    action: str, step: SigningStep, subject: Any, where: Any, joins: list[tuple[Any, Any]]
) -> sa.Select[Any]:
    keys = [Y.name, C.id, C.name] + ([] if subject is None else [subject])
    query = sa.select(
        sa.literal(action).label("action"),
        sa.literal(step.value).label("step"),
        Y.name.label("school_year"),
        C.id.label("class_id"),
        C.name.label("class_name"),
        (sa.null() if subject is None else subject).label("subject_code"),
        sa.func.aggregate_strings(T.id, ",").label("ids"),
        _due().label("due_at"),
    ).select_from(T)
    for target, on in joins:
        query = query.join(target, on)
    query = query.join(C, C.id == T.class_id).join(Y, Y.id == T.school_year_id)
    return query.where(where).group_by(*keys)


def _subject_step(person_id: int, now: datetime) -> list[sa.Select[Any]]:
    cs = sa.orm.aliased(ClassSubject, name="cs")
    sig = sa.orm.aliased(TranscriptSignature, name="sig")
    slot = sa.literal("GVBM:") + cs.subject_code
    unsigned = ~sa.exists().where(
        sig.transcript_id == T.id, sig.slot == slot, sig.archived_at.is_(None)
    )
    pending = sa.and_(
        T.status == TranscriptStatus.DRAFT, T.kind == TranscriptKind.CA_NAM, unsigned
    )
    teacher = _grouped(
        "sign", SigningStep.SUBJECT, cs.subject_code, pending,
        [(cs, cs.class_id == T.class_id),
         (RA, sa.and_(_mine(person_id, Role.SUBJECT_TEACHER, now),
                      RA.subject_code == cs.subject_code))],
    )
    # REQ-16: a subject whose teacher left has no one assigned now; the principal stands in.
    other = sa.orm.aliased(RoleAssignment, name="other")
    orphaned = ~sa.exists().where(
        other.role == Role.SUBJECT_TEACHER,
        other.class_id == T.class_id,
        other.subject_code == cs.subject_code,
        _in_force(other, now),
    )
    principal = _grouped(
        "sign", SigningStep.SUBJECT, cs.subject_code, sa.and_(pending, orphaned),
        [(cs, cs.class_id == T.class_id), (RA, _mine(person_id, Role.PRINCIPAL, now))],
    )
    return [teacher, principal]


def _step(person_id: int, now: datetime, step: SigningStep, role: Role, ready: Any) -> Any:
    return _grouped("sign", step, None, ready, [(RA, _mine(person_id, role, now))])


def _corrections(person_id: int, now: datetime) -> sa.Select[Any]:
    cr = sa.orm.aliased(CorrectionRequest, name="cr")
    school = sa.orm.aliased(School, name="s")
    return (
        sa.select(
            sa.literal("review_correction").label("action"),
            sa.null().label("step"),
            Y.name.label("school_year"),
            C.id.label("class_id"),
            C.name.label("class_name"),
            sa.null().label("subject_code"),
            sa.func.aggregate_strings(T.id, ",").label("ids"),
            sa.func.min(cr.created_at).label("due_at"),
        )
        .select_from(cr)
        .join(T, T.id == cr.transcript_id)
        .join(school, school.id == T.school_id)
        .join(
            RA,
            sa.and_(
                RA.person_id == person_id,
                RA.role == Role.DEPARTMENT_OFFICER,
                _in_force(RA, now),
                RA.department_code == school.department_code,
            ),
        )
        .join(C, C.id == T.class_id)
        .join(Y, Y.id == T.school_year_id)
        .where(cr.status == CorrectionStatus.PENDING)
        .group_by(Y.name, C.id, C.name)
    )


def task_queue(session: Session, *, person_id: int, now: datetime) -> list[TaskItem]:
    """The caller's queue at ``now``, ordered by due date, class and subject."""
    S = TranscriptStatus  # noqa: N806
    selects = [
        *_subject_step(person_id, now),
        _step(person_id, now, SigningStep.HOMEROOM, Role.HOMEROOM_TEACHER,
              T.status == S.SUBJECT_SIGNED),
        _step(person_id, now, SigningStep.PRINCIPAL, Role.PRINCIPAL,
              sa.or_(T.status == S.HOMEROOM_SIGNED,
                     sa.and_(T.status == S.DRAFT, T.kind != TranscriptKind.CA_NAM))),
        _step(person_id, now, SigningStep.SCHOOL, Role.CLERK, T.status == S.PRINCIPAL_SIGNED),
        _corrections(person_id, now),
    ]
    rows = session.execute(sa.union_all(*selects)).all()
    items = []
    for row in rows:
        ids = tuple(sorted(set(row.ids.split(","))))
        due = row.due_at
        items.append(
            TaskItem(
                id=f"{row.action}:{row.step or '-'}:{row.class_id}:{row.subject_code or '-'}",
                action=row.action,
                step=row.step,
                school_year=row.school_year,
                class_id=row.class_id,
                class_name=row.class_name,
                subject_code=row.subject_code,
                transcript_ids=ids,
                count=len(ids),
                due_at=_aware(due),
            )
        )
    merged = _merge(items)
    return sorted(merged, key=lambda i: (i.due_at is None, i.due_at, i.class_name or "",
                                          i.subject_code or "", i.action))


def _aware(value: Any) -> datetime | None:
    # A UNION loses the column's type decorator; timestamps are stored as naive UTC.
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC)  # type: ignore[no-any-return]


def _merge(items: list[TaskItem]) -> list[TaskItem]:
    """Join the lines two overlapping assignments may yield for the same group."""
    by_id: dict[str, TaskItem] = {}
    for item in items:
        known = by_id.get(item.id)
        if known is None:
            by_id[item.id] = item
            continue
        ids = tuple(sorted(set(known.transcript_ids) | set(item.transcript_ids)))
        by_id[item.id] = TaskItem(**{**_fields(known), "transcript_ids": ids, "count": len(ids)})
    return list(by_id.values())


def _fields(item: TaskItem) -> dict[str, Any]:
    return {name: getattr(item, name) for name in TaskItem.__slots__}
