"""Backups of a real database on each backend, and the restores they allow or refuse.

The test school is small (no signed files: the demo's signed transcripts are backed up in
tests/functional/test_backup_cli.py); the time of each backup is given, never read.
"""

from __future__ import annotations

import hashlib
import io
import json
import sqlite3
import tarfile
import threading
from collections.abc import Iterator
from contextlib import closing
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session

from tests.support.clock import vn
from tests.support.databases import drop_postgres_database, fresh_database_url
from tests.support.world import BEFORE_LOCK, World
from workflow import (
    ArchiveDamagedError,
    BackupError,
    BackupKey,
    BackupKeyError,
    TargetNotEmptyError,
    archives_in,
    check_archive,
    create_backup,
    create_database_engine,
    record_data,
    restore_backup,
    verify_audit_chain,
)
from workflow._backup_archive import Manifest, MemberEntry, write_archive
from workflow._backup_crypto import DecryptingReader
from workflow._backup_snapshot import code_heads, count_rows, libpq_arguments, user_tables

KEY = BackupKey.from_text("test-backup-key-0123456789abcdef", source="the test")
OTHER_KEY = BackupKey.from_text("another-backup-key-0123456789abcdef", source="the other test")
AT = vn(2026, 11, 29, 2, 0)


def counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return count_rows(connection, user_tables(connection))


def backup(engine: Engine, *destinations: Path, keep: int = 5, at: datetime = AT) -> Path:
    report = create_backup(engine, destinations=list(destinations), key=KEY, now=at, keep=keep)
    assert report.ok, report.failed
    return report.written[0]


class Targets:
    """Empty databases to restore into, dropped at the end."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.made: list[str] = []

    def empty(self, backend: str) -> str:
        url = fresh_database_url(backend, self.directory, "restore")
        self.made.append(url)
        return url


@pytest.fixture
def targets(tmp_path: Path) -> Iterator[Targets]:
    made = Targets(tmp_path)
    yield made
    for url in made.made:
        if url.startswith("postgresql"):
            drop_postgres_database(url)


def backend_of(engine: Engine) -> str:
    return "postgresql" if engine.dialect.name == "postgresql" else "sqlite"


def is_empty(url: str) -> bool:
    if url.startswith("sqlite"):
        return not Path(url.removeprefix("sqlite:///")).exists()
    engine = create_database_engine(url)
    try:
        with engine.connect() as connection:
            return user_tables(connection) == []
    finally:
        engine.dispose()


def test_a_backup_restores_into_an_empty_database_with_every_row_and_the_audit_chain(
    world: World, tmp_path: Path, targets: Targets
) -> None:
    world.new_transcript(student=0)
    world.new_transcript(student=1)
    archive = backup(world.engine, tmp_path)
    target = targets.empty(backend_of(world.engine))
    report = restore_backup(archive, database_url=target, key=KEY)
    assert report.row_count_mismatches == {}
    assert report.upgraded_from is None
    restored = create_database_engine(target)
    try:
        assert counts(restored) == counts(world.engine)
        with Session(restored) as session:
            audit = verify_audit_chain(session)
        assert audit.ok
        assert audit.entries == counts(world.engine)["audit_events"] > 0
    finally:
        restored.dispose()


def test_a_backup_taken_while_use_cases_keep_writing_is_consistent(
    world: World, tmp_path: Path, targets: Targets
) -> None:
    """The audit log's head and its entries are written in one transaction: a torn copy would
    break the chain. Whatever the interleaving, the restored chain holds and every table has
    the rows its manifest counted."""
    transcript = world.new_transcript(student=0)
    teacher = world.actor("gvcn.6a1")
    stop = threading.Event()
    written: list[int] = []

    def keep_writing() -> None:
        while not stop.is_set() or not written:
            record_data(
                world.uow(),
                transcript_id=transcript,
                data={"note": f"entry {len(written)}"},
                actor=teacher,
                now=BEFORE_LOCK,
            )
            written.append(1)

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        archive = backup(world.engine, tmp_path)
    finally:
        stop.set()
        writer.join()
    target = targets.empty(backend_of(world.engine))
    report = restore_backup(archive, database_url=target, key=KEY)
    assert report.row_count_mismatches == {}
    restored = create_database_engine(target)
    try:
        with Session(restored) as session:
            audit = verify_audit_chain(session)
        assert audit.ok, audit.first_break
        assert audit.entries == report.manifest.row_counts["audit_events"]
    finally:
        restored.dispose()
    assert counts(world.engine)["audit_events"] >= audit.entries


def test_the_manifest_records_the_database_its_migration_its_rows_and_each_members_hash(
    world: World, tmp_path: Path
) -> None:
    archive = backup(world.engine, tmp_path)
    manifest = check_archive(archive, key=KEY)
    assert manifest.format_version == 1
    assert manifest.created_at == AT
    assert manifest.database_kind == backend_of(world.engine)
    assert (manifest.migration_head,) == code_heads(world.engine)
    assert manifest.row_counts == counts(world.engine)
    assert [m.name for m in manifest.members] == [manifest.database_member]
    assert len(manifest.members[0].sha256) == 64


def test_the_archive_is_named_by_its_utc_instant(world: World, tmp_path: Path) -> None:
    archive = backup(world.engine, tmp_path)
    assert archive.name == "hocba-20261128T190000.000000Z.hocba-backup"


def test_every_destination_gets_the_same_archive(world: World, tmp_path: Path) -> None:
    first, second = tmp_path / "site-a", tmp_path / "site-b"
    first.mkdir()
    second.mkdir()
    report = create_backup(world.engine, destinations=[first, second], key=KEY, now=AT, keep=5)
    assert report.ok
    assert [p.parent for p in report.written] == [first, second]
    contents = [p.read_bytes() for p in report.written]
    assert contents[0] == contents[1]
    assert hashlib.sha256(contents[0]).hexdigest() == report.sha256
    assert report.size == len(contents[0])
    assert sorted(p.name for p in first.iterdir()) == [report.name]  # no temporary file left


def test_a_destination_that_cannot_be_written_is_reported_and_the_others_are_written(
    world: World, tmp_path: Path
) -> None:
    good, missing = tmp_path / "good", tmp_path / "not-mounted"
    good.mkdir()
    report = create_backup(world.engine, destinations=[missing, good], key=KEY, now=AT, keep=5)
    assert not report.ok
    assert report.written == (good / report.name,)
    assert [(path, "is not a directory" in why) for path, why in report.failed] == [(missing, True)]
    assert not missing.exists()  # never created: it may be an unmounted disk


def test_retention_keeps_the_newest_archives_and_never_touches_other_files(
    world: World, tmp_path: Path
) -> None:
    (tmp_path / "notes.txt").write_text("the operator's own file")
    (tmp_path / "hocba-old-style.hocba-backup.bak").write_text("not one of ours")
    days = [vn(2026, 11, day, 2, 0) for day in (25, 26, 27, 28, 29)]
    for at in days:
        backup(world.engine, tmp_path, keep=3, at=at)
    kept = archives_in(tmp_path)
    assert [p.name for p in kept] == [
        "hocba-20261126T190000.000000Z.hocba-backup",
        "hocba-20261127T190000.000000Z.hocba-backup",
        "hocba-20261128T190000.000000Z.hocba-backup",
    ]
    assert (tmp_path / "notes.txt").exists()
    assert (tmp_path / "hocba-old-style.hocba-backup.bak").exists()


def test_a_backup_with_a_name_already_taken_is_not_overwritten(
    world: World, tmp_path: Path
) -> None:
    first = backup(world.engine, tmp_path)
    before = first.read_bytes()
    report = create_backup(world.engine, destinations=[tmp_path], key=KEY, now=AT, keep=5)
    assert [("already exists" in why) for _, why in report.failed] == [True]
    assert first.read_bytes() == before


def test_no_destination_and_a_keep_below_one_are_refused(world: World, tmp_path: Path) -> None:
    with pytest.raises(BackupError, match="no backup destination"):
        create_backup(world.engine, destinations=[], key=KEY, now=AT, keep=5)
    with pytest.raises(BackupError, match="keep must be at least 1"):
        create_backup(world.engine, destinations=[tmp_path], key=KEY, now=AT, keep=0)
    assert list(tmp_path.iterdir()) == []


def test_a_restore_into_a_database_that_holds_tables_is_refused_and_changes_nothing(
    world: World, tmp_path: Path
) -> None:
    world.new_transcript(student=0)
    archive = backup(world.engine, tmp_path)
    before = counts(world.engine)
    url = world.engine.url.render_as_string(hide_password=False)
    with pytest.raises(TargetNotEmptyError, match="is not empty") as refused:
        restore_backup(archive, database_url=url, key=KEY)
    assert "restore only into a new, empty database" in refused.value.message
    assert counts(world.engine) == before


def test_an_archive_made_with_another_key_is_refused_and_nothing_is_written(
    world: World, tmp_path: Path, targets: Targets
) -> None:
    archive = backup(world.engine, tmp_path)
    target = targets.empty(backend_of(world.engine))
    with pytest.raises(BackupKeyError, match="does not open this archive"):
        restore_backup(archive, database_url=target, key=OTHER_KEY)
    assert is_empty(target)


@pytest.mark.parametrize("where", ["header", "middle", "end"])
def test_an_altered_archive_is_refused_and_nothing_is_written(
    world: World, tmp_path: Path, targets: Targets, where: str
) -> None:
    archive = backup(world.engine, tmp_path)
    data = bytearray(archive.read_bytes())
    position = {"header": 40, "middle": len(data) // 2, "end": len(data) - 3}[where]
    data[position] ^= 0x20
    archive.write_bytes(bytes(data))
    target = targets.empty(backend_of(world.engine))
    with pytest.raises((ArchiveDamagedError, BackupKeyError)):
        restore_backup(archive, database_url=target, key=KEY)
    assert is_empty(target)


def test_a_cut_off_archive_is_refused_and_nothing_is_written(
    world: World, tmp_path: Path, targets: Targets
) -> None:
    archive = backup(world.engine, tmp_path)
    archive.write_bytes(archive.read_bytes()[:-100])
    target = targets.empty(backend_of(world.engine))
    with pytest.raises(ArchiveDamagedError, match="ends early"):
        restore_backup(archive, database_url=target, key=KEY)
    assert is_empty(target)


def _rewritten(archive: Path, change: object, tmp_path: Path) -> Path:
    """The archive re-sealed (with the right key) after ``change(manifest_json, files)``."""
    work = tmp_path / "unpacked"
    work.mkdir()
    with archive.open("rb") as source:
        plain = DecryptingReader(source, KEY).read()
    files: dict[str, Path] = {}
    with tarfile.open(fileobj=io.BytesIO(plain), mode="r:gz") as tar:
        manifest_json = json.loads(tar.extractfile("manifest.json").read())  # type: ignore[union-attr]
        for info in tar.getmembers()[1:]:
            files[info.name] = work / info.name
            files[info.name].write_bytes(tar.extractfile(info).read())  # type: ignore[union-attr]
    change(manifest_json, files)  # type: ignore[operator]
    manifest = Manifest.from_json(manifest_json)
    out = tmp_path / "forged.hocba-backup"
    with out.open("wb") as sink:
        write_archive(sink, manifest=manifest, files=files, key=KEY)
    return out


def test_a_member_that_does_not_match_its_manifest_is_refused(
    world: World, tmp_path: Path, targets: Targets
) -> None:
    def swap_database(manifest: dict[str, object], files: dict[str, Path]) -> None:
        (member,) = files.values()
        data = bytearray(member.read_bytes())
        data[-1] ^= 0xFF
        member.write_bytes(bytes(data))

    forged = _rewritten(backup(world.engine, tmp_path), swap_database, tmp_path)
    target = targets.empty(backend_of(world.engine))
    with pytest.raises(ArchiveDamagedError, match="does not match its manifest"):
        restore_backup(forged, database_url=target, key=KEY)
    assert is_empty(target)


def test_an_archive_of_a_migration_this_version_does_not_know_is_refused(
    world: World, tmp_path: Path, targets: Targets
) -> None:
    def from_the_future(manifest: dict[str, object], files: dict[str, Path]) -> None:
        manifest["database"]["migration_head"] = "9999"  # type: ignore[index]

    forged = _rewritten(backup(world.engine, tmp_path), from_the_future, tmp_path)
    target = targets.empty(backend_of(world.engine))
    with pytest.raises(BackupError, match="migration 9999, which this version of hocba"):
        restore_backup(forged, database_url=target, key=KEY)
    assert is_empty(target)


def test_a_manifest_listing_a_path_outside_the_archive_is_refused() -> None:
    data = {
        "format_version": 1,
        "created_at": AT.isoformat(),
        "hocba_version": "0.1.0",
        "database": {
            "kind": "sqlite",
            "member": "../../etc/passwd",
            "migration_head": "0007",
            "server_version": "SQLite",
        },
        "row_counts": {},
        "members": [{"name": "../../etc/passwd", "size": 1, "sha256": "0" * 64}],
    }
    with pytest.raises(ArchiveDamagedError, match="unexpected members"):
        Manifest.from_json(data)
    assert MemberEntry("x", 1, "0" * 64).name == "x"


def test_a_missing_archive_is_named(tmp_path: Path, targets: Targets) -> None:
    target = targets.empty("sqlite")
    with pytest.raises(BackupError, match="there is no archive at"):
        restore_backup(tmp_path / "nothing.hocba-backup", database_url=target, key=KEY)
    assert is_empty(target)


def test_a_sqlite_file_restores_only_where_no_file_is(world: World, tmp_path: Path) -> None:
    if backend_of(world.engine) != "sqlite":
        return  # the PostgreSQL case is the test above with a migrated database
    archive = backup(world.engine, tmp_path)
    occupied = tmp_path / "occupied.db"
    # Copied through SQLite: closing a plain file descriptor of the live database would drop
    # this process's SQLite locks on it.
    with (
        closing(sqlite3.connect(str(world.engine.url.database))) as source,
        closing(sqlite3.connect(occupied)) as copy,
    ):
        source.backup(copy)
    with pytest.raises(TargetNotEmptyError):
        restore_backup(archive, database_url=f"sqlite:///{occupied}", key=KEY)


def test_an_archive_restores_only_into_its_own_kind_of_database(
    world: World, tmp_path: Path, targets: Targets
) -> None:
    kind = backend_of(world.engine)
    other = "postgresql" if kind == "sqlite" else "sqlite"

    def other_kind(manifest: dict[str, object], files: dict[str, Path]) -> None:
        manifest["database"]["kind"] = other  # type: ignore[index]

    forged = _rewritten(backup(world.engine, tmp_path), other_kind, tmp_path)
    target = targets.empty(kind)
    with pytest.raises(BackupError, match=f"holds a {other} database.*into {kind} is not supp"):
        restore_backup(forged, database_url=target, key=KEY)
    assert is_empty(target)


def test_the_database_password_reaches_pg_dump_through_its_environment_only() -> None:
    url = make_url("postgresql+psycopg://hocba:s3cr%40t@db-host:5433/hocba?sslmode=require")
    uri, environment = libpq_arguments(url)
    assert uri == "postgresql://hocba@db-host:5433/hocba?sslmode=require"
    assert "s3cr" not in uri
    assert environment["PGPASSWORD"] == "s3cr@t"
