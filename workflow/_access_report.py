"""Access monitoring (REQ-17): the read-audit events, turned into a report of unusual access.

Three kinds of finding, each from one grouped SQL statement over ``audit_events``:

- ``volume``: an account read more distinct students in the period than a multiple of the
  students its duties cover at the period's end (or, with no duty then, more than a floor);
- ``off_hours``: reads outside the school's working days and hours (in its time zone);
- ``foreign_school``: reads of a student enrolled, at the time, in a school where the account
  held no assignment (a Department officer's department counts as an assignment).

A student's or guardian's reads of their own records are never findings. The principal sees
their schools' accounts and students, a Department officer those of the department's
schools; reading the report is itself an audit event (the audit log is sensitive too).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa
from sqlmodel import Session, col, select

from domain.model import (
    AuditEvent,
    Enrollment,
    GuardianLink,
    Person,
    Role,
    RoleAssignment,
    School,
    SchoolClass,
    Student,
    UTCDateTime,
)
from workflow._actor import Actor
from workflow._errors import AdministratorForbiddenError, InvalidInputError, NotAssignedError
from workflow._settings import Settings
from workflow._uow import UnitOfWork

READ_ACTIONS = ("student.read", "personal_data.export")
"""Audit actions that are a read of a student's personal data (object ``student:<id>``)."""
MAX_PERIOD = timedelta(days=366)
"""The longest period one report covers."""
KINDS = ("volume", "off_hours", "foreign_school")

_EVENTS: sa.Table = AuditEvent.__table__  # type: ignore[attr-defined]
_STUDENTS: sa.Table = Student.__table__  # type: ignore[attr-defined]
_LINKS: sa.Table = GuardianLink.__table__  # type: ignore[attr-defined]
_ASSIGNMENTS: sa.Table = RoleAssignment.__table__  # type: ignore[attr-defined]
_ENROLLMENTS: sa.Table = Enrollment.__table__  # type: ignore[attr-defined]
_CLASSES: sa.Table = SchoolClass.__table__  # type: ignore[attr-defined]
_SCHOOLS: sa.Table = School.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class AccessPolicy:
    """What counts as unusual; from the settings (``HOCBA_ACCESS_*``, ``HOCBA_TIMEZONE``)."""

    timezone: str = "Asia/Ho_Chi_Minh"
    """The zone working hours are counted in."""
    read_multiple: float = 1.5
    """Flag an account reading more distinct students than this multiple of its coverage."""
    reads_without_duty: int = 20
    """Flag an account with no duty at the period's end reading more students than this."""
    working_days: frozenset[int] = frozenset({1, 2, 3, 4, 5, 6})
    """ISO weekdays that are working days."""
    working_hours: tuple[int, int] = (6, 19)
    """Working hours ``[start, end)``, local."""
    examples: int = 5
    """How many example reads (ids only) a finding carries."""

    def __post_init__(self) -> None:
        start, end = self.working_hours
        if not 0 <= start < end <= 24:
            raise ValueError(f"access_working_hours: need 0 <= start < end <= 24, got {start, end}")
        if not self.working_days <= set(range(1, 8)):
            raise ValueError("access_working_days: ISO weekdays 1 (Monday) to 7 (Sunday)")
        if self.read_multiple <= 0 or self.reads_without_duty < 0:
            raise ValueError("access_read_multiple must be > 0, access_reads_without_duty >= 0")
        try:
            ZoneInfo(self.timezone)  # fails here, not in the middle of a report
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"timezone: unknown zone {self.timezone!r}") from error


def access_policy(settings: Settings) -> AccessPolicy:
    """The policy the settings describe."""
    return AccessPolicy(
        timezone=settings.timezone,
        read_multiple=settings.access_read_multiple,
        reads_without_duty=settings.access_reads_without_duty,
        working_days=frozenset(settings.access_working_days),
        working_hours=settings.access_working_hours,
    )


@dataclass(frozen=True, slots=True)
class ExampleRead:
    """One read behind a finding: ids only (the audit entry and the student)."""

    seq: int
    student_id: int
    occurred_at: datetime


@dataclass(frozen=True, slots=True)
class Finding:
    """An account's unusual reads of one kind in the period."""

    account_id: int
    username: str
    full_name: str
    kind: str
    """``volume``, ``off_hours`` or ``foreign_school``."""
    count: int
    """Reads of this kind (``volume``: distinct students read)."""
    students: int
    """Distinct students among them."""
    covered: int | None
    """``volume`` only: students the account's duties cover at the period's end."""
    first_at: datetime
    last_at: datetime
    examples: tuple[ExampleRead, ...]


@dataclass(frozen=True, slots=True)
class AccessReport:
    """The findings for the reader's schools in ``[since, until)``."""

    since: datetime
    until: datetime
    generated_at: datetime
    schools: tuple[tuple[int, str], ...]
    """The schools covered: (id, name)."""
    policy: AccessPolicy
    findings: tuple[Finding, ...]


@dataclass(frozen=True, slots=True)
class _Scope:
    school_ids: tuple[int, ...]
    department_codes: tuple[str, ...]
    """Set for a Department officer: their department's officers are its accounts too."""


def _scope(session: Session, actor: Actor) -> _Scope:
    if actor.is_administrator:
        raise AdministratorForbiddenError
    departments = sorted(
        {
            g.department_code
            for g in actor.grants
            if g.role is Role.DEPARTMENT_OFFICER and g.department_code
        }
    )
    schools: set[int] = {
        g.school_id for g in actor.grants if g.role is Role.PRINCIPAL and g.school_id is not None
    }
    if departments:
        found = session.exec(
            select(School.id).where(col(School.department_code).in_(departments))
        ).all()
        schools |= {i for i in found if i is not None}
    if not schools and not departments:
        raise NotAssignedError(
            "the principal or a Department officer", "hiệu trưởng hoặc cán bộ Sở GD&ĐT"
        )
    return _Scope(tuple(sorted(schools)), tuple(departments))


def _period(since: datetime, until: datetime) -> None:
    if since.tzinfo is None or until.tzinfo is None:
        raise InvalidInputError("since", "give a time zone", "cần có múi giờ")
    if until <= since:
        raise InvalidInputError("until", "must be after since", "phải sau thời điểm bắt đầu")
    if until - since > MAX_PERIOD:
        raise InvalidInputError(
            "until", "a report covers at most 366 days", "một báo cáo tối đa 366 ngày"
        )


def _reads(since: datetime, until: datetime) -> Any:
    """Every read of a student in the period by a logged-in account, own records excluded."""
    event = _EVENTS.c
    student = _STUDENTS.c
    links = _LINKS.c
    # The object id as a number, only where it names a student (CASE keeps PostgreSQL from
    # casting another object's id), so the students' primary key serves the join.
    student_id = sa.case((event.object_type == "student", sa.cast(event.object_id, sa.Integer)))
    own_child = sa.exists().where(links.student_id == student.id, links.person_id == event.actor_id)
    return (
        sa.select(
            event.seq.label("seq"),
            event.actor_id.label("actor_id"),
            event.occurred_at.label("occurred_at"),
            student.id.label("student_id"),
        )
        .select_from(_EVENTS.join(_STUDENTS, student.id == student_id))
        .where(
            event.action.in_(READ_ACTIONS),
            event.object_type == "student",
            event.actor_id.is_not(None),
            event.occurred_at >= since,
            event.occurred_at < until,
            sa.or_(student.person_id.is_(None), student.person_id != event.actor_id),
            ~own_child,
        )
        .cte("reads")
    )


def _accounts(scope: _Scope, since: datetime, until: datetime) -> Any:
    """The accounts of the scope: an assignment in one of its schools (or, for the
    Department, an officer's of its department) at some time in the period."""
    a = _ASSIGNMENTS.c
    where_scope: Any = a.school_id.in_(scope.school_ids)
    if scope.department_codes:
        where_scope = sa.or_(where_scope, a.department_code.in_(scope.department_codes))
    return sa.select(a.person_id).where(
        where_scope,
        a.valid_from < until,
        sa.or_(a.valid_until.is_(None), a.valid_until > since),
    )


def _scope_students(scope: _Scope) -> Any:
    e = _ENROLLMENTS.c
    c = _CLASSES.c
    return (
        sa.select(e.student_id)
        .select_from(_ENROLLMENTS.join(_CLASSES, c.id == e.class_id))
        .where(c.school_id.in_(scope.school_ids))
    )


def _working_intervals(policy: AccessPolicy, since: datetime, until: datetime) -> list[Any]:
    zone = ZoneInfo(policy.timezone)
    start_h, end_h = policy.working_hours
    day = since.astimezone(zone).date() - timedelta(days=1)
    last = until.astimezone(zone).date()
    rows = []
    while day <= last:
        if day.isoweekday() in policy.working_days:
            opens = datetime.combine(day, time(start_h), zone).astimezone(UTC)
            closes = datetime.combine(day, time(0), zone) + timedelta(hours=end_h)
            rows.append((opens, closes.astimezone(UTC)))
        day += timedelta(days=1)
    return rows


def _off_hours(reads: Any, policy: AccessPolicy, since: datetime, until: datetime) -> Any:
    intervals = _working_intervals(policy, since, until)
    if not intervals:
        return sa.true()
    # A UNION ALL of literal rows: SQLite does not name the columns of a VALUES list.
    table = sa.union_all(
        *(
            sa.select(
                sa.literal(opens, UTCDateTime()).label("opens"),
                sa.literal(closes, UTCDateTime()).label("closes"),
            )
            for opens, closes in intervals
        )
    ).subquery("working")
    inside = sa.exists().where(
        table.c.opens <= reads.c.occurred_at, reads.c.occurred_at < table.c.closes
    )
    return ~inside


def _foreign(reads: Any) -> Any:
    """The student was enrolled, that day, in a school where the reader had no assignment."""
    r = reads.alias("read_again")
    held = _ASSIGNMENTS.alias("held")
    e, c, s, a = _ENROLLMENTS.c, _CLASSES.c, _SCHOOLS.c, held.c
    day = sa.func.date(r.c.occurred_at)
    covers = sa.and_(
        a.person_id == r.c.actor_id,
        a.valid_from <= r.c.occurred_at,
        sa.or_(a.valid_until.is_(None), a.valid_until > r.c.occurred_at),
        sa.or_(
            a.school_id == c.school_id,
            sa.and_(a.school_id.is_(None), a.department_code == s.department_code),
        ),
    )
    # An anti-join (no assignment row matched), not a nested NOT EXISTS: PostgreSQL cannot
    # flatten the latter and ran it per read (1.9 s for 100,000 reads).
    unassigned = (
        sa.select(r.c.seq)
        .select_from(
            r.join(_ENROLLMENTS, e.student_id == r.c.student_id)
            .join(_CLASSES, c.id == e.class_id)
            .join(_SCHOOLS, s.id == c.school_id)
            .outerjoin(held, covers)
        )
        .where(
            e.enrolled_on <= day,
            sa.or_(e.left_on.is_(None), e.left_on > day),
            a.id.is_(None),
        )
    )
    return reads.c.seq.in_(unassigned)


def _grouped(session: Session, reads: Any, where: Any) -> dict[int, tuple[int, int, Any, Any]]:
    rows = session.execute(
        sa.select(
            reads.c.actor_id,
            sa.func.count(),
            sa.func.count(sa.distinct(reads.c.student_id)),
            sa.func.min(reads.c.occurred_at),
            sa.func.max(reads.c.occurred_at),
        )
        .where(where)
        .group_by(reads.c.actor_id)
    ).all()
    return {r[0]: (r[1], r[2], r[3], r[4]) for r in rows}


def _examples(
    session: Session, reads: Any, where: Any, accounts: list[int], limit: int
) -> dict[int, tuple[ExampleRead, ...]]:
    if not accounts:
        return {}
    ranked = (
        sa.select(
            reads.c.actor_id,
            reads.c.seq,
            reads.c.student_id,
            reads.c.occurred_at,
            sa.func.row_number()
            .over(partition_by=reads.c.actor_id, order_by=reads.c.seq)
            .label("n"),
        )
        .where(where, reads.c.actor_id.in_(accounts))
        .subquery()
    )
    rows = session.execute(
        sa.select(ranked.c.actor_id, ranked.c.seq, ranked.c.student_id, ranked.c.occurred_at)
        .where(ranked.c.n <= limit)
        .order_by(ranked.c.actor_id, ranked.c.seq)
    ).all()
    found: dict[int, list[ExampleRead]] = defaultdict(list)
    for actor_id, seq, student_id, occurred_at in rows:
        found[actor_id].append(ExampleRead(seq, student_id, _aware(occurred_at)))
    return {k: tuple(v) for k, v in found.items()}


def _aware(value: Any) -> datetime:
    # The CTE's column loses the UTC type decorator: values come back naive UTC (or as text
    # on SQLite), as stored.
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    assert isinstance(value, datetime)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _coverage(session: Session, accounts: set[int], at: datetime) -> dict[int, int]:
    """Students each account's duties cover at ``at``: its classes, its school (year), or
    its department's schools."""
    if not accounts:
        return {}
    a = _ASSIGNMENTS.c
    c = _CLASSES.c
    e = _ENROLLMENTS.c
    s = _SCHOOLS.c
    covers = sa.or_(
        sa.and_(a.class_id.is_not(None), c.id == a.class_id),
        sa.and_(
            a.class_id.is_(None),
            a.school_id.is_not(None),
            c.school_id == a.school_id,
            sa.or_(a.school_year_id.is_(None), c.school_year_id == a.school_year_id),
        ),
        sa.and_(
            a.school_id.is_(None),
            a.department_code.is_not(None),
            c.school_id.in_(sa.select(s.id).where(s.department_code == a.department_code)),
        ),
    )
    rows = session.execute(
        sa.select(a.person_id, sa.func.count(sa.distinct(e.student_id)))
        .select_from(_ASSIGNMENTS.join(_CLASSES, covers).join(_ENROLLMENTS, e.class_id == c.id))
        .where(
            a.person_id.in_(accounts),
            a.role.not_in([Role.ADMINISTRATOR.value, Role.STUDENT.value, Role.GUARDIAN.value]),
            a.valid_from <= at,
            sa.or_(a.valid_until.is_(None), a.valid_until > at),
        )
        .group_by(a.person_id)
    ).all()
    return {r[0]: r[1] for r in rows}


def _names(session: Session, ids: set[int]) -> dict[int, tuple[str, str]]:
    if not ids:
        return {}
    rows = session.exec(
        select(Person.id, Person.username, Person.full_name).where(col(Person.id).in_(ids))
    ).all()
    return {r[0]: (r[1], r[2]) for r in rows if r[0] is not None}


def access_report(
    uow: UnitOfWork,
    *,
    actor: Actor,
    now: datetime,
    since: datetime,
    until: datetime,
    policy: AccessPolicy | None = None,
) -> AccessReport:
    """Unusual reads of students' personal data in ``[since, until)``, for a principal (their
    schools) or a Department officer (their department's schools); NotAssignedError for
    anyone else. The report is audited (``access_report.read``)."""
    policy = policy or AccessPolicy()
    _period(since, until)
    with uow:
        session = uow.session
        scope = _scope(session, actor)
        reads = _reads(since, until)
        ours = reads.c.actor_id.in_(_accounts(scope, since, until))
        theirs = reads.c.student_id.in_(_scope_students(scope))
        kinds = {
            "volume": ours,
            "off_hours": sa.and_(ours, _off_hours(reads, policy, since, until)),
            "foreign_school": sa.and_(sa.or_(ours, theirs), _foreign(reads)),
        }
        grouped = {kind: _grouped(session, reads, where) for kind, where in kinds.items()}
        coverage = _coverage(session, set(grouped["volume"]), min(until, now))
        flagged: dict[str, list[int]] = {}
        for kind, per_account in grouped.items():
            if kind == "volume":
                flagged[kind] = [
                    account
                    for account, (_, students, _, _) in per_account.items()
                    if _too_many(students, coverage.get(account, 0), policy)
                ]
            else:
                flagged[kind] = list(per_account)
        examples = {
            kind: _examples(session, reads, kinds[kind], accounts, policy.examples)
            for kind, accounts in flagged.items()
        }
        names = _names(session, {a for accounts in flagged.values() for a in accounts})
        findings = []
        for kind in KINDS:
            for account in flagged[kind]:
                count, students, first, last = grouped[kind][account]
                username, full_name = names.get(account, (f"person:{account}", ""))
                findings.append(
                    Finding(
                        account_id=account,
                        username=username,
                        full_name=full_name,
                        kind=kind,
                        count=students if kind == "volume" else count,
                        students=students,
                        covered=coverage.get(account, 0) if kind == "volume" else None,
                        first_at=_aware(first),
                        last_at=_aware(last),
                        examples=examples[kind].get(account, ()),
                    )
                )
        findings.sort(key=lambda f: (KINDS.index(f.kind), -f.count, f.account_id))
        schools = session.exec(
            select(School.id, School.name)
            .where(col(School.id).in_(scope.school_ids))
            .order_by(col(School.id))
        ).all()
        uow.audit.record(
            actor=actor,
            action="access_report.read",
            object_type="audit_log",
            object_id=",".join(map(str, scope.school_ids))[:64],
            now=now,
            details={
                "since": since.isoformat(),
                "until": until.isoformat(),
                "schools": list(scope.school_ids),
                "findings": len(findings),
            },
        )
        uow.commit("the audit log")
        return AccessReport(
            since=since,
            until=until,
            generated_at=now,
            schools=tuple((i, n) for i, n in schools if i is not None),
            policy=policy,
            findings=tuple(findings),
        )


def _too_many(students: int, covered: int, policy: AccessPolicy) -> bool:
    if covered == 0:
        return students > policy.reads_without_duty
    return students > policy.read_multiple * covered
