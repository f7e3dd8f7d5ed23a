"""Every role × every write of the tracking book, judged against REQ-07 and REQ-18.

The roles are the staff of tests/support/world.py; the writes are on class 6A1, while entry
is open and before the lock date. A write the table allows is stored; every other one is
refused with the error the refusal rule names and changes nothing (not a row of the
tracking book, the transcripts and their signatures, nor the audit log).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from sqlmodel import Session

from domain.model import (
    CorrectionStatus,
    EntryCorrection,
    EntryPeriod,
    EntryWindowDecision,
    HomeroomRecord,
    ScoreLine,
    WindowAction,
    WindowDecisionStatus,
)
from tests.support.tracking import (
    DECISION,
    any_row,
    open_entry,
    sign_subject,
    tracking_footprint,
)
from tests.support.world import BEFORE_LOCK, STAFF, World
from workflow import (
    AdministratorForbiddenError,
    HomeroomEntry,
    NotAssignedError,
    SubjectEntry,
    WorkflowError,
    carry_out_window_decision,
    decide_entry_correction,
    decide_entry_window,
    record_homeroom_data,
    record_subject_scores,
    request_entry_correction,
)

ALLOWED: dict[str, frozenset[str]] = {
    # REQ-07: the subject teacher of the assigned subject × class, and the homeroom teacher
    # of the class. The principal and academic affairs read; they do not write.
    "subject scores": frozenset({"gvbm.toan", "gvcn.6a1"}),
    "homeroom data": frozenset({"gvcn.6a1"}),
    # REQ-18: the principal decides, the administrator carries it out.
    "window decision": frozenset({"hieutruong"}),
    "window carried out": frozenset({"admin"}),
    # REQ-15: the teacher who may write the entry asks, the principal decides.
    "correction request": frozenset({"gvbm.toan", "gvcn.6a1"}),
    "correction approval": frozenset({"hieutruong"}),
    "correction rejection": frozenset({"hieutruong"}),
}
"""Who may do each write (TOAN of 6A1 for the scores and their corrections)."""

ACADEMIC = frozenset(ALLOWED) - {"window decision", "window carried out"}
"""Writes of academic data: the administrator is refused as such (REQ-07)."""


def refusal(write: str, who: str) -> type[WorkflowError]:
    """The administrator touching academic data, else someone without the duty."""
    if who == "admin" and write in ACADEMIC:
        return AdministratorForbiddenError
    return NotAssignedError


@dataclass
class Scene:
    """A test school ready for one write; ``act`` does it as a given user."""

    world: World
    ids: dict[str, int]

    def write(self, name: str, who: str) -> None:
        WRITES[name](self, who)


def _scores(scene: Scene, who: str) -> None:
    world = scene.world
    record_subject_scores(
        world.uow(),
        class_id=world.class_ids["6A1"],
        subject_code="TOAN",
        semester=1,
        lines=[SubjectEntry(world.student_ids[0], regular=[8, "7,5"], midterm=7)],
        actor=world.actor(who),
        now=BEFORE_LOCK,
    )


def _homeroom(scene: Scene, who: str) -> None:
    world = scene.world
    record_homeroom_data(
        world.uow(),
        class_id=world.class_ids["6A1"],
        semester=1,
        entries=[HomeroomEntry(world.student_ids[0], conduct="T", absences=2)],
        actor=world.actor(who),
        now=BEFORE_LOCK,
    )


def _decide_window(scene: Scene, who: str) -> None:
    world = scene.world
    decide_entry_window(
        world.uow(),
        school_id=world.school_id,
        school_year_id=world.year_id,
        period=EntryPeriod.SUPPLEMENTARY,
        action=WindowAction.OPEN,
        decision=DECISION,
        actor=world.actor(who),
        now=BEFORE_LOCK,
    )


def _carry_out(scene: Scene, who: str) -> None:
    world = scene.world
    carry_out_window_decision(
        world.uow(), decision_id=scene.ids["decision"], actor=world.actor(who), now=BEFORE_LOCK
    )


def _request(scene: Scene, who: str) -> None:
    world = scene.world
    request_entry_correction(
        world.uow(),
        class_id=world.class_ids["6A1"],
        semester=1,
        subject_code="TOAN",
        entry=SubjectEntry(world.student_ids[0], regular=[8], midterm=9),
        reason="Nhập nhầm điểm giữa kỳ",
        actor=world.actor(who),
        now=BEFORE_LOCK,
    )


def _decide(approve: bool) -> Callable[[Scene, str], None]:
    def decide(scene: Scene, who: str) -> None:
        world = scene.world
        decide_entry_correction(
            world.uow(),
            correction_id=scene.ids["correction"],
            approve=approve,
            note="Đã xem xét",
            actor=world.actor(who),
            now=BEFORE_LOCK,
        )

    return decide


WRITES: dict[str, Callable[[Scene, str], None]] = {
    "subject scores": _scores,
    "homeroom data": _homeroom,
    "window decision": _decide_window,
    "window carried out": _carry_out,
    "correction request": _request,
    "correction approval": _decide(approve=True),
    "correction rejection": _decide(approve=False),
}


def prepare(world: World, write: str) -> Scene:
    """Entry open; for a window carried out, a decision waiting; for a correction, a signed
    TOAN score (and for a decision, its pending request)."""
    open_entry(world)
    scene = Scene(world, {})
    if write == "window carried out":
        _decide_window(scene, "hieutruong")
        (decision,) = [
            d for d in any_row(world.engine, EntryWindowDecision) if d.period == "supplementary"
        ]
        scene.ids["decision"] = decision.id
    if write.startswith("correction"):
        _scores(scene, "gvbm.toan")
        sign_subject(world, world.new_transcript(), "TOAN")
    if write in ("correction approval", "correction rejection"):
        _request(scene, "gvbm.toan")
        (correction,) = any_row(world.engine, EntryCorrection)
        scene.ids["correction"] = correction.id
    return scene


def stored(world: World, write: str) -> bool:
    """Whether the write's effect is in the database."""
    with Session(world.engine) as session:
        if write == "subject scores":
            return session.get(ScoreLine, 1) is not None
        if write == "homeroom data":
            return session.get(HomeroomRecord, 1) is not None
    if write == "window decision":
        return any(d.period == "supplementary" for d in any_row(world.engine, EntryWindowDecision))
    if write == "window carried out":
        return all(
            d.status == WindowDecisionStatus.CARRIED_OUT
            for d in any_row(world.engine, EntryWindowDecision)
        )
    (correction,) = any_row(world.engine, EntryCorrection)
    expected = {
        "correction request": CorrectionStatus.PENDING,
        "correction approval": CorrectionStatus.APPROVED,
        "correction rejection": CorrectionStatus.REJECTED,
    }[write]
    return bool(correction.status == expected)


def _outcome(write: str, who: str) -> str:
    return "allowed" if who in ALLOWED[write] else refusal(write, who).__name__


CASES = [
    pytest.param(write, who, id=f"{who} {write} -> {_outcome(write, who)}")
    for write in WRITES
    for who in STAFF
]


@pytest.mark.parametrize(("write", "who"), CASES)
def test_each_role_writes_only_what_req_07_and_req_18_give_it(
    world: World, write: str, who: str
) -> None:
    scene = prepare(world, write)
    before = tracking_footprint(world.engine)

    if who in ALLOWED[write]:
        scene.write(write, who)
        assert stored(world, write)
        return
    with pytest.raises(WorkflowError) as refused:
        scene.write(write, who)
    assert type(refused.value) is refusal(write, who)
    assert tracking_footprint(world.engine) == before


def test_the_table_covers_every_role_and_names_only_real_people() -> None:
    for allowed in ALLOWED.values():
        assert allowed <= STAFF.keys()
    assert set(ALLOWED) == set(WRITES)
    assert len(CASES) == len(WRITES) * len(STAFF)
