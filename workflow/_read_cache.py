"""A per-process cache of who a login is (the Actor) and of their task queue.

Every authenticated request needs the caller's Actor and ``GET /tasks`` their queue; both are
read again only when something they depend on may have changed: an entry is stored under the
change stamp (``workflow._change_feed``) read *before* it was computed and served only while
the stamp is unchanged, so a commit anywhere (this process, another server, the scheduler, a
CLI command) makes the next request read the database again.

An Account (who a login is) is stamped only by changes to people and role assignments: a
signature elsewhere does not make every request read its caller's account again.

Time: an Account holds every assignment with its validity, so the Actor at any instant is
judged without reading (as exactly as the SQL did). A queue also depends on the instant it is
read at: the school years' lock dates are part of its key (crossing one is a new entry), and
the rest (another teacher's assignment starting or ending, which decides whether a principal
stands in for a subject) on a time bucket of ``queue_seconds`` (a new entry at least that
often).

Nothing here holds more personal data than the Actor and the queue lines already do.
"""

from __future__ import annotations

import threading
from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Callable, Hashable
from datetime import datetime
from typing import Any, Generic, TypeVar, cast

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from domain.model import SchoolYear
from workflow._actor import ACCOUNT_STATEMENT, Account, Actor, account_from_rows
from workflow._authentication import NotAuthenticatedError
from workflow._change_listener import ChangeFeed, change_feed
from workflow._listing import my_tasks
from workflow._tasks import TaskItem
from workflow._uow import UnitOfWork

V = TypeVar("V")
R = TypeVar("R")

_Y = cast(sa.Table, SchoolYear.__table__)  # type: ignore[attr-defined]
_LOCKS = sa.select(_Y.c.main_lock_at, _Y.c.supplementary_lock_at)


class _Lru(Generic[V]):
    """A bounded, thread-safe mapping that forgets the least recently used entry."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._entries: OrderedDict[Hashable, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> V | None:
        with self._lock:
            value = self._entries.get(key)
            if value is not None:
                self._entries.move_to_end(key)
            return value

    def put(self, key: Hashable, value: V) -> None:
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)


class _Flight:
    """One computation of a missing entry that other callers of the same key wait for."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.value: Any = None


class _Cache(Generic[V]):
    """An LRU of entries read once per key: concurrent misses of one key share one read."""

    WAIT_SECONDS = 30.0
    """The longest a miss waits for another caller's read of the same key before its own."""

    def __init__(self, size: int) -> None:
        self._entries: _Lru[V] = _Lru(size)
        self._flights: dict[Hashable, _Flight] = {}
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def cached(self, key: Hashable) -> V | None:
        """The entry if present (counted as a hit), None otherwise (not counted: the caller
        goes on to :meth:`get`, which counts)."""
        value = self._entries.get(key)
        if value is not None:
            self.hits += 1
        return value

    def get(self, key: Hashable, read: Callable[[], V]) -> V:
        """The entry, ``read()`` and stored if missing; one read at a time per key."""
        value = self._entries.get(key)
        if value is not None:
            self.hits += 1
            return value
        with self._lock:
            flight = self._flights.get(key)
            leads = flight is None
            if flight is None:
                flight = self._flights[key] = _Flight()
        if not leads:
            # Right after a change every client asks again at once: one reads, the rest wait.
            if flight.done.wait(self.WAIT_SECONDS) and flight.value is not None:
                self.hits += 1
                return cast(V, flight.value)
            self.misses += 1
            return read()  # the leader failed (its error is its caller's) or is stuck
        self.misses += 1
        try:
            value = read()
            self._entries.put(key, value)
            flight.value = value
            return value
        finally:
            with self._lock:
                del self._flights[key]
            flight.done.set()


class ReadCache:
    """Actors and queues of the callers of one engine's database, for this process."""

    def __init__(self, engine: Engine, *, size: int = 10_000, queue_seconds: int = 60) -> None:
        self._feed: ChangeFeed = change_feed(engine)
        self._queue_seconds = queue_seconds
        self._accounts: _Cache[Account] = _Cache(size)
        self._queues: _Cache[Any] = _Cache(size)
        self._locks: tuple[Hashable, tuple[datetime, ...]] | None = None

    @property
    def feed(self) -> ChangeFeed:
        """The change feed the entries are stamped by."""
        return self._feed

    def stats(self) -> dict[tuple[str, str], int]:
        """Lookups so far by cache (``actor``, ``tasks``) and outcome: ``hit`` (answered
        without reading), ``miss`` (read from the database)."""
        return {
            ("actor", "hit"): self._accounts.hits,
            ("actor", "miss"): self._accounts.misses,
            ("tasks", "hit"): self._queues.hits,
            ("tasks", "miss"): self._queues.misses,
        }

    # --- the Actor --------------------------------------------------------------------

    def cached_actor(self, *, person_id: int, now: datetime) -> Actor | None:
        """The Actor of ``person_id`` at ``now`` if known without reading; None otherwise.

        Raises NotAuthenticatedError for a known closed account.
        """
        stamp = self._feed.account_stamp()
        if stamp is None:
            return None
        account = self._accounts.cached((person_id, stamp))
        return None if account is None else _active(account).actor_at(now)

    def actor(self, uow: UnitOfWork, *, person_id: int, now: datetime) -> Actor:
        """The actor a login token stands for at ``now`` (as ``resolve_actor``); read from
        the database unless cached. NotAuthenticatedError for an account that is gone or
        closed."""

        def read() -> Account:
            rows = uow.read_once(ACCOUNT_STATEMENT, {"person_id": person_id})
            account = account_from_rows(person_id, rows)
            if account is None:
                raise NotAuthenticatedError
            return account

        stamp = self._feed.account_stamp()  # before reading: a later change must not be hidden
        account = read() if stamp is None else self._accounts.get((person_id, stamp), read)
        return _active(account).actor_at(now)

    # --- the queue --------------------------------------------------------------------

    def cached_tasks(
        self, *, actor: Actor, now: datetime, render: Callable[[list[TaskItem]], R]
    ) -> R | None:
        """The caller's queue at ``now`` as ``render`` shaped it, if known without reading."""
        stamp = self._feed.stamp()
        if stamp is None:
            return None
        locks = self._locks
        if locks is None or locks[0] != stamp:
            return None
        key = self._queue_key(actor, now, stamp, locks[1], render)
        return cast(R | None, self._queues.cached(key))

    def tasks(
        self,
        uow: UnitOfWork,
        *,
        actor: Actor,
        now: datetime,
        render: Callable[[list[TaskItem]], R],
    ) -> R:
        """``render(my_tasks(...))``, from the cache when nothing it depends on changed."""

        def read() -> R:
            return render(my_tasks(uow, actor=actor, now=now))

        stamp = self._feed.stamp()  # before reading: a later change must not be hidden
        if stamp is None:
            return read()
        key = self._queue_key(actor, now, stamp, self._lock_dates(uow, stamp), render)
        return cast(R, self._queues.get(key, read))

    def _lock_dates(self, uow: UnitOfWork, stamp: Hashable) -> tuple[datetime, ...]:
        locks = self._locks
        if locks is not None and locks[0] == stamp:
            return locks[1]
        rows = uow.read_once(_LOCKS, {})
        dates = tuple(sorted({d for row in rows for d in row if d is not None}))
        self._locks = (stamp, dates)
        return dates

    def _queue_key(
        self,
        actor: Actor,
        now: datetime,
        stamp: Hashable,
        locks: tuple[datetime, ...],
        render: Callable[..., Any],
    ) -> Hashable:
        # The queue's SQL compares lock dates with ``now`` as ``lock <= now``: the number of
        # lock dates at or before ``now`` decides every such comparison.
        return (
            actor.person_id,
            actor.grants,
            stamp,
            bisect_right(locks, now),
            int(now.timestamp()) // self._queue_seconds,
            render,
        )


def _active(account: Account) -> Account:
    if not account.is_active:
        raise NotAuthenticatedError
    return account
