"""The year-end review (REQ-19): the homeroom teacher proposes what the assessment engine
computes from the tracking book, the principal approves, and the retest and summer-training
students form the supplementary group (REQ-20).

The class and its four students are described in tests/support/year_end.py, with the
hand-computed results each one's year leads to.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from domain.model import (
    Enrollment,
    HomeroomRecord,
    Honour,
    Transcript,
    YearEndOutcome,
    YearEndRecord,
)
from tests.support.tracking import (
    any_row,
    audit_entries,
    last_seq,
    tracking_footprint,
    transcript_row,
)
from tests.support.world import AFTER_LOCK, BEFORE_LOCK, MAIN_LOCK, World
from tests.support.year_end import (
    Scene,
    approve,
    build,
    enter_homeroom,
    enter_scores,
    propose,
    saved_scene,
    small_class,
    uniform,
)
from workflow import (
    DataLockedError,
    HomeroomEntry,
    IncompleteTrackingError,
    SubjectEntry,
    WorkflowError,
    YearEndApprovedError,
    YearEndNotProposedError,
    YearEndOutdatedError,
)

PROMOTED, RETEST, SUMMER, NOT_PROMOTED = (
    YearEndOutcome.PROMOTED,
    YearEndOutcome.RETEST,
    YearEndOutcome.SUMMER_TRAINING,
    YearEndOutcome.NOT_PROMOTED,
)


@pytest.fixture
def scene(engine: Engine) -> Scene:
    """6A1 with its whole year in the tracking book."""
    return saved_scene(engine, "entered")


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


def records(world: World) -> dict[int, YearEndRecord]:
    return {r.student_id: r for r in any_row(world.engine, YearEndRecord)}


# --- the proposal ---------------------------------------------------------------------------


def test_the_proposal_gives_each_student_the_hand_computed_outcome(scene: Scene) -> None:
    views = propose(scene)

    assert [
        (v.student_name, v.outcome, v.honour, v.retests, v.summer_training, v.promoted)
        for v in views.values()
    ] == [
        ("Nguyễn Văn An", PROMOTED, Honour.GIOI, (), False, True),
        ("Trần Thị Bình", RETEST, None, ("TOAN",), False, None),
        ("Lê Văn Cường", SUMMER, None, (), True, None),
        ("Phạm Thị Dung", NOT_PROMOTED, None, (), False, False),
    ]
    assert not any(v.approved or v.supplementary for v in views.values())


def test_the_proposal_is_stored_with_who_made_it_and_the_fingerprint_of_its_data(
    scene: Scene,
) -> None:
    propose(scene)

    stored = records(scene.world)
    assert set(stored) == set(scene.students)
    binh = stored[scene.binh]
    assert (binh.outcome, binh.retests, binh.summer_training, binh.supplementary) == (
        RETEST,
        ["TOAN"],
        False,
        False,
    )
    assert binh.proposed_by_id == scene.world.people["gvcn.6a1"]
    assert binh.proposed_at == BEFORE_LOCK and binh.approved_at is None
    assert len({r.basis_sha256 for r in stored.values()}) == 4


def test_the_proposal_is_audited_with_fingerprints_never_with_the_results(scene: Scene) -> None:
    start = last_seq(scene.world.engine)

    propose(scene)

    entries = audit_entries(scene.world.engine, after=start)
    assert [(e.action, e.actor_label) for e in entries] == [("year_end.propose", "gvcn.6a1")] * 4
    assert all(e.before_sha256 is None and e.after_sha256 for e in entries)
    assert all(set(e.details) == {"student_id", "class_id"} for e in entries)


def test_an_incomplete_tracking_book_is_refused_naming_the_student_and_subject(
    world: World,
) -> None:
    scene = small_class(world, skip=("NGUVAN", 2, 2))  # Cường's NGUVAN of semester 2

    error = refused(world, lambda: propose(scene), IncompleteTrackingError)

    assert isinstance(error, IncompleteTrackingError)
    assert (error.student_id, error.subject_code) == (scene.cuong, "NGUVAN")
    assert "Lê Văn Cường" in error.message and "NGUVAN of semester 2" in error.message
    assert "Lê Văn Cường" in error.message_vi and "môn NGUVAN học kỳ 2" in error.message_vi
    assert records(world) == {}


def test_every_gap_is_listed_a_missing_mid_term_too_few_regular_scores_a_missing_conduct(
    scene: Scene,
) -> None:
    world = scene.world
    enter_scores(world, "TOAN", 1, [SubjectEntry(scene.binh, regular=[3, 3], final=3)])
    enter_homeroom(world, 2, [HomeroomEntry(scene.dung, absences=16)])

    error = refused(world, lambda: propose(scene), IncompleteTrackingError)

    assert isinstance(error, IncompleteTrackingError)
    assert [(g.student_name, g.subject_code, g.semester, g.what) for g in error.gaps] == [
        ("Trần Thị Bình", "TOAN", 1, "2 regular assessments (ĐĐGtx); 4 are needed"),
        ("Trần Thị Bình", "TOAN", 1, "the mid-term score (ĐĐGgk) is missing"),
        ("Phạm Thị Dung", None, 2, "conduct is missing"),
    ]
    assert "(and 2 more gaps)" in error.message


def test_the_homeroom_teacher_proposes_again_until_the_principal_approves(scene: Scene) -> None:
    propose(scene)
    enter_scores(scene.world, "TOAN", 2, [uniform(scene.binh, "TOAN", "9.5")])
    start = last_seq(scene.world.engine)

    again = propose(scene)

    # TOAN (3.0 + 2 · 9.5) / 3 = 7.3; every subject ≥ 5.0, only TOAN ≥ 6.5: Đạt, promoted.
    assert (again[scene.binh].outcome, again[scene.binh].retests) == (PROMOTED, ())
    assert again[scene.binh].promoted is True
    changed = {
        int(e.details["student_id"]): e.before_sha256 != e.after_sha256
        for e in audit_entries(scene.world.engine, after=start)
    }
    assert changed == {scene.an: False, scene.binh: True, scene.cuong: False, scene.dung: False}


# --- the approval ---------------------------------------------------------------------------


def test_the_approval_puts_the_retest_and_summer_training_students_in_the_supplementary_group(
    scene: Scene,
) -> None:
    transcripts = {s: build(scene, s) for s in scene.students}
    propose(scene)

    views = approve(scene)

    assert {s for s, v in views.items() if v.supplementary} == {scene.binh, scene.cuong}
    assert all(v.approved for v in views.values())
    stored = records(scene.world)
    assert {s for s, r in stored.items() if r.supplementary} == {scene.binh, scene.cuong}
    assert all(r.approved_by_id == scene.world.people["hieutruong"] for r in stored.values())
    flagged = {
        s for s, t in transcripts.items() if transcript_row(scene.world.engine, t).supplementary
    }
    assert flagged == {scene.binh, scene.cuong}
    assert {t.status for t in any_row(scene.world.engine, Transcript)} == {"draft"}


def test_the_approval_is_audited_and_says_which_transcripts_lock_later(scene: Scene) -> None:
    tid = build(scene, scene.binh)
    propose(scene)
    start = last_seq(scene.world.engine)

    approve(scene)

    entries = audit_entries(scene.world.engine, after=start)
    assert [e.action for e in entries] == ["year_end.approve"] * 4 + ["transcript.supplementary"]
    assert all(e.before_sha256 != e.after_sha256 for e in entries[:4])
    assert entries[4].object_id == tid
    assert entries[4].details["lock_at"] == "2025-08-15T16:59:59+00:00"


def test_a_transcript_built_after_the_approval_is_in_the_supplementary_group_from_the_start(
    scene: Scene,
) -> None:
    propose(scene)
    approve(scene)

    flags = {
        s: transcript_row(scene.world.engine, build(scene, s)).supplementary for s in scene.students
    }

    assert flags == {scene.an: False, scene.binh: True, scene.cuong: True, scene.dung: False}


def test_nothing_is_approved_before_it_is_proposed(scene: Scene) -> None:
    error = refused(scene.world, lambda: approve(scene), YearEndNotProposedError)

    assert "Nguyễn Văn An" in error.message and "6A1" in error.message


def test_the_approval_is_refused_when_the_tracking_book_changed_since_the_proposal(
    scene: Scene,
) -> None:
    propose(scene)
    enter_homeroom(scene.world, 2, [HomeroomEntry(scene.cuong, "D", 4)])

    error = refused(scene.world, lambda: approve(scene), YearEndOutdatedError)
    propose(scene)
    views = approve(scene)

    assert "Lê Văn Cường" in error.message and "propose again" in error.message
    # Conduct CD then D: the year is Đạt, no summer training any more.
    assert (views[scene.cuong].outcome, views[scene.cuong].supplementary) == (PROMOTED, False)


def test_an_approved_review_is_neither_approved_nor_proposed_again(scene: Scene) -> None:
    propose(scene)
    approve(scene)

    refused(scene.world, lambda: approve(scene), YearEndApprovedError)
    refused(scene.world, lambda: propose(scene), YearEndApprovedError)


def test_the_review_happens_before_the_main_lock_date(scene: Scene) -> None:
    refused(scene.world, lambda: propose(scene, at=MAIN_LOCK), DataLockedError)
    propose(scene, at=MAIN_LOCK - timedelta(seconds=1))

    error = refused(scene.world, lambda: approve(scene, at=AFTER_LOCK), DataLockedError)

    assert MAIN_LOCK.astimezone(UTC).isoformat() in error.message


def test_a_student_who_left_the_class_is_not_reviewed(scene: Scene) -> None:
    with Session(scene.world.engine) as session:
        enrollment = session.exec(
            select(Enrollment).where(Enrollment.student_id == scene.dung)
        ).one()
        enrollment.left_on = date(2025, 2, 1)
        record = session.exec(
            select(HomeroomRecord).where(
                HomeroomRecord.student_id == scene.dung, HomeroomRecord.semester == 2
            )
        ).one()
        record.conduct = None  # nothing is entered after a student leaves: not a gap
        session.add_all([enrollment, record])
        session.commit()

    views = propose(scene)

    assert set(views) == {scene.an, scene.binh, scene.cuong}
