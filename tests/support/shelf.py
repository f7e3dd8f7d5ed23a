"""Transcripts in every state, built once and lent to the tests that must not change them."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlmodel import Session

from domain.model import CorrectionRequest, TranscriptKind, TranscriptStatus
from tests.support.databases import MigratedDatabase
from tests.support.footprints import Footprint, footprint
from tests.support.journeys import REASON, drive_to, file_entry_correction
from tests.support.world import BEFORE_LOCK, World, build_world
from workflow import Actor


def file_stray_request(world: World, transcript_id: str) -> int:
    """A pending correction request naming the transcript, put on file directly.

    Only a finalized transcript can be the subject of a real request; the tables need one on
    every transcript so the Department's events can be fired at any state (and be refused).
    """
    with Session(world.engine) as session:
        request = CorrectionRequest(
            transcript_id=transcript_id,
            requested_by_id=world.people["hieutruong"],
            reason=REASON,
            created_at=BEFORE_LOCK,
        )
        session.add(request)
        session.commit()
        assert request.id is not None
        return request.id


@dataclass
class SteadyWorld(World):
    """A world whose duties never change, so each actor is loaded once per instant."""

    _actors: dict[tuple[str, datetime], Actor] = field(default_factory=dict, repr=False)

    @classmethod
    def of(cls, world: World) -> SteadyWorld:
        return cls(**{f.name: getattr(world, f.name) for f in fields(World)})

    def actor(self, username: str, at: datetime = BEFORE_LOCK) -> Actor:
        if (username, at) not in self._actors:
            self._actors[(username, at)] = super().actor(username, at)
        return self._actors[(username, at)]


class StateShelf:
    """One transcript per (kind, state), built once, lent to tests that must not change it.

    A refused event changes nothing, so every test of a refusal can borrow the same
    transcript. The shelf checks, each time it lends one, that nothing changed since it was
    built; if something did (a refusal that was not one), it builds a fresh one, so one wrong
    outcome never spills into other tests. Every transcript on the shelf has a pending
    correction request on file (its real one in ``correction_requested``, a stray one
    elsewhere) for the Department's events to act on, and a pending entry correction for
    the principal's ``reopen_for_correction``.
    """

    def __init__(self, world: World) -> None:
        self.world = SteadyWorld.of(world)
        self._lent: dict[tuple[TranscriptKind, TranscriptStatus], tuple[str, Any]] = {}

    def lend(self, kind: TranscriptKind, state: TranscriptStatus) -> tuple[str, Footprint]:
        """A transcript of ``kind`` in ``state``, exactly as built, and its footprint now."""
        kept = self._lent.get((kind, state))
        if kept is not None:
            now = footprint(self.world.engine, kept[0])
            if now.around == kept[1]:
                return kept[0], now
        transcript_id = drive_to(self.world, kind, state)
        if state is not TranscriptStatus.CORRECTION_REQUESTED:
            file_stray_request(self.world, transcript_id)
        file_entry_correction(self.world, transcript_id)
        now = footprint(self.world.engine, transcript_id)
        self._lent[(kind, state)] = (transcript_id, now.around)
        return transcript_id, now


class Shelves:
    """A database per backend, each with the test school and a ``StateShelf`` on it.

    Separate from the ``migrated`` fixture's databases, which other tests reset: the
    transcripts on a shelf must outlive a test.
    """

    def __init__(self, directory: Path) -> None:
        self._directory = directory
        self._databases: dict[str, MigratedDatabase] = {}
        self._shelves: dict[str, StateShelf] = {}

    def __getitem__(self, backend: str) -> StateShelf:
        if backend not in self._shelves:
            database = MigratedDatabase(backend, self._directory)
            self._databases[backend] = database
            self._shelves[backend] = StateShelf(build_world(database.engine))
        return self._shelves[backend]

    def close(self) -> None:
        """Drop the databases."""
        for database in self._databases.values():
            database.dispose()
