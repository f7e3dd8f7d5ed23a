"""Benchmark: delivering the outbox to a city system on 127.0.0.1, against bare HTTP calls.

N annual transcripts are finalized by the lock date (4 messages each), then delivered to the
test suite's fake city, healthy and failing half the calls. The baseline is the same number of
requests sent by the same HTTP client with no outbox (no claim, no outcome, no audit): the
ratio is what the outbox's safety costs per message.

    .venv/bin/python -m bench.city_exchange [--transcripts 500]      (SQLite files)
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from domain.model import OutboxMessage, OutboxState
from tests.support.city_server import Behaviour, running_city
from tests.support.outbox import client_for, stamped_transcripts
from tests.support.world import AFTER_LOCK, build_world
from workflow import CityRequest, DeliveryPolicy, create_database_engine, deliver_outbox
from workflow._locks import LockGroup, apply_lock
from workflow._migrations import upgrade

POLICY = DeliveryPolicy(max_attempts=40, backoff_seconds=30, backoff_max_seconds=3600)


def _undelivered(engine: Engine) -> int:
    with Session(engine) as session:
        count: int = session.exec(
            select(func.count())
            .select_from(OutboxMessage)
            .where(col(OutboxMessage.state) != OutboxState.DELIVERED)
        ).one()
        return count


def run(url: str, transcripts: int, failing: float) -> tuple[int, int, float]:
    """(messages, calls, seconds) to deliver everything ``transcripts`` versions queue."""
    engine = create_database_engine(url)
    upgrade(engine)
    world = build_world(engine)
    stamped_transcripts(world, transcripts)
    apply_lock(world.uow(), school_year_id=world.year_id, group=LockGroup.MAIN, now=AFTER_LOCK)
    draw = random.Random(7)

    def behaviour(_n: int, _key: str) -> Behaviour:
        return "fail" if draw.random() < failing else "ok"

    with running_city(behaviour) as city:
        client = client_for(city)
        now = AFTER_LOCK
        started = time.perf_counter()
        while _undelivered(engine):
            deliver_outbox(world.uow(), client=client, now=now, policy=POLICY, limit=10**6)
            now += timedelta(seconds=POLICY.backoff_max_seconds)
        elapsed = time.perf_counter() - started
        calls = len(city.keys_received())
    engine.dispose()
    return 4 * transcripts, calls, elapsed


def bare_http(calls: int) -> float:
    """Seconds for ``calls`` registrations sent straight, with no outbox."""
    with running_city() as city:
        client = client_for(city)
        started = time.perf_counter()
        for n in range(calls):
            body = {"transcript_id": f"t{n}", "personal_id": "079300000001"}
            client.send(CityRequest("POST", "/registrations", body, f"bare:{n}"))
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transcripts", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        for failing in (0.0, 0.5):
            url = f"sqlite:///{Path(folder) / f'bench-{failing}.db'}"
            messages, calls, seconds = run(url, args.transcripts, failing)
            baseline = bare_http(calls)
            print(
                f"failing {failing:.0%}: {messages} messages in {calls} calls, {seconds:.1f} s "
                f"({messages / seconds:.0f} messages/s); bare HTTP {baseline:.1f} s; "
                f"ratio {seconds / baseline:.1f}x"
            )


if __name__ == "__main__":
    main()
