"""The complete-record package: a zip of a student's signed XML and PDF files and a manifest.

Layout (format version 1.0)::

    manifest.json
    transcripts/<NamHoc>/<MaHocBa>.xml
    transcripts/<NamHoc>/<MaHocBa>.pdf        (when the version has a signed PDF)

Reading a package never trusts it: the zip's size, member count, names, sizes and compression
ratios are checked before a byte is inflated past the limits, and every problem found is
reported by file (``PackageProblem``).
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from dataclasses import dataclass
from typing import Any

from domain.documents import MAX_DOCUMENT_BYTES
from domain.signatures import MAX_PDF_BYTES

FORMAT = "hocba-record-package"
FORMAT_VERSION = "1.0"
MANIFEST = "manifest.json"
XML_MEDIA_TYPE = "application/xml"
PDF_MEDIA_TYPE = "application/pdf"

MAX_PACKAGE_BYTES = 64 * 1024 * 1024
"""The largest package accepted (compressed)."""
MAX_VERSIONS = 100
"""The most transcript versions one package may carry (a student's whole schooling fits)."""
MAX_MEMBERS = 1 + 2 * MAX_VERSIONS
MAX_MANIFEST_BYTES = 1024 * 1024
MAX_TOTAL_BYTES = 256 * 1024 * 1024
"""The most bytes all members may inflate to together."""
MAX_RATIO = 100
"""A member inflating more than this many times its compressed size is a zip bomb."""

_MEMBER = re.compile(
    r"transcripts/(?P<year>\d{4}-\d{4})/"
    r"(?P<id>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.(?P<ext>xml|pdf)"
)
_SHA256 = re.compile(r"[0-9a-f]{64}")
_PACKAGE = "(package)"


@dataclass(frozen=True, slots=True)
class PackageProblem:
    """Why one file of a package (or the package itself, ``(package)``) was refused."""

    file: str
    code: str
    """Stable: ``not_a_zip``, ``too_large``, ``too_many_members``, ``unsafe_name``,
    ``duplicate_member``, ``compression_ratio``, ``encrypted``, ``unexpected_member``,
    ``missing_member``, ``manifest_invalid``, ``hash_mismatch``, ``size_mismatch``,
    ``signature_invalid``, ``content_mismatch``, ``corrupt``."""
    detail: str

    def to_json(self) -> dict[str, str]:
        """One entry of the refusal's ``problems``."""
        return {"file": self.file, "code": self.code, "detail": self.detail}


@dataclass(frozen=True, slots=True)
class PackageFile:
    """One file the manifest lists."""

    path: str
    media_type: str
    sha256: str
    size: int


@dataclass(frozen=True, slots=True)
class PackageEntry:
    """One transcript version the manifest lists, as the issuing system describes it."""

    transcript_id: str
    version: int
    kind: str
    status: str
    school_year: str
    department_code: str
    school_code: str
    school_name: str
    class_name: str
    grade: int
    xml: PackageFile
    pdf: PackageFile | None

    def to_json(self) -> dict[str, Any]:
        """The manifest's object for this version."""
        files = [self.xml] + ([self.pdf] if self.pdf else [])
        return {
            "id": self.transcript_id,
            "version": self.version,
            "kind": self.kind,
            "status": self.status,
            "school_year": self.school_year,
            "department_code": self.department_code,
            "school_code": self.school_code,
            "school_name": self.school_name,
            "class_name": self.class_name,
            "grade": self.grade,
            "files": [
                {"path": f.path, "media_type": f.media_type, "sha256": f.sha256, "size": f.size}
                for f in files
            ],
        }


@dataclass(frozen=True, slots=True)
class Manifest:
    """``manifest.json``: what the package holds and the SHA-256 of every file."""

    exported_at: str
    personal_id_masked: str
    student_name: str
    entries: tuple[PackageEntry, ...]

    def to_json(self) -> dict[str, Any]:
        """The manifest as JSON-ready data."""
        schools = sorted({(e.department_code, e.school_code, e.school_name) for e in self.entries})
        return {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "exported_at": self.exported_at,
            "student": {
                "personal_id_masked": self.personal_id_masked,
                "full_name": self.student_name,
            },
            "schools": [{"department_code": d, "code": c, "name": n} for d, c, n in schools],
            "transcripts": [entry.to_json() for entry in self.entries],
        }


def member_path(school_year: str, transcript_id: str, extension: str) -> str:
    """Where a version's file lies in the package."""
    return f"transcripts/{school_year}/{transcript_id}.{extension}"


def write_package(manifest: Manifest, files: dict[str, bytes]) -> bytes:
    """The zip: the manifest first, then the files in manifest order (fixed member times, so
    the same record exported twice gives the same bytes)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        text = json.dumps(manifest.to_json(), ensure_ascii=False, indent=2, sort_keys=True)
        archive.writestr(zipfile.ZipInfo(MANIFEST, (1980, 1, 1, 0, 0, 0)), text.encode())
        for path, content in files.items():
            info = zipfile.ZipInfo(path, (1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, content)
    return buffer.getvalue()


@dataclass(frozen=True, slots=True)
class OpenedPackage:
    """A package read within the limits: its manifest and its members' bytes."""

    manifest: Manifest
    members: dict[str, bytes]


class _Problems:
    def __init__(self) -> None:
        self.found: list[PackageProblem] = []

    def add(self, file: str, code: str, detail: str) -> None:
        self.found.append(PackageProblem(file, code, detail))


def _limit_of(name: str) -> int:
    if name == MANIFEST:
        return MAX_MANIFEST_BYTES
    return MAX_PDF_BYTES if name.endswith(".pdf") else MAX_DOCUMENT_BYTES


def _safe_members(archive: zipfile.ZipFile, problems: _Problems) -> dict[str, zipfile.ZipInfo]:
    infos = archive.infolist()
    if len(infos) > MAX_MEMBERS:
        problems.add(_PACKAGE, "too_many_members", f"{len(infos)} members, at most {MAX_MEMBERS}")
        return {}
    members: dict[str, zipfile.ZipInfo] = {}
    total = 0
    for info in infos:
        name = info.filename
        if name != MANIFEST and not _MEMBER.fullmatch(name):
            problems.add(name, "unsafe_name", "not a file name of the package layout")
            continue
        if name in members:
            problems.add(name, "duplicate_member", "the name appears more than once")
            continue
        if info.flag_bits & 0x1:
            problems.add(name, "encrypted", "encrypted members are not accepted")
            continue
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            problems.add(name, "corrupt", f"compression method {info.compress_type}")
            continue
        limit = _limit_of(name)
        if info.file_size > limit:
            problems.add(name, "too_large", f"{info.file_size} bytes, at most {limit}")
            continue
        if info.file_size > MAX_RATIO * max(info.compress_size, 1):
            problems.add(
                name,
                "compression_ratio",
                f"inflates {info.file_size // max(info.compress_size, 1)} times, "
                f"at most {MAX_RATIO}",
            )
            continue
        total += info.file_size
        members[name] = info
    if total > MAX_TOTAL_BYTES:
        problems.add(_PACKAGE, "too_large", f"{total} bytes inflated, at most {MAX_TOTAL_BYTES}")
    return members


def _read(archive: zipfile.ZipFile, info: zipfile.ZipInfo, problems: _Problems) -> bytes | None:
    limit = _limit_of(info.filename)
    try:
        with archive.open(info) as handle:
            # The header's size may lie: never inflate more than the limit allows.
            data = handle.read(limit + 1)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as error:
        problems.add(info.filename, "corrupt", str(error))
        return None
    if len(data) > limit:
        problems.add(info.filename, "too_large", f"more than {limit} bytes")
        return None
    return data


def open_package(package: bytes) -> tuple[OpenedPackage | None, list[PackageProblem]]:
    """The package's manifest and members, or None and the problems that stop reading it.

    Problems that concern single members are returned beside the opened package.
    """
    problems = _Problems()
    if len(package) > MAX_PACKAGE_BYTES:
        problems.add(_PACKAGE, "too_large", f"{len(package)} bytes, at most {MAX_PACKAGE_BYTES}")
        return None, problems.found
    try:
        archive = zipfile.ZipFile(io.BytesIO(package))
    except (zipfile.BadZipFile, ValueError) as error:
        problems.add(_PACKAGE, "not_a_zip", str(error))
        return None, problems.found
    with archive:
        infos = _safe_members(archive, problems)
        if problems.found and any(p.file == _PACKAGE for p in problems.found):
            return None, problems.found
        members: dict[str, bytes] = {}
        for name, info in infos.items():
            data = _read(archive, info, problems)
            if data is not None:
                members[name] = data
    raw = members.pop(MANIFEST, None)
    if raw is None:
        if MANIFEST not in infos:
            problems.add(MANIFEST, "missing_member", "the package has no manifest")
        return None, problems.found
    manifest = parse_manifest(raw, problems)
    if manifest is None:
        return None, problems.found
    return OpenedPackage(manifest, members), problems.found


def _require(data: dict[str, Any], key: str, kind: type, where: str) -> Any:
    value = data.get(key)
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise ValueError(f"{where}.{key}: missing or not a {kind.__name__}")
    return value


def _file(data: Any, where: str) -> PackageFile:
    if not isinstance(data, dict):
        raise ValueError(f"{where}: not an object")
    path = _require(data, "path", str, where)
    sha256 = _require(data, "sha256", str, where)
    if not _SHA256.fullmatch(sha256):
        raise ValueError(f"{where}.sha256: not a lower-case SHA-256")
    media_type = _require(data, "media_type", str, where)
    if media_type not in (XML_MEDIA_TYPE, PDF_MEDIA_TYPE):
        raise ValueError(f"{where}.media_type: {media_type!r} is neither XML nor PDF")
    return PackageFile(path, media_type, sha256, _require(data, "size", int, where))


def _entry(data: Any, where: str) -> PackageEntry:
    if not isinstance(data, dict):
        raise ValueError(f"{where}: not an object")
    files = _require(data, "files", list, where)
    found = [_file(item, f"{where}.files[{n}]") for n, item in enumerate(files)]
    xml = [f for f in found if f.media_type == XML_MEDIA_TYPE]
    pdf = [f for f in found if f.media_type == PDF_MEDIA_TYPE]
    if len(xml) != 1 or len(pdf) > 1 or len(found) != len(xml) + len(pdf):
        raise ValueError(f"{where}.files: one XML and at most one PDF")
    entry = PackageEntry(
        transcript_id=_require(data, "id", str, where),
        version=_require(data, "version", int, where),
        kind=_require(data, "kind", str, where),
        status=_require(data, "status", str, where),
        school_year=_require(data, "school_year", str, where),
        department_code=_require(data, "department_code", str, where),
        school_code=_require(data, "school_code", str, where),
        school_name=_require(data, "school_name", str, where),
        class_name=_require(data, "class_name", str, where),
        grade=_require(data, "grade", int, where),
        xml=xml[0],
        pdf=pdf[0] if pdf else None,
    )
    for file in found:
        extension = "xml" if file.media_type == XML_MEDIA_TYPE else "pdf"
        if file.path != member_path(entry.school_year, entry.transcript_id, extension):
            raise ValueError(f"{where}: {file.path} is not where this version's file belongs")
    return entry


def parse_manifest(raw: bytes, problems: _Problems | None = None) -> Manifest | None:
    """The manifest, or None with a ``manifest_invalid`` problem naming what is wrong."""
    sink = problems or _Problems()
    try:
        data = json.loads(raw.decode("utf-8"))
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
        if data.get("format") != FORMAT:
            raise ValueError(f"format: not {FORMAT!r}")
        if data.get("format_version") != FORMAT_VERSION:
            raise ValueError(f"format_version: only {FORMAT_VERSION!r} is read")
        student = _require(data, "student", dict, "manifest")
        items = _require(data, "transcripts", list, "manifest")
        if not items or len(items) > MAX_VERSIONS:
            raise ValueError(f"transcripts: 1 to {MAX_VERSIONS} versions")
        entries = tuple(_entry(item, f"transcripts[{n}]") for n, item in enumerate(items))
        if len({e.transcript_id for e in entries}) != len(entries):
            raise ValueError("transcripts: a version is listed twice")
        return Manifest(
            exported_at=_require(data, "exported_at", str, "manifest"),
            personal_id_masked=_require(student, "personal_id_masked", str, "student"),
            student_name=_require(student, "full_name", str, "student"),
            entries=entries,
        )
    except (UnicodeDecodeError, ValueError) as error:
        sink.add(MANIFEST, "manifest_invalid", str(error))
        return None
