"""The rules the transition table cannot show in one cell: lock dates, reasons, slots, stand-ins.

Every test runs on SQLite and (when configured) PostgreSQL. A test that changes something
drives its own transcripts through the public use cases in a fresh test school (``world``);
a test whose events are all refused borrows a transcript in the right state from the shelf
(``shelf``, see tests/support/shelf.py). A refusal is checked for its exact error and for
changing nothing (``footprint``: the transcript's rows, its signatures and requests, and the
size of every table an event writes to, the audit log included).
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlmodel import Session, col, select

from domain.model import (
    AuditEvent,
    CorrectionRequest,
    CorrectionStatus,
    Person,
    Role,
    RoleAssignment,
    Transcript,
    TranscriptKind,
    TranscriptSignature,
)
from domain.model import TranscriptStatus as S
from tests.support.clock import vn
from tests.support.footprints import footprint
from tests.support.journeys import REASON, drive_to, fire, status_of
from tests.support.shelf import StateShelf
from tests.support.world import AFTER_LOCK, BEFORE_LOCK, MAIN_LOCK, World
from workflow import (
    AdministratorForbiddenError,
    ConflictError,
    DataLockedError,
    LockDatePassedError,
    NotAllowedInStateError,
    NotAssignedError,
    NotYetLockedError,
    OrganisationCertificateRequiredError,
    ReasonRequiredError,
    SlotAlreadySignedError,
    WorkflowError,
    record_data,
)

CA_NAM, CHUYEN_TRUONG, SO_HOA = TranscriptKind
JUST_BEFORE_LOCK = MAIN_LOCK - timedelta(seconds=1)


def refused(
    world: World,
    transcript_id: str,
    event: str,
    error: type[WorkflowError],
    *,
    who: str,
    at: datetime | None = None,
    subject_code: str | None = None,
    reason: str = REASON,
    organisation: bool = True,
    request_id: int | None = None,
) -> None:
    """Fire ``event``; it must fail with exactly ``error`` and change nothing."""
    before = footprint(world.engine, transcript_id)
    with pytest.raises(WorkflowError) as raised:
        fire(
            world,
            transcript_id,
            event,
            who=who,
            at=at,
            subject_code=subject_code,
            reason=reason,
            organisation=organisation,
            request_id=request_id,
        )
    assert type(raised.value) is error
    assert footprint(world.engine, transcript_id) == before


def live_signatures(world: World, transcript_id: str) -> dict[str, TranscriptSignature]:
    with Session(world.engine) as session:
        return {
            s.slot: s
            for s in session.exec(
                select(TranscriptSignature).where(
                    TranscriptSignature.transcript_id == transcript_id,
                    col(TranscriptSignature.archived_at).is_(None),
                )
            ).all()
        }


# --- Subject signatures -----------------------------------------------------------------


def test_an_annual_transcript_leaves_draft_with_its_last_subject_signature(world: World) -> None:
    transcript_id = world.new_transcript()

    fire(world, transcript_id, "sign_subject", who="gvbm.toan")
    fire(world, transcript_id, "sign_subject", who="gvbm.nguvan")
    assert status_of(world.engine, transcript_id) is S.DRAFT

    fire(world, transcript_id, "sign_subject", who="gvbm.gdtc")
    assert status_of(world.engine, transcript_id) is S.SUBJECT_SIGNED
    assert set(live_signatures(world, transcript_id)) == {"GVBM:TOAN", "GVBM:NGUVAN", "GVBM:GDTC"}


@pytest.mark.parametrize("kind", [CA_NAM, CHUYEN_TRUONG])
def test_a_signed_slot_cannot_be_signed_again(world: World, kind: TranscriptKind) -> None:
    transcript_id = world.new_transcript(kind=kind)
    fire(world, transcript_id, "sign_subject", who="gvbm.toan")

    refused(world, transcript_id, "sign_subject", SlotAlreadySignedError, who="gvbm.toan")


# --- Who signs first, by kind -------------------------------------------------------------


@pytest.mark.parametrize("kind", [CHUYEN_TRUONG, SO_HOA])
def test_the_principal_signs_a_transfer_or_digitised_record_straight_from_draft(
    world: World, kind: TranscriptKind
) -> None:
    transcript_id = world.new_transcript(kind=kind)

    fire(world, transcript_id, "sign_principal", who="hieutruong")

    assert status_of(world.engine, transcript_id) is S.PRINCIPAL_SIGNED
    signature = live_signatures(world, transcript_id)["HieuTruong"]
    assert signature.signer_id == world.people["hieutruong"]


@pytest.mark.parametrize("state", [S.DRAFT, S.SUBJECT_SIGNED])
def test_the_principal_may_not_sign_an_annual_transcript_before_its_teachers(
    shelf: StateShelf, state: S
) -> None:
    transcript_id, _ = shelf.lend(CA_NAM, state)

    refused(shelf.world, transcript_id, "sign_principal", NotAllowedInStateError, who="hieutruong")


# --- The lock date ------------------------------------------------------------------------


@pytest.mark.parametrize("state", [S.SCHOOL_STAMPED, S.FINALIZED])
def test_the_principal_revokes_until_the_last_second_before_the_lock(
    world: World, state: S
) -> None:
    transcript_id = drive_to(world, CA_NAM, state)

    fire(world, transcript_id, "revoke", who="hieutruong", at=JUST_BEFORE_LOCK)

    assert status_of(world.engine, transcript_id) is S.SUPERSEDED


@pytest.mark.parametrize("state", [S.SCHOOL_STAMPED, S.FINALIZED])
@pytest.mark.parametrize(
    "at",
    [pytest.param(MAIN_LOCK, id="at the lock"), pytest.param(AFTER_LOCK, id="after the lock")],
)
def test_the_principal_may_not_revoke_from_the_lock_date_on(
    shelf: StateShelf, state: S, at: datetime
) -> None:
    transcript_id, _ = shelf.lend(CA_NAM, state)

    refused(shelf.world, transcript_id, "revoke", LockDatePassedError, who="hieutruong", at=at)


@pytest.mark.parametrize(
    "at",
    [pytest.param(MAIN_LOCK, id="at the lock"), pytest.param(AFTER_LOCK, id="after the lock")],
)
def test_the_principal_requests_a_correction_from_the_lock_date_on(
    world: World, at: datetime
) -> None:
    transcript_id = drive_to(world, CA_NAM, S.FINALIZED)

    fire(world, transcript_id, "request_correction", who="hieutruong", at=at)

    assert status_of(world.engine, transcript_id) is S.CORRECTION_REQUESTED


@pytest.mark.parametrize(
    "at",
    [
        pytest.param(BEFORE_LOCK, id="before the lock"),
        pytest.param(JUST_BEFORE_LOCK, id="one second before the lock"),
    ],
)
def test_the_principal_may_not_request_a_correction_before_the_lock_date(
    shelf: StateShelf, at: datetime
) -> None:
    transcript_id, _ = shelf.lend(CA_NAM, S.FINALIZED)

    refused(
        shelf.world,
        transcript_id,
        "request_correction",
        NotYetLockedError,
        who="hieutruong",
        at=at,
    )


# --- Reasons and the seal -----------------------------------------------------------------


@pytest.mark.parametrize("reason", ["", "   \n"], ids=["empty", "blank"])
@pytest.mark.parametrize(
    ("state", "event", "who"),
    [
        (S.SUBJECT_SIGNED, "send_back", "gvcn.6a1"),
        (S.FINALIZED, "revoke", "hieutruong"),
        (S.FINALIZED, "request_correction", "hieutruong"),
    ],
    ids=["send_back", "revoke", "request_correction"],
)
def test_returning_revoking_and_requesting_a_correction_need_a_reason(
    shelf: StateShelf, state: S, event: str, who: str, reason: str
) -> None:
    transcript_id, _ = shelf.lend(CA_NAM, state)

    refused(shelf.world, transcript_id, event, ReasonRequiredError, who=who, reason=reason)


def test_the_seal_needs_the_schools_organisation_certificate(shelf: StateShelf) -> None:
    transcript_id, _ = shelf.lend(CA_NAM, S.PRINCIPAL_SIGNED)

    refused(
        shelf.world,
        transcript_id,
        "stamp",
        OrganisationCertificateRequiredError,
        who="vanthu",
        organisation=False,
    )


# --- The principal in place of a subject teacher who left (REQ-16, REQ-29) ---------------

LEFT_ON = vn(2025, 3, 1)


def end_duty(world: World, username: str, at: datetime) -> None:
    """The teacher's assignment ends at ``at`` (the administrator's hand-over)."""
    with Session(world.engine) as session:
        assignment = session.get(RoleAssignment, world.assignment_ids[username])
        assert assignment is not None
        assignment.valid_until = at
        assignment.handover_note = "Chuyển công tác"
        session.add(assignment)
        session.commit()


def assign_successor(world: World, subject_code: str, at: datetime) -> str:
    """A new teacher takes over ``subject_code`` in 6A1 from ``at``; returns the username."""
    username = f"gvbm.{subject_code.lower()}.moi"
    with Session(world.engine) as session:
        person = Person(username=username, full_name=username.upper())
        session.add(person)
        session.flush()
        assert person.id is not None
        session.add(
            RoleAssignment(
                person_id=person.id,
                role=Role.SUBJECT_TEACHER,
                school_id=world.school_id,
                school_year_id=world.year_id,
                class_id=world.class_ids["6A1"],
                subject_code=subject_code,
                valid_from=at,
            )
        )
        session.commit()
        world.people[username] = person.id
    return username


def test_the_principal_may_not_sign_for_a_teacher_who_is_still_assigned(
    shelf: StateShelf,
) -> None:
    transcript_id, _ = shelf.lend(CA_NAM, S.DRAFT)

    refused(
        shelf.world,
        transcript_id,
        "sign_subject",
        NotAssignedError,
        who="hieutruong",
        subject_code="TOAN",
    )


def test_the_principal_may_not_sign_for_a_teacher_whose_duty_ends_later(world: World) -> None:
    transcript_id = world.new_transcript()
    end_duty(world, "gvbm.toan", AFTER_LOCK)

    refused(
        world,
        transcript_id,
        "sign_subject",
        NotAssignedError,
        who="hieutruong",
        subject_code="TOAN",
        at=BEFORE_LOCK,
    )


def test_the_principal_signs_in_place_of_a_teacher_who_left_and_the_row_names_them(
    world: World,
) -> None:
    transcript_id = world.new_transcript()
    end_duty(world, "gvbm.toan", LEFT_ON)

    fire(world, transcript_id, "sign_subject", who="hieutruong", subject_code="TOAN")

    signature = live_signatures(world, transcript_id)["GVBM:TOAN"]
    assert signature.signer_id == world.people["hieutruong"]
    assert signature.on_behalf_of_id == world.people["gvbm.toan"]
    with Session(world.engine) as session:
        added = session.exec(select(AuditEvent).where(AuditEvent.action == "signature.add")).one()
    assert added.details["on_behalf_of"] == world.people["gvbm.toan"]


def test_a_teacher_who_left_can_no_longer_sign(world: World) -> None:
    transcript_id = world.new_transcript()
    end_duty(world, "gvbm.toan", LEFT_ON)

    refused(world, transcript_id, "sign_subject", NotAssignedError, who="gvbm.toan")


def test_once_a_successor_is_assigned_the_successor_signs_and_the_principal_may_not(
    world: World,
) -> None:
    transcript_id = world.new_transcript()
    end_duty(world, "gvbm.toan", LEFT_ON)
    successor = assign_successor(world, "TOAN", LEFT_ON)

    refused(
        world,
        transcript_id,
        "sign_subject",
        NotAssignedError,
        who="hieutruong",
        subject_code="TOAN",
    )
    fire(world, transcript_id, "sign_subject", who=successor, subject_code="TOAN")

    signature = live_signatures(world, transcript_id)["GVBM:TOAN"]
    assert signature.signer_id == world.people[successor]
    assert signature.on_behalf_of_id is None


def test_the_principal_standing_in_completes_the_subject_signatures(world: World) -> None:
    transcript_id = world.new_transcript()
    end_duty(world, "gvbm.gdtc", LEFT_ON)
    fire(world, transcript_id, "sign_subject", who="gvbm.toan")
    fire(world, transcript_id, "sign_subject", who="gvbm.nguvan")

    fire(world, transcript_id, "sign_subject", who="hieutruong", subject_code="GDTC")

    assert status_of(world.engine, transcript_id) is S.SUBJECT_SIGNED


# --- Correction requests ------------------------------------------------------------------


def test_a_decided_correction_request_cannot_be_decided_again(world: World) -> None:
    transcript_id = drive_to(world, CA_NAM, S.CORRECTION_REQUESTED)
    fire(world, transcript_id, "reject_correction", who="so.gddt")
    with Session(world.engine) as session:
        (rejected,) = session.exec(
            select(CorrectionRequest.id).where(CorrectionRequest.transcript_id == transcript_id)
        ).all()
    assert rejected is not None
    second = fire(world, transcript_id, "request_correction", who="hieutruong")
    assert isinstance(second, int)

    refused(
        world,
        transcript_id,
        "approve_correction",
        ConflictError,
        who="so.gddt",
        request_id=rejected,
    )
    new_version = fire(world, transcript_id, "approve_correction", who="so.gddt", request_id=second)

    with Session(world.engine) as session:
        statuses = {
            r.id: r.status
            for r in session.exec(
                select(CorrectionRequest).where(CorrectionRequest.transcript_id == transcript_id)
            ).all()
        }
        new = session.get(Transcript, new_version)
    assert statuses == {rejected: CorrectionStatus.REJECTED, second: CorrectionStatus.APPROVED}
    assert new is not None and new.replaces_id == transcript_id and new.status == S.DRAFT


# --- Editing the data (record_data) -------------------------------------------------------

EDITORS = ("gvcn.6a1", "hocvu")
NOT_EDITORS = (
    "hieutruong",
    "vanthu",
    "gvcn.6a2",
    "gvbm.toan",
    "gvbm.toan.6a2",
    "so.gddt",
    "so.khac",
)


def edit(world: World, transcript_id: str, who: str, at: datetime) -> None:
    record_data(
        world.uow(),
        transcript_id=transcript_id,
        data={"note": f"sửa bởi {who}"},
        actor=world.actor(who, at),
        now=at,
    )


def refused_edit(
    world: World, transcript_id: str, who: str, at: datetime, error: type[WorkflowError]
) -> None:
    before = footprint(world.engine, transcript_id)
    with pytest.raises(WorkflowError) as raised:
        edit(world, transcript_id, who, at)
    assert type(raised.value) is error
    assert footprint(world.engine, transcript_id) == before


@pytest.mark.parametrize("who", EDITORS)
def test_the_homeroom_teacher_and_academic_affairs_edit_a_draft_before_the_lock(
    world: World, who: str
) -> None:
    transcript_id = world.new_transcript()

    edit(world, transcript_id, who, BEFORE_LOCK)

    with Session(world.engine) as session:
        row = session.get(Transcript, transcript_id)
        assert row is not None and row.data == {"note": f"sửa bởi {who}"}
        assert session.exec(
            select(AuditEvent).where(AuditEvent.action == "transcript.record_data")
        ).one()


def test_nobody_else_edits_a_draft(shelf: StateShelf) -> None:
    transcript_id, _ = shelf.lend(CA_NAM, S.DRAFT)

    refused_edit(shelf.world, transcript_id, "admin", BEFORE_LOCK, AdministratorForbiddenError)
    for who in NOT_EDITORS:
        refused_edit(shelf.world, transcript_id, who, BEFORE_LOCK, NotAssignedError)


@pytest.mark.parametrize(
    ("state", "at"),
    [
        pytest.param(S.DRAFT, MAIN_LOCK, id="a draft at the lock"),
        pytest.param(S.DRAFT, AFTER_LOCK, id="a draft after the lock"),
        pytest.param(S.SUBJECT_SIGNED, BEFORE_LOCK, id="a signed transcript"),
        pytest.param(S.FINALIZED, BEFORE_LOCK, id="a finalized transcript"),
    ],
)
def test_data_is_locked_after_the_lock_date_or_once_signed(
    shelf: StateShelf, state: S, at: datetime
) -> None:
    transcript_id, _ = shelf.lend(CA_NAM, state)

    for who in EDITORS:
        refused_edit(shelf.world, transcript_id, who, at, DataLockedError)


def test_a_draft_holding_a_subject_signature_can_no_longer_be_edited(world: World) -> None:
    transcript_id = world.new_transcript()
    fire(world, transcript_id, "sign_subject", who="gvbm.toan")

    refused_edit(world, transcript_id, "gvcn.6a1", BEFORE_LOCK, DataLockedError)


def test_a_transcript_sent_back_to_draft_can_be_edited_again(world: World) -> None:
    transcript_id = drive_to(world, CA_NAM, S.HOMEROOM_SIGNED)
    fire(world, transcript_id, "send_back", who="hieutruong")

    edit(world, transcript_id, "gvcn.6a1", BEFORE_LOCK)

    assert status_of(world.engine, transcript_id) is S.DRAFT
    assert not live_signatures(world, transcript_id)


def test_the_draft_an_approved_correction_opened_can_be_edited_after_the_lock(
    world: World,
) -> None:
    # REQ-23: on approval "the school re-creates the transcript" — months after the lock.
    transcript_id = drive_to(world, CA_NAM, S.CORRECTION_REQUESTED)
    new_version = fire(world, transcript_id, "approve_correction", who="so.gddt")
    assert isinstance(new_version, str)

    edit(world, new_version, "hocvu", AFTER_LOCK)

    with Session(world.engine) as session:
        row = session.get(Transcript, new_version)
        assert row is not None and row.data == {"note": "sửa bởi hocvu"}
        (entry,) = session.exec(
            select(AuditEvent).where(AuditEvent.action == "transcript.record_data")
        ).all()
        assert entry.details["correction_request_id"] is not None
    # The version it replaces stays as it was, and a version that is no correction stays locked.
    refused_edit(world, transcript_id, "hocvu", AFTER_LOCK, DataLockedError)
    refused_edit(world, world.new_transcript(student=1), "hocvu", AFTER_LOCK, DataLockedError)
