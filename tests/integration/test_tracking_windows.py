"""Entry windows (REQ-18) and lock dates (REQ-20): when the tracking book may change.

A window is opened or closed by the principal's decision, carried out by the administrator;
closed means read-only, with an error naming the window. From the main lock date on, only
the supplementary group's data may change, while the supplementary window is open.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session

from domain.model import (
    EntryPeriod,
    EntryWindowDecision,
    Transcript,
    WindowAction,
    WindowDecisionStatus,
)
from tests.support.clock import vn
from tests.support.tracking import (
    DECISION,
    ENTRY_OPENS,
    any_row,
    audit_entries,
    last_seq,
    open_entry,
    put_in_supplementary_group,
    set_window,
    tracking_footprint,
)
from tests.support.world import (
    AFTER_LOCK,
    BEFORE_LOCK,
    MAIN_LOCK,
    SUPPLEMENTARY_LOCK,
    World,
)
from workflow import (
    ConflictError,
    DataLockedError,
    DecisionNotDueError,
    EntryWindowClosedError,
    EntryWindowView,
    HomeroomEntry,
    InvalidInputError,
    SubjectEntry,
    WorkflowError,
    carry_out_window_decision,
    decide_entry_window,
    entry_windows,
    read_subject_sheet,
    record_homeroom_data,
    record_subject_scores,
)

HK1, HK2, SUPPLEMENTARY = EntryPeriod
OPEN, CLOSE = WindowAction


def scores(
    world: World, *, at: datetime = BEFORE_LOCK, semester: int = 1, students: tuple[int, ...] = (0,)
) -> int:
    return record_subject_scores(
        world.uow(),
        class_id=world.class_ids["6A1"],
        subject_code="TOAN",
        semester=semester,
        lines=[SubjectEntry(world.student_ids[s], regular=[8]) for s in students],
        actor=world.actor("gvbm.toan", at),
        now=at,
    )


def conduct(world: World, *, at: datetime = BEFORE_LOCK, semester: int = 1) -> int:
    return record_homeroom_data(
        world.uow(),
        class_id=world.class_ids["6A1"],
        semester=semester,
        entries=[HomeroomEntry(world.student_ids[0], conduct="T")],
        actor=world.actor("gvcn.6a1", at),
        now=at,
    )


def decide(
    world: World,
    period: EntryPeriod,
    action: WindowAction,
    *,
    at: datetime = ENTRY_OPENS,
    effective_at: datetime | None = None,
) -> int:
    return decide_entry_window(
        world.uow(),
        school_id=world.school_id,
        school_year_id=world.year_id,
        period=period,
        action=action,
        decision=DECISION,
        actor=world.actor("hieutruong", at),
        now=at,
        effective_at=effective_at,
    )


def carry_out(world: World, decision: int, at: datetime = ENTRY_OPENS) -> None:
    carry_out_window_decision(
        world.uow(), decision_id=decision, actor=world.actor("admin", at), now=at
    )


def refused(
    world: World, action: Callable[[], object], error: type[WorkflowError]
) -> WorkflowError:
    """Run ``action``; it must fail with exactly ``error`` and change nothing."""
    before = tracking_footprint(world.engine)
    with pytest.raises(WorkflowError) as raised:
        action()
    assert type(raised.value) is error
    assert tracking_footprint(world.engine) == before
    return raised.value


# --- windows --------------------------------------------------------------------------------


def test_nothing_is_entered_before_the_principal_opens_the_semester(world: World) -> None:
    error = refused(world, lambda: scores(world), EntryWindowClosedError)

    assert isinstance(error, EntryWindowClosedError)
    assert (error.period, error.school_year) == ("hk1", "2024-2025")
    assert "semester 1 (HK1) of 2024-2025 is closed" in error.message
    assert "học kỳ I năm học 2024-2025" in error.message_vi


def test_a_decision_changes_nothing_until_the_administrator_carries_it_out(world: World) -> None:
    decision = decide(world, HK1, OPEN)

    refused(world, lambda: scores(world), EntryWindowClosedError)
    carry_out(world, decision)

    assert scores(world) == 1
    hk1 = entry_windows_of(world)[HK1]
    assert hk1.is_open and hk1.pending_decision_id is None
    assert hk1.decided_by_id == world.people["hieutruong"]
    assert hk1.carried_out_by_id == world.people["admin"]
    assert hk1.decided_at == hk1.carried_out_at == ENTRY_OPENS


def entry_windows_of(world: World) -> dict[EntryPeriod, EntryWindowView]:
    with Session(world.engine) as session:
        return {
            w.period: w
            for w in entry_windows(session, school_id=world.school_id, school_year_id=world.year_id)
        }


def test_a_closed_window_makes_the_book_read_only_and_it_can_still_be_read(world: World) -> None:
    open_entry(world)
    scores(world)
    set_window(world, HK1, CLOSE, at=vn(2025, 1, 10, 17, 0))

    refused(world, lambda: scores(world, students=(0, 1)), EntryWindowClosedError)
    refused(world, lambda: conduct(world), EntryWindowClosedError)

    sheet = read_subject_sheet(
        world.uow(),
        class_id=world.class_ids["6A1"],
        subject_code="TOAN",
        semester=1,
        actor=world.actor("gvbm.toan"),
        now=BEFORE_LOCK,
    )
    assert not sheet.entry_open and sheet.lines[0].values.regular
    assert scores(world, semester=2) == 1 and conduct(world, semester=2) == 1


def test_the_administrator_carries_out_a_decision_no_earlier_than_the_principal_set(
    world: World,
) -> None:
    effective = vn(2025, 1, 10, 17, 0)
    decision = decide(world, HK2, OPEN, effective_at=effective)

    early = effective - timedelta(seconds=1)
    error = refused(world, lambda: carry_out(world, decision, early), DecisionNotDueError)
    carry_out(world, decision, effective)

    assert effective.astimezone(UTC).isoformat() in error.message
    assert entry_windows_of(world)[HK2].is_open


def test_a_newer_decision_replaces_one_not_carried_out_yet(world: World) -> None:
    first = decide(world, HK1, OPEN)
    second = decide(world, HK1, CLOSE, at=ENTRY_OPENS + timedelta(hours=1))

    refused(world, lambda: carry_out(world, first), ConflictError)
    carry_out(world, second, ENTRY_OPENS + timedelta(hours=2))

    statuses = {d.id: d.status for d in any_row(world.engine, EntryWindowDecision)}
    assert statuses == {
        first: WindowDecisionStatus.REPLACED,
        second: WindowDecisionStatus.CARRIED_OUT,
    }
    assert not entry_windows_of(world)[HK1].is_open


def test_a_decision_is_carried_out_once(world: World) -> None:
    decision = decide(world, HK1, OPEN)
    carry_out(world, decision)

    refused(world, lambda: carry_out(world, decision), ConflictError)


def test_a_decision_records_its_number_or_wording(world: World) -> None:
    def blank() -> None:
        decide_entry_window(
            world.uow(),
            school_id=world.school_id,
            school_year_id=world.year_id,
            period=HK1,
            action=OPEN,
            decision="  ",
            actor=world.actor("hieutruong"),
            now=ENTRY_OPENS,
        )

    error = refused(world, blank, InvalidInputError)

    assert isinstance(error, InvalidInputError) and error.field == "decision"


def test_deciding_and_carrying_out_are_audited_with_who_and_the_windows_fingerprints(
    world: World,
) -> None:
    start = last_seq(world.engine)

    open_entry(world, HK1)
    set_window(world, HK1, CLOSE, at=vn(2025, 1, 10, 17, 0))

    entries = audit_entries(world.engine, after=start)
    assert [(e.action, e.actor_label) for e in entries] == [
        ("entry_window.decide", "hieutruong"),
        ("entry_window.open", "admin"),
        ("entry_window.decide", "hieutruong"),
        ("entry_window.close", "admin"),
    ]
    assert entries[1].before_sha256 is None
    assert entries[3].before_sha256 == entries[1].after_sha256 != entries[3].after_sha256
    assert entries[0].details["decision"] == DECISION


# --- lock dates -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "at", [MAIN_LOCK, AFTER_LOCK], ids=["at the lock date", "after the lock date"]
)
def test_nobody_writes_from_the_lock_date_on_even_with_entry_open(
    world: World, at: datetime
) -> None:
    open_entry(world, HK1, HK2, SUPPLEMENTARY)

    error = refused(world, lambda: scores(world, at=at, semester=2), DataLockedError)
    refused(world, lambda: conduct(world, at=at, semester=2), DataLockedError)

    assert MAIN_LOCK.astimezone(UTC).isoformat() in error.message
    assert scores(world, at=MAIN_LOCK - timedelta(seconds=1), semester=2) == 1


def test_a_supplementary_student_is_written_after_the_lock_while_the_supplementary_window_is_open(
    world: World,
) -> None:
    open_entry(world)
    put_in_supplementary_group(world, student=0)

    window = refused(world, lambda: scores(world, at=AFTER_LOCK), EntryWindowClosedError)
    open_entry(world, SUPPLEMENTARY, at=AFTER_LOCK)

    assert isinstance(window, EntryWindowClosedError) and window.period == "supplementary"
    assert scores(world, at=AFTER_LOCK) == 1
    refused(world, lambda: scores(world, at=AFTER_LOCK, students=(1,)), DataLockedError)
    refused(world, lambda: scores(world, at=AFTER_LOCK, students=(0, 1)), DataLockedError)
    refused(world, lambda: scores(world, at=SUPPLEMENTARY_LOCK), DataLockedError)


def test_a_transcript_marked_supplementary_puts_its_student_in_the_group_too(
    world: World,
) -> None:
    open_entry(world, SUPPLEMENTARY, at=AFTER_LOCK)
    tid = world.new_transcript(student=1)
    with Session(world.engine) as session:
        row = session.get(Transcript, tid)
        assert row is not None
        row.supplementary = True
        session.add(row)
        session.commit()

    assert scores(world, at=AFTER_LOCK, students=(1,)) == 1
