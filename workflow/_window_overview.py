"""What the entry-window page shows: each school year still open at the reader's schools,
its windows and the principal's decisions waiting for the administrator (REQ-18).

Windows hold no personal data, so the administrator reads them too (REQ-07 keeps them from
academic data, not from carrying out the principal's decisions); reading them is not audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, select

from domain.model import (
    EntryWindowDecision,
    Person,
    Role,
    School,
    SchoolYear,
    WindowDecisionStatus,
)
from workflow._actor import Actor
from workflow._errors import NotAssignedError
from workflow._tracking_windows import EntryWindowView, entry_windows
from workflow._uow import UnitOfWork

WINDOW_ROLES = (Role.PRINCIPAL, Role.ADMINISTRATOR, Role.ACADEMIC_AFFAIRS)
"""Who opens the entry-window page: the principal decides, the administrator carries out,
academic affairs follows."""


@dataclass(frozen=True, slots=True)
class PendingDecision:
    """A principal's decision the administrator has not carried out yet."""

    id: int
    period: str
    action: str
    decision: str
    decided_by: str
    decided_at: datetime
    effective_at: datetime


@dataclass(frozen=True, slots=True)
class YearWindows:
    """One school's windows for one school year."""

    school_id: int
    school_name: str
    school_year_id: int
    school_year: str
    windows: tuple[EntryWindowView, ...]
    pending: tuple[PendingDecision, ...]
    may_decide: bool
    """The reader is the school's principal for this year."""
    may_carry_out: bool
    """The reader is the school's administrator."""


def window_overview(uow: UnitOfWork, *, actor: Actor, now: datetime) -> list[YearWindows]:
    """The entry windows of every year not yet past its supplementary lock, at each school
    where the reader is principal, administrator or academic affairs."""
    school_ids = sorted(
        {g.school_id for g in actor.grants if g.role in WINDOW_ROLES and g.school_id is not None}
    )
    if not school_ids:
        raise NotAssignedError(
            "the principal, the administrator or academic affairs of a school",
            "hiệu trưởng, quản trị viên hoặc học vụ của trường",
        )
    with uow:
        session = uow.session
        found: list[YearWindows] = []
        for school in session.exec(select(School).where(col(School.id).in_(school_ids))).all():
            assert school.id is not None  # loaded rows have their key
            years = session.exec(
                select(SchoolYear)
                .where(
                    SchoolYear.department_code == school.department_code,
                    col(SchoolYear.supplementary_lock_at) > now,
                )
                .order_by(col(SchoolYear.name))
            ).all()
            for year in years:
                assert year.id is not None
                found.append(
                    YearWindows(
                        school_id=school.id,
                        school_name=school.name,
                        school_year_id=year.id,
                        school_year=year.name,
                        windows=entry_windows(session, school_id=school.id, school_year_id=year.id),
                        pending=_pending(uow, school.id, year.id),
                        may_decide=actor.holds(
                            Role.PRINCIPAL, school_id=school.id, school_year_id=year.id
                        ),
                        may_carry_out=actor.holds(Role.ADMINISTRATOR, school_id=school.id),
                    )
                )
        return found


def _pending(uow: UnitOfWork, school_id: int, school_year_id: int) -> tuple[PendingDecision, ...]:
    rows = uow.session.exec(
        select(EntryWindowDecision, Person.full_name)
        .join(Person, col(Person.id) == EntryWindowDecision.decided_by_id)
        .where(
            EntryWindowDecision.school_id == school_id,
            EntryWindowDecision.school_year_id == school_year_id,
            EntryWindowDecision.status == WindowDecisionStatus.PENDING,
        )
        .order_by(col(EntryWindowDecision.id))
    ).all()
    return tuple(
        PendingDecision(
            id=decision.id,
            period=str(decision.period),
            action=str(decision.action),
            decision=decision.decision,
            decided_by=full_name,
            decided_at=decision.decided_at,
            effective_at=decision.effective_at,
        )
        for decision, full_name in rows
        if decision.id is not None
    )
