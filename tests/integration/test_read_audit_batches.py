"""Reads audited in batches: concurrent reads share one chain transaction, none goes unlogged."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa
from sqlmodel import Session, col, select

from domain.model import AuditEvent, AuditHead
from tests.support.racing import WAIT_SECONDS, engine_for_racers
from tests.support.world import BEFORE_LOCK, World
from workflow import TranscriptView, UnitOfWork, read_transcript, verify_audit_chain

READERS = 12


def _reads_of(world: World, transcript_id: str) -> int:
    with Session(world.engine) as session:
        events = session.exec(
            select(AuditEvent).where(col(AuditEvent.action) == "student.read")
        ).all()
        return sum(1 for e in events if e.details.get("transcript_id") == transcript_id)


def test_every_one_of_many_concurrent_reads_is_chained_once_and_the_chain_holds(
    world: World,
) -> None:
    tid = world.new_transcript()
    readers = ["hieutruong", "vanthu", "hocvu", "gvcn.6a1"]
    actors = [world.actor(readers[n % len(readers)]) for n in range(READERS)]
    engine = engine_for_racers(world.engine, READERS)
    start = threading.Barrier(READERS, timeout=WAIT_SECONDS)

    def read(n: int) -> TranscriptView:
        start.wait()
        return read_transcript(
            UnitOfWork(engine), transcript_id=tid, actor=actors[n], now=BEFORE_LOCK
        )

    try:
        with ThreadPoolExecutor(READERS) as pool:
            views = list(pool.map(read, range(READERS)))
    finally:
        engine.dispose()

    assert all(v.id == tid for v in views)
    assert _reads_of(world, tid) == READERS
    with Session(world.engine) as session:
        report = verify_audit_chain(session)
        assert report.ok, report.first_break
        seqs = session.exec(select(AuditEvent.seq).order_by(col(AuditEvent.seq))).all()
        assert list(seqs) == list(range(1, len(seqs) + 1))


def test_a_read_whose_audit_entry_cannot_be_chained_returns_nothing(world: World) -> None:
    tid = world.new_transcript()
    with Session(world.engine) as session:
        session.execute(sa.delete(AuditHead))
        session.commit()

    with pytest.raises(sa.exc.NoResultFound):
        read_transcript(
            world.uow(), transcript_id=tid, actor=world.actor("hieutruong"), now=BEFORE_LOCK
        )
    assert _reads_of(world, tid) == 0
