"""Signed parts of a transcript built from the tracking book: a subject teacher's signature
freezes that subject's results on the transcript; only an approved entry correction (REQ-15)
changes them, and its approval refreshes the transcript in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from domain.model import Person, Role, RoleAssignment, TranscriptStatus
from tests.support.clock import vn
from tests.support.tracking import (
    audit_entries,
    last_seq,
    live_slots,
    sign_step,
    sign_subject,
    tracking_footprint,
    transcript_row,
)
from tests.support.world import BEFORE_LOCK, World
from tests.support.year_end import (
    SUBJECTS,
    Scene,
    approve,
    build,
    enter_scores,
    propose,
    saved_scene,
    uniform,
)
from workflow import (
    HomeroomEntry,
    SignedDataChangedError,
    SigningStep,
    SubjectEntry,
    WorkflowError,
    decide_entry_correction,
    request_entry_correction,
)

REASON = "Nhập nhầm điểm giữa kỳ"


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


def subject(world: World, tid: str, code: str) -> dict[str, Any]:
    data = transcript_row(world.engine, tid).data
    part: dict[str, Any] = next(s for s in data["KetQuaHocTap"] if s["Ma"] == code)
    return part


def correct(
    scene: Scene,
    entry: SubjectEntry | HomeroomEntry,
    *,
    semester: int = 1,
    subject_code: str | None = "TOAN",
    who: str = "gvbm.toan",
) -> int:
    """The teacher asks, the principal approves; returns the correction's id."""
    world = scene.world
    correction = request_entry_correction(
        world.uow(),
        class_id=scene.class_id,
        semester=semester,
        subject_code=subject_code,
        entry=entry,
        reason=REASON,
        actor=world.actor(who),
        now=BEFORE_LOCK,
    )
    decide_entry_correction(
        world.uow(),
        correction_id=correction,
        approve=True,
        note="Đã đối chiếu bài kiểm tra",
        actor=world.actor("hieutruong"),
        now=BEFORE_LOCK,
    )
    return correction


def replace_toan_teacher(world: World) -> None:
    """GVBM.TOAN leaves on 25 May; a successor takes TOAN of 6A1 over."""
    handover = vn(2025, 5, 25)
    with Session(world.engine) as session:
        duty = session.exec(
            select(RoleAssignment).where(RoleAssignment.person_id == world.people["gvbm.toan"])
        ).one()
        duty.valid_until = handover
        successor = Person(username="gvbm.toan.moi", full_name="Hoàng Minh Tâm")
        session.add_all([duty, successor])
        session.flush()
        assert successor.id is not None
        session.add(
            RoleAssignment(
                person_id=successor.id,
                role=Role.SUBJECT_TEACHER,
                school_id=world.school_id,
                school_year_id=world.year_id,
                class_id=world.class_ids["6A1"],
                subject_code="TOAN",
                valid_from=handover,
            )
        )
        session.commit()


# --- a signed subject is frozen -------------------------------------------------------------


def test_a_refresh_keeps_a_signed_subject_as_signed_and_brings_in_the_rest(
    scene: Scene,
) -> None:
    world = scene.world
    tid = build(scene, scene.an)
    sign_subject(world, tid, "TOAN")
    signed = subject(world, tid, "TOAN")
    replace_toan_teacher(world)
    later = vn(2025, 5, 26)
    enter_scores(world, "NGUVAN", 2, [uniform(scene.an, "NGUVAN", 9)], at=later)

    build(scene, scene.an, at=later)

    assert subject(world, tid, "TOAN") == signed  # the teacher who signed stays on it
    assert subject(world, tid, "NGUVAN")["CaNam"] == "8.8"
    fresh = build(scene, scene.binh, at=later)
    assert subject(world, fresh, "TOAN")["GiaoVien"] == "Hoàng Minh Tâm"


def test_a_refresh_is_refused_when_the_tracking_book_differs_from_a_signed_subject(
    scene: Scene,
) -> None:
    world = scene.world
    tid = build(scene, scene.an)
    # Changed after the build, then signed without a refresh: the signature covers 9.2.
    enter_scores(
        world, "TOAN", 1, [SubjectEntry(scene.an, regular=[9, 9, 9, 9], midterm=9, final=9)]
    )
    sign_subject(world, tid, "TOAN")

    error = refused(world, lambda: build(scene, scene.an), SignedDataChangedError)

    assert isinstance(error, SignedDataChangedError)
    assert (error.slot, error.part) == ("GVBM:TOAN", "the results of TOAN")
    assert "Nguyễn Văn An" in error.message and "entry correction" in error.message
    assert "đề nghị sửa sai sót" in error.message_vi
    assert subject(world, tid, "TOAN")["HK1"] == "9.2"


def test_data_not_built_from_the_book_is_never_a_signed_part_to_keep(scene: Scene) -> None:
    world = scene.world
    tid = world.new_transcript(student=0)  # {"note": "initial"}, opened by academic affairs
    sign_subject(world, tid, "TOAN")

    refused(world, lambda: build(scene, scene.an), SignedDataChangedError)


# --- the correction route -------------------------------------------------------------------


def test_an_approved_correction_refreshes_the_transcript_in_the_same_transaction(
    scene: Scene,
) -> None:
    world = scene.world
    tid = build(scene, scene.an)
    sign_subject(world, tid, "TOAN")
    start = last_seq(world.engine)

    correction = correct(
        scene, SubjectEntry(scene.an, regular=[9, "8,5", 9, 10], midterm=7, final="9.5")
    )

    toan = subject(world, tid, "TOAN")
    # HK1 (36.5 + 2 · 7 + 3 · 9.5) / 9 = 79 / 9 = 8.78 → 8.8; the year (8.8 + 2 · 9.3) / 3 → 9.1
    assert (toan["HK1"], toan["HK2"], toan["CaNam"]) == ("8.8", "9.3", "9.1")
    row = transcript_row(world.engine, tid)
    assert row.status == TranscriptStatus.DRAFT and live_slots(world.engine, tid) == set()
    entries = audit_entries(world.engine, after=start)
    actions = [e.action for e in entries]
    assert actions[-4:] == [
        "signature.archive",
        "tracking.scores.correct",
        "transcript.build",
        "entry_correction.approve",
    ]
    reopened = next(e for e in entries if e.action == "transcript.reopen_for_correction")
    rebuilt = entries[-2]
    assert rebuilt.details == {"source": "tracking_book", "entry_correction": correction}
    assert rebuilt.before_sha256 == reopened.after_sha256 != rebuilt.after_sha256
    assert rebuilt.occurred_at == reopened.occurred_at


def test_a_homeroom_correction_refreshes_the_summary_while_every_subject_stays_signed(
    scene: Scene,
) -> None:
    world = scene.world
    propose(scene)
    approve(scene)
    tid = build(scene, scene.an)
    for code in SUBJECTS:
        sign_subject(world, tid, code)
    sign_step(world, tid, SigningStep.HOMEROOM, "gvcn.6a1")
    subjects = transcript_row(world.engine, tid).data["KetQuaHocTap"]

    correct(
        scene,
        HomeroomEntry(scene.an, "K", 2),
        subject_code=None,
        who="gvcn.6a1",
    )

    row = transcript_row(world.engine, tid)
    assert row.status == TranscriptStatus.SUBJECT_SIGNED
    assert row.data["KetQuaHocTap"] == subjects
    # Conduct K then T: the year is still Tốt (HK II Tốt, HK I at least Khá).
    assert row.data["TongHop"]["RenLuyen"] == {
        "HK1": "K",
        "HK2": "T",
        "CaNam": "T",
        "SauDanhGiaLai": None,
    }
    assert row.data["TongHop"]["DanhHieu"] == "Gioi"


def test_a_correction_leaves_a_transcript_not_built_from_the_book_as_it_is(
    scene: Scene,
) -> None:
    world = scene.world
    tid = world.new_transcript(student=0)
    sign_subject(world, tid, "TOAN")

    correct(scene, SubjectEntry(scene.an, regular=[9, 9, 9, 9], midterm=9, final=9))

    assert transcript_row(world.engine, tid).data == {"note": "initial"}
