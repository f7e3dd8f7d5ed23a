"""Messages to the city system are queued in the same transaction as the change behind them."""

from __future__ import annotations

from sqlmodel import Session, select

from domain.model import OutboxMessage, OutboxState, Transcript, TranscriptKind, TranscriptStatus
from tests.support.journeys import drive_to, fire
from tests.support.outbox import kinds_of, messages
from tests.support.world import AFTER_LOCK, BEFORE_LOCK, MAIN_LOCK, World
from workflow import SYSTEM, UnitOfWork, idempotency_key
from workflow._locks import LockGroup, apply_lock
from workflow._transitions import fire as fire_event
from workflow._transitions import get_transcript

CHAIN = ["register_create", "send_transcript", "register_verify", "relay_ministry"]


def test_finalizing_a_transcript_queues_its_registration_document_verification_and_relay(
    world: World,
) -> None:
    transcript_id = drive_to(world, TranscriptKind.CA_NAM, TranscriptStatus.FINALIZED)

    queued = messages(world.engine)
    with Session(world.engine) as session:
        row = session.get(Transcript, transcript_id)
        assert row is not None and row.xml_sha256 is not None
        xml_sha256 = row.xml_sha256
    assert [str(m.kind) for m in queued] == CHAIN
    assert {m.transcript_id for m in queued} == {transcript_id}
    assert [m.idempotency_key for m in queued] == [f"hocba:{k}:{transcript_id}" for k in CHAIN]
    assert all(m.state == OutboxState.PENDING and m.attempts == 0 for m in queued)
    assert all(m.next_attempt_at == BEFORE_LOCK for m in queued)
    assert {(m.department_code, m.document_sha256) for m in queued} == {("79", xml_sha256)}
    assert queued[0].personal_id.isdigit() and len(queued[0].personal_id) == 12


def test_the_lock_date_finalizing_stamped_transcripts_queues_them_as_well(world: World) -> None:
    stamped = drive_to(world, TranscriptKind.CA_NAM, TranscriptStatus.SCHOOL_STAMPED)
    assert messages(world.engine) == []

    apply_lock(world.uow(), school_year_id=world.year_id, group=LockGroup.MAIN, now=AFTER_LOCK)

    assert kinds_of(world.engine, stamped) == CHAIN


def test_the_messages_roll_back_with_a_finalize_that_is_not_committed(world: World) -> None:
    stamped = drive_to(world, TranscriptKind.CA_NAM, TranscriptStatus.SCHOOL_STAMPED)

    uow = world.uow()
    with uow:
        row = get_transcript(uow.session, stamped)
        fire_event(uow, row, "finalize", actor=SYSTEM, now=MAIN_LOCK)
        uow.session.flush()
        assert len(messages_in(uow)) == 4  # written in the transition's own transaction
        # leaving without commit: the transition and its messages go together

    assert messages(world.engine) == []


def messages_in(uow: UnitOfWork) -> list[OutboxMessage]:
    """The messages the open unit of work sees (its own, not yet committed)."""
    return list(uow.session.exec(select(OutboxMessage)).all())


def test_revoking_a_registered_version_cancels_it_after_its_other_messages(world: World) -> None:
    finalized = drive_to(world, TranscriptKind.CA_NAM, TranscriptStatus.FINALIZED)

    new_id = fire(world, finalized, "revoke", who="hieutruong", at=BEFORE_LOCK)

    assert kinds_of(world.engine, finalized) == [*CHAIN, "register_cancel"]
    cancel = messages(world.engine)[-1]
    assert cancel.idempotency_key == idempotency_key(cancel.kind, finalized)
    assert cancel.details == {"event": "revoke"}
    assert isinstance(new_id, str) and kinds_of(world.engine, new_id) == []  # a new draft


def test_revoking_a_version_that_was_only_stamped_sends_nothing(world: World) -> None:
    stamped = drive_to(world, TranscriptKind.CA_NAM, TranscriptStatus.SCHOOL_STAMPED)

    fire(world, stamped, "revoke", who="hieutruong", at=BEFORE_LOCK)

    assert messages(world.engine) == []


def test_an_approved_correction_cancels_the_old_registration(world: World) -> None:
    finalized = drive_to(world, TranscriptKind.CA_NAM, TranscriptStatus.FINALIZED)
    fire(world, finalized, "request_correction", who="hieutruong")

    fire(world, finalized, "approve_correction", who="so.gddt")

    assert kinds_of(world.engine, finalized) == [*CHAIN, "register_cancel"]
    assert messages(world.engine)[-1].details == {"event": "approve_correction"}


def test_a_rejected_correction_leaves_the_registration_standing(world: World) -> None:
    finalized = drive_to(world, TranscriptKind.CA_NAM, TranscriptStatus.FINALIZED)
    fire(world, finalized, "request_correction", who="hieutruong")

    fire(world, finalized, "reject_correction", who="so.gddt")

    assert kinds_of(world.engine, finalized) == CHAIN
