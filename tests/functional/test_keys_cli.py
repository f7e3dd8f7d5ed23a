"""``hocba keys``: new keys are printed, a missing key stops a command with its name, and
``hocba keys rotate`` re-encrypts everything under the new first key, once."""

from __future__ import annotations

import base64
import re
from datetime import date
from pathlib import Path

from sqlmodel import Session, select

from domain.model import (
    DEMO_DATA_KEYS,
    DataKeys,
    Person,
    Student,
    parse_data_keys,
    personal_id_index,
    phone_index,
    use_data_keys,
)
from tests.support.cli import DEMO_KEY_SETTINGS, hocba
from workflow import create_database_engine
from workflow._migrations import upgrade
from workflow._transfer_students import find_student


def test_keys_new_prints_an_entry_the_settings_accept(tmp_path: Path) -> None:
    entry = hocba("keys", "new", "--id", "k2027", cwd=tmp_path)
    index = hocba("keys", "new", "--index", cwd=tmp_path)
    assert entry.returncode == 0 and index.returncode == 0
    assert re.fullmatch(r"k2027:[A-Za-z0-9+/]{43}=\n", entry.stdout)
    assert "FIRST in HOCBA_DATA_KEYS" in entry.stderr
    keys = parse_data_keys(entry.stdout.strip(), index.stdout.strip())
    assert keys.current_id == "k2027"


def test_a_command_without_data_keys_outside_demo_mode_stops_naming_the_settings(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'x.db'}"
    done = hocba("db", "upgrade", cwd=tmp_path, env={"HOCBA_DATABASE_URL": url}, demo_keys=False)
    assert done.returncode == 2
    assert "HOCBA_DATA_KEYS and HOCBA_INDEX_KEY" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "x.db").exists()


def test_keys_rotate_re_encrypts_every_value_with_the_first_key_and_a_rerun_does_nothing(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'rotate.db'}"
    engine = create_database_engine(url)
    upgrade(engine)
    with Session(engine) as session:
        session.add(Person(username="me", full_name="Mẹ", phone="0901234567"))
        for number in range(3):
            session.add(
                Student(
                    personal_id=f"0791234567{number:02d}",
                    full_name="Học sinh",
                    date_of_birth=date(2014, 1, 2),
                    gender="Nữ",
                )
            )
        session.commit()
    engine.dispose()

    new = "k2027:" + base64.b64encode(bytes(range(32))).decode()
    env = {
        "HOCBA_DATABASE_URL": url,
        "HOCBA_DATA_KEYS": f"{new},{DEMO_KEY_SETTINGS['HOCBA_DATA_KEYS']}",
    }
    first = hocba("keys", "rotate", "--batch-size", "2", cwd=tmp_path, env=env)
    assert first.returncode == 0, first.stderr
    assert "students.personal_id: 3 re-encrypted" in first.stdout
    assert "people.phone: 1 re-encrypted" in first.stdout
    again = hocba("keys", "rotate", cwd=tmp_path, env=env)
    assert "under key k2027: 0 rewritten" in again.stdout

    try:
        use_data_keys(parse_data_keys(new, DEMO_KEY_SETTINGS["HOCBA_INDEX_KEY"]))
        engine = create_database_engine(url)
        with Session(engine) as session:
            assert find_student(session, "079123456701") is not None
            assert session.exec(select(Person.phone)).one() == "0901234567"
        engine.dispose()
    finally:
        use_data_keys(DEMO_DATA_KEYS)


def test_the_demo_keys_given_to_commands_are_the_published_ones() -> None:
    keys: DataKeys = parse_data_keys(
        DEMO_KEY_SETTINGS["HOCBA_DATA_KEYS"], DEMO_KEY_SETTINGS["HOCBA_INDEX_KEY"]
    )
    assert keys == DEMO_DATA_KEYS


def test_keys_reindex_rebuilds_every_look_up_under_a_new_index_key_and_a_rerun_does_nothing(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'reindex.db'}"
    engine = create_database_engine(url)
    upgrade(engine)
    with Session(engine) as session:
        session.add(
            Person(username="bo", full_name="Bố", phone="0901234567", personal_id="079123456789")
        )
        for number in range(3):
            session.add(
                Student(
                    personal_id=f"0791234567{number:02d}",
                    full_name="Học sinh",
                    date_of_birth=date(2014, 1, 2),
                    gender="Nữ",
                )
            )
        session.commit()
    engine.dispose()

    index = base64.b64encode(bytes(range(32, 64))).decode()
    new_keys = parse_data_keys(DEMO_KEY_SETTINGS["HOCBA_DATA_KEYS"], index)
    env = {"HOCBA_DATABASE_URL": url, "HOCBA_INDEX_KEY": index}
    first = hocba("keys", "reindex", "--batch-size", "2", cwd=tmp_path, env=env)
    assert first.returncode == 0, first.stderr
    assert "students.personal_id_index: 3 rebuilt" in first.stdout
    assert "people.personal_id_index: 1 rebuilt" in first.stdout
    assert "people.phone_index: 1 rebuilt" in first.stdout
    again = hocba("keys", "reindex", cwd=tmp_path, env=env)
    assert "under the current index key: 0 rebuilt" in again.stdout

    try:
        use_data_keys(new_keys)
        engine = create_database_engine(url)
        with Session(engine) as session:
            assert find_student(session, "079123456702") is not None
            person = session.exec(
                select(Person).where(Person.phone_index == phone_index("0901234567"))
            ).one()
            assert person.personal_id_index == personal_id_index("079123456789")
        engine.dispose()
    finally:
        use_data_keys(DEMO_DATA_KEYS)
