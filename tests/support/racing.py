"""Running one use case in many threads at once, so that their writes really collide.

Every racer is a thread with its own unit of work (its own session and connection) on one
engine. ``race`` releases them together; on PostgreSQL a ``FlushGate`` also holds each of
them at its first flush until all have read the transcript, so every writer sends its
UPDATE against the same ``row_version`` and the outcome does not depend on scheduling.

SQLite cannot be gated that way: a unit of work's SQLite transaction starts with
``BEGIN IMMEDIATE`` (workflow/_database.py), so the first racer to read holds the write lock
until it commits and a gate would deadlock. There the racers contend for that lock and run
one after another.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from workflow import create_database_engine

T = TypeVar("T")

WAIT_SECONDS = 60.0
"""How long a barrier waits before it gives up (only reached when a racer is stuck)."""


def engine_for_racers(engine: Engine, racers: int) -> Engine:
    """A second engine on ``engine``'s database whose pool lets every racer hold a connection.

    The default pool (5 + 10 overflow) would leave racers waiting for a connection while the
    others wait at the gate for them. On PostgreSQL the engine is configured as
    ``create_database_engine`` configures it, with a larger pool; SQLite runs its writers
    one by one whatever the pool, so there the application's own engine is used.
    """
    url = engine.url.render_as_string(hide_password=False)
    if engine.dialect.name != "postgresql":
        return create_database_engine(url)
    return sa.create_engine(url, pool_pre_ping=True, pool_size=racers, max_overflow=0)


class FlushGate:
    """Holds each armed thread at its first flush until ``parties`` threads are there."""

    def __init__(self, parties: int) -> None:
        self._barrier = threading.Barrier(parties, timeout=WAIT_SECONDS)
        self._local = threading.local()

    def arm(self) -> None:
        """The calling thread will wait at its next flush (once)."""
        self._local.armed = True

    def disarm(self) -> None:
        """The calling thread finished without flushing: release the others (they fail)."""
        if getattr(self._local, "armed", False):
            self._local.armed = False
            self._barrier.abort()

    def before_flush(self, session: Session, _context: Any, _instances: Any) -> None:
        """The ``before_flush`` session event."""
        if getattr(self._local, "armed", False):
            self._local.armed = False
            self._barrier.wait()

    @contextmanager
    def installed(self) -> Iterator[FlushGate]:
        """Listen on every session while the block runs (only armed threads are held)."""
        sa.event.listen(Session, "before_flush", self.before_flush)
        try:
            yield self
        finally:
            sa.event.remove(Session, "before_flush", self.before_flush)


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """What one racer's call returned or raised."""

    racer: int
    value: T | None = None
    error: BaseException | None = None


def race(attempts: Sequence[Callable[[], T]], *, gate_flushes: bool) -> list[Outcome[T]]:
    """Run every attempt in its own thread, all released at once; one outcome per attempt."""
    start = threading.Barrier(len(attempts), timeout=WAIT_SECONDS)
    gate = FlushGate(len(attempts))

    def run(racer: int) -> Outcome[T]:
        start.wait()
        if gate_flushes:
            gate.arm()
        try:
            return Outcome(racer, value=attempts[racer]())
        except Exception as error:  # every outcome is reported, and judged by the test
            return Outcome(racer, error=error)
        finally:
            gate.disarm()

    with gate.installed(), ThreadPoolExecutor(max_workers=len(attempts)) as pool:
        return list(pool.map(run, range(len(attempts))))
