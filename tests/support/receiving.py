"""A second database with a second school, to receive what the first one exports."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session

from domain.model import Person, Role, RoleAssignment, School, SchoolYear
from tests.support.clock import vn
from tests.support.databases import drop_postgres_database, fresh_database_url
from workflow import Actor, UnitOfWork, create_database_engine, load_actor
from workflow._migrations import upgrade

SINCE = vn(2025, 9, 1)


@dataclass
class ReceivingSchool:
    """A school in its own, freshly migrated database, with its academic affairs officer."""

    engine: Engine
    school_id: int
    officer_id: int

    def uow(self) -> UnitOfWork:
        """A unit of work on this database."""
        return UnitOfWork(self.engine)

    def officer(self, at: datetime) -> Actor:
        """The academic affairs officer, as an actor at ``at``."""
        with Session(self.engine) as session:
            return load_actor(session, self.officer_id, at=at)


def _build(engine: Engine) -> ReceivingSchool:
    with Session(engine) as session:
        school = School(code="79000777", name="Trường THCS Nhận Chuyển", department_code="79")
        year = SchoolYear(
            department_code="79",
            name="2026-2027",
            starts_on=date(2026, 9, 5),
            ends_on=date(2027, 5, 31),
            main_lock_at=vn(2027, 6, 30, 23, 59, 59),
            supplementary_lock_at=vn(2027, 8, 15, 23, 59, 59),
        )
        officer = Person(username="hocvu.nhan", full_name="Lê Thị Nhận")
        session.add_all([school, year, officer])
        session.flush()
        assert school.id is not None and officer.id is not None
        session.add(
            RoleAssignment(
                person_id=officer.id,
                role=Role.ACADEMIC_AFFAIRS,
                school_id=school.id,
                valid_from=SINCE,
            )
        )
        session.commit()
        return ReceivingSchool(engine, school.id, officer.id)


@contextmanager
def receiving_school(backend: str, directory: Path) -> Iterator[ReceivingSchool]:
    """A fresh database of ``backend`` holding one receiving school; dropped afterwards."""
    url = fresh_database_url(backend, directory, "receiving")
    engine = create_database_engine(url)
    try:
        upgrade(engine)
        yield _build(engine)
    finally:
        engine.dispose()
        if backend == "postgresql":
            drop_postgres_database(url)
