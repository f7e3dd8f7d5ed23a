"""Other processes' changes: the stamp that tells a cache whether it may still answer.

- PostgreSQL: each process listens on ``hocba_changes`` on its own connection, in a
  background thread, and advances its generation on every notification from another process
  (``workflow._change_feed`` sends them). While that listener is not connected,
  :meth:`ChangeFeed.stamp` is None and callers must not use a cache (a missed notification
  would serve stale data); after reconnecting the generation advances once, for whatever was
  missed.
- SQLite: ``PRAGMA data_version`` on a dedicated read-only connection, read with every stamp,
  changes whenever any other connection (of this process or another) has committed.
"""

from __future__ import annotations

import sqlite3
import threading
import weakref
from collections.abc import Hashable
from urllib.parse import quote

import psycopg
from sqlalchemy.engine import Engine

from workflow._change_feed import (
    ACCOUNTS,
    CHANNEL,
    DATA,
    GENERATION,
    install_change_hooks,
    payload,
    sender,
)


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

    def account_stamp(self) -> Hashable | None:
        """As :meth:`stamp`, for what is read from people and role assignments only: other
        changes (a signature) leave it as it is."""
        if self._postgresql:
            if not self._listening.is_set():
                self._start()
                return None
            return ACCOUNTS.value
        # SQLite's data_version does not say which table changed.
        version = self._data_version()
        return None if version is None else (ACCOUNTS.value, version)

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
    own = sender()
    data_only = payload(DATA).split(" ", 1)[1]
    while not stop.is_set() and feed() is not None:
        try:
            with psycopg.connect(conninfo, autocommit=True, connect_timeout=10) as connection:
                connection.execute(f"LISTEN {CHANNEL}")
                # Anything committed before LISTEN took effect was not announced to us.
                ACCOUNTS.advance()
                GENERATION.advance()
                listening.set()
                idle = 0.0
                while not stop.is_set() and feed() is not None:
                    heard = False
                    for notice in connection.notifies(timeout=ChangeFeed.WAIT_SECONDS):
                        heard = True
                        origin, _, scope = notice.payload.partition(" ")
                        if origin == own:
                            continue
                        # Anything but a data-only change (a hand-typed NOTIFY included)
                        # may have changed an account.
                        if scope != data_only:
                            ACCOUNTS.advance()
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
