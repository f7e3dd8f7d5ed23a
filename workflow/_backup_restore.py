"""``hocba restore``: an archive into an empty database of the same kind, after every member
was decrypted and checked; a refused archive leaves the target untouched."""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from workflow._backup_archive import Manifest, read_archive
from workflow._backup_crypto import BackupKey
from workflow._backup_errors import ArchiveDamagedError, BackupError, TargetNotEmptyError
from workflow._backup_snapshot import (
    code_heads,
    count_rows,
    known_revision,
    libpq_arguments,
    migration_head,
    run_tool,
    sqlite_path,
    user_tables,
)
from workflow._database import create_database_engine
from workflow._migrations import upgrade


@dataclass(frozen=True, slots=True)
class RestoreReport:
    """What a restore did."""

    manifest: Manifest
    row_count_mismatches: dict[str, tuple[int, int]]
    """Table → (rows in the manifest, rows restored); empty when every count agrees."""
    upgraded_from: str | None
    """The archive's migration head when the restored schema was then brought to this
    version's head."""


def _label(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)


def ensure_empty(engine: Engine) -> None:
    """TargetNotEmptyError unless the database behind ``engine`` holds no table at all."""
    if engine.dialect.name == "sqlite":
        path = sqlite_path(engine)
        if not path.exists() or path.stat().st_size == 0:
            return
        if not path.is_file():
            raise TargetNotEmptyError(_label(engine), f"{path} is not a file")
    try:
        with engine.connect() as connection:
            tables = user_tables(connection)
    except sa.exc.SQLAlchemyError as error:
        raise BackupError(
            f"cannot open the target database {_label(engine)}: "
            f"{str(error).strip().splitlines()[0]}",
            f"không mở được cơ sở dữ liệu đích {_label(engine)}",
        ) from error
    if tables:
        raise TargetNotEmptyError(_label(engine), f"{len(tables)} tables, e.g. {sorted(tables)[0]}")


def _restore_sqlite(engine: Engine, member: Path) -> None:
    target = sqlite_path(engine)
    engine.dispose()
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, partial_name = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    partial = Path(partial_name)
    try:
        with os.fdopen(handle, "wb") as out, member.open("rb") as source:
            shutil.copyfileobj(source, out, 1 << 20)
            out.flush()
            os.fsync(out.fileno())
        # Journals left by an empty database at that path would be replayed into ours.
        for journal in ("-wal", "-shm", "-journal"):
            Path(f"{target}{journal}").unlink(missing_ok=True)
        partial.replace(target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def _restore_postgres(engine: Engine, member: Path) -> None:
    uri, environment = libpq_arguments(engine.url)
    engine.dispose()
    run_tool(
        "pg_restore",
        [
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",  # all or nothing
            f"--dbname={uri}",
            str(member),
        ],
        environment,
    )


def restore_backup(
    archive: Path, *, database_url: str, key: BackupKey, work_dir: Path | None = None
) -> RestoreReport:
    """Restore ``archive`` into the empty database at ``database_url``.

    Refused, with nothing written to the target: a non-empty target (TargetNotEmptyError), an
    archive that a different key made (BackupKeyError), one altered, cut off or damaged
    (ArchiveDamagedError), one of the other database kind or of an unknown migration
    (BackupError). Restoring a SQLite backup into PostgreSQL (or back) is not supported.
    After the restore the row counts are compared with the manifest's, and a schema older than
    this version's is migrated to its head.
    """
    engine = create_database_engine(database_url)
    try:
        ensure_empty(engine)
        work = Path(tempfile.mkdtemp(prefix="hocba-restore-", dir=work_dir))
        try:
            manifest = _open(archive, key, work)
            _check_fits(engine, manifest)
            ensure_empty(engine)  # again: someone may have written meanwhile
            member = work / manifest.database_member
            if manifest.database_kind == "sqlite":
                _restore_sqlite(engine, member)
            else:
                _restore_postgres(engine, member)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        with engine.connect() as connection:
            tables = user_tables(connection)
            restored = count_rows(connection, tables)
            head = migration_head(connection, tables)
        mismatches = {
            table: (manifest.row_counts.get(table, 0), restored.get(table, 0))
            for table in set(manifest.row_counts) | set(restored)
            if manifest.row_counts.get(table, 0) != restored.get(table, 0)
        }
        upgraded_from = None
        if head is not None and head not in code_heads(engine):
            upgrade(engine)
            upgraded_from = head
        return RestoreReport(manifest, mismatches, upgraded_from)
    finally:
        engine.dispose()


def _check_fits(engine: Engine, manifest: Manifest) -> None:
    kind = engine.dialect.name
    if manifest.database_kind != kind:
        raise BackupError(
            f"this archive holds a {manifest.database_kind} database; restoring it into "
            f"{kind} is not supported (restore it into a {manifest.database_kind} database)",
            f"bản sao lưu chứa cơ sở dữ liệu {manifest.database_kind}, không khôi phục vào {kind}",
        )
    head = manifest.migration_head
    if head is not None and not all(known_revision(engine, part) for part in head.split(",")):
        raise BackupError(
            f"this archive's schema is at migration {head}, which this version of hocba does "
            "not know; restore it with the hocba version that made it "
            f"({manifest.hocba_version}) or a newer one",
            f"lược đồ của bản sao lưu ở phiên bản {head}, phiên bản hocba này không biết",
        )


def check_archive(archive: Path, *, key: BackupKey, work_dir: Path | None = None) -> Manifest:
    """Decrypt ``archive`` and check every member against its manifest, restoring nothing; the
    manifest, or the refusal of ``restore_backup``."""
    work = Path(tempfile.mkdtemp(prefix="hocba-check-", dir=work_dir))
    try:
        return _open(archive, key, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _open(archive: Path, key: BackupKey, work: Path) -> Manifest:
    try:
        with archive.open("rb") as source:
            return read_archive(source, key=key, into=work)
    except FileNotFoundError as error:
        raise BackupError(
            f"there is no archive at {archive}", f"không có tệp sao lưu {archive}"
        ) from error
    except IsADirectoryError as error:
        raise ArchiveDamagedError(f"{archive} is a directory") from error
