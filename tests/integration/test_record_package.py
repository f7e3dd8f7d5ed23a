"""A student's complete record leaves one system as a package and enters another unchanged:
every signature still verifies, every file keeps its SHA-256, and a package with one bad
file is refused whole."""

from __future__ import annotations

import hashlib
import io
import json
import os
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from domain.documents import MAX_DOCUMENT_BYTES
from domain.model import (
    AuditEvent,
    Blob,
    ImportedTranscript,
    Person,
    Student,
    Transcript,
    TranscriptStatus,
)
from domain.signatures import TrustSettings, verify_transcript_file
from tests.support.clock import vn
from tests.support.databases import MigratedDatabase
from tests.support.demo_pki import demo_pki
from tests.support.demo_snapshot import seeded_demo
from tests.support.receiving import ReceivingSchool, receiving_school
from workflow import (
    NotFoundError,
    PackageRejectedError,
    UnitOfWork,
    export_student_record,
    import_student_record,
    load_actor,
)

SEEDED = vn(2026, 11, 29, 9, 0)
LATER = vn(2026, 12, 3, 10, 0)


def trust() -> TrustSettings:
    # A loaded test machine must not turn a slow check into INDETERMINATE.
    return TrustSettings(trust_roots=(demo_pki().root,), deadline=60.0)


@dataclass
class Scene:
    engine: Engine
    personal_id: str
    package: bytes
    receiving: ReceivingSchool


@pytest.fixture(scope="module")
def scene(migrated: MigratedDatabase, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scene]:
    migrated.reset()
    seeded_demo(migrated.engine, now=SEEDED)
    with Session(migrated.engine) as session:
        student = session.exec(
            select(Student)
            .join(Person, col(Person.id) == Student.person_id)
            .where(Person.username == "hs.demo")
        ).one()
        officer = session.exec(select(Person).where(Person.username == "hocvu")).one()
        assert officer.id is not None
        actor = load_actor(session, officer.id, at=LATER)
    package = export_student_record(
        UnitOfWork(migrated.engine), personal_id=student.personal_id, actor=actor, now=LATER
    )
    directory = Path(tmp_path_factory.mktemp("receiving"))
    with receiving_school(migrated.backend, directory) as receiving:
        yield Scene(migrated.engine, student.personal_id, package, receiving)


@pytest.fixture
def receiving(scene: Scene) -> ReceivingSchool:
    """The receiving database, emptied of what an earlier test imported."""
    with Session(scene.receiving.engine) as session:
        for row in session.exec(select(ImportedTranscript)).all():
            session.delete(row)
        session.flush()
        for blob in session.exec(select(Blob)).all():
            session.delete(blob)
        for student in session.exec(select(Student)).all():
            session.delete(student)
        session.commit()
    return scene.receiving


def members(package: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def repack(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def stored_counts(engine: Engine) -> tuple[int, int, int]:
    with Session(engine) as session:
        return (
            session.exec(select(func.count()).select_from(ImportedTranscript)).one(),
            session.exec(select(func.count()).select_from(Blob)).one(),
            session.exec(select(func.count()).select_from(Student)).one(),
        )


def refused(scene: Scene, receiving: ReceivingSchool, package: bytes) -> PackageRejectedError:
    with pytest.raises(PackageRejectedError) as caught:
        import_student_record(
            receiving.uow(),
            package=package,
            actor=receiving.officer(LATER),
            now=LATER,
            trust=trust(),
        )
    assert stored_counts(receiving.engine) == (0, 0, 0)
    return caught.value


def test_the_package_holds_last_years_signed_files_and_a_manifest_of_their_hashes(
    scene: Scene,
) -> None:
    files = members(scene.package)
    manifest = json.loads(files.pop("manifest.json"))
    assert manifest["format"] == "hocba-record-package"
    assert manifest["format_version"] == "1.0"
    assert (
        manifest["student"]["personal_id_masked"]
        == scene.personal_id[:3] + "*" * 7 + scene.personal_id[-2:]
    )
    assert scene.personal_id not in json.dumps(manifest)
    (entry,) = manifest["transcripts"]
    assert entry["school_year"] == "2025-2026" and entry["status"] == "finalized"
    assert entry["class_name"] == "6A1"
    with Session(scene.engine) as session:
        row = session.get(Transcript, entry["id"])
        assert row is not None and row.status is TranscriptStatus.FINALIZED
        expected = {row.xml_sha256, row.pdf_sha256}
    listed = {f["path"]: f["sha256"] for f in entry["files"]}
    assert set(listed) == set(files)
    assert {hashlib.sha256(data).hexdigest() for data in files.values()} == expected
    assert set(listed.values()) == expected


def test_export_is_audited_and_refused_outside_the_students_schools(scene: Scene) -> None:
    with Session(scene.engine) as session:
        entry = session.exec(select(AuditEvent).where(AuditEvent.action == "record.export")).first()
        assert entry is not None
        admin = session.exec(select(Person).where(Person.username == "gvbm.toan")).one()
        assert admin.id is not None
        teacher = load_actor(session, admin.id, at=LATER)
    with pytest.raises(NotFoundError):
        export_student_record(
            UnitOfWork(scene.engine), personal_id=scene.personal_id, actor=teacher, now=LATER
        )


def test_an_imported_record_keeps_every_file_byte_for_byte_and_every_signature_verifies(
    scene: Scene, receiving: ReceivingSchool
) -> None:
    record = import_student_record(
        receiving.uow(),
        package=scene.package,
        actor=receiving.officer(LATER),
        now=LATER,
        trust=trust(),
    )
    assert [v.already_present for v in record.versions] == [False]
    sent = {
        hashlib.sha256(d).hexdigest(): d
        for n, d in members(scene.package).items()
        if n != "manifest.json"
    }
    with Session(receiving.engine) as session:
        (row,) = session.exec(select(ImportedTranscript)).all()
        assert row.school_id == receiving.school_id
        assert row.received_status is TranscriptStatus.FINALIZED
        student = session.get(Student, row.student_id)
        assert student is not None and student.personal_id == scene.personal_id
        for digest in (row.xml_sha256, row.pdf_sha256):
            assert digest is not None
            blob = session.get(Blob, digest)
            assert blob is not None
            assert bytes(blob.content) == sent[digest]
            assert verify_transcript_file(bytes(blob.content), trust=trust(), now=LATER).valid
        actions = session.exec(select(AuditEvent.action)).all()
        assert actions.count("record.import") == 1
    again = import_student_record(
        receiving.uow(),
        package=scene.package,
        actor=receiving.officer(LATER),
        now=LATER,
        trust=trust(),
    )
    assert [v.already_present for v in again.versions] == [True]
    assert stored_counts(receiving.engine) == (1, 2, 1)


def test_a_package_with_one_score_flipped_in_its_xml_is_refused_whole(
    scene: Scene, receiving: ReceivingSchool
) -> None:
    files = members(scene.package)
    manifest = json.loads(files["manifest.json"])
    xml_path = next(p for p in files if p.endswith(".xml"))
    original = files[xml_path]
    start = original.index(b"<HK1>") + len(b"<HK1>")
    digit = original[start : start + 1]
    flipped = original[:start] + (b"1" if digit != b"1" else b"2") + original[start + 1 :]
    files[xml_path] = flipped
    # The manifest is brought in line, so only the signatures can notice.
    for entry in manifest["transcripts"]:
        for f in entry["files"]:
            if f["path"] == xml_path:
                f["sha256"] = hashlib.sha256(flipped).hexdigest()
                f["size"] = len(flipped)
    files["manifest.json"] = json.dumps(manifest).encode()
    error = refused(scene, receiving, repack(files))
    assert [(p.file, p.code) for p in error.problems] == [(xml_path, "signature_invalid")]


def test_a_file_that_does_not_match_its_manifest_hash_is_refused(
    scene: Scene, receiving: ReceivingSchool
) -> None:
    files = members(scene.package)
    pdf_path = next(p for p in files if p.endswith(".pdf"))
    files[pdf_path] = files[pdf_path] + b"\n%%tail\n"
    error = refused(scene, receiving, repack(files))
    assert [(p.file, p.code) for p in error.problems] == [(pdf_path, "size_mismatch")]
    manifest = json.loads(files["manifest.json"])
    for entry in manifest["transcripts"]:
        for f in entry["files"]:
            if f["path"] == pdf_path:
                f["size"] = len(files[pdf_path])
    files["manifest.json"] = json.dumps(manifest).encode()
    error = refused(scene, receiving, repack(files))
    assert [(p.file, p.code) for p in error.problems] == [(pdf_path, "hash_mismatch")]


def test_a_member_outside_the_layout_is_refused_as_an_unsafe_name(
    scene: Scene, receiving: ReceivingSchool
) -> None:
    files = members(scene.package)
    files["../../etc/cron.d/evil"] = b"* * * * * root true\n"
    files["transcripts/2025-2026/extra.txt"] = b"x"
    error = refused(scene, receiving, repack(files))
    assert {(p.file, p.code) for p in error.problems} == {
        ("../../etc/cron.d/evil", "unsafe_name"),
        ("transcripts/2025-2026/extra.txt", "unsafe_name"),
    }


def test_a_zip_bomb_is_refused_before_it_is_inflated(
    scene: Scene, receiving: ReceivingSchool
) -> None:
    files = members(scene.package)
    pdf_path = next(p for p in files if p.endswith(".pdf"))
    files[pdf_path] = b"\0" * (4 * 1024 * 1024)
    error = refused(scene, receiving, repack(files))
    assert [(p.file, p.code) for p in error.problems] == [(pdf_path, "compression_ratio")]


def test_an_oversized_member_and_an_unlisted_member_are_refused(
    scene: Scene, receiving: ReceivingSchool
) -> None:
    files = members(scene.package)
    xml_path = next(p for p in files if p.endswith(".xml"))
    big = os.urandom(MAX_DOCUMENT_BYTES + 1)
    files[xml_path] = big
    stray = "transcripts/2025-2026/00000000-0000-4000-8000-000000000000.xml"
    files[stray] = b"<HocBa/>"
    error = refused(scene, receiving, repack(files))
    assert {(p.file, p.code) for p in error.problems} == {
        (xml_path, "too_large"),
        (stray, "unexpected_member"),
    }


def test_something_that_is_not_a_zip_or_has_no_manifest_is_refused(
    scene: Scene, receiving: ReceivingSchool
) -> None:
    error = refused(scene, receiving, b"PK\x03\x04 not really")
    assert [p.code for p in error.problems] == ["not_a_zip"]
    files = members(scene.package)
    del files["manifest.json"]
    error = refused(scene, receiving, repack(files))
    assert [(p.file, p.code) for p in error.problems] == [("manifest.json", "missing_member")]
