"""The change generation: whether anything the caller caches may have changed since.

Every committed write to a table other than the pure logs (:data:`LOG_TABLES`) advances the
process's generation, whichever engine, session or connection made it: the hooks below sit on
SQLAlchemy's ``Engine`` and ``Pool`` classes, so no code path can write without them. A
cached value is stored under the stamp read *before* it was computed and served only while
the stamp is unchanged.

Other processes' writes:

- PostgreSQL: the writing transaction sends ``pg_notify('hocba_changes', …)`` just before its
  COMMIT (PostgreSQL delivers it only if the commit succeeds); each process listens on its own
  connection in a background thread and advances its generation on every notification from
  another process. While that listener is not connected, :meth:`ChangeFeed.stamp` is None
  and callers must not use a cache (a missed notification would serve stale data).
- SQLite: ``PRAGMA data_version`` on a dedicated connection, read with every stamp, changes
  whenever any other connection (of this process or another) has committed.
"""

from __future__ import annotations

import os
import re
import sqlite3
import threading
import weakref
from collections.abc import Hashable
from typing import Any
from urllib.parse import quote

import psycopg
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.pool import Pool

CHANNEL = "hocba_changes"
"""The PostgreSQL notification channel of committed changes."""

LOG_TABLES = frozenset(
    {
        "audit_events",
        "audit_head",
        "login_failures",
        "certificate_challenges",
        "signing_sessions",
        "signing_session_items",
        "notifications",
        "outbox_messages",
        "scheduler_runs",
    }
)
"""Tables no cached read (the actor, the task queues) depends on: writing only these does
not advance the generation. Read audit entries are written on every read, login failures on
every wrong password; a signing session's preparation changes no transcript. A table that
is not listed here always counts as a change."""

_DIRTY = "hocba_dirty"
_COMMITTED = "hocba_committed"
_AUTOCOMMITTED = "hocba_autocommitted"
_WRITE = re.compile(r'\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)
_READ_ONLY = frozenset(
    {
        "SELECT",
        "BEGIN",
        "PRAGMA",
        "SAVEPOINT",
        "RELEASE",
        "ROLLBACK",
        "COMMIT",
        "SET",
        "SHOW",
        "LISTEN",
        "UNLISTEN",
        "EXPLAIN",
    }
)


class _Generation:
    """A counter advanced after every commit that changed something this process caches."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._value = 0

    @property
    def value(self) -> int:
        """The current generation."""
        return self._value

    def advance(self) -> None:
        """Count one change (after it is committed, never before)."""
        with self._changed:
            self._value += 1
            self._changed.notify_all()

    def wait_past(self, value: int, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for the generation to move past ``value``; whether
        it did (how a test waits for another process's notification to arrive)."""
        with self._changed:
            return self._changed.wait_for(lambda: self._value > value, timeout)


GENERATION = _Generation()
"""The process's generation: local commits and other processes' notifications advance it."""


def _sender() -> str:
    # The payload names the writing process, so a listener ignores its own process's
    # notifications (the local commit has already advanced the generation).
    return str(os.getpid())


def changes_data(statement: str) -> bool:
    """Whether ``statement`` may change data a cache depends on (unknown statements do)."""
    first = statement.lstrip()[:10].split(None, 1)
    keyword = first[0].upper() if first else ""
    if keyword in _READ_ONLY:
        return False
    matched = _WRITE.match(statement)
    if matched is not None:
        return matched.group(1).lower() not in LOG_TABLES
    if keyword == "WITH":
        return re.search(r"\b(INSERT|UPDATE|DELETE)\b", statement, re.IGNORECASE) is not None
    return True  # DDL, TRUNCATE, COPY, anything unknown: assume it changed data


def _autocommits(conn: sa.Connection) -> bool:
    return bool(conn.get_execution_options().get("isolation_level") == "AUTOCOMMIT")


def _before_execute(
    conn: sa.Connection,
    _cursor: Any,
    statement: str,
    _parameters: Any,
    _context: Any,
    _executemany: bool,
) -> None:
    if changes_data(statement):
        # An autocommitted write is announced once it has run (_after_execute); any other
        # when its transaction commits (_on_commit).
        conn.info[_AUTOCOMMITTED if _autocommits(conn) else _DIRTY] = True


def _after_execute(conn: sa.Connection, *_args: Any) -> None:
    if conn.info.pop(_AUTOCOMMITTED, False):
        if conn.dialect.name == "postgresql":
            _notify(conn)
        GENERATION.advance()


def _notify(conn: sa.Connection) -> None:
    cursor = conn.connection.cursor()
    try:
        cursor.execute("SELECT pg_notify(%s, %s)", (CHANNEL, _sender()))
    finally:
        cursor.close()


def _on_commit(conn: sa.Connection) -> None:
    # Runs just before the DBAPI commit: the notification travels in the transaction, and
    # the local generation advances only once the commit is done (_settle).
    if conn.info.pop(_DIRTY, False):
        if conn.dialect.name == "postgresql":
            _notify(conn)
        conn.info[_COMMITTED] = True


def _on_rollback(conn: sa.Connection) -> None:
    conn.info.pop(_DIRTY, None)


def _settle(info: dict[Any, Any]) -> None:
    if info.pop(_COMMITTED, False):
        GENERATION.advance()


def _on_begin(conn: sa.Connection) -> None:
    _settle(conn.info)


def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
    # A session returns its connection as soon as it has committed: the generation moves
    # before ``commit()`` returns to the use case.
    if record is not None:
        record.info.pop(_DIRTY, None)
        record.info.pop(_AUTOCOMMITTED, None)
        _settle(record.info)


_installed: list[bool] = []
_install_lock = threading.Lock()


def install_change_hooks() -> None:
    """Hook every engine and pool of the process (idempotent)."""
    with _install_lock:
        if _installed:
            return
        sa.event.listen(Engine, "before_cursor_execute", _before_execute)
        sa.event.listen(Engine, "after_cursor_execute", _after_execute)
        sa.event.listen(Engine, "commit", _on_commit)
        sa.event.listen(Engine, "rollback", _on_rollback)
        sa.event.listen(Engine, "begin", _on_begin)
        sa.event.listen(Pool, "checkin", _on_checkin)
        _installed.append(True)


class ChangeFeed:
    """The stamp of the data ``engine`` reads: equal stamps mean nothing cached changed.

    One per engine (:func:`change_feed`). On PostgreSQL it starts a listener thread on first
    use; on SQLite it keeps one extra connection for ``PRAGMA data_version``.
    """

    WAIT_SECONDS = 0.5
    """How long the listener waits for notifications before it looks at ``close()``."""
    HEALTH_CHECK_SECONDS = 5.0
    """How often an idle listener checks that its connection still answers."""
    RECONNECT_SECONDS = 1.0
    """How long a listener that lost its connection waits before it tries again."""

    def __init__(self, engine: Engine) -> None:
        install_change_hooks()
        self._url = engine.url
        self._postgresql = engine.dialect.name == "postgresql"
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._listening = threading.Event()
        self._thread: threading.Thread | None = None
        self._sqlite: sqlite3.Connection | None = None
        self._sqlite_unusable = False

    def stamp(self) -> Hashable | None:
        """The current stamp; None when other processes' changes cannot be seen right now
        (the listener is not connected): then nothing may be served from a cache."""
        if self._postgresql:
            if not self._listening.is_set():
                self._start()
                return None
            return GENERATION.value
        version = self._data_version()
        return None if version is None else (GENERATION.value, version)

    def start(self) -> None:
        """Start listening now rather than at the first stamp (PostgreSQL; no-op on SQLite)."""
        if self._postgresql:
            self._start()

    def wait_until_listening(self, timeout: float) -> bool:
        """Start listening if needed and wait up to ``timeout`` seconds; whether it listens.

        SQLite needs no listener: always True.
        """
        if not self._postgresql:
            return True
        self._start()
        return self._listening.wait(timeout)

    def close(self) -> None:
        """Stop listening and close the extra connection."""
        self._stop.set()
        thread = self._thread
        if thread is not None:
            thread.join(timeout=self.WAIT_SECONDS * 4)
        with self._lock:
            if self._sqlite is not None:
                self._sqlite.close()
                self._sqlite = None

    # --- SQLite -------------------------------------------------------------------------

    def _data_version(self) -> int | None:
        with self._lock:
            if self._sqlite is None and not self._sqlite_unusable:
                self._sqlite = self._open_sqlite()
            if self._sqlite is None:
                return None
            try:
                row = self._sqlite.execute("PRAGMA data_version").fetchone()
            except sqlite3.Error:
                self._sqlite.close()
                self._sqlite = None
                return None
            return int(row[0])

    def _open_sqlite(self) -> sqlite3.Connection | None:
        database = self._url.database
        if not database or database == ":memory:" or database.startswith("file:"):
            # An in-memory database is this process's alone: the local generation suffices,
            # but a pool of in-memory connections may be several databases: never cache.
            self._sqlite_unusable = True
            return None
        try:
            return sqlite3.connect(
                f"file:{quote(database)}?mode=ro", uri=True, check_same_thread=False, timeout=30
            )
        except sqlite3.Error:
            return None

    # --- PostgreSQL ---------------------------------------------------------------------

    def _start(self) -> None:
        with self._lock:
            if self._thread is not None or self._stop.is_set():
                return
            conninfo = self._url.set(drivername="postgresql").render_as_string(hide_password=False)
            self._thread = threading.Thread(
                target=_listen,
                args=(weakref.ref(self), conninfo, self._stop, self._listening),
                name="hocba-change-feed",
                daemon=True,
            )
            self._thread.start()


def _listen(
    feed: weakref.ref[ChangeFeed],
    conninfo: str,
    stop: threading.Event,
    listening: threading.Event,
) -> None:
    """The listener thread: LISTEN, advance the generation on every other process's
    notification, reconnect after a failure (not listening meanwhile)."""
    own = _sender()
    while not stop.is_set() and feed() is not None:
        try:
            with psycopg.connect(conninfo, autocommit=True, connect_timeout=10) as connection:
                connection.execute(f"LISTEN {CHANNEL}")
                # Anything committed before LISTEN took effect was not announced to us.
                GENERATION.advance()
                listening.set()
                idle = 0.0
                while not stop.is_set() and feed() is not None:
                    heard = False
                    for notice in connection.notifies(timeout=ChangeFeed.WAIT_SECONDS):
                        heard = True
                        if notice.payload != own:
                            GENERATION.advance()
                    idle = 0.0 if heard else idle + ChangeFeed.WAIT_SECONDS
                    if idle >= ChangeFeed.HEALTH_CHECK_SECONDS:
                        # A silently dropped connection would deliver nothing: ask it.
                        connection.execute("SELECT 1")
                        idle = 0.0
        except psycopg.Error:
            pass
        finally:
            listening.clear()
        stop.wait(ChangeFeed.RECONNECT_SECONDS)


_feeds: weakref.WeakKeyDictionary[Engine, ChangeFeed] = weakref.WeakKeyDictionary()
_feeds_lock = threading.Lock()


def change_feed(engine: Engine) -> ChangeFeed:
    """The change feed of ``engine`` (one per engine and process)."""
    with _feeds_lock:
        feed = _feeds.get(engine)
        if feed is None:
            feed = _feeds[engine] = ChangeFeed(engine)
        return feed
