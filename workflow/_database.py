"""Engines for the embedded SQLite default and PostgreSQL, with the pragmas each needs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url

from workflow._change_feed import install_change_hooks
from workflow._data_keys import ensure_data_keys

POOL_SIZE = 20
"""PostgreSQL connections kept open per process (as many again may open under a burst)."""


def create_database_engine(url: str, *, echo: bool = False) -> Engine:
    """An engine for ``url``; creates the directory of a SQLite file if it is missing.

    The process's data keyring is installed from the settings first if it is not yet: the
    encrypted columns need it, and a missing key is better refused here, at start-up.
    """
    ensure_data_keys()
    # Every commit that changes data advances the change generation (workflow._change_feed).
    install_change_hooks()
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(
            url, echo=echo, connect_args={"timeout": 30, "check_same_thread": False}
        )
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        sa.event.listen(engine, "begin", _sqlite_begin)
        return engine
    # No ping per checkout (a round trip on every request): connections are recycled after
    # half an hour, and one connection finding the server gone invalidates the whole pool, so
    # a database restart costs at most one failed request per process. The pool holds as
    # many connections as the server's worker threads can use at once: an overflow
    # connection is closed at check-in and reopened (a new server process) on the next.
    return sa.create_engine(
        url,
        echo=echo,
        pool_size=POOL_SIZE,
        max_overflow=POOL_SIZE,
        pool_recycle=1800,
        pool_timeout=30,
    )


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # pysqlite's own transaction handling defers BEGIN until the first write, which lets two
    # writers read the same row version; we issue BEGIN ourselves (see _sqlite_begin).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


WRITE_OPTION = "hocba_writes"
"""Execution option a unit of work sets: its SQLite transaction takes the write lock at BEGIN."""


def _sqlite_begin(connection: sa.Connection) -> None:
    # A use case that reads a row version and then writes must hold the write lock from the
    # start, or a concurrent commit turns its UPDATE into SQLITE_BUSY instead of a clean
    # version conflict. Plain reads keep a deferred BEGIN so they never block each other.
    writes = connection.get_execution_options().get(WRITE_OPTION, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")


def is_postgresql(engine: Engine) -> bool:
    """Whether ``engine`` talks to PostgreSQL."""
    return engine.dialect.name == "postgresql"
