"""Migration 0015 encrypts the personal data rows already hold (and going down decrypts it);
``rotate_data_keys`` re-seals every value under the first key, batch by batch, idempotently."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from domain.model import (
    DEMO_DATA_KEYS,
    Blob,
    DataKey,
    DataKeys,
    Person,
    Student,
    Transcript,
    envelope_key_id,
    use_data_keys,
)
from tests.support.databases import backends, drop_postgres_database, fresh_database_url
from workflow import create_database_engine
from workflow._data_rewrite import encrypted_columns, rotate_data_keys
from workflow._migrations import alembic_config, downgrade, upgrade
from workflow._transfer_students import find_student

PERSONAL_ID = "079123456789"
STAFF_ID = "079987654321"
PHONE = "0901234567"
AT = datetime(2026, 11, 29, 2, 0)
PDF = b"%PDF-1.7 MaDinhDanh " + PERSONAL_ID.encode()
DATA = {"HocSinh": {"MaDinhDanh": PERSONAL_ID, "HoVaTen": "Nguyễn Văn An"}}


@pytest.fixture(params=backends())
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    url = fresh_database_url(request.param, tmp_path, "encryption")
    made = create_database_engine(url)
    try:
        yield made
    finally:
        made.dispose()
        use_data_keys(DEMO_DATA_KEYS)
        if request.param == "postgresql":
            drop_postgres_database(url)


def fill_before_encryption(engine: Engine) -> None:
    """Rows as revision 0014 stored them: personal data in clear."""
    tables = sa.MetaData()
    tables.reflect(engine)
    rows: list[tuple[str, dict[str, object]]] = [
        ("people", {"id": 1, "username": "gv", "full_name": "GV", "is_active": True,
                    "personal_id": STAFF_ID, "phone": PHONE}),
        ("schools", {"id": 1, "code": "79000001", "name": "THCS", "department_code": "79",
                     "level": "THCS"}),
        ("school_years", {"id": 1, "department_code": "79", "name": "2025-2026",
                          "starts_on": date(2025, 9, 1), "ends_on": date(2026, 5, 31),
                          "main_lock_at": AT, "supplementary_lock_at": AT}),
        ("classes", {"id": 1, "school_id": 1, "school_year_id": 1, "name": "6A1", "grade": 6}),
        ("students", {"id": 1, "personal_id": PERSONAL_ID, "full_name": "Nguyễn Văn An",
                      "date_of_birth": date(2014, 1, 2), "gender": "Nam", "ethnicity": "Kinh",
                      "nationality": "Việt Nam", "birthplace": ""}),
        ("transcripts", {"id": "t-1", "student_id": 1, "school_id": 1, "school_year_id": 1,
                         "class_id": 1, "kind": "CaNam", "version": 1, "status": "draft",
                         "supplementary": False, "data": DATA, "created_at": AT,
                         "updated_at": AT, "row_version": 1}),
        ("blobs", {"sha256": "a" * 64, "media_type": "application/pdf", "size": len(PDF),
                   "content": PDF, "created_at": AT}),
    ]  # fmt: skip
    with engine.begin() as connection:
        for name, row in rows:
            connection.execute(tables.tables[name].insert(), row)


def raw_dump(engine: Engine) -> str:
    """Every text and byte value of the touched tables, as stored."""
    parts: list[str] = []
    with engine.connect() as connection:
        for table in ("people", "students", "transcripts", "blobs"):
            for row in connection.execute(sa.text(f"SELECT * FROM {table}")):
                parts.extend(
                    bytes(v).decode("latin-1") if isinstance(v, bytes | memoryview) else str(v)
                    for v in row
                )
    return "\n".join(parts)


def test_the_migration_encrypts_existing_rows_and_the_application_still_reads_them(
    engine: Engine,
) -> None:
    upgrade(engine, "0014")
    fill_before_encryption(engine)
    assert PERSONAL_ID in raw_dump(engine)

    upgrade(engine)

    stored = raw_dump(engine)
    for value in (PERSONAL_ID, STAFF_ID, PHONE):
        assert value not in stored
    with Session(engine) as session:
        student = find_student(session, PERSONAL_ID)
        assert student is not None
        assert student.personal_id == PERSONAL_ID
        person = session.get(Person, 1)
        assert person is not None
        assert (person.personal_id, person.phone) == (STAFF_ID, PHONE)
        transcript = session.get(Transcript, "t-1")
        assert transcript is not None
        assert transcript.data == DATA
        blob = session.get(Blob, "a" * 64)
        assert blob is not None
        assert bytes(blob.content) == PDF


def test_plain_alembic_migrates_the_same_way_keeping_every_row_that_points_at_a_rebuilt_table(
    engine: Engine,
) -> None:
    command.upgrade(alembic_config(engine), "0014")
    fill_before_encryption(engine)

    command.upgrade(alembic_config(engine), "head")

    with Session(engine) as session:
        transcript = session.get(Transcript, "t-1")
        assert transcript is not None
        assert transcript.data == DATA
        student = find_student(session, PERSONAL_ID)
        assert student is not None and student.id == transcript.student_id


def test_going_down_decrypts_every_value_again(engine: Engine) -> None:
    upgrade(engine, "0014")
    fill_before_encryption(engine)
    upgrade(engine)
    downgrade(engine, "0014")

    with engine.connect() as connection:
        student = connection.execute(sa.text("SELECT personal_id FROM students")).scalar_one()
        phone = connection.execute(sa.text("SELECT phone FROM people")).scalar_one()
        data = connection.execute(sa.text("SELECT data FROM transcripts")).scalar_one()
        content = connection.execute(sa.text("SELECT content FROM blobs")).scalar_one()
    assert (student, phone) == (PERSONAL_ID, PHONE)
    assert (json.loads(data) if isinstance(data, str) else data) == DATA
    assert bytes(content) == PDF


def stored_key_ids(engine: Engine) -> set[str]:
    found = set()
    with engine.connect() as connection:
        for target in encrypted_columns():
            query = f"SELECT {target.column} FROM {target.table}"
            for (value,) in connection.execute(sa.text(query)):
                if value is None:
                    continue
                envelope = bytes(value) if target.binary else base64.b64decode(value)
                found.add(envelope_key_id(envelope, column=target.name))
    return found


def test_rotation_re_seals_every_value_under_the_new_first_key_and_a_rerun_changes_nothing(
    engine: Engine,
) -> None:
    upgrade(engine)
    with Session(engine) as session:
        session.add(Person(username="gv", full_name="GV", personal_id=STAFF_ID, phone=PHONE))
        for number in range(5):
            session.add(
                Student(
                    personal_id=f"0791234567{number:02d}",
                    full_name="Học sinh",
                    date_of_birth=date(2014, 1, 2),
                    gender="Nam",
                )
            )
        session.add(
            Blob(sha256="b" * 64, media_type="application/pdf", size=len(PDF), content=PDF,
                 created_at=datetime(2026, 11, 29, tzinfo=UTC))
        )  # fmt: skip
        session.commit()
    assert stored_key_ids(engine) == {"demo1"}

    new = DataKey("k2026", bytes(range(1, 33)))
    use_data_keys(DataKeys((new, *DEMO_DATA_KEYS.keys), DEMO_DATA_KEYS.index_key))
    counts = rotate_data_keys(engine, batch_size=2)
    assert counts["students.personal_id"] == 5
    assert counts["people.phone"] == 1
    assert counts["blobs.content"] == 1
    assert stored_key_ids(engine) == {"k2026"}
    assert sum(rotate_data_keys(engine, batch_size=2).values()) == 0

    # The old key can go: every value opens with the new one alone.
    use_data_keys(DataKeys((new,), DEMO_DATA_KEYS.index_key))
    with Session(engine) as session:
        assert find_student(session, "079123456703") is not None
        person = session.exec(select(Person)).one()
        assert (person.personal_id, person.phone) == (STAFF_ID, PHONE)
        blob = session.get(Blob, "b" * 64)
        assert blob is not None
        assert bytes(blob.content) == PDF
