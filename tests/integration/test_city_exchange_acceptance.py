"""Acceptance (issue 7): with the city failing half the calls, 1,000 finalized transcripts all
arrive exactly once.

How the 1,000 are made: the students and their annual transcripts are inserted in bulk,
already ``school_stamped``, each pointing at one real signed XML (the RSA test PKI's annual
record signed in every slot, stored once in ``blobs`` and shared). They are then finalized by
the real lock-date use case (``apply_lock``), which fires ``finalize`` on each through the
state machine: the outbox messages come from the same hook as in production.
"""

from __future__ import annotations

import logging
import random
import threading
import uuid
from collections import Counter
from datetime import timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from domain.model import (
    OutboxMessage,
    OutboxState,
)
from tests.support.city_server import MINISTRY_NAMESPACE, Behaviour, running_city
from tests.support.outbox import client_for, stamped_transcripts
from tests.support.world import AFTER_LOCK, World
from workflow import DeliveryPolicy, deliver_outbox
from workflow._locks import LockGroup, apply_lock

log = logging.getLogger(__name__)
COUNT = 1000
POLICY = DeliveryPolicy(max_attempts=40, backoff_seconds=30, backoff_max_seconds=3600)


class HalfFailing:
    """Fails half the calls at random (seeded): half of those after applying them."""

    def __init__(self, seed: int) -> None:
        self._random = random.Random(seed)
        self._lock = threading.Lock()
        self.outcomes: Counter[str] = Counter()

    def __call__(self, _n: int, _key: str) -> Behaviour:
        with self._lock:
            fails, after = self._random.random() < 0.5, self._random.random() < 0.5
            behaviour: Behaviour = ("fail_after" if after else "fail") if fails else "ok"
            self.outcomes[behaviour] += 1
            return behaviour


def pending_count(engine: Engine) -> int:
    with Session(engine) as session:
        return session.exec(
            select(func.count())
            .select_from(OutboxMessage)
            .where(col(OutboxMessage.state) != OutboxState.DELIVERED)
        ).one()


def test_with_half_the_calls_failing_1000_finalized_transcripts_all_arrive_exactly_once(
    world: World,
) -> None:
    ids, sha256 = stamped_transcripts(world, COUNT)
    outcome = apply_lock(
        world.uow(), school_year_id=world.year_id, group=LockGroup.MAIN, now=AFTER_LOCK
    )
    assert len(outcome.finalized) == COUNT
    assert pending_count(world.engine) == 4 * COUNT

    behaviour = HalfFailing(seed=20261129)
    now, rounds = AFTER_LOCK + timedelta(minutes=1), 0
    with running_city(behaviour) as city:
        client = client_for(city)
        while pending_count(world.engine) and rounds < 100:
            deliver_outbox(world.uow(), client=client, now=now, policy=POLICY, limit=100_000)
            # Every backoff is at most the ceiling: one step of it makes every retry due.
            now += timedelta(seconds=POLICY.backoff_max_seconds)
            rounds += 1
        client.close()

    with Session(world.engine) as session:
        queued = session.exec(select(OutboxMessage)).all()
    keys = {m.idempotency_key for m in queued}
    received = Counter(city.keys_received())
    failed = behaviour.outcomes["fail"] + behaviour.outcomes["fail_after"]
    log.warning(  # the figures of the run, for the record (shown with -rA or log_cli)
        "%s",
        f"\n{COUNT} transcripts, {len(queued)} messages, {sum(received.values())} calls, "
        f"{failed} failed ({behaviour.outcomes['fail_after']} after applying), {rounds} rounds",
    )
    assert {str(m.state) for m in queued} == {"delivered"}
    assert len(keys) == 4 * COUNT and set(received) == keys
    assert set(city.record.applied) == keys  # each message applied once, by its key
    assert 0.45 < failed / sum(received.values()) < 0.55  # half the calls failed
    assert behaviour.outcomes["fail_after"] > 0 and max(received.values()) > 1  # repeats came
    assert set(city.record.registrations) == set(ids)
    assert city.record.documents == dict.fromkeys(ids, sha256)
    assert city.record.relayed == {t: str(uuid.uuid5(MINISTRY_NAMESPACE, t)) for t in ids}
    assert city.record.cancelled == set()
