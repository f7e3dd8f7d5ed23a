"""Who is acting: a person with the role assignments valid at the moment of the action."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

import sqlalchemy as sa
from sqlmodel import Session

from domain.model import Person, Role, RoleAssignment


@dataclass(frozen=True, slots=True)
class Grant:
    """One role assignment, as a value; empty scope fields cover everything below them."""

    role: Role
    department_code: str | None = None
    school_id: int | None = None
    school_year_id: int | None = None
    class_id: int | None = None
    subject_code: str | None = None

    def covers(
        self,
        *,
        school_id: int | None = None,
        school_year_id: int | None = None,
        class_id: int | None = None,
        subject_code: str | None = None,
    ) -> bool:
        """Whether this grant's scope includes the given school, year, class and subject."""
        for mine, wanted in (
            (self.school_id, school_id),
            (self.school_year_id, school_year_id),
            (self.class_id, class_id),
            (self.subject_code, subject_code),
        ):
            if mine is not None and mine != wanted:
                return False
        return True


@dataclass(frozen=True, slots=True)
class Actor:
    """The acting person and the grants valid at the time of the action (never the clock's)."""

    person_id: int | None
    label: str
    grants: tuple[Grant, ...] = ()

    @property
    def is_system(self) -> bool:
        """The scheduler acting on its own (lock dates)."""
        return self.person_id is None

    @property
    def is_administrator(self) -> bool:
        """An administrator account (REQ-07: no academic actions at all)."""
        return any(g.role is Role.ADMINISTRATOR for g in self.grants)

    def holds(
        self,
        role: Role,
        *,
        school_id: int | None = None,
        school_year_id: int | None = None,
        class_id: int | None = None,
        subject_code: str | None = None,
        department_code: str | None = None,
    ) -> bool:
        """Whether the actor holds ``role`` over the given scope."""
        return any(
            g.role is role
            and (department_code is None or g.department_code == department_code)
            and g.covers(
                school_id=school_id,
                school_year_id=school_year_id,
                class_id=class_id,
                subject_code=subject_code,
            )
            for g in self.grants
        )


SYSTEM = Actor(person_id=None, label="system")
"""The scheduler: finalizes at the lock date, nothing else."""


def _table(model: type[Any]) -> sa.Table:
    return cast(sa.Table, model.__table__)


_P, _RA = _table(Person), _table(RoleAssignment)
_GRANT_COLUMNS = (
    _P.c.username,
    _P.c.is_active,
    _RA.c.role,
    _RA.c.department_code,
    _RA.c.school_id,
    _RA.c.school_year_id,
    _RA.c.class_id,
    _RA.c.subject_code,
)
"""The person's login state and one assignment's grant, as both statements read them."""
ACTOR_STATEMENT = (
    sa.select(*_GRANT_COLUMNS)
    .select_from(_P)
    .outerjoin(
        _RA,
        sa.and_(
            _RA.c.person_id == _P.c.id,
            _RA.c.valid_from <= sa.bindparam("at"),
            sa.or_(_RA.c.valid_until.is_(None), _RA.c.valid_until > sa.bindparam("at")),
        ),
    )
    .where(_P.c.id == sa.bindparam("person_id"))
    .order_by(_RA.c.id)
)
"""The person and their assignments in force ``at``: one row per assignment (one row with
null role columns when none is). Built once: every request's authentication runs it."""


def _grant(row: sa.Row[Any]) -> Grant:
    return Grant(
        role=Role(row.role),
        department_code=row.department_code,
        school_id=row.school_id,
        school_year_id=row.school_year_id,
        class_id=row.class_id,
        subject_code=row.subject_code,
    )


def actor_from_rows(person_id: int, rows: Sequence[sa.Row[Any]]) -> Actor | None:
    """The Actor :data:`ACTOR_STATEMENT`'s ``rows`` describe; None when the person is unknown.

    An inactive account gets no grants, so every guard refuses it.
    """
    if not rows:
        return None
    username, is_active = rows[0].username, rows[0].is_active
    if not is_active:
        return Actor(person_id=person_id, label=username)
    grants = tuple(_grant(r) for r in rows if r.role is not None)
    return Actor(person_id=person_id, label=username, grants=grants)


def load_actor(session: Session, person_id: int, *, at: datetime) -> Actor:
    """The actor for ``person_id`` with the assignments valid ``at`` that instant.

    An inactive account gets no grants, so every guard refuses it.
    """
    rows = session.execute(ACTOR_STATEMENT, {"person_id": person_id, "at": at}).all()
    actor = actor_from_rows(person_id, rows)
    return actor if actor is not None else Actor(person_id=person_id, label=f"person:{person_id}")


ACCOUNT_STATEMENT = (
    sa.select(*_GRANT_COLUMNS, _RA.c.valid_from, _RA.c.valid_until)
    .select_from(_P)
    .outerjoin(_RA, _RA.c.person_id == _P.c.id)
    .where(_P.c.id == sa.bindparam("person_id"))
    .order_by(_RA.c.id)
)
"""The person and every assignment they ever held, with its validity: what
:class:`Account` judges at any instant without reading again."""


@dataclass(frozen=True, slots=True)
class Account:
    """A person's login state and assignments, whenever valid: the actor at any instant."""

    person_id: int
    username: str
    is_active: bool
    assignments: tuple[tuple[Grant, datetime, datetime | None], ...]
    """Each assignment with its ``valid_from`` and ``valid_until`` (None: open-ended)."""

    def actor_at(self, at: datetime) -> Actor:
        """The Actor :data:`ACTOR_STATEMENT` reads at ``at``: the assignments in force then
        (``valid_from <= at < valid_until``), none for an inactive account."""
        if not self.is_active:
            return Actor(person_id=self.person_id, label=self.username)
        grants = tuple(
            grant
            for grant, start, end in self.assignments
            if start <= at and (end is None or end > at)
        )
        return Actor(person_id=self.person_id, label=self.username, grants=grants)


def account_from_rows(person_id: int, rows: Sequence[sa.Row[Any]]) -> Account | None:
    """The Account :data:`ACCOUNT_STATEMENT`'s ``rows`` describe; None when unknown."""
    if not rows:
        return None
    assignments = tuple(
        (_grant(r), r.valid_from, r.valid_until) for r in rows if r.role is not None
    )
    return Account(
        person_id=person_id,
        username=rows[0].username,
        is_active=bool(rows[0].is_active),
        assignments=assignments,
    )
