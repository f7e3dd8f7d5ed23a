"""Opening and closing data entry: by the principal's decision, carried out by the
administrator (REQ-18, Đ.21.3c and Đ.24.2 of the regulation).

Two steps, two people, each audited. The principal decides (``decide_entry_window``): open
or close a school's entry for a period (semester 1, semester 2 or the supplementary period)
from a given instant, the decision's number or wording recorded. Nothing changes for the
teachers yet. The administrator carries it out (``carry_out_window_decision``), not before
the instant the principal set; only then does the window move, and it records who decided
and who carried it out, and when. The administrator cannot open or close a window without
a decision; the principal cannot without the administrator. A newer decision for the same
window replaces one not carried out yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from domain.model import (
    EntryPeriod,
    EntryWindow,
    EntryWindowDecision,
    Role,
    School,
    SchoolYear,
    WindowAction,
    WindowDecisionStatus,
    state_hash,
)
from workflow._actor import Actor
from workflow._errors import (
    ConflictError,
    DecisionNotDueError,
    InvalidInputError,
    NotAssignedError,
    NotFoundError,
)
from workflow._transitions import acting_person
from workflow._uow import UnitOfWork

_PENDING = WindowDecisionStatus.PENDING


@dataclass(frozen=True, slots=True)
class EntryWindowView:
    """A period's window at a school for a year, and the decision waiting to be carried out."""

    period: EntryPeriod
    is_open: bool
    decided_by_id: int | None
    decided_at: datetime | None
    carried_out_by_id: int | None
    carried_out_at: datetime | None
    pending_decision_id: int | None
    pending_action: WindowAction | None
    pending_effective_at: datetime | None


def _window_key(school_id: int, school_year_id: int, period: EntryPeriod) -> str:
    return f"{school_id}:{school_year_id}:{period.value}"


def _snapshot(window: EntryWindow) -> dict[str, Any]:
    return {
        "school_id": window.school_id,
        "school_year_id": window.school_year_id,
        "period": str(window.period),
        "is_open": window.is_open,
        "decision_id": window.decision_id,
    }


def decide_entry_window(
    uow: UnitOfWork,
    *,
    school_id: int,
    school_year_id: int,
    period: EntryPeriod,
    action: WindowAction,
    decision: str,
    actor: Actor,
    now: datetime,
    effective_at: datetime | None = None,
) -> int:
    """The principal decides to open or close entry for ``period``; returns the decision id.

    ``decision`` is the decision as issued (its number or wording). ``effective_at`` (default
    ``now``) is the earliest instant the administrator may carry it out.
    """
    if not decision.strip():
        raise InvalidInputError(
            "decision",
            "the principal's decision must be recorded (its number or wording)",
            "cần ghi số hoặc nội dung quyết định của hiệu trưởng",
        )
    with uow:
        session = uow.session
        if session.get(School, school_id) is None:
            raise NotFoundError("school", school_id)
        if session.get(SchoolYear, school_year_id) is None:
            raise NotFoundError("school year", school_year_id)
        # The administrator carries decisions out but never makes one (REQ-18).
        if not actor.holds(Role.PRINCIPAL, school_id=school_id, school_year_id=school_year_id):
            raise NotAssignedError("the principal of this school", "hiệu trưởng của trường này")
        replaced = session.exec(
            select(EntryWindowDecision).where(
                EntryWindowDecision.school_id == school_id,
                EntryWindowDecision.school_year_id == school_year_id,
                EntryWindowDecision.period == period,
                EntryWindowDecision.status == _PENDING,
            )
        ).all()
        for older in replaced:
            older.status = WindowDecisionStatus.REPLACED
            session.add(older)
        row = EntryWindowDecision(
            school_id=school_id,
            school_year_id=school_year_id,
            period=period,
            action=action,
            decision=decision,
            effective_at=effective_at or now,
            decided_by_id=acting_person(actor),
            decided_at=now,
        )
        session.add(row)
        uow.flush("the entry window decision")
        assert row.id is not None
        uow.audit.record(
            actor=actor,
            action="entry_window.decide",
            object_type="entry_window",
            object_id=_window_key(school_id, school_year_id, period),
            now=now,
            details={
                "decision_id": row.id,
                "action": action.value,
                "decision": decision,
                "effective_at": row.effective_at.isoformat(),
                "replaces": sorted(d.id for d in replaced if d.id is not None),
            },
        )
        uow.commit("the entry window decision")
        return row.id


def carry_out_window_decision(
    uow: UnitOfWork, *, decision_id: int, actor: Actor, now: datetime
) -> None:
    """The administrator of the school carries out a principal's pending decision."""
    with uow:
        session = uow.session
        decision = session.get(EntryWindowDecision, decision_id)
        if decision is None:
            raise NotFoundError("entry window decision", decision_id)
        if not actor.holds(Role.ADMINISTRATOR, school_id=decision.school_id):
            raise NotAssignedError("the administrator of this school", "quản trị viên của trường")
        if decision.status != _PENDING:
            # Carried out or replaced already (a stale page).
            raise ConflictError("the entry window decision")
        if now < decision.effective_at:
            raise DecisionNotDueError(decision.effective_at.isoformat())
        period = EntryPeriod(decision.period)
        window = session.exec(
            select(EntryWindow).where(
                EntryWindow.school_id == decision.school_id,
                EntryWindow.school_year_id == decision.school_year_id,
                EntryWindow.period == period,
            )
        ).first()
        before = None if window is None else state_hash(_snapshot(window))
        if window is None:
            window = EntryWindow(
                school_id=decision.school_id,
                school_year_id=decision.school_year_id,
                period=period,
                decision_id=decision_id,
                decided_by_id=decision.decided_by_id,
                decided_at=decision.decided_at,
                carried_out_by_id=acting_person(actor),
                carried_out_at=now,
            )
        window.is_open = decision.action == WindowAction.OPEN
        window.decision_id = decision_id
        window.decided_by_id, window.decided_at = decision.decided_by_id, decision.decided_at
        window.carried_out_by_id, window.carried_out_at = acting_person(actor), now
        decision.status = WindowDecisionStatus.CARRIED_OUT
        decision.carried_out_by_id, decision.carried_out_at = acting_person(actor), now
        session.add_all([window, decision])
        uow.flush("the entry window")
        uow.audit.record(
            actor=actor,
            action=f"entry_window.{WindowAction(decision.action).value}",
            object_type="entry_window",
            object_id=_window_key(decision.school_id, decision.school_year_id, period),
            now=now,
            before_sha256=before,
            after_sha256=state_hash(_snapshot(window)),
            details={"decision_id": decision_id, "decided_by": decision.decided_by_id},
        )
        uow.commit("the entry window")


def entry_windows(
    session: Session, *, school_id: int, school_year_id: int
) -> tuple[EntryWindowView, ...]:
    """Every period's window of a school for a year (no personal data: not audited)."""
    windows = {
        EntryPeriod(w.period): w
        for w in session.exec(
            select(EntryWindow).where(
                EntryWindow.school_id == school_id, EntryWindow.school_year_id == school_year_id
            )
        ).all()
    }
    pending = {
        EntryPeriod(d.period): d
        for d in session.exec(
            select(EntryWindowDecision)
            .where(
                EntryWindowDecision.school_id == school_id,
                EntryWindowDecision.school_year_id == school_year_id,
                EntryWindowDecision.status == _PENDING,
            )
            .order_by(col(EntryWindowDecision.id))
        ).all()
    }
    views = []
    for period in EntryPeriod:
        window, waiting = windows.get(period), pending.get(period)
        views.append(
            EntryWindowView(
                period=period,
                is_open=window is not None and window.is_open,
                decided_by_id=window.decided_by_id if window else None,
                decided_at=window.decided_at if window else None,
                carried_out_by_id=window.carried_out_by_id if window else None,
                carried_out_at=window.carried_out_at if window else None,
                pending_decision_id=waiting.id if waiting else None,
                pending_action=WindowAction(waiting.action) if waiting else None,
                pending_effective_at=waiting.effective_at if waiting else None,
            )
        )
    return tuple(views)
