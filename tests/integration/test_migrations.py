"""The Alembic scripts: they go up, down to nothing and up again, and match the models."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from domain.model import CATALOGUE, GENESIS_HASH
from tests.support.databases import backends, drop_postgres_database, fresh_database_url
from workflow import create_database_engine
from workflow._migrations import alembic_config, downgrade, upgrade

MODEL_TABLES = frozenset(SQLModel.metadata.tables)


def _head(engine: Engine) -> str | None:
    """The newest revision the shipped scripts define."""
    return ScriptDirectory.from_config(alembic_config(engine)).get_current_head()


VERSION_TABLE = "alembic_version"
TRACKING_TABLES = frozenset(
    {
        "score_lines",
        "homeroom_records",
        "year_end_records",
        "entry_windows",
        "entry_window_decisions",
        "entry_corrections",
    }
)
SCHEDULER_TABLES = frozenset({"scheduler_runs", "notifications"})
SIGNING_TABLES = frozenset({"signing_sessions", "signing_session_items"})
LOGIN_TABLES = frozenset({"login_failures", "certificate_challenges"})
OWN_COPIES_TABLES = frozenset({"share_links", "recovery_requests"})
OUTBOX_TABLES = frozenset({"outbox_messages", "city_registrations"})
TRANSFER_TABLES = frozenset({"transfers", "imported_transcripts"})
CONSENT_TABLES = frozenset({"consents"})
COPY_TABLES = frozenset({"certified_copies"})
AUDIT_HEAD = SQLModel.metadata.tables["audit_head"]
SUBJECTS = SQLModel.metadata.tables["subjects"]


@pytest.fixture(params=backends())
def empty_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An engine on a brand-new, empty database of each backend (not the shared suite one)."""
    backend: str = request.param
    url = fresh_database_url(backend, tmp_path, "migrations")
    engine = create_database_engine(url)
    try:
        yield engine
    finally:
        engine.dispose()
        if backend == "postgresql":
            drop_postgres_database(url)


def _tables(engine: Engine) -> set[str]:
    return set(sa.inspect(engine).get_table_names())


def _revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def _differences(connection: sa.Connection) -> list[Any]:
    # No type noise shows up: the migration names the same UTCDateTime TypeDecorator and
    # sqlmodel AutoString types as the models, so compare_type needs no custom comparator.
    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "compare_server_default": True}
    )
    return list(compare_metadata(context, SQLModel.metadata))


def test_upgrade_downgrade_to_base_and_upgrade_again(empty_engine: Engine) -> None:
    assert _tables(empty_engine) == set()

    upgrade(empty_engine)
    assert _tables(empty_engine) == MODEL_TABLES | {VERSION_TABLE}
    assert _revision(empty_engine) == _head(empty_engine)

    downgrade(empty_engine, "base")
    assert _tables(empty_engine) == {VERSION_TABLE}
    assert _revision(empty_engine) is None

    upgrade(empty_engine)
    assert _tables(empty_engine) == MODEL_TABLES | {VERSION_TABLE}
    assert _revision(empty_engine) == _head(empty_engine)
    with empty_engine.connect() as connection:
        assert _differences(connection) == []
        # The reference rows came back with the tables, exactly once.
        count = sa.select(sa.func.count())
        assert connection.execute(count.select_from(AUDIT_HEAD)).scalar_one() == 1
        assert connection.execute(count.select_from(SUBJECTS)).scalar_one() == len(CATALOGUE)


def test_the_later_revisions_go_down_to_the_initial_schema_and_up_again(
    empty_engine: Engine,
) -> None:
    upgrade(empty_engine)

    downgrade(empty_engine, "0001")
    later = (
        TRACKING_TABLES
        | SCHEDULER_TABLES
        | SIGNING_TABLES
        | LOGIN_TABLES
        | OWN_COPIES_TABLES
        | OUTBOX_TABLES
        | TRANSFER_TABLES
        | CONSENT_TABLES
        | COPY_TABLES
    )
    assert _tables(empty_engine) == (MODEL_TABLES - later) | {VERSION_TABLE}
    assert _revision(empty_engine) == "0001"

    upgrade(empty_engine)
    assert _tables(empty_engine) == MODEL_TABLES | {VERSION_TABLE}
    with empty_engine.connect() as connection:
        assert _differences(connection) == []


def test_the_models_match_the_migrated_schema(empty_engine: Engine) -> None:
    upgrade(empty_engine)
    with empty_engine.connect() as connection:
        assert _differences(connection) == []


def test_the_schema_comparison_notices_a_drift(empty_engine: Engine) -> None:
    # The check above is only worth something if a difference would show: drop an index the
    # models declare, inside a transaction that is rolled back.
    upgrade(empty_engine)
    with empty_engine.connect() as connection, connection.begin() as transaction:
        connection.execute(sa.text("DROP INDEX ix_audit_events_action"))
        differences = _differences(connection)
        transaction.rollback()
    assert [(d[0], d[1].name) for d in differences] == [("add_index", "ix_audit_events_action")]


def test_the_initial_migration_writes_the_audit_head_and_the_subject_catalogue(
    empty_engine: Engine,
) -> None:
    upgrade(empty_engine)
    with empty_engine.connect() as connection:
        head = connection.execute(sa.select(AUDIT_HEAD)).all()
        subjects = connection.execute(sa.select(SUBJECTS)).all()
    assert [(row.id, row.seq, row.hash) for row in head] == [(1, 0, GENESIS_HASH)]
    assert len(CATALOGUE) == 21
    assert {row.code: (row.name, row.kind) for row in subjects} == {
        info.code: (info.name, str(info.kind)) for info in CATALOGUE.values()
    }
    assert all(row.periods_per_year > 0 for row in subjects)
