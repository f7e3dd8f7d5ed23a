"""Checking a received record package completely before anything of it is stored."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from domain.documents import DocumentError, TranscriptDocument, read_xml
from domain.model import mask_personal_id
from domain.signatures import TrustSettings, verify_transcript_file
from workflow._errors import WorkflowError
from workflow._record_package_format import (
    MANIFEST,
    XML_MEDIA_TYPE,
    Manifest,
    PackageEntry,
    PackageFile,
    PackageProblem,
    open_package,
)


class PackageRejectedError(WorkflowError):
    """A record package was refused whole; ``problems`` names every file at fault and why."""

    code = "package_rejected"

    def __init__(self, problems: tuple[PackageProblem, ...]) -> None:
        listed = "; ".join(f"{p.file}: {p.code} ({p.detail})" for p in problems)
        super().__init__(
            f"the record package was refused, nothing was stored: {listed}",
            f"Gói hồ sơ bị từ chối, không có gì được lưu ({len(problems)} lỗi): {listed}",
        )
        self.problems = problems


@dataclass(frozen=True, slots=True)
class CheckedPackage:
    """A package whose every file verified: what the import may store."""

    sha256: str
    manifest: Manifest
    members: dict[str, bytes]
    documents: dict[str, TranscriptDocument]
    """The signed XML of each version, by MaHocBa."""


def _mismatch(entry: PackageEntry, document: TranscriptDocument) -> str | None:
    header = document.header
    pairs = (
        ("id", entry.transcript_id, header.transcript_id),
        ("version", entry.version, header.version),
        ("kind", entry.kind, header.kind.value),
        ("school_year", entry.school_year, header.school_year),
        ("department_code", entry.department_code, header.department_code),
        ("school_code", entry.school_code, header.school_code),
        ("class_name", entry.class_name, header.class_name),
        ("grade", entry.grade, header.grade),
    )
    for name, listed, signed in pairs:
        if listed != signed:
            return f"the manifest says {name} {listed!r}, the signed XML {signed!r}"
    return None


class _Checker:
    def __init__(self, *, trust: TrustSettings, now: datetime) -> None:
        self.trust = trust
        self.now = now
        self.problems: list[PackageProblem] = []
        self.documents: dict[str, TranscriptDocument] = {}

    def add(self, file: str, code: str, detail: str) -> None:
        self.problems.append(PackageProblem(file, code, detail))

    def file(self, entry: PackageEntry, listed: PackageFile, data: bytes | None) -> None:
        if data is None:
            if not any(p.file == listed.path for p in self.problems):
                self.add(listed.path, "missing_member", "listed in the manifest, not in the zip")
            return
        if len(data) != listed.size:
            self.add(
                listed.path, "size_mismatch", f"{len(data)} bytes, the manifest says {listed.size}"
            )
            return
        digest = hashlib.sha256(data).hexdigest()
        if digest != listed.sha256:
            self.add(
                listed.path, "hash_mismatch", f"SHA-256 {digest}, the manifest says {listed.sha256}"
            )
            return
        report = verify_transcript_file(data, trust=self.trust, now=self.now)
        if not report.valid:
            codes = ", ".join(report.all_codes()) or "no verifiable signature"
            self.add(listed.path, "signature_invalid", f"{report.indication.value}: {codes}")
            return
        # A PDF's report names the transcript only when its signed content says which.
        named = report.transcript
        if (named is None and listed.media_type == XML_MEDIA_TYPE) or (
            named is not None and named.id != entry.transcript_id
        ):
            self.add(listed.path, "content_mismatch", "the signed file is another transcript")
            return
        if listed.media_type == XML_MEDIA_TYPE:
            try:
                document = read_xml(data)
            except DocumentError as error:
                self.add(listed.path, "content_mismatch", str(error))
                return
            wrong = _mismatch(entry, document)
            if wrong:
                self.add(listed.path, "content_mismatch", wrong)
                return
            self.documents[entry.transcript_id] = document

    def student(self, manifest: Manifest) -> None:
        ids = {d.student.personal_id for d in self.documents.values()}
        if len(ids) > 1:
            self.add(MANIFEST, "content_mismatch", "the files are about different students")
        elif ids and mask_personal_id(next(iter(ids))) != manifest.personal_id_masked:
            self.add(MANIFEST, "content_mismatch", "the manifest names another student")


def check_package(package: bytes, *, trust: TrustSettings, now: datetime) -> CheckedPackage:
    """Open the package and verify every file: the limits, the manifest's SHA-256 and sizes,
    every signature with the verifier, and that each file is the version the manifest says.

    Raises PackageRejectedError naming every problem found; returns only when there is none.
    """
    opened, problems = open_package(package)
    if opened is None:
        raise PackageRejectedError(tuple(problems))
    checker = _Checker(trust=trust, now=now)
    checker.problems.extend(problems)
    listed: set[str] = set()
    for entry in opened.manifest.entries:
        for file in (entry.xml, entry.pdf):
            if file is not None:
                listed.add(file.path)
                checker.file(entry, file, opened.members.get(file.path))
    for name in sorted(set(opened.members) - listed):
        checker.add(name, "unexpected_member", "in the zip, not in the manifest")
    checker.student(opened.manifest)
    if checker.problems:
        raise PackageRejectedError(tuple(checker.problems))
    return CheckedPackage(
        sha256=hashlib.sha256(package).hexdigest(),
        manifest=opened.manifest,
        members=opened.members,
        documents=checker.documents,
    )
