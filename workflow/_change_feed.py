"""The change generation: whether anything a cache holds may have changed since.

Every committed write to a table other than the pure logs (:data:`LOG_TABLES`) advances the
process's generation, whichever engine, session or connection made it: the hooks below sit on
SQLAlchemy's ``Engine`` and ``Pool`` classes, so no code path can write without them. On
PostgreSQL the writing transaction also sends ``pg_notify('hocba_changes', <pid>)`` just
before its COMMIT (PostgreSQL delivers it only if the commit succeeds), for the other
processes' listeners (``workflow._change_listener``). The local generation advances once the
commit is done, never before: a reader that read the generation first and then the database
never stores a pre-commit snapshot under the new generation.
"""

from __future__ import annotations

import os
import re
import threading
from typing import Any

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


def sender() -> str:
    """The notification payload of this process."""
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
        cursor.execute("SELECT pg_notify(%s, %s)", (CHANNEL, sender()))
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
