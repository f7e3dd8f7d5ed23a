"""Acceptance (issue 8): a database dump holds no personal ID or phone number in clear text,
after the demo is seeded (its finalized transcripts, signed files and outbox included), while
the application still reads every value and finds students by their personal ID."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, col, select

from domain.model import (
    Blob,
    OutboxMessage,
    Person,
    Student,
    Transcript,
    TranscriptStatus,
    mask_personal_id,
)
from tests.support.clock import vn
from tests.support.databases import MigratedDatabase
from tests.support.demo_snapshot import seeded_demo
from workflow._transfer_students import find_student

NOW = vn(2026, 11, 29, 9, 0)


@pytest.fixture(scope="module")
def seeded(migrated: MigratedDatabase) -> Engine:
    migrated.reset()
    seeded_demo(migrated.engine, now=NOW)
    return migrated.engine


def personal_values(engine: Engine) -> set[str]:
    """Every personal ID and phone number the database holds, read through the application."""
    with Session(engine) as session:
        values = set(session.exec(select(Student.personal_id)).all())
        for person in session.exec(select(Person)).all():
            values |= {v for v in (person.personal_id, person.phone) if v is not None}
        values |= set(session.exec(select(OutboxMessage.personal_id)).all())
    return values


def dump(engine: Engine, directory: Path) -> bytes:
    """What an attacker holding the database would read: the dump, and the raw files too."""
    url = make_url(engine.url)
    if url.get_backend_name() == "sqlite":
        assert url.database is not None
        database = Path(url.database)
        text = subprocess.run(
            ["sqlite3", str(database), ".dump"], capture_output=True, check=True
        ).stdout
        files = [database, *database.parent.glob(database.name + "-*")]
        # Read by another process: closing a file descriptor of the database in this one would
        # drop every SQLite lock this process holds on it (POSIX locks are per process), and
        # another connection could then delete the WAL under this process's open connections.
        raw = subprocess.run(
            ["cat", *(str(path) for path in files if path.exists())],
            capture_output=True,
            check=True,
        ).stdout
        return text + raw
    libpq = url.set(drivername="postgresql").render_as_string(hide_password=False)
    target = directory / "dump.sql"
    subprocess.run(["pg_dump", "--no-owner", "-f", str(target), libpq], check=True)
    return target.read_bytes()


def test_the_demo_holds_finalized_transcripts_personal_ids_phones_and_files(
    seeded: Engine,
) -> None:
    with Session(seeded) as session:
        statuses = set(session.exec(select(Transcript.status)).all())
        assert TranscriptStatus.FINALIZED in statuses
        assert session.exec(select(Blob)).first() is not None
        phones = session.exec(select(Person.phone).where(col(Person.phone).is_not(None))).all()
        assert phones
    assert len(personal_values(seeded)) >= 40


def test_a_database_dump_contains_no_personal_id_or_phone_number_in_clear_text(
    seeded: Engine, tmp_path: Path
) -> None:
    content = dump(seeded, tmp_path)
    found = sorted(v for v in personal_values(seeded) if v.encode("ascii") in content)
    assert found == [], [mask_personal_id(v) for v in found]


def test_a_student_is_found_by_the_personal_id_though_the_column_is_encrypted(
    seeded: Engine,
) -> None:
    with Session(seeded) as session:
        ids = session.exec(select(Student.personal_id)).all()
        for personal_id in ids[:5]:
            student = find_student(session, personal_id)
            assert student is not None
            assert student.personal_id == personal_id
        assert find_student(session, "079999999999") is None
