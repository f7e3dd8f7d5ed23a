"""Signers racing for the same transcript: exactly one write wins, the audit chain holds.

On PostgreSQL the racers are gated at their first flush (tests/support/racing.py), so all
of them read the same row version and then write at once: the optimistic lock on
``transcripts.row_version`` lets one through and turns every other write into a
``ConflictError``. On SQLite ``BEGIN IMMEDIATE`` serialises whole use cases: the racers
queue for the write lock (without "database is locked"), and each later one reads the
winner's committed state and is refused for what it sees there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from domain.model import AuditEvent, Transcript, TranscriptSignature, TranscriptStatus
from tests.support.racing import Outcome, engine_for_racers, race
from tests.support.world import BEFORE_LOCK, World, evidence
from workflow import (
    ConflictError,
    NotAllowedInStateError,
    SigningStep,
    SlotAlreadySignedError,
    UnitOfWork,
    WorkflowError,
    create_database_engine,
    sign,
    slot_of_step,
    verify_audit_chain,
)

RACERS = 20


def _sign_as(
    engine: Engine,
    world: World,
    transcript_id: str,
    step: SigningStep,
    username: str,
    *,
    subject_code: str | None = None,
    racer: int = 0,
) -> Callable[[], Transcript]:
    """One signing attempt, prepared in the main thread, run later in a racer's thread.

    Each racer signs at its own instant with its own signed bytes, so the winner can be
    told apart in the signature row and in the audit log.
    """
    actor = world.actor(username)
    at = BEFORE_LOCK + timedelta(seconds=racer)
    proof = evidence(username, at)

    def attempt() -> Transcript:
        return sign(
            UnitOfWork(engine),
            transcript_id=transcript_id,
            step=step,
            subject_code=subject_code,
            actor=actor,
            evidence=proof,
            now=at,
        )

    return attempt


def _sign_subjects(world: World, transcript_id: str, codes: tuple[str, ...]) -> None:
    for code in codes:
        teacher = f"gvbm.{code.lower()}"
        sign(
            world.uow(),
            transcript_id=transcript_id,
            step=SigningStep.SUBJECT,
            subject_code=code,
            actor=world.actor(teacher),
            evidence=evidence(teacher),
            now=BEFORE_LOCK,
        )


def _audit_count(engine: Engine) -> int:
    with Session(engine) as session:
        return len(session.exec(select(AuditEvent.seq)).all())


def _describe(outcomes: list[Outcome[Transcript]]) -> str:
    return ", ".join(f"{o.racer}: {type(o.error).__name__ if o.error else 'ok'}" for o in outcomes)


@dataclass(frozen=True)
class Step:
    """A signing step the racers all attempt, and what each backend makes of the losers."""

    step: SigningStep
    signer: str
    subject: str | None
    event: str
    status_after: TranscriptStatus
    serialised_refusal: type[WorkflowError]
    """What a loser is told on SQLite, where it reads the winner's committed signature."""


SAME_STEP = {
    # A subject signature that leaves other subjects unsigned: draft → draft, no status change.
    "subject-slot-in-draft": Step(
        step=SigningStep.SUBJECT,
        signer="gvbm.toan",
        subject="TOAN",
        event="sign_subject",
        status_after=TranscriptStatus.DRAFT,
        serialised_refusal=SlotAlreadySignedError,
    ),
    "homeroom": Step(
        step=SigningStep.HOMEROOM,
        signer="gvcn.6a1",
        subject=None,
        event="sign_homeroom",
        status_after=TranscriptStatus.HOMEROOM_SIGNED,
        serialised_refusal=NotAllowedInStateError,
    ),
}


@pytest.mark.parametrize("case", sorted(SAME_STEP))
def test_twenty_parallel_signatures_of_one_step_let_exactly_one_through(
    world: World, case: str
) -> None:
    spec = SAME_STEP[case]
    step, signer, subject = spec.step, spec.signer, spec.subject
    tid = world.new_transcript()
    if step is SigningStep.HOMEROOM:
        _sign_subjects(world, tid, ("TOAN", "NGUVAN", "GDTC"))
    audit_before = _audit_count(world.engine)
    postgres = world.engine.dialect.name == "postgresql"
    engine = engine_for_racers(world.engine, RACERS)
    try:
        attempts = [
            _sign_as(engine, world, tid, step, signer, subject_code=subject, racer=n)
            for n in range(RACERS)
        ]
        outcomes = race(attempts, gate_flushes=postgres)
    finally:
        engine.dispose()

    winners = [o for o in outcomes if o.error is None]
    losers = [o for o in outcomes if o.error is not None]
    assert len(winners) == 1, _describe(outcomes)
    expected_refusal = ConflictError if postgres else spec.serialised_refusal
    assert all(type(o.error) is expected_refusal for o in losers), _describe(outcomes)
    assert len(losers) == RACERS - 1

    winner = winners[0].racer
    won_at = BEFORE_LOCK + timedelta(seconds=winner)
    slot = slot_of_step(step, subject)
    with Session(world.engine) as session:
        row = session.get(Transcript, tid)
        assert row is not None and row.status == spec.status_after
        live = session.exec(
            select(TranscriptSignature).where(
                TranscriptSignature.transcript_id == tid,
                TranscriptSignature.slot == slot,
                col(TranscriptSignature.archived_at).is_(None),
            )
        ).all()
        assert len(live) == 1
        assert live[0].signed_bytes_sha256 == evidence(signer, won_at).signed_bytes_sha256

        report = verify_audit_chain(session)
        assert report.ok, report.first_break
        added = session.exec(
            select(AuditEvent).where(AuditEvent.seq > audit_before).order_by(col(AuditEvent.seq))
        ).all()
        assert [e.action for e in added] == [f"transcript.{spec.event}", "signature.add"]
        assert all(e.occurred_at == won_at for e in added)
        assert added[1].details["signed_bytes_sha256"] == live[0].signed_bytes_sha256
        assert report.entries == audit_before + 2


def test_two_teachers_signing_the_last_two_subjects_at_once_end_subject_signed(
    world: World,
) -> None:
    # Each of them alone would see one other subject still unsigned and stay in draft; had
    # both writes gone through, the transcript would hold every subject signature yet
    # remain a draft that nobody's signature moves on.
    tid = world.new_transcript()
    _sign_subjects(world, tid, ("TOAN",))
    postgres = world.engine.dialect.name == "postgresql"
    last_two = ("NGUVAN", "GDTC")
    engine = engine_for_racers(world.engine, len(last_two))
    try:
        attempts = [
            _sign_as(
                engine,
                world,
                tid,
                SigningStep.SUBJECT,
                f"gvbm.{code.lower()}",
                subject_code=code,
                racer=n,
            )
            for n, code in enumerate(last_two)
        ]
        outcomes = race(attempts, gate_flushes=postgres)
        conflicts = [o for o in outcomes if isinstance(o.error, ConflictError)]
        assert all(o.error is None or isinstance(o.error, ConflictError) for o in outcomes), (
            _describe(outcomes)
        )
        # Gated, both read "one other subject missing": the second write must lose. Run one
        # after the other (SQLite), the second reads the first's signature and completes.
        assert len(conflicts) == (1 if postgres else 0), _describe(outcomes)
        for lost in conflicts:
            retried = attempts[lost.racer]()
            assert retried.status == TranscriptStatus.SUBJECT_SIGNED
    finally:
        engine.dispose()

    with Session(world.engine) as session:
        row = session.get(Transcript, tid)
        assert row is not None and row.status == TranscriptStatus.SUBJECT_SIGNED
        slots = session.exec(
            select(TranscriptSignature.slot).where(
                TranscriptSignature.transcript_id == tid,
                col(TranscriptSignature.archived_at).is_(None),
            )
        ).all()
        assert sorted(slots) == ["GVBM:GDTC", "GVBM:NGUVAN", "GVBM:TOAN"]
        actions = session.exec(select(AuditEvent.action).order_by(col(AuditEvent.seq))).all()
        # create, then three × (sign_subject, signature.add): the loser's first try left nothing.
        assert actions == ["transcript.create", *["transcript.sign_subject", "signature.add"] * 3]
        report = verify_audit_chain(session)
        assert report.ok, report.first_break


def test_checking_the_chain_while_a_use_case_appends_finds_no_break(world: World) -> None:
    # `hocba audit verify` locks nothing: it reads the head, then walks the entries, while
    # signers go on. An entry committed in between must not be reported as tampering.
    world.new_transcript(student=0)
    reader = create_database_engine(world.engine.url.render_as_string(hide_password=False))
    appended: list[str] = []

    def append_after_the_head_is_read(
        _connection: object, _cursor: object, statement: str, *_: object
    ) -> None:
        if "FROM audit_head" in statement and not appended:
            appended.append(world.new_transcript(student=1))

    sa.event.listen(reader, "after_cursor_execute", append_after_the_head_is_read)
    try:
        with Session(reader) as session:
            report = verify_audit_chain(session)
    finally:
        reader.dispose()
    assert appended, "the append did not happen during the check"
    assert report.ok, report.first_break
    with Session(world.engine) as session:
        assert verify_audit_chain(session).entries == 2
