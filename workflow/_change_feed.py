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

ACCOUNT_TABLES = frozenset({"people", "role_assignments"})
"""The tables an Actor is read from: only a change to these (or an unknown statement) changes
who anyone is, so only they advance :data:`ACCOUNTS`."""

DATA, ACCOUNT = 1, 2
"""How far a change reaches: some data (:data:`GENERATION`), or also the accounts
(:data:`ACCOUNTS` as well)."""

_DIRTY = "hocba_dirty"
_COMMITTED = "hocba_committed"
_AUTOCOMMITTED = "hocba_autocommitted"
_WRITE = re.compile(r"\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+([\w\".]+)", re.IGNORECASE)
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
ACCOUNTS = _Generation()
"""Advanced, besides :data:`GENERATION`, by the changes to people and role assignments."""


def sender() -> str:
    """The notification payload of this process."""
    # The payload names the writing process, so a listener ignores its own process's
    # notifications (the local commit has already advanced the generation).
    return str(os.getpid())


def change_scope(statement: str) -> int:
    """How far ``statement`` may change what a cache depends on: 0 (nothing: a read, a log
    entry), :data:`DATA`, or :data:`ACCOUNT` (people, role assignments, or a statement that
    is not understood)."""
    first = statement.lstrip()[:10].split(None, 1)
    keyword = first[0].upper() if first else ""
    if keyword in _READ_ONLY:
        return 0
    matched = _WRITE.match(statement)
    if matched is not None:
        table = matched.group(1).replace('"', "").lower()
        if "." in table:
            return ACCOUNT  # a schema-qualified name: not one of ours as we write them
        if table in LOG_TABLES:
            return 0
        return ACCOUNT if table in ACCOUNT_TABLES else DATA
    if keyword == "WITH" and not re.search(r"\b(INSERT|UPDATE|DELETE)\b", statement, re.I):
        return 0
    return ACCOUNT  # DDL, TRUNCATE, COPY, a writing WITH, anything unknown: assume the worst


def changes_data(statement: str) -> bool:
    """Whether ``statement`` may change data a cache depends on (unknown statements do)."""
    return change_scope(statement) > 0


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
    scope = change_scope(statement)
    if scope:
        # An autocommitted write is announced once it has run (_after_execute); any other
        # when its transaction commits (_on_commit).
        key = _AUTOCOMMITTED if _autocommits(conn) else _DIRTY
        conn.info[key] = max(scope, conn.info.get(key, 0))


def _after_execute(conn: sa.Connection, *_args: Any) -> None:
    scope = conn.info.pop(_AUTOCOMMITTED, 0)
    if scope:
        if conn.dialect.name == "postgresql":
            _notify(conn, scope)
        _advance(scope)


def payload(scope: int) -> str:
    """The notification this process sends for a change of ``scope``."""
    return f"{sender()} {'data' if scope == DATA else 'accounts'}"


def _notify(conn: sa.Connection, scope: int) -> None:
    cursor = conn.connection.cursor()
    try:
        cursor.execute("SELECT pg_notify(%s, %s)", (CHANNEL, payload(scope)))
    finally:
        cursor.close()


def _advance(scope: int) -> None:
    if scope >= ACCOUNT:
        ACCOUNTS.advance()
    GENERATION.advance()


def _on_commit(conn: sa.Connection) -> None:
    # Runs just before the DBAPI commit: the notification travels in the transaction, and
    # the local generation advances only once the commit is done (_settle).
    scope = conn.info.pop(_DIRTY, 0)
    if scope:
        if conn.dialect.name == "postgresql":
            _notify(conn, scope)
        conn.info[_COMMITTED] = max(scope, conn.info.get(_COMMITTED, 0))


def _on_rollback(conn: sa.Connection) -> None:
    conn.info.pop(_DIRTY, None)


def _settle(info: dict[Any, Any]) -> None:
    scope = info.pop(_COMMITTED, 0)
    if scope:
        _advance(scope)


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
