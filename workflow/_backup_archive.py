"""One backup archive: a gzip'd tar of ``manifest.json`` and the members it lists, inside the
encrypted envelope of ``_backup_crypto``. Reading checks every member against the manifest
(name, size, SHA-256) and refuses anything more or less."""

from __future__ import annotations

import hashlib
import io
import json
import re
import tarfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

from workflow._backup_crypto import BackupKey, DecryptingReader, EncryptingWriter
from workflow._backup_errors import ArchiveDamagedError

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
_MAX_MANIFEST = 1 << 20
_MEMBER_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,99}$")
_COPY = 1 << 20


@dataclass(frozen=True, slots=True)
class MemberEntry:
    """A file of the archive as the manifest records it."""

    name: str
    size: int
    sha256: str


@dataclass(frozen=True, slots=True)
class Manifest:
    """What an archive holds: enough to restore it and to check the restore."""

    created_at: datetime
    database_kind: str
    """``sqlite`` or ``postgresql``."""
    database_member: str
    migration_head: str | None
    row_counts: dict[str, int]
    server_version: str
    members: tuple[MemberEntry, ...]
    hocba_version: str
    format_version: int = FORMAT_VERSION

    def to_json(self) -> dict[str, Any]:
        """The manifest as JSON-ready data."""
        return {
            "format_version": self.format_version,
            "created_at": self.created_at.isoformat(),
            "hocba_version": self.hocba_version,
            "database": {
                "kind": self.database_kind,
                "member": self.database_member,
                "migration_head": self.migration_head,
                "server_version": self.server_version,
            },
            "row_counts": dict(sorted(self.row_counts.items())),
            "members": [{"name": m.name, "size": m.size, "sha256": m.sha256} for m in self.members],
        }

    @classmethod
    def from_json(cls, data: Any) -> Manifest:
        """Parse a manifest; ArchiveDamagedError when it is malformed."""
        try:
            if data["format_version"] != FORMAT_VERSION:
                raise ArchiveDamagedError(
                    f"its format version {data['format_version']!r} is not one this hocba reads"
                )
            database = data["database"]
            members = tuple(
                MemberEntry(str(m["name"]), int(m["size"]), str(m["sha256"]))
                for m in data["members"]
            )
            manifest = cls(
                created_at=datetime.fromisoformat(data["created_at"]),
                database_kind=str(database["kind"]),
                database_member=str(database["member"]),
                migration_head=(
                    None if database["migration_head"] is None else str(database["migration_head"])
                ),
                row_counts={str(k): int(v) for k, v in data["row_counts"].items()},
                server_version=str(database["server_version"]),
                members=members,
                hocba_version=str(data["hocba_version"]),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise ArchiveDamagedError(f"its manifest is malformed ({error})") from error
        names = [m.name for m in members]
        if (
            len(set(names)) != len(names)
            or manifest.database_member not in names
            or not all(_MEMBER_NAME.match(n) and n != MANIFEST for n in names)
            or manifest.database_kind not in ("sqlite", "postgresql")
        ):
            raise ArchiveDamagedError("its manifest lists unexpected members")
        return manifest


def file_entry(name: str, path: Path) -> MemberEntry:
    """The manifest entry of a file about to be archived."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as stream:
        while block := stream.read(_COPY):
            digest.update(block)
            size += len(block)
    return MemberEntry(name, size, digest.hexdigest())


def _tar_info(name: str, size: int, mtime: datetime) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = size, 0o600, int(mtime.timestamp())
    return info


def write_archive(
    sink: BinaryIO, *, manifest: Manifest, files: Mapping[str, Path], key: BackupKey
) -> None:
    """Write the encrypted archive of ``manifest`` and ``files`` (name → path) to ``sink``."""
    writer = EncryptingWriter(sink, key)
    body = json.dumps(manifest.to_json(), indent=2, ensure_ascii=False).encode("utf-8")
    with tarfile.open(fileobj=writer, mode="w|gz") as tar:  # type: ignore[call-overload]
        tar.addfile(_tar_info(MANIFEST, len(body), manifest.created_at), io.BytesIO(body))
        for entry in manifest.members:
            with files[entry.name].open("rb") as stream:
                tar.addfile(_tar_info(entry.name, entry.size, manifest.created_at), stream)
    writer.close()


def read_archive(source: BinaryIO, *, key: BackupKey, into: Path) -> Manifest:
    """Decrypt ``source`` and extract its members into the directory ``into``, checking each
    against the manifest; ArchiveDamagedError or BackupKeyError at the first problem."""
    reader = DecryptingReader(source, key)
    try:
        with tarfile.open(fileobj=reader, mode="r|gz") as tar:  # type: ignore[call-overload]
            manifest = _extract(tar, into)
    except (tarfile.TarError, OSError, EOFError, UnicodeDecodeError) as error:
        raise ArchiveDamagedError(f"its content is not a readable archive ({error})") from error
    reader.drain()  # the sealed end must be there: a cut-off archive is refused
    return manifest


def _extract(tar: tarfile.TarFile, into: Path) -> Manifest:
    first = tar.next()
    if first is None or first.name != MANIFEST or not first.isfile() or first.size > _MAX_MANIFEST:
        raise ArchiveDamagedError("it does not start with its manifest")
    stream = tar.extractfile(first)
    assert stream is not None  # a regular file always has a stream
    try:
        manifest = Manifest.from_json(json.loads(stream.read().decode("utf-8")))
    except ValueError as error:
        raise ArchiveDamagedError("its manifest is not JSON") from error
    expected = {entry.name: entry for entry in manifest.members}
    seen: set[str] = set()
    while (info := tar.next()) is not None:
        entry = expected.get(info.name)
        if entry is None or info.name in seen or not info.isfile():
            raise ArchiveDamagedError(f"it holds {info.name!r}, which its manifest does not list")
        seen.add(info.name)
        _copy_checked(tar, info, entry, into / entry.name)
    missing = sorted(set(expected) - seen)
    if missing:
        raise ArchiveDamagedError(f"it lacks {', '.join(missing)}, which its manifest lists")
    return manifest


def _copy_checked(
    tar: tarfile.TarFile, info: tarfile.TarInfo, entry: MemberEntry, target: Path
) -> None:
    stream = tar.extractfile(info)
    assert stream is not None
    digest, size = hashlib.sha256(), 0
    with target.open("wb") as out:
        while block := stream.read(_COPY):
            digest.update(block)
            size += len(block)
            out.write(block)
    if size != entry.size or digest.hexdigest() != entry.sha256:
        raise ArchiveDamagedError(
            f"{entry.name} does not match its manifest (SHA-256 {digest.hexdigest()}, "
            f"expected {entry.sha256})"
        )
