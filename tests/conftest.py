"""Shared fixtures: migrated databases on every configured backend, and the test school."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings
from sqlalchemy.engine import Engine

from domain.model import DEMO_DATA_KEYS, use_data_keys
from tests.support.databases import MigratedDatabase, backends
from tests.support.world import World, build_world

# Property tests are deterministic in CI: no deadline on a loaded 2-core machine, no example
# database carried between runs, the same examples every time.
settings.register_profile("hocba", deadline=None, database=None, derandomize=True)
settings.load_profile("hocba")

# Personal data is encrypted at rest; tests use the published demo keys (the CLI tests pass
# the same keys to the commands they run, tests/support/cli.py).
use_data_keys(DEMO_DATA_KEYS)


@pytest.fixture(scope="session", params=backends())
def migrated(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[MigratedDatabase]:
    """One migrated database per backend for the whole run."""
    database = MigratedDatabase(request.param, Path(tmp_path_factory.mktemp("db")))
    yield database
    database.dispose()


@pytest.fixture
def engine(migrated: MigratedDatabase) -> Engine:
    """An engine on a just-migrated, empty database."""
    migrated.reset()
    return migrated.engine


@pytest.fixture
def world(engine: Engine) -> World:
    """The test school, built fresh for each test."""
    return build_world(engine)
