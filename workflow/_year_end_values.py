"""The year-end records as values: what a use case returns, fingerprints, and the outcome
read from the engine's decisions."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType
from typing import Any

from sqlmodel import Session, col, select

from domain.assessment import Circular22Result
from domain.model import (
    ConductLevel,
    Enrollment,
    Honour,
    YearEndOutcome,
    YearEndRecord,
    state_hash,
)
from workflow._actor import Actor
from workflow._tracking_scope import ClassYear, class_students
from workflow._uow import UnitOfWork


@dataclass(frozen=True, slots=True)
class YearEndView:
    """A student's year-end review as it stands."""

    student_id: int
    student_name: str
    outcome: YearEndOutcome
    """The proposal: promoted, retest, summer training or not promoted."""
    honour: Honour | None
    """Học sinh Xuất sắc / Giỏi, from the year results."""
    retests: tuple[str, ...]
    """The subjects to retest, in catalogue order."""
    summer_training: bool
    """Whether summer conduct training is needed."""
    supplementary: bool
    """In the approved retest / summer-training group (locks on the supplementary date)."""
    retest_results: Mapping[str, str]
    """Retest results entered so far: one-decimal text, or D/CD for a comment subject."""
    conduct_after_summer: ConductLevel | None
    """The conduct re-evaluated after summer training, once entered."""
    promoted: bool | None
    """Lên lớp as decided so far; None while a supplementary result is awaited."""
    approved: bool
    """Whether the principal approved the class's year-end results."""


def outcome_of(result: Circular22Result) -> YearEndOutcome:
    """The proposal the engine's decisions amount to (before any supplementary result).

    Retests come first when both needs are found (the summer training then shows in
    ``summer_training``); a student refused promotion without any need (more than 45
    sessions absent) is not promoted.
    """
    decisions = result.decisions
    if decisions.retests:
        return YearEndOutcome.RETEST
    if decisions.summer_conduct_training:
        return YearEndOutcome.SUMMER_TRAINING
    if decisions.promoted is False:
        return YearEndOutcome.NOT_PROMOTED
    return YearEndOutcome.PROMOTED


def honour_of(result: Circular22Result) -> Honour | None:
    """The engine's title as the stored honour."""
    return None if result.title is None else Honour(result.title.value)


def view_of(record: YearEndRecord, student_name: str) -> YearEndView:
    """The view of a proposed record."""
    assert record.outcome is not None  # every record the review writes has one
    return YearEndView(
        student_id=record.student_id,
        student_name=student_name,
        outcome=YearEndOutcome(record.outcome),
        honour=None if record.honour is None else Honour(record.honour),
        retests=tuple(record.retests),
        summer_training=record.summer_training,
        supplementary=record.supplementary,
        retest_results=MappingProxyType(dict(record.retest)),
        conduct_after_summer=None
        if record.conduct_after_summer is None
        else ConductLevel(record.conduct_after_summer),
        promoted=record.promoted,
        approved=record.approved_at is not None,
    )


def record_snapshot(record: YearEndRecord) -> dict[str, Any]:
    """What an audit entry fingerprints of a year-end record."""
    return {
        "student_id": record.student_id,
        "class_id": record.class_id,
        "outcome": None if record.outcome is None else str(record.outcome),
        "honour": None if record.honour is None else str(record.honour),
        "retests": list(record.retests),
        "summer_training": record.summer_training,
        "supplementary": record.supplementary,
        "retest": dict(record.retest),
        "conduct_after_summer": None
        if record.conduct_after_summer is None
        else str(record.conduct_after_summer),
        "promoted": record.promoted,
        "basis_sha256": record.basis_sha256,
        "proposed_by_id": record.proposed_by_id,
        "approved_by_id": record.approved_by_id,
    }


def reviewed_students(session: Session, where: ClassYear) -> dict[int, str]:
    """The students the class's year-end review covers: enrolled and not left, in class-list
    order (id → full name)."""
    left = set(
        session.exec(
            select(Enrollment.student_id).where(
                Enrollment.class_id == where.class_id, col(Enrollment.left_on).is_not(None)
            )
        ).all()
    )
    return {sid: name for sid, name in class_students(session, where).items() if sid not in left}


def year_end_records(session: Session, where: ClassYear) -> dict[int, YearEndRecord]:
    """The class's year-end records, by student."""
    rows = session.exec(select(YearEndRecord).where(YearEndRecord.class_id == where.class_id))
    return {row.student_id: row for row in rows.all()}


def save_record(
    uow: UnitOfWork,
    record: YearEndRecord,
    *,
    before: str | None,
    action: str,
    actor: Actor,
    now: datetime,
) -> None:
    """Store ``record`` and audit the change with its before/after fingerprints (never the
    results themselves: the audit log is read by the administrator too)."""
    uow.session.add(record)
    uow.flush("the year-end review")
    uow.audit.record(
        actor=actor,
        action=action,
        object_type="year_end_record",
        object_id=str(record.id),
        now=now,
        before_sha256=before,
        after_sha256=state_hash(record_snapshot(record)),
        details={"student_id": record.student_id, "class_id": record.class_id},
    )
