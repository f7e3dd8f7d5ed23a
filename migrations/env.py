"""Alembic environment: runs with the connection or URL the ``hocba db`` command passes in."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection
from sqlmodel import SQLModel

import domain.model  # noqa: F401  (registers every table on SQLModel.metadata)
from workflow import create_database_engine
from workflow._migrations import migrating_connection

config = context.config
target_metadata = SQLModel.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Migrate over the given connection, or open one on ``sqlalchemy.url``."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    # Plain `alembic` gets the same transaction and SQLite foreign-key handling as `hocba db`.
    engine = create_database_engine(config.get_main_option("sqlalchemy.url") or "")
    try:
        with migrating_connection(engine) as connection:
            _run(connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline (SQL script) migrations are not supported; run `hocba db upgrade`")
run_migrations_online()
