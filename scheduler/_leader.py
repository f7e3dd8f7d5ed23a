"""Leader election: with several processes, only one runs the scheduled jobs."""

from __future__ import annotations

import fcntl
import hashlib
from pathlib import Path
from typing import IO

import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url

# A fixed 64-bit key for pg_try_advisory_lock, derived from the name so it is stable.
_ADVISORY_KEY = int.from_bytes(hashlib.sha256(b"hocba.scheduler").digest()[:8], "big", signed=True)


class LeaderLock:
    """Held by the one active scheduler.

    PostgreSQL: a session-level advisory lock on a connection kept open; if the process dies,
    the connection closes and a standby acquires it. SQLite: an exclusive file lock next to
    the database file (processes on one machine).
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._connection: sa.Connection | None = None
        self._file: IO[bytes] | None = None
        self._solo = False

    @property
    def held(self) -> bool:
        """Whether this process is the leader."""
        return self._connection is not None or self._file is not None or self._solo

    def try_acquire(self) -> bool:
        """Become the leader if nobody is; never blocks."""
        if self.held:
            return True
        if self._engine.dialect.name == "postgresql":
            connection = self._engine.connect()
            got = connection.execute(
                sa.text("SELECT pg_try_advisory_lock(:key)"), {"key": _ADVISORY_KEY}
            ).scalar_one()
            connection.commit()
            if got:
                self._connection = connection
            else:
                connection.close()
            return bool(got)
        database = make_url(self._engine.url).database
        if not database or database == ":memory:":
            self._solo = True  # an in-memory database lives in one process only
            return True
        path = Path(f"{database}.scheduler.lock")
        handle = path.open("wb")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        self._file = handle
        return True

    def release(self) -> None:
        """Step down (at shutdown)."""
        if self._connection is not None:
            try:
                self._connection.execute(
                    sa.text("SELECT pg_advisory_unlock(:key)"), {"key": _ADVISORY_KEY}
                )
                self._connection.commit()
            finally:
                self._connection.close()
                self._connection = None
        if self._file is not None:
            self._file.close()
            self._file = None
        self._solo = False
