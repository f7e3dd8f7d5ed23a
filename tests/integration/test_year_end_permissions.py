"""Who may propose, approve and enter supplementary results (REQ-07, REQ-19): the homeroom
teacher proposes, the principal approves, a retest result is its subject's teacher's (or the
homeroom teacher's, who writes the class's scores), the conduct after summer training the
homeroom teacher's; the administrator never does any of it.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy.engine import Engine

from tests.support.clock import vn
from tests.support.tracking import tracking_footprint
from tests.support.world import World
from tests.support.year_end import (
    Scene,
    approve,
    propose,
    saved_scene,
    supplementary,
)
from workflow import AdministratorForbiddenError, NotAssignedError, WorkflowError

FIRST_OF_AUGUST = vn(2025, 8, 1)
OTHERS = ["hieutruong", "hocvu", "vanthu", "gvbm.toan", "gvcn.6a2", "so.gddt"]


@pytest.fixture
def scene(engine: Engine) -> Scene:
    """6A1 with its whole year in the tracking book."""
    return saved_scene(engine, "entered")


@pytest.fixture
def approved(engine: Engine) -> Scene:
    """6A1's year-end review approved; the supplementary period open from 2 July."""
    return saved_scene(engine, "approved")


def refused(world: World, action: Callable[[], object]) -> type[WorkflowError]:
    """Run ``action``; it must fail and change nothing; returns the error's type."""
    before = tracking_footprint(world.engine)
    with pytest.raises(WorkflowError) as raised:
        action()
    assert tracking_footprint(world.engine) == before
    return type(raised.value)


def expected(who: str) -> type[WorkflowError]:
    return AdministratorForbiddenError if who == "admin" else NotAssignedError


def test_the_homeroom_teacher_proposes(scene: Scene) -> None:
    assert len(propose(scene, who="gvcn.6a1")) == 4


@pytest.mark.parametrize("who", [*OTHERS, "admin"])
def test_nobody_else_proposes(scene: Scene, who: str) -> None:
    assert refused(scene.world, lambda: propose(scene, who=who)) is expected(who)


def test_the_principal_approves(scene: Scene) -> None:
    propose(scene)

    assert all(v.approved for v in approve(scene, who="hieutruong").values())


@pytest.mark.parametrize("who", ["gvcn.6a1", "hocvu", "vanthu", "gvbm.toan", "so.gddt", "admin"])
def test_nobody_else_approves(scene: Scene, who: str) -> None:
    propose(scene)

    assert refused(scene.world, lambda: approve(scene, who=who)) is expected(who)


@pytest.mark.parametrize("who", ["gvbm.toan", "gvcn.6a1"])
def test_the_subjects_teacher_or_the_homeroom_teacher_enters_a_retest(
    approved: Scene, who: str
) -> None:
    view = supplementary(approved, approved.binh, at=FIRST_OF_AUGUST, who=who, retest={"TOAN": 6})

    assert view.promoted is True


@pytest.mark.parametrize(
    "who", ["gvbm.nguvan", "gvbm.toan.6a2", "hieutruong", "hocvu", "vanthu", "admin"]
)
def test_nobody_else_enters_a_retest(approved: Scene, who: str) -> None:
    def enter() -> None:
        supplementary(approved, approved.binh, at=FIRST_OF_AUGUST, who=who, retest={"TOAN": 6})

    assert refused(approved.world, enter) is expected(who)


def test_the_homeroom_teacher_enters_the_conduct_after_summer_training(approved: Scene) -> None:
    view = supplementary(approved, approved.cuong, at=FIRST_OF_AUGUST, who="gvcn.6a1", conduct="D")

    assert view.promoted is True


@pytest.mark.parametrize("who", ["gvbm.toan", "gvcn.6a2", "hieutruong", "hocvu", "admin"])
def test_nobody_else_enters_the_conduct_after_summer_training(approved: Scene, who: str) -> None:
    def enter() -> None:
        supplementary(approved, approved.cuong, at=FIRST_OF_AUGUST, who=who, conduct="D")

    assert refused(approved.world, enter) is expected(who)
