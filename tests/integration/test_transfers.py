"""A student moves mid-year between two schools of the system: the leaving school's principal
and clerk sign a ChuyenTruong record of semester I, the receiving school inherits it, and the
record in the receiving school's chain verifies like the original."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from domain.documents import verify_xml
from domain.model import (
    Enrollment,
    SchoolClass,
    Transcript,
    TranscriptKind,
    TranscriptStatus,
    Transfer,
    TransferStage,
)
from domain.signatures import TrustSettings, verify_transcript_file
from tests.support.clock import vn
from tests.support.signing import (
    authority,
    sign_session,
    stored_pdf,
    stored_xml,
)
from tests.support.transfers import (
    AN,
    INHERITED,
    MID_YEAR,
    RECEIVING,
    SIGNED,
    own_world,
    second_school,
    transfer_world,
)
from tests.support.world import AFTER_LOCK, World
from workflow import (
    SYSTEM,
    HomeroomEntry,
    IncompleteTrackingError,
    NotAssignedError,
    NotFoundError,
    SigningStep,
    SubjectEntry,
    TransferNotSignedError,
    TransferPendingError,
    TransferredAwayError,
    accept_transfer,
    check_package,
    complete_transfer,
    export_student_record,
    finalize,
    read_student_year,
    read_transcript,
    record_homeroom_data,
    record_subject_scores,
    request_transfer,
    revoke,
    student_record_chain,
    task_queue,
)

AFTER_RETURN = vn(2025, 3, 3, 9, 0)


def trust() -> TrustSettings:
    return TrustSettings(trust_roots=(authority().root,), deadline=60.0)


@pytest.fixture
def world(engine: Engine) -> World:
    return transfer_world(engine)


def queue_actions(world: World, who: str, at: object) -> list[tuple[str, str | None]]:
    with Session(world.engine) as session:
        items = task_queue(session, person_id=world.people[who], now=at)  # type: ignore[arg-type]
    return [(i.action, i.step) for i in items if i.action == "accept_transfer"]


def requested(world: World) -> int:
    return request_transfer(
        world.uow(),
        personal_id=AN,
        to_school_code=RECEIVING,
        to_class_id=world.class_ids["6B1"],
        reason="Gia đình chuyển nơi ở",
        actor=world.actor("hocvu.b", MID_YEAR),
        now=MID_YEAR,
    )


def test_a_mid_year_transfer_hands_the_signed_record_to_the_receiving_school(
    world: World,
) -> None:
    transfer_id = requested(world)
    assert queue_actions(world, "hocvu", MID_YEAR) == [("accept_transfer", "request")]
    assert queue_actions(world, "hocvu.b", MID_YEAR) == []

    record_id = accept_transfer(
        world.uow(), transfer_id=transfer_id, actor=world.actor("hocvu", MID_YEAR), now=MID_YEAR
    )
    with pytest.raises(TransferNotSignedError):
        complete_transfer(
            world.uow(),
            transfer_id=transfer_id,
            actor=world.actor("hocvu.b", MID_YEAR),
            now=MID_YEAR,
            effective_on=date(2025, 2, 10),
        )
    for who, step in (("hieutruong", SigningStep.PRINCIPAL), ("vanthu", SigningStep.SCHOOL)):
        (result,) = sign_session(world, who, [record_id], step, SIGNED)
        assert result.ok, result
    assert queue_actions(world, "hocvu.b", SIGNED) == [("accept_transfer", "inherit")]

    complete_transfer(
        world.uow(),
        transfer_id=transfer_id,
        actor=world.actor("hocvu.b", INHERITED),
        now=INHERITED,
        effective_on=date(2025, 2, 12),
    )
    chain = student_record_chain(
        world.uow(), personal_id=AN, actor=world.actor("hocvu.b", INHERITED), now=INHERITED
    )
    (link,) = [link for link in chain if link.kind is TranscriptKind.CHUYEN_TRUONG]
    assert (link.transcript_id, link.source) == (record_id, "transferred")
    assert link.status is TranscriptStatus.SCHOOL_STAMPED

    xml, pdf = stored_xml(world.engine, record_id), stored_pdf(world.engine, record_id)
    check = verify_xml(xml)
    assert check.ok, check.problems()
    assert [s.slot for s in check.signatures] == ["HieuTruong", "DonVi"]
    report = verify_transcript_file(xml, trust=trust(), now=INHERITED)
    assert report.valid, report.to_json()
    # The PDF names its kind in the revision the signatures cover: a ChuyenTruong record
    # needs the principal and the seal only.
    report = verify_transcript_file(pdf, trust=trust(), now=INHERITED)
    assert report.valid, report.to_json()
    assert [(s.slot, s.valid) for s in report.signatures] == [
        ("HieuTruong", True),
        ("DonVi", True),
    ]
    assert report.missing_signatures == ()
    assert b"<LoaiHocBa>ChuyenTruong</LoaiHocBa>" in xml
    assert b"<HK1>" in xml and b"<HK2>" not in xml

    with Session(world.engine) as session:
        row = session.get(Transfer, transfer_id)
        assert row is not None and row.stage is TransferStage.COMPLETED
        places = session.exec(
            select(SchoolClass.name, col(Enrollment.left_on))
            .join(Enrollment, col(Enrollment.class_id) == SchoolClass.id)
            .where(Enrollment.student_id == world.student_ids[0])
            .order_by(col(Enrollment.enrolled_on))
        ).all()
        assert places == [("6A1", date(2025, 2, 12)), ("6B1", None)]
        record = session.get(Transcript, record_id)
        assert record is not None and record.school_id == world.school_id

    # The receiving school's package of the student carries the sealed record, and it verifies.
    package = export_student_record(
        world.uow(), personal_id=AN, actor=world.actor("hocvu.b", INHERITED), now=INHERITED
    )
    checked = check_package(package, trust=trust(), now=INHERITED)
    assert [e.transcript_id for e in checked.manifest.entries] == [record_id]


def test_only_academic_affairs_of_either_school_asks_and_only_once(world: World) -> None:
    with pytest.raises(NotAssignedError):
        request_transfer(
            world.uow(),
            personal_id=AN,
            to_school_code=RECEIVING,
            actor=world.actor("gvcn.6a1", MID_YEAR),
            now=MID_YEAR,
        )
    requested(world)
    with pytest.raises(TransferPendingError):
        request_transfer(
            world.uow(),
            personal_id=AN,
            to_school_code=RECEIVING,
            actor=world.actor("hocvu", MID_YEAR),
            now=MID_YEAR,
        )


def test_the_school_that_asked_cannot_accept_its_own_request(world: World) -> None:
    transfer_id = requested(world)
    with pytest.raises(NotAssignedError):
        accept_transfer(
            world.uow(),
            transfer_id=transfer_id,
            actor=world.actor("hocvu.b", MID_YEAR),
            now=MID_YEAR,
        )


def test_a_record_without_the_homeroom_comment_of_semester_i_is_not_opened(
    engine: Engine,
) -> None:
    world = own_world(engine)
    second_school(world)
    transfer_id = requested(world)
    with pytest.raises(IncompleteTrackingError) as caught:
        accept_transfer(
            world.uow(),
            transfer_id=transfer_id,
            actor=world.actor("hocvu", MID_YEAR),
            now=MID_YEAR,
        )
    assert [(g.subject_code, g.semester) for g in caught.value.gaps] == [(None, 1)]
    with Session(engine) as session:
        row = session.get(Transfer, transfer_id)
        assert row is not None and row.stage is TransferStage.REQUESTED
        assert not session.exec(
            select(Transcript).where(Transcript.kind == TranscriptKind.CHUYEN_TRUONG)
        ).all()


def test_asking_for_a_transfer_does_not_open_the_students_record_to_the_asking_school(
    world: World,
) -> None:
    requested(world)
    with pytest.raises(NotFoundError):
        export_student_record(
            world.uow(), personal_id=AN, actor=world.actor("hocvu.b", MID_YEAR), now=MID_YEAR
        )


def transferred(world: World) -> str:
    """An's mid-year transfer, signed, sealed and completed; returns the record's id."""
    transfer_id = requested(world)
    record_id = accept_transfer(
        world.uow(), transfer_id=transfer_id, actor=world.actor("hocvu", MID_YEAR), now=MID_YEAR
    )
    for who, step in (("hieutruong", SigningStep.PRINCIPAL), ("vanthu", SigningStep.SCHOOL)):
        (result,) = sign_session(world, who, [record_id], step, SIGNED)
        assert result.ok, result
    complete_transfer(
        world.uow(),
        transfer_id=transfer_id,
        actor=world.actor("hocvu.b", INHERITED),
        now=INHERITED,
        effective_on=date(2025, 2, 12),
    )
    return record_id


def test_after_a_mid_year_transfer_the_leaving_schools_tracking_book_is_read_only_for_the_student(
    world: World,
) -> None:
    transferred(world)
    an, binh = world.student_ids[0], world.student_ids[1]
    teacher = world.actor("gvcn.6a1", INHERITED)
    with pytest.raises(TransferredAwayError) as refused:
        record_homeroom_data(
            world.uow(),
            class_id=world.class_ids["6A1"],
            semester=2,
            entries=[HomeroomEntry(an, "T", 0, "Tốt")],
            actor=teacher,
            now=INHERITED,
        )
    assert "Nguyễn Văn An" in refused.value.message_vi
    with pytest.raises(TransferredAwayError):
        record_subject_scores(
            world.uow(),
            class_id=world.class_ids["6A1"],
            subject_code="TOAN",
            semester=2,
            lines=[SubjectEntry(an, regular=("8",))],
            actor=world.actor("gvbm.toan", INHERITED),
            now=INHERITED,
        )
    # The other students' entries go on as before.
    assert (
        record_homeroom_data(
            world.uow(),
            class_id=world.class_ids["6A1"],
            semester=2,
            entries=[HomeroomEntry(binh, "K", 1, "Cố gắng")],
            actor=teacher,
            now=INHERITED,
        )
        == 1
    )
    # Reading the student's year still works for the leaving school's staff.
    year = read_student_year(
        world.uow(),
        student_id=an,
        class_id=world.class_ids["6A1"],
        actor=world.actor("hieutruong", INHERITED),
        now=INHERITED,
    )
    assert year.homeroom


def test_the_sealed_transfer_record_cannot_be_revoked_by_the_leaving_school_but_still_locks(
    world: World,
) -> None:
    record_id = transferred(world)
    principal = world.actor("hieutruong", INHERITED)
    with pytest.raises(TransferredAwayError):
        revoke(
            world.uow(),
            transcript_id=record_id,
            actor=principal,
            reason="Ký nhầm",
            now=INHERITED,
        )
    # Issuing the sealed record changes nothing in it: the lock still applies.
    view = read_transcript(world.uow(), transcript_id=record_id, actor=principal, now=INHERITED)
    assert view.allowed_actions == ("finalize",)
    finalize(world.uow(), transcript_id=record_id, actor=SYSTEM, now=AFTER_LOCK)
    with Session(world.engine) as session:
        row = session.get(Transcript, record_id)
        assert row is not None and row.status is TranscriptStatus.FINALIZED


def test_a_draft_the_leaving_school_opened_before_the_transfer_is_not_signed_after_it(
    world: World,
) -> None:
    draft = world.new_transcript()
    transferred(world)
    with pytest.raises(TransferredAwayError):
        sign_session(
            world, "gvbm.toan", [draft], SigningStep.SUBJECT, INHERITED, subject_code="TOAN"
        )
    with Session(world.engine) as session:
        row = session.get(Transcript, draft)
        assert row is not None and row.status is TranscriptStatus.DRAFT


def test_a_student_who_comes_back_by_a_later_transfer_is_the_schools_again(world: World) -> None:
    record_id = transferred(world)
    an = world.student_ids[0]

    def principal_may() -> tuple[str, ...]:
        return read_transcript(
            world.uow(),
            transcript_id=record_id,
            actor=world.actor("hieutruong", AFTER_RETURN),
            now=AFTER_RETURN,
        ).allowed_actions

    assert principal_may() == ("finalize",)
    with Session(world.engine) as session:
        # The way back, as the receiving school would complete it (set down directly: the
        # rule under test reads completed transfers, whoever made them).
        out = session.exec(select(Transfer)).one()
        session.add(
            Transfer(
                student_id=an,
                school_year_id=world.year_id,
                from_school_id=out.to_school_id,
                from_class_id=world.class_ids["6B1"],
                to_school_id=world.school_id,
                to_class_id=world.class_ids["6A1"],
                stage=TransferStage.COMPLETED,
                requested_by_id=world.people["hocvu"],
                requested_by_school_id=world.school_id,
                requested_at=INHERITED,
                completed_at=AFTER_RETURN,
                effective_on=date(2025, 3, 3),
            )
        )
        session.commit()
    assert "revoke" in principal_may()
