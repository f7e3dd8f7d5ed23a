"""The supplementary period (REQ-20): retests and the conduct after summer training, entered
for the approved group while its window is open and until the 15 August lock, each one
recomputing the student's promotion.

The scene: 6A1's year entered, proposed and approved before the main lock (Bình must retest
TOAN, Cường must do summer training); the principal opens the supplementary period on
2 July (the administrator carries it out), unless a test says otherwise.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, timedelta

import pytest
from sqlalchemy.engine import Engine

from domain.model import ConductLevel, YearEndRecord
from tests.support.clock import vn
from tests.support.tracking import any_row, audit_entries, last_seq, tracking_footprint
from tests.support.world import SUPPLEMENTARY_LOCK, World
from tests.support.year_end import (
    Scene,
    approve,
    open_supplementary,
    propose,
    saved_scene,
    supplementary,
)
from workflow import (
    DataLockedError,
    EntryWindowClosedError,
    InvalidEntryError,
    InvalidInputError,
    NotInSupplementaryGroupError,
    WorkflowError,
)

FIRST_OF_AUGUST = vn(2025, 8, 1)
SIXTEENTH_OF_AUGUST = vn(2025, 8, 16)


@pytest.fixture
def approved(engine: Engine) -> Scene:
    """6A1's year-end review approved; the supplementary period open from 2 July."""
    return saved_scene(engine, "approved")


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


def stored(world: World, student: int) -> YearEndRecord:
    record: YearEndRecord = next(
        r for r in any_row(world.engine, YearEndRecord) if r.student_id == student
    )
    return record


# --- issue 6: 1 August allowed, 16 August refused -------------------------------------------


def test_a_retest_student_receives_the_retest_result_on_1_august(approved: Scene) -> None:
    view = supplementary(approved, approved.binh, at=FIRST_OF_AUGUST, retest={"TOAN": "6,0"})

    assert dict(view.retest_results) == {"TOAN": "6.0"}
    # TOAN 6.0 replaces 3.0; the others 5.5: Đạt, so Bình goes up.
    assert view.promoted is True
    assert stored(approved.world, approved.binh).promoted is True


def test_on_16_august_the_retest_result_is_refused_the_supplementary_group_is_locked(
    approved: Scene,
) -> None:
    def late() -> None:
        supplementary(approved, approved.binh, at=SIXTEENTH_OF_AUGUST, retest={"TOAN": 6})

    error = refused(approved.world, late, DataLockedError)

    assert error.code == "data_locked"
    assert SUPPLEMENTARY_LOCK.astimezone(UTC).isoformat() in error.message
    assert "2024-2025" in error.message and "đã qua thời hạn khoá" in error.message_vi
    assert stored(approved.world, approved.binh).retest == {}


def test_the_supplementary_lock_takes_effect_at_its_very_second(approved: Scene) -> None:
    just_before = SUPPLEMENTARY_LOCK - timedelta(seconds=1)

    supplementary(approved, approved.binh, at=just_before, retest={"TOAN": 6})
    refused(
        approved.world,
        lambda: supplementary(approved, approved.binh, at=SUPPLEMENTARY_LOCK, retest={"TOAN": 7}),
        DataLockedError,
    )


# --- recomputing the decision ----------------------------------------------------------------


def test_a_failed_retest_means_the_student_is_not_promoted(approved: Scene) -> None:
    view = supplementary(approved, approved.binh, at=FIRST_OF_AUGUST, retest={"TOAN": 2})

    # 2.0 < 3.5 gives Chưa đạt again; without TOAN the others are Đạt, one step: no adjustment.
    assert view.promoted is False


def test_a_second_retest_result_replaces_the_first(approved: Scene) -> None:
    supplementary(approved, approved.binh, at=FIRST_OF_AUGUST, retest={"TOAN": 2})

    view = supplementary(approved, approved.binh, at=vn(2025, 8, 2), retest={"TOAN": "5.0"})

    assert (dict(view.retest_results), view.promoted) == ({"TOAN": "5.0"}, True)


@pytest.mark.parametrize(("conduct", "promoted"), [("D", True), ("K", True), ("CD", False)])
def test_the_conduct_after_summer_training_decides_the_promotion(
    approved: Scene, conduct: str, promoted: bool
) -> None:
    view = supplementary(
        approved, approved.cuong, at=FIRST_OF_AUGUST, who="gvcn.6a1", conduct=conduct
    )

    assert view.conduct_after_summer == ConductLevel(conduct)
    assert view.promoted is promoted


def test_recording_a_result_is_audited_with_the_records_fingerprints(approved: Scene) -> None:
    start = last_seq(approved.world.engine)

    supplementary(approved, approved.binh, at=FIRST_OF_AUGUST, retest={"TOAN": 6})
    supplementary(approved, approved.binh, at=FIRST_OF_AUGUST, retest={"TOAN": "6.0"})

    entries = audit_entries(approved.world.engine, after=start)
    assert [(e.action, e.actor_label) for e in entries] == [("year_end.supplementary", "gvbm.toan")]
    assert entries[0].before_sha256 != entries[0].after_sha256
    assert set(entries[0].details) == {"student_id", "class_id"}


# --- when and for whom ------------------------------------------------------------------------


def test_supplementary_results_wait_for_the_supplementary_window(engine: Engine) -> None:
    scene = saved_scene(engine, "entered")
    world = scene.world
    propose(scene)
    approve(scene)

    error = refused(
        world,
        lambda: supplementary(scene, scene.binh, at=FIRST_OF_AUGUST, retest={"TOAN": 6}),
        EntryWindowClosedError,
    )

    assert isinstance(error, EntryWindowClosedError) and error.period == "supplementary"


def test_only_the_approved_group_receives_supplementary_results(engine: Engine) -> None:
    scene = saved_scene(engine, "entered")
    world = scene.world
    propose(scene)
    open_supplementary(world)

    def binh() -> None:
        supplementary(scene, scene.binh, at=FIRST_OF_AUGUST, retest={"TOAN": 6})

    proposed_only = refused(world, binh, NotInSupplementaryGroupError)
    approve(scene)
    supplementary(scene, scene.binh, at=FIRST_OF_AUGUST, retest={"TOAN": 6})

    assert "Trần Thị Bình" in proposed_only.message
    refused(
        world,
        lambda: supplementary(scene, scene.an, at=FIRST_OF_AUGUST, retest={"TOAN": 6}),
        NotInSupplementaryGroupError,
    )


@pytest.mark.parametrize(
    ("retest", "conduct", "field"),
    [
        ({"NGUVAN": 6}, None, "retest.NGUVAN"),
        ({"TOAN": "10,5"}, None, "retest.TOAN"),
        ({"TOAN": "6.25"}, None, "retest.TOAN"),
        ({"TOAN": 6}, "K", "conduct_after_summer"),
    ],
    ids=["a subject with no retest", "above 10", "two decimals", "no summer training"],
)
def test_a_result_the_review_did_not_ask_for_or_out_of_range_is_refused(
    approved: Scene, retest: dict[str, object], conduct: str | None, field: str
) -> None:
    def enter() -> None:
        supplementary(
            approved,
            approved.binh,
            at=FIRST_OF_AUGUST,
            who="gvcn.6a1",
            retest=retest,  # type: ignore[arg-type]
            conduct=conduct,
        )

    error = refused(approved.world, enter, InvalidEntryError)

    assert isinstance(error, InvalidEntryError)
    assert (error.student_id, error.field) == (approved.binh, field)


def test_a_conduct_off_the_scale_is_refused(approved: Scene) -> None:
    def enter() -> None:
        supplementary(approved, approved.cuong, at=FIRST_OF_AUGUST, who="gvcn.6a1", conduct="Tốt")

    error = refused(approved.world, enter, InvalidEntryError)

    assert "T, K, Đ hoặc CĐ" in error.message_vi


def test_an_empty_call_is_refused(approved: Scene) -> None:
    error = refused(
        approved.world,
        lambda: supplementary(approved, approved.binh, at=FIRST_OF_AUGUST),
        InvalidInputError,
    )

    assert isinstance(error, InvalidInputError) and error.field == "retest"


def test_before_the_main_lock_an_open_supplementary_window_takes_results_too(
    engine: Engine,
) -> None:
    scene = saved_scene(engine, "entered")
    propose(scene)
    approve(scene)
    open_supplementary(scene.world, at=vn(2025, 6, 1))

    view = supplementary(scene, scene.binh, at=vn(2025, 6, 10), retest={"TOAN": 8})

    assert view.promoted is True
