"""Fixtures of the integration tests: transcripts in every state, shared by refusal tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.databases import backends
from tests.support.shelf import Shelves, StateShelf


@pytest.fixture(scope="session")
def shelves(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shelves]:
    """The shelves, one per backend, made on first use and kept for the whole run (a
    narrower scope would rebuild them whenever xdist interleaves other tests)."""
    made = Shelves(Path(tmp_path_factory.mktemp("shelves")))
    yield made
    made.close()


@pytest.fixture(params=backends())
def shelf(request: pytest.FixtureRequest, shelves: Shelves) -> StateShelf:
    """The shelf of each configured backend, for tests whose events are all refused."""
    return shelves[request.param]
