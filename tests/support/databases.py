"""Throwaway databases for tests: SQLite always, PostgreSQL when HOCBA_TEST_DATABASE_URL is set.

Each is migrated once per test session with the real Alembic scripts; between tests its
tables are emptied and the reference rows the initial migration writes are put back.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url
from sqlmodel import SQLModel

from workflow import create_database_engine
from workflow._migrations import upgrade

POSTGRES_URL = os.environ.get("HOCBA_TEST_DATABASE_URL", "")


def backends() -> list[str]:
    """The backends this run covers (PostgreSQL only when CI or the developer gives one)."""
    return ["sqlite", "postgresql"] if POSTGRES_URL else ["sqlite"]


def fresh_postgres_url(tag: str) -> str:
    """A new, empty PostgreSQL database on the test server; returns its URL."""
    base = make_url(POSTGRES_URL)
    if base.drivername == "postgresql":
        base = base.set(drivername="postgresql+psycopg")
    name = f"hocba_t_{tag}_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def drop_postgres_database(url: str) -> None:
    """Drop a database made by ``fresh_postgres_url``."""
    target = make_url(url)
    admin = sa.create_engine(
        target.set(database=make_url(POSTGRES_URL).database), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
    admin.dispose()


def fresh_database_url(backend: str, directory: Path, tag: str) -> str:
    """An empty database of ``backend``."""
    if backend == "postgresql":
        return fresh_postgres_url(tag)
    return f"sqlite:///{directory / f'{tag}-{uuid.uuid4().hex[:8]}.db'}"


class MigratedDatabase:
    """A database migrated to head once, reset to its just-migrated content per test."""

    def __init__(self, backend: str, directory: Path) -> None:
        self.backend = backend
        self.url = fresh_database_url(backend, directory, "suite")
        self.engine: Engine = create_database_engine(self.url)
        upgrade(self.engine)
        self._reference = self._snapshot_reference_rows()

    def _snapshot_reference_rows(self) -> dict[str, list[dict[str, object]]]:
        rows: dict[str, list[dict[str, object]]] = {}
        with self.engine.connect() as connection:
            for table in SQLModel.metadata.sorted_tables:
                found = [dict(r._mapping) for r in connection.execute(sa.select(table))]
                if found:
                    rows[table.name] = found
        return rows

    def reset(self) -> None:
        """Empty every table and restore the rows the migrations wrote."""
        tables = SQLModel.metadata.sorted_tables
        with self.engine.begin() as connection:
            if self.backend == "postgresql":
                names = ", ".join(f'"{t.name}"' for t in tables)
                connection.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            else:
                for table in reversed(tables):
                    connection.execute(table.delete())
                if connection.execute(
                    sa.text("SELECT 1 FROM sqlite_master WHERE name='sqlite_sequence'")
                ).first():
                    connection.execute(sa.text("DELETE FROM sqlite_sequence"))
            for table in tables:
                if table.name in self._reference:
                    connection.execute(table.insert(), self._reference[table.name])

    def dispose(self) -> None:
        """Close connections and drop a PostgreSQL database."""
        self.engine.dispose()
        if self.backend == "postgresql":
            drop_postgres_database(self.url)


def copy_sqlite(source: Path, target: Path) -> None:
    """Copy a SQLite file (tests that want their own file)."""
    shutil.copyfile(source, target)
