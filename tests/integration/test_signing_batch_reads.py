"""A signing session reads what its items are judged by once for all of them, and still judges
each item in turn, by the same checks, with the same refusals.

``prepare_signing`` loads the session's transcripts, signer, school, year, stored files, facts
and transfer freeze in a few statements (``_SessionReads``), and asks one state machine for all
of them (``EventAsker``); ``load_facts_batch`` reads many transcripts' facts in one statement.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session

from domain.model import Transcript, TranscriptStatus
from tests.integration.test_transfers import transferred
from tests.support.signing import (
    Signable,
    pdf_options,
    personal_key,
    sign_session,
    signable_scene,
)
from tests.support.transfers import INHERITED, transfer_world
from tests.support.world import BEFORE_LOCK
from workflow import (
    NotAllowedInStateError,
    SigningStep,
    SlotAlreadySignedError,
    TransferredAwayError,
    prepare_signing,
)
from workflow._facts_loader import load_facts, load_facts_batch
from workflow._flow import EventAsker

AT = BEFORE_LOCK


@pytest.fixture
def signable(engine: Engine) -> Signable:
    return signable_scene(engine)


@contextmanager
def counted(engine: Engine) -> Iterator[list[str]]:
    """The SQL statements ``engine`` runs inside the block."""
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _prepare(s: Signable, ids: list[str], code: str) -> None:
    prepare_signing(
        s.world.uow(),
        actor=s.world.actor(f"gvbm.{code.lower()}", AT),
        transcript_ids=ids,
        step=SigningStep.SUBJECT,
        subject_code=code,
        certificate_chain=personal_key(f"gvbm.{code.lower()}").der_chain,
        now=AT,
        pdf=pdf_options(),
    )


def test_prepare_reads_as_many_statements_for_two_transcripts_as_for_one(
    signable: Signable,
) -> None:
    with counted(signable.world.engine) as one:
        _prepare(signable, signable.ids[:1], "TOAN")
    with counted(signable.world.engine) as two:
        _prepare(signable, signable.ids, "TOAN")
    # The items' INSERT may take one statement per row on some drivers: at most one more.
    assert len(two) - len(one) <= 1, two


def test_the_facts_of_many_transcripts_are_each_ones_facts(signable: Signable) -> None:
    world = signable.world
    sign_session(world, "gvbm.toan", signable.ids[:1], SigningStep.SUBJECT, AT, subject_code="TOAN")
    ids = [*signable.ids, signable.pending]
    with Session(world.engine) as session:
        rows = [session.get(Transcript, transcript_id) for transcript_id in ids]
        assert all(row is not None for row in rows)
        with counted(world.engine) as statements:
            batch = load_facts_batch(session, rows, now=AT)  # type: ignore[arg-type]
        assert len(statements) == 1
        for row in rows:
            assert row is not None
            assert batch[row.id] == load_facts(session, row, now=AT)
        assert "GVBM:TOAN" in batch[signable.ids[0]].live_slots
        assert "GVBM:TOAN" not in batch[signable.ids[1]].live_slots
        assert batch[signable.ids[0]].staffed_subjects
        assert batch[signable.ids[0]].has_homeroom_teacher


def test_a_signed_slot_in_the_middle_of_a_session_is_still_refused_in_its_turn(
    signable: Signable,
) -> None:
    world = signable.world
    sign_session(world, "gvbm.toan", signable.ids[1:], SigningStep.SUBJECT, AT, subject_code="TOAN")
    with pytest.raises(SlotAlreadySignedError):
        _prepare(signable, signable.ids, "TOAN")


def test_the_asking_machine_never_moves_a_transcript(signable: Signable) -> None:
    with Session(signable.world.engine) as session:
        row = session.get(Transcript, signable.ids[0])
        assert row is not None
        asker = EventAsker()
        assert "sign_homeroom" not in asker.enabled(row, facts=load_facts(session, row, now=AT))
        with pytest.raises(AttributeError):
            asker._view.status = TranscriptStatus.FINALIZED  # type: ignore[union-attr]
        assert row.status is TranscriptStatus.DRAFT


def test_a_state_that_does_not_allow_the_step_is_refused_for_each_transcript(
    signable: Signable,
) -> None:
    with pytest.raises(NotAllowedInStateError):
        prepare_signing(
            signable.world.uow(),
            actor=signable.world.actor("gvcn.6a1", AT),
            transcript_ids=signable.ids,
            step=SigningStep.HOMEROOM,
            certificate_chain=personal_key("gvcn.6a1").der_chain,
            now=AT,
            pdf=pdf_options(),
        )


def test_a_transferred_students_transcript_among_others_refuses_the_whole_session(
    engine: Engine,
) -> None:
    """The freeze is read for both students at once; the transferred one is refused."""
    world = transfer_world(engine)
    kept = world.new_transcript(student=1)
    draft = world.new_transcript()
    transferred(world)
    with pytest.raises(TransferredAwayError) as refused:
        sign_session(
            world, "gvbm.toan", [draft, kept], SigningStep.SUBJECT, INHERITED, subject_code="TOAN"
        )
    assert refused.value.transfer_id is not None
    with Session(world.engine) as session:
        for transcript_id in (kept, draft):
            row = session.get(Transcript, transcript_id)
            assert row is not None and row.status is TranscriptStatus.DRAFT
