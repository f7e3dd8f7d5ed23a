"""Task queues: what waits for *my* signature or decision, grouped so a class signs in one batch.

Two SQL statements per queue: the caller's assignments in force (a handful of rows), then one
UNION ALL of one grouped select per step, in which every assignment becomes literal conditions
on the transcripts (``t.class_id = 42``, ``t.school_id = 3 AND t.school_year_id = 3``), so
each step is a few index lookups. The cost grows with the caller's scope and pending work,
not with the size of the transcripts table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from datetime import UTC, datetime
from functools import lru_cache
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
from workflow._actor import Grant
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


NOW: sa.BindParameter[Any] = sa.bindparam("now")
"""The instant a queue is read at: a parameter, so that one built statement serves every call
of the same caller (the statements are cached by the caller's assignments)."""


def _in_force(assignments: sa.FromClause, now: datetime | sa.BindParameter[Any]) -> Clause:
    return sa.and_(
        assignments.c.valid_from <= now,
        sa.or_(assignments.c.valid_until.is_(None), assignments.c.valid_until > now),
    )


@dataclass(frozen=True, slots=True)
class _Grant:
    """One of the caller's assignments in force: a role and its scope (None covers all)."""

    role: Role
    department_code: str | None
    school_id: int | None
    school_year_id: int | None
    class_id: int | None
    subject_code: str | None


def _grants(session: Session, person_id: int, now: datetime) -> list[_Grant]:
    rows = session.execute(
        sa.select(
            RA.c.role,
            RA.c.department_code,
            RA.c.school_id,
            RA.c.school_year_id,
            RA.c.class_id,
            RA.c.subject_code,
        )
        .where(RA.c.person_id == person_id, _in_force(RA, now))
        .order_by(RA.c.id)
    )
    return [_Grant(Role(r[0]), *r[1:]) for r in rows]


def _any(clauses: list[Clause]) -> Clause:
    return sa.or_(*clauses) if len(clauses) > 1 else clauses[0]


def _scope(
    grants: list[_Grant],
    school: sa.ColumnElement[Any],
    year: sa.ColumnElement[Any],
    klass: sa.ColumnElement[Any],
    subject: sa.ColumnElement[Any] | None = None,
) -> Clause:
    """The row lies in one of the grants' school, year and class (and subject, if given).

    Written with the grants' values, not as a join on the assignment rows: ``t.class_id IN
    (41, 42)`` is a few index lookups, ``ra.class_id IS NULL OR ra.class_id = t.class_id``
    made PostgreSQL read every transcript of the status. Grants naming the same scope fields
    share one ``IN`` (one expression, whatever their number).
    """
    columns = (school, year, klass) if subject is None else (school, year, klass, subject)
    groups: dict[tuple[bool, ...], set[tuple[Any, ...]]] = {}
    for g in grants:
        values = (g.school_id, g.school_year_id, g.class_id, g.subject_code)[: len(columns)]
        named = tuple(v is not None for v in values)
        groups.setdefault(named, set()).add(tuple(v for v in values if v is not None))
    clauses: list[Clause] = []
    for named, rows in groups.items():
        chosen = [c for c, n in zip(columns, named, strict=True) if n]
        if not chosen:
            return sa.true()  # a grant without scope covers everything
        ordered = sorted(rows)
        if len(chosen) == 1:
            clauses.append(chosen[0].in_([r[0] for r in ordered]))
        else:
            clauses.append(sa.tuple_(*chosen).in_(ordered))
    return _any(clauses)


def _on_transcript(grants: list[_Grant]) -> Clause:
    return _scope(grants, T.c.school_id, T.c.school_year_id, T.c.class_id)


def _of(grants: list[_Grant], role: Role) -> list[_Grant]:
    return [g for g in grants if g.role is role]


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


def _departments(grants: list[_Grant]) -> list[str]:
    return sorted(
        {g.department_code for g in _of(grants, Role.DEPARTMENT_OFFICER) if g.department_code}
    )


def _late_years(session: Session, now: datetime) -> tuple[int, ...]:
    """The years whose earlier lock date has passed at ``now``: only they can hold a late
    transcript, so the Department's overdue check reads those years' unstamped rows, not the
    whole city's."""
    return tuple(
        session.execute(
            sa.select(Y.c.id)
            .where(sa.or_(Y.c.main_lock_at <= now, Y.c.supplementary_lock_at <= now))
            .order_by(Y.c.id)
        ).scalars()
    )


def _overdue(grants: list[_Grant], years: tuple[int, ...]) -> list[sa.Select[Any]]:
    """Transcripts past their lock date and not stamped: the principal's and the Department's."""
    late = sa.and_(
        T.c.status.in_([s.value for s in UNSTAMPED]),
        # Y is joined after the other joins; the lock date is compared in the WHERE clause.
        _lock_at() <= NOW,
    )
    queries = []
    principals = _of(grants, Role.PRINCIPAL)
    if principals:
        mine = _on_transcript(principals)
        queries.append(_grouped(None, None, sa.and_(late, mine), [], "overdue"))
    departments = _departments(grants)
    if departments and years:
        queries.append(
            _grouped(
                None,
                None,
                sa.and_(late, T.c.school_year_id.in_(years)),
                [
                    (
                        SCH,
                        sa.and_(
                            SCH.c.id == T.c.school_id,
                            SCH.c.department_code.in_(departments),
                        ),
                    )
                ],
                "overdue",
            )
        )
    return queries


def _subject_step(grants: list[_Grant]) -> list[sa.Select[Any]]:
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
    queries = []
    # A subject teacher's assignment names the subject (one without names none).
    teaching = [g for g in _of(grants, Role.SUBJECT_TEACHER) if g.subject_code is not None]
    if teaching:
        mine = _scope(teaching, T.c.school_id, T.c.school_year_id, T.c.class_id, CS.c.subject_code)
        queries.append(
            _grouped(
                SigningStep.SUBJECT,
                CS.c.subject_code,
                sa.and_(pending, mine),
                [(CS, in_class)],
            )
        )
    principals = _of(grants, Role.PRINCIPAL)
    if principals:
        # REQ-16: a subject whose teacher left has no one assigned now; the principal stands in.
        # Judged per class × subject of the principal's classes (a few hundred pairs, each an
        # index probe), then joined to the transcripts: per transcript it became a hash of
        # every assignment in the city.
        orphaned = (
            sa.select(CS.c.class_id, CS.c.subject_code)
            .join(C, C.c.id == CS.c.class_id)
            .where(
                _scope(principals, C.c.school_id, C.c.school_year_id, C.c.id),
                ~sa.exists().where(
                    OTHER.c.class_id == CS.c.class_id,
                    OTHER.c.role == Role.SUBJECT_TEACHER.value,
                    OTHER.c.subject_code == CS.c.subject_code,
                    _in_force(OTHER, NOW),
                ),
            )
            .cte("orphaned")
            # Evaluated once, not folded into the join (PostgreSQL would probe per transcript).
            .prefix_with("MATERIALIZED", dialect="postgresql")
        )
        unsigned_orphan = ~sa.exists().where(
            SIG.c.transcript_id == T.c.id,
            SIG.c.slot == sa.literal("GVBM:") + orphaned.c.subject_code,
            SIG.c.archived_at.is_(None),
        )
        queries.append(
            _grouped(
                SigningStep.SUBJECT,
                orphaned.c.subject_code,
                sa.and_(
                    T.c.status == TranscriptStatus.DRAFT.value,
                    T.c.kind == TranscriptKind.CA_NAM.value,
                    unsigned_orphan,
                    _on_transcript(principals),
                ),
                [(orphaned, orphaned.c.class_id == T.c.class_id)],
            )
        )
    return queries


def _later_steps(grants: list[_Grant]) -> list[sa.Select[Any]]:
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
        _grouped(step, None, sa.and_(where, _on_transcript(mine)), [])
        for step, role, where in ready
        if (mine := _of(grants, role))
    ]


def _corrections(grants: list[_Grant]) -> list[sa.Select[Any]]:
    departments = _departments(grants)
    if not departments:
        return []
    return [
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
        .join(SCH, sa.and_(SCH.c.id == T.c.school_id, SCH.c.department_code.in_(departments)))
        .join(C, C.c.id == T.c.class_id)
        .join(Y, Y.c.id == T.c.school_year_id)
        .where(CR.c.status == CorrectionStatus.PENDING.value)
        .group_by(Y.c.name, C.c.id, C.c.name)
    ]


def queue_statement(
    session: Session, *, person_id: int, now: datetime, grants: Sequence[Grant] | None = None
) -> sa.Executable | None:
    """The statement that reads the caller's queue (None: no assignment gives them one).

    Executed with ``{"now": now}`` (:data:`NOW`).
    """
    scopes = tuple(
        _grants(session, person_id, now)
        if grants is None
        else [
            _Grant(
                g.role, g.department_code, g.school_id, g.school_year_id, g.class_id, g.subject_code
            )
            for g in grants
        ]
    )
    years = _late_years(session, now) if _departments(list(scopes)) else ()
    return _statement(scopes, years)


@lru_cache(maxsize=512)
def _statement(grants: tuple[_Grant, ...], late_years: tuple[int, ...]) -> sa.Executable | None:
    # Building the statement cost more Python time than PostgreSQL spends running it; a
    # caller asks for their queue again and again with the same assignments. The built
    # statement is immutable and shared between threads (SQLAlchemy compiles it once too).
    scopes = list(grants)
    selects = [
        *_subject_step(scopes),
        *_later_steps(scopes),
        *_corrections(scopes),
        *_overdue(scopes, late_years),
    ]
    return sa.union_all(*selects) if selects else None


def task_queue(
    session: Session, *, person_id: int, now: datetime, grants: Sequence[Grant] | None = None
) -> list[TaskItem]:
    """The caller's queue at ``now``, ordered by due date, class and subject.

    ``grants``: the caller's assignments in force at ``now`` when the caller already holds
    them (an Actor loaded at ``now``), which saves reading them again.
    """
    statement = queue_statement(session, person_id=person_id, now=now, grants=grants)
    by_id: dict[str, TaskItem] = {}
    rows = session.execute(statement, {"now": now}) if statement is not None else ()
    for row in rows:
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
    roles = None if grants is None else {g.role for g in grants}
    if roles is None or roles & {Role.ACADEMIC_AFFAIRS, Role.ADMINISTRATOR}:
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
        # Classes of the same name in other schools (a Department's queue): a stable order.
        item.class_id or 0,
        item.id,
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
