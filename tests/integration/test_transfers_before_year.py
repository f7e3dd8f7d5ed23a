"""A student moves before the school year starts: the receiving school asks by personal ID,
the leaving school accepts (or refuses, saying why), the receiving school reads every
finalized transcript as it was signed and the student is in its class for the new year; the
leaving school keeps its record, read-only."""

from __future__ import annotations

from dataclasses import dataclass, replace

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from domain.documents import verify_xml
from domain.model import (
    AuditEvent,
    Enrollment,
    Student,
    Transcript,
    TranscriptKind,
    TranscriptStatus,
    Transfer,
    TransferKind,
    TransferStage,
)
from domain.signatures import TrustSettings, verify_transcript_file
from tests.support.signing import (
    Signable,
    authority,
    sign_session,
    sign_subjects,
    signable_scene,
    stored_xml,
)
from tests.support.transfers import (
    AN,
    ASKED,
    DECIDED,
    NEW_YEAR_STARTS,
    STARTED,
    new_year_school,
)
from tests.support.world import AFTER_LOCK, BEFORE_LOCK, World
from workflow import (
    SYSTEM,
    AcceptedTransfer,
    NotAssignedError,
    NotFoundError,
    ReasonRequiredError,
    RecordNotFinalizedError,
    SignedFileKind,
    SigningStep,
    TransferredAwayError,
    TransferStateError,
    YearNotOverError,
    YearStartedError,
    accept_transfer_request,
    allowed_actions,
    finalize,
    read_signed_file,
    read_subject_sheet,
    read_transcript,
    refuse_transfer,
    request_correction,
    request_new_year_transfer,
    student_record_chain,
    task_queue,
    transfer_overview,
)


@dataclass
class Scene:
    world: World
    an_transcript: str
    binh_pid: str


@pytest.fixture
def scene(engine: Engine) -> Scene:
    """An's 2024-2025 transcript finalized at the test school (Bình's still a draft), and
    school B's 2025-2026 class 7B1."""
    signable: Signable = signable_scene(engine)
    world = signable.world
    sign_subjects(signable)
    for who, step in (
        ("gvcn.6a1", SigningStep.HOMEROOM),
        ("hieutruong", SigningStep.PRINCIPAL),
        ("vanthu", SigningStep.SCHOOL),
    ):
        results = sign_session(world, who, signable.ids, step, BEFORE_LOCK)
        assert all(r.ok for r in results), results
    an_transcript = signable.ids[0]
    finalize(world.uow(), transcript_id=an_transcript, actor=SYSTEM, now=AFTER_LOCK)
    # The saved scene's world is shared by later tests: this one gets its own dictionaries.
    world = replace(world, people=dict(world.people), class_ids=dict(world.class_ids))
    new_year_school(world)
    with Session(engine) as session:
        binh = session.get(Student, world.student_ids[1])
        assert binh is not None
    return Scene(world, an_transcript, binh.personal_id)


def trust() -> TrustSettings:
    return TrustSettings(trust_roots=(authority().root,), deadline=60.0)


def ask(scene: Scene, personal_id: str = AN) -> int:
    world = scene.world
    return request_new_year_transfer(
        world.uow(),
        personal_id=personal_id,
        to_class_id=world.class_ids["7B1"],
        reason="Gia đình chuyển nơi ở",
        actor=world.actor("hocvu.b", ASKED),
        now=ASKED,
    )


def queue(world: World, who: str) -> list[tuple[str, str | None]]:
    with Session(world.engine) as session:
        items = task_queue(session, person_id=world.people[who], now=ASKED)
    return [(i.action, i.step) for i in items if i.action == "accept_transfer"]


def test_before_the_year_the_receiving_school_inherits_every_finalized_transcript(
    scene: Scene,
) -> None:
    world = scene.world
    transfer_id = ask(scene)
    assert queue(world, "hocvu") == [("accept_transfer", "request")]
    assert queue(world, "hocvu.b") == []
    with pytest.raises(NotFoundError):
        read_transcript(
            world.uow(),
            transcript_id=scene.an_transcript,
            actor=world.actor("hocvu.b", ASKED),
            now=ASKED,
        )

    accepted = accept_transfer_request(
        world.uow(), transfer_id=transfer_id, actor=world.actor("hocvu", DECIDED), now=DECIDED
    )
    assert accepted == AcceptedTransfer(TransferKind.BEFORE_YEAR, None)
    assert queue(world, "hocvu") == []

    receiving = world.actor("hocvu.b", DECIDED)
    chain = student_record_chain(world.uow(), personal_id=AN, actor=receiving, now=DECIDED)
    assert [(c.transcript_id, c.kind, c.status, c.source) for c in chain] == [
        (scene.an_transcript, TranscriptKind.CA_NAM, TranscriptStatus.FINALIZED, "transferred")
    ]
    # Readable as signed: the same bytes, still verifying; nothing was copied or re-signed.
    view = read_transcript(
        world.uow(), transcript_id=scene.an_transcript, actor=receiving, now=DECIDED
    )
    assert view.status == "finalized" and view.allowed_actions == ()
    signed = read_signed_file(
        world.uow(),
        transcript_id=scene.an_transcript,
        kind=SignedFileKind.XML,
        actor=receiving,
        now=DECIDED,
    )
    assert signed.content == stored_xml(world.engine, scene.an_transcript)
    assert verify_xml(signed.content).ok
    assert verify_transcript_file(signed.content, trust=trust(), now=DECIDED).valid

    # The new year is open for the student in the receiving class: its sheets list them.
    sheet = read_subject_sheet(
        world.uow(),
        class_id=world.class_ids["7B1"],
        subject_code="TOAN",
        semester=1,
        actor=world.actor("hocvu.b", STARTED),
        now=STARTED,
    )
    assert [line.student_id for line in sheet.lines] == [world.student_ids[0]]
    with Session(world.engine) as session:
        row = session.get(Transfer, transfer_id)
        assert row is not None
        assert (row.stage, row.effective_on) == (TransferStage.COMPLETED, NEW_YEAR_STARTS)
        places = session.exec(
            select(col(Enrollment.class_id), col(Enrollment.enrolled_on), col(Enrollment.left_on))
            .where(Enrollment.student_id == world.student_ids[0])
            .order_by(col(Enrollment.enrolled_on))
        ).all()
        assert places[-1] == (world.class_ids["7B1"], NEW_YEAR_STARTS, None)


def test_the_leaving_school_keeps_a_read_only_record_after_the_transfer(scene: Scene) -> None:
    world = scene.world
    transfer_id = ask(scene)
    principal = world.actor("hieutruong", DECIDED)
    with Session(world.engine) as session:
        row = session.get(Transcript, scene.an_transcript)
        assert row is not None
        assert "request_correction" in allowed_actions(session, row, actor=principal, now=DECIDED)
    accept_transfer_request(
        world.uow(), transfer_id=transfer_id, actor=world.actor("hocvu", DECIDED), now=DECIDED
    )

    with pytest.raises(TransferredAwayError) as refused:
        request_correction(
            world.uow(),
            transcript_id=scene.an_transcript,
            actor=principal,
            reason="Sai điểm",
            details="Toán HK2",
            now=DECIDED,
        )
    assert refused.value.code == "transferred_away"
    assert refused.value.transfer_id == transfer_id
    assert str(transfer_id) in refused.value.message_vi
    # Reading still works for the leaving school's staff, with nothing offered to do.
    view = read_transcript(
        world.uow(), transcript_id=scene.an_transcript, actor=principal, now=DECIDED
    )
    assert view.status == "finalized" and view.allowed_actions == ()


def test_a_transfer_with_an_unfinished_transcript_is_refused_and_the_school_may_say_no(
    scene: Scene,
) -> None:
    world = scene.world
    transfer_id = ask(scene, scene.binh_pid)
    leaving = world.actor("hocvu", DECIDED)
    with pytest.raises(RecordNotFinalizedError) as unfinished:
        accept_transfer_request(world.uow(), transfer_id=transfer_id, actor=leaving, now=DECIDED)
    assert [(year, status) for _, year, status in unfinished.value.pending] == [
        ("2024-2025", "draft")
    ]
    with pytest.raises(ReasonRequiredError):
        refuse_transfer(
            world.uow(), transfer_id=transfer_id, reason=" ", actor=leaving, now=DECIDED
        )
    with pytest.raises(NotAssignedError):
        refuse_transfer(
            world.uow(),
            transfer_id=transfer_id,
            reason="Không",
            actor=world.actor("hocvu.b", DECIDED),
            now=DECIDED,
        )
    refuse_transfer(
        world.uow(),
        transfer_id=transfer_id,
        reason="Học bạ năm 2024-2025 chưa hoàn tất",
        actor=leaving,
        now=DECIDED,
    )
    with pytest.raises(TransferStateError):
        accept_transfer_request(world.uow(), transfer_id=transfer_id, actor=leaving, now=DECIDED)
    assert queue(world, "hocvu") == []
    (line,) = transfer_overview(
        world.uow(), actor=world.actor("hocvu.b", DECIDED), now=DECIDED
    ).lines
    assert (line.stage, line.incoming, line.refusal_reason, line.actions) == (
        TransferStage.REFUSED,
        True,
        "Học bạ năm 2024-2025 chưa hoàn tất",
        (),
    )
    with Session(world.engine) as session:
        reads = session.exec(
            select(AuditEvent)
            .where(
                AuditEvent.action == "student.read",
                AuditEvent.object_id == str(world.student_ids[1]),
            )
            .order_by(col(AuditEvent.seq))
        ).all()
        assert [r.details.get("via") for r in reads][-1:] == ["transfers"]
    # Refused is closed: the receiving school may ask again.
    assert ask(scene, scene.binh_pid) != transfer_id


def test_only_the_receiving_schools_officer_asks_and_only_before_the_year_starts(
    scene: Scene,
) -> None:
    world = scene.world
    with pytest.raises(NotAssignedError):
        request_new_year_transfer(
            world.uow(),
            personal_id=AN,
            to_class_id=world.class_ids["7B1"],
            actor=world.actor("hocvu", ASKED),
            now=ASKED,
        )
    with pytest.raises(YearStartedError) as started:
        request_new_year_transfer(
            world.uow(),
            personal_id=AN,
            to_class_id=world.class_ids["7B1"],
            actor=world.actor("hocvu.b", STARTED),
            now=STARTED,
        )
    assert "trong năm học" in started.value.message_vi
    with pytest.raises(NotFoundError):
        request_new_year_transfer(
            world.uow(),
            personal_id="079212999999",
            to_class_id=world.class_ids["7B1"],
            actor=world.actor("hocvu.b", ASKED),
            now=ASKED,
        )


def test_the_leaving_school_accepts_only_once_the_students_year_there_is_over(
    scene: Scene,
) -> None:
    world = scene.world
    transfer_id = request_new_year_transfer(
        world.uow(),
        personal_id=AN,
        to_class_id=world.class_ids["7B1"],
        actor=world.actor("hocvu.b", BEFORE_LOCK),
        now=BEFORE_LOCK,
    )
    with pytest.raises(YearNotOverError) as early:
        accept_transfer_request(
            world.uow(),
            transfer_id=transfer_id,
            actor=world.actor("hocvu", BEFORE_LOCK),
            now=BEFORE_LOCK,
        )
    assert "30/06/2025" in early.value.message_vi
    accepted = accept_transfer_request(
        world.uow(), transfer_id=transfer_id, actor=world.actor("hocvu", DECIDED), now=DECIDED
    )
    assert accepted.kind is TransferKind.BEFORE_YEAR
