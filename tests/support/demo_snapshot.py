"""The demo school, seeded once per backend and test run, copied into each database that wants it.

Seeding plays the whole demo script with real signatures (about a minute); the modules that
start from the seeded demo only need its rows. The first worker to ask seeds its database
for real and keeps every row; the others empty theirs and insert those rows — the same
rows, on the same backend, signed by the same shared demo PKI (``demo_pki``).
"""

from __future__ import annotations

import hashlib
import pickle
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlmodel import SQLModel

from tests.support.demo_pki import demo_pki
from tests.support.shared_run import run_directory, run_lock
from workflow import DemoSummary, seed_demo

Rows = dict[str, list[dict[str, Any]]]


def seeded_demo(engine: Engine, *, now: datetime) -> DemoSummary:
    """Fill ``engine``'s just-migrated database with the demo seeded at ``now``.

    Whatever the database held beyond the migrations' reference rows is replaced.
    """
    backend = engine.dialect.name
    stamp = hashlib.sha256(now.isoformat().encode()).hexdigest()[:12]
    path = run_directory() / f"demo-{backend}-{stamp}.pickle"
    with run_lock(f"demo-{backend}-{stamp}"):
        if not path.exists():
            summary = seed_demo(engine, now=now, pki=demo_pki())
            _keep(path, summary, _rows(engine))
            return summary
    summary, rows = pickle.loads(path.read_bytes())
    with engine.begin() as connection:
        _empty(connection)
        for table in SQLModel.metadata.sorted_tables:
            if rows.get(table.name):
                connection.execute(table.insert(), rows[table.name])
        _restart_sequences(connection)
    assert isinstance(summary, DemoSummary)
    return summary


def _keep(path: Path, summary: DemoSummary, rows: Rows) -> None:
    partial = path.with_suffix(".partial")
    partial.write_bytes(pickle.dumps((summary, rows)))
    partial.replace(path)


def _rows(engine: Engine) -> Rows:
    with engine.connect() as connection:
        return {
            table.name: [dict(row._mapping) for row in connection.execute(sa.select(table))]
            for table in SQLModel.metadata.sorted_tables
        }


def _empty(connection: Connection) -> None:
    tables = SQLModel.metadata.sorted_tables
    if connection.dialect.name == "postgresql":
        names = ", ".join(f'"{table.name}"' for table in tables)
        connection.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        return
    for table in reversed(tables):
        connection.execute(table.delete())


def _restart_sequences(connection: Connection) -> None:
    """Let the next generated id follow the copied ones (PostgreSQL; SQLite does it itself)."""
    if connection.dialect.name != "postgresql":
        return
    for table in SQLModel.metadata.sorted_tables:
        keys = list(table.primary_key.columns)
        if len(keys) != 1 or not isinstance(keys[0].type, sa.Integer):
            continue
        column = keys[0].name
        sequence = connection.execute(
            sa.text("SELECT pg_get_serial_sequence(:table, :column)"),
            {"table": f'"{table.name}"', "column": column},
        ).scalar_one()
        if sequence is not None:
            connection.execute(
                sa.text(
                    f'SELECT setval(:sequence, COALESCE(MAX("{column}"), 1), '
                    f'MAX("{column}") IS NOT NULL) FROM "{table.name}"'
                ),
                {"sequence": sequence},
            )
