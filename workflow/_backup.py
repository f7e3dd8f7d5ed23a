"""``hocba backup``: a consistent copy of the live database (the signed files live in it, in
``blobs``), encrypted into one archive and written atomically to every destination, keeping the
last N archives there (REQ-17: periodic backups in several places; REQ-30: backup copies of the
completed transcripts at other sites)."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from sqlalchemy.engine import Engine

from workflow._backup_archive import Manifest, file_entry, write_archive
from workflow._backup_crypto import BackupKey
from workflow._backup_errors import BackupError
from workflow._backup_snapshot import take_snapshot

SUFFIX = ".hocba-backup"
_NAME = re.compile(r"^hocba-\d{8}T\d{6}\.\d{6}Z\.hocba-backup$")
_COPY = 1 << 20


@dataclass(frozen=True, slots=True)
class BackupReport:
    """What one backup run did."""

    name: str
    size: int
    sha256: str
    """Of the encrypted archive (the same bytes in every destination)."""
    manifest: Manifest
    written: tuple[Path, ...]
    failed: tuple[tuple[Path, str], ...]
    """Destinations that could not be written, and why."""
    removed: tuple[Path, ...]
    """Older archives retention removed."""

    @property
    def ok(self) -> bool:
        """Written to every destination."""
        return not self.failed and bool(self.written)


def archive_name(created_at: datetime) -> str:
    """``hocba-<UTC instant>.hocba-backup``: sorting the names sorts the archives by age."""
    return f"hocba-{created_at.astimezone(UTC):%Y%m%dT%H%M%S.%fZ}{SUFFIX}"


def archives_in(directory: Path) -> list[Path]:
    """The backup archives in ``directory``, oldest first (other files are never touched)."""
    return sorted(p for p in directory.iterdir() if _NAME.match(p.name) and p.is_file())


def _hocba_version() -> str:
    try:
        return metadata.version("hocba")
    except metadata.PackageNotFoundError:
        return "unknown"


def _fsync_directory(directory: Path) -> None:
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _place(archive: Path, destination: Path, name: str) -> Path:
    """Copy ``archive`` into ``destination`` as ``name``: a hidden temporary file, flushed to
    disk, then renamed, so a destination never holds half an archive under a backup's name."""
    if not destination.is_dir():
        raise OSError(f"{destination} is not a directory (is the disk mounted?)")
    final = destination / name
    if final.exists():
        raise OSError(f"{final} already exists")
    handle, partial_name = tempfile.mkstemp(prefix=f".{name}.", suffix=".partial", dir=destination)
    partial = Path(partial_name)
    try:
        with os.fdopen(handle, "wb") as out, archive.open("rb") as source:
            shutil.copyfileobj(source, out, _COPY)
            out.flush()
            os.fsync(out.fileno())
        partial.replace(final)
        _fsync_directory(destination)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return final


def _retain(destination: Path, keep: int) -> list[Path]:
    """Remove all but the newest ``keep`` archives of ``destination``; the ones removed."""
    archives = archives_in(destination)
    removed = archives[: max(len(archives) - keep, 0)]
    for old in removed:
        old.unlink()
    return removed


def _digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while block := stream.read(_COPY):
            digest.update(block)
    return digest.hexdigest()


def create_backup(
    engine: Engine,
    *,
    destinations: Sequence[Path],
    key: BackupKey,
    now: datetime,
    keep: int,
    work_dir: Path | None = None,
) -> BackupReport:
    """Back up the database behind ``engine`` (it may keep serving) to every destination.

    ``now`` names and dates the archive. ``keep`` (at least 1) archives stay in each
    destination written to. A destination that cannot be written is reported in ``failed``
    and the others are still written; BackupError when there is nothing to do or the database
    cannot be copied. Plaintext copies live only in a private temporary directory (under
    ``work_dir``, else the system's), removed at the end.
    """
    if not destinations:
        raise BackupError(
            "no backup destination: pass --to DIR or set HOCBA_BACKUP_DIRS",
            "chưa có nơi lưu bản sao lưu (HOCBA_BACKUP_DIRS)",
        )
    if keep < 1:
        raise BackupError(
            f"keep must be at least 1, not {keep}", f"số bản giữ lại phải ít nhất là 1 ({keep})"
        )
    if now.utcoffset() is None:
        raise BackupError("now must be timezone-aware", "thời điểm phải có múi giờ")
    work = Path(tempfile.mkdtemp(prefix="hocba-backup-", dir=work_dir))  # mode 0700
    try:
        snapshot = take_snapshot(engine, work)
        manifest = Manifest(
            created_at=now,
            database_kind=snapshot.kind,
            database_member=snapshot.member,
            migration_head=snapshot.migration_head,
            row_counts=snapshot.row_counts,
            server_version=snapshot.server_version,
            members=(file_entry(snapshot.member, snapshot.path),),
            hocba_version=_hocba_version(),
        )
        archive = work / "archive"
        with archive.open("wb") as sink:
            write_archive(sink, manifest=manifest, files={snapshot.member: snapshot.path}, key=key)
        snapshot.path.unlink()
        name = archive_name(now)
        written: list[Path] = []
        failed: list[tuple[Path, str]] = []
        removed: list[Path] = []
        for destination in dict.fromkeys(destinations):  # each once, in the order given
            try:
                written.append(_place(archive, destination, name))
                removed += _retain(destination, keep)
            except OSError as error:
                failed.append((destination, str(error)))
        return BackupReport(
            name=name,
            size=archive.stat().st_size,
            sha256=_digest(archive),
            manifest=manifest,
            written=tuple(written),
            failed=tuple(failed),
            removed=tuple(removed),
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
