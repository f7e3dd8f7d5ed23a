"""A score write and the subject signature that freezes it, racing: never both land.

Without care, under READ COMMITTED (PostgreSQL) the teacher's write could read "not signed",
the signature commit in between, and the write then change an entry the signature had
frozen. Gated at their first flush (tests/support/racing.py), both read before either
writes; the transcript's optimistic row version lets exactly one through. On SQLite the two
run one after the other and the later one sees the earlier's result.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from sqlalchemy.engine import Engine

from domain.model import Transcript
from tests.support.racing import engine_for_racers, race
from tests.support.tracking import live_slots, open_entry
from tests.support.world import BEFORE_LOCK, World, evidence
from workflow import (
    ConflictError,
    EntrySignedError,
    SigningStep,
    SubjectEntry,
    SubjectValues,
    UnitOfWork,
    read_subject_sheet,
    record_subject_scores,
    sign,
)

NEW_SCORE = Decimal("9.5")


def _write_score(engine: Engine, world: World, student_id: int) -> Callable[[], object]:
    actor = world.actor("gvbm.toan")

    def attempt() -> int:
        return record_subject_scores(
            UnitOfWork(engine),
            class_id=world.class_ids["6A1"],
            subject_code="TOAN",
            semester=1,
            lines=[SubjectEntry(student_id, regular=[NEW_SCORE])],
            actor=actor,
            now=BEFORE_LOCK,
        )

    return attempt


def _sign_toan(engine: Engine, world: World, transcript_id: str) -> Callable[[], object]:
    actor = world.actor("gvbm.toan")
    proof = evidence("gvbm.toan", BEFORE_LOCK)

    def attempt() -> Transcript:
        return sign(
            UnitOfWork(engine),
            transcript_id=transcript_id,
            step=SigningStep.SUBJECT,
            subject_code="TOAN",
            actor=actor,
            evidence=proof,
            now=BEFORE_LOCK,
        )

    return attempt


def _stored_toan(world: World, student_id: int) -> SubjectValues:
    read = read_subject_sheet(
        world.uow(),
        class_id=world.class_ids["6A1"],
        subject_code="TOAN",
        semester=1,
        actor=world.actor("hieutruong"),
        now=BEFORE_LOCK,
    )
    return next(line.values for line in read.lines if line.student_id == student_id)


def test_a_score_write_racing_the_subject_signature_never_lands_after_it(world: World) -> None:
    open_entry(world)
    student_id = world.student_ids[0]
    transcript_id = world.new_transcript()
    postgres = world.engine.dialect.name == "postgresql"
    engine = engine_for_racers(world.engine, 2)
    try:
        write, signature = race(
            [_write_score(engine, world, student_id), _sign_toan(engine, world, transcript_id)],
            gate_flushes=postgres,
        )
    finally:
        engine.dispose()

    signed = "GVBM:TOAN" in live_slots(world.engine, transcript_id)
    written = _stored_toan(world, student_id).regular == (NEW_SCORE,)
    assert signed or written
    if postgres:
        # Both read before either wrote: exactly one of them is turned away.
        assert (write.error is None) != (signature.error is None), (write, signature)
        loser = write if write.error is not None else signature
        assert isinstance(loser.error, ConflictError), loser
    else:
        # One after the other: the write went first (then both land), or it met the signature.
        assert signature.error is None, signature
        assert write.error is None or isinstance(write.error, EntrySignedError), write
    if signed and written:
        # Legal only in that order: the write committed before the signature read the book.
        assert write.error is None and signature.error is None
    if signature.error is None and write.error is not None:
        assert not written
