"""Exchanging a student's complete record with another system (REQ-25, REQ-31 flow 4).

``export_student_record`` packs every issued version's signed XML and PDF with a manifest;
``import_student_record`` (``_record_package_import``) verifies the whole package first and
then stores it as received: the files as blobs (by SHA-256), each version as a read-only
``ImportedTranscript``. Nothing is re-signed and nothing is re-keyed.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlmodel import Session, col, select

from domain.model import (
    Blob,
    Enrollment,
    ImportedTranscript,
    Role,
    School,
    SchoolClass,
    SchoolYear,
    Student,
    Transcript,
    TranscriptKind,
    TranscriptStatus,
    Transfer,
    TransferStage,
    mask_personal_id,
)
from workflow._actor import Actor
from workflow._errors import (
    AdministratorForbiddenError,
    InvalidInputError,
    NotFoundError,
    WorkflowError,
)
from workflow._record_package_format import (
    PDF_MEDIA_TYPE,
    XML_MEDIA_TYPE,
    Manifest,
    PackageEntry,
    PackageFile,
    member_path,
    write_package,
)
from workflow._transfer_students import find_student
from workflow._uow import UnitOfWork

RECORD_ROLES = frozenset({Role.ACADEMIC_AFFAIRS, Role.PRINCIPAL})
"""Who exchanges a student's record for a school."""

ISSUED = (
    TranscriptStatus.SCHOOL_STAMPED,
    TranscriptStatus.FINALIZED,
    TranscriptStatus.CORRECTION_REQUESTED,
)
"""The statuses of a version in force: sealed by its school, not replaced."""


class NothingToExportError(WorkflowError):
    """The student has no issued transcript version yet."""

    code = "nothing_to_export"

    def __init__(self) -> None:
        super().__init__(
            "the student has no issued transcript to export",
            "Học sinh chưa có học bạ nào đã phát hành để xuất",
        )


def record_schools(actor: Actor) -> frozenset[int]:
    """The schools for which the actor exchanges records (academic affairs, the principal)."""
    return frozenset(
        g.school_id for g in actor.grants if g.role in RECORD_ROLES and g.school_id is not None
    )


def _student(session: Session, personal_id: str | None, student_id: int | None) -> Student:
    if (personal_id is None) == (student_id is None):
        raise InvalidInputError(
            "personal_id", "give the personal ID or the student id", "cần mã định danh"
        )
    student = (
        find_student(session, personal_id)
        if personal_id is not None
        else session.get(Student, student_id)
    )
    if student is None:
        shown = mask_personal_id(personal_id) if personal_id else str(student_id)
        raise NotFoundError("student", shown)
    return student


def inherited_schools(session: Session, student_id: int, school_id: int) -> set[int]:
    """The schools whose records ``school_id`` inherited through completed transfers of the
    student (transitively)."""
    completed = session.exec(
        select(Transfer.from_school_id, Transfer.to_school_id).where(
            Transfer.student_id == student_id, Transfer.stage == TransferStage.COMPLETED
        )
    ).all()
    reached, grown = {school_id}, True
    while grown:
        grown = False
        for source, target in completed:
            if target in reached and source not in reached:
                reached.add(source)
                grown = True
    return reached - {school_id}


def _student_schools(session: Session, student_id: int) -> set[int]:
    found: set[int] = set()
    found.update(
        session.exec(select(Transcript.school_id).where(Transcript.student_id == student_id))
    )
    found.update(
        session.exec(
            select(SchoolClass.school_id)
            .join(Enrollment, col(Enrollment.class_id) == SchoolClass.id)
            .where(Enrollment.student_id == student_id)
        )
    )
    found.update(
        session.exec(
            select(ImportedTranscript.school_id).where(ImportedTranscript.student_id == student_id)
        )
    )
    # A transfer only asked for gives the asking school nothing: it reads the record once the
    # transfer is completed, when the student is enrolled there.
    return found


def _files(
    session: Session, school_year: str, transcript_id: str, xml: str, pdf: str | None
) -> tuple[dict[str, bytes], list[PackageFile]]:
    contents: dict[str, bytes] = {}
    listed: list[PackageFile] = []
    for digest, extension, media_type in (
        (xml, "xml", XML_MEDIA_TYPE),
        (pdf, "pdf", PDF_MEDIA_TYPE),
    ):
        if digest is None:
            continue
        blob = session.get(Blob, digest)
        if blob is None:
            raise NotFoundError("signed file", digest)
        path = member_path(school_year, transcript_id, extension)
        contents[path] = bytes(blob.content)
        listed.append(PackageFile(path, media_type, digest, blob.size))
    return contents, listed


def _local_entries(
    session: Session, student_id: int, schools: set[int]
) -> list[tuple[PackageEntry, dict[str, bytes]]]:
    rows = session.exec(
        select(Transcript, School, SchoolClass, SchoolYear)
        .join(School, col(School.id) == Transcript.school_id)
        .join(SchoolClass, col(SchoolClass.id) == Transcript.class_id)
        .join(SchoolYear, col(SchoolYear.id) == Transcript.school_year_id)
        .where(
            Transcript.student_id == student_id,
            col(Transcript.school_id).in_(schools),
            col(Transcript.status).in_(ISSUED),
            col(Transcript.xml_sha256).is_not(None),
        )
    ).all()
    found = []
    for row, school, klass, year in rows:
        assert row.xml_sha256 is not None
        # What the signed XML says: a digitised record (SoHoa) is of the paper year, grade
        # and class, not of the row's (the year the school digitised it).
        header = row.data.get("TTChung") or {}
        school_year = str(header.get("NamHoc") or year.name)
        contents, listed = _files(session, school_year, row.id, row.xml_sha256, row.pdf_sha256)
        entry = PackageEntry(
            transcript_id=row.id,
            version=row.version,
            kind=TranscriptKind(row.kind).value,
            status=TranscriptStatus(row.status).value,
            school_year=school_year,
            department_code=school.department_code,
            school_code=school.code,
            school_name=school.name,
            class_name=str(header.get("Lop") or klass.name),
            grade=int(header.get("Khoi") or klass.grade),
            xml=listed[0],
            pdf=listed[1] if len(listed) > 1 else None,
        )
        found.append((entry, contents))
    return found


def _received_entries(
    session: Session, student_id: int, schools: set[int], known: set[str]
) -> list[tuple[PackageEntry, dict[str, bytes]]]:
    found = []
    rows = session.exec(
        select(ImportedTranscript).where(
            ImportedTranscript.student_id == student_id,
            col(ImportedTranscript.school_id).in_(schools),
        )
    ).all()
    for row in rows:
        if row.transcript_id in known:
            continue
        known.add(row.transcript_id)
        contents, listed = _files(
            session, row.school_year, row.transcript_id, row.xml_sha256, row.pdf_sha256
        )
        entry = PackageEntry(
            transcript_id=row.transcript_id,
            version=row.version,
            kind=TranscriptKind(row.kind).value,
            status=TranscriptStatus(row.received_status).value,
            school_year=row.school_year,
            department_code=row.department_code,
            school_code=row.source_school_code,
            school_name=row.source_school_name,
            class_name=row.class_name,
            grade=row.grade,
            xml=listed[0],
            pdf=listed[1] if len(listed) > 1 else None,
        )
        found.append((entry, contents))
    return found


def export_student_record(
    uow: UnitOfWork,
    *,
    actor: Actor,
    now: datetime,
    personal_id: str | None = None,
    student_id: int | None = None,
) -> bytes:
    """The student's complete record as one zip package (``_record_package_format``).

    Every issued version (sealed, finalized, or awaiting a correction) of every school of the
    system, and every version received from another system, each with its signed XML and PDF.
    For academic affairs or the principal of a school the student attends or attended;
    anyone else is told the student does not exist. Audited (``record.export``).
    """
    if actor.is_administrator:
        raise AdministratorForbiddenError
    with uow:
        session = uow.session
        student = _student(session, personal_id, student_id)
        assert student.id is not None
        mine = record_schools(actor) & _student_schools(session, student.id)
        if not mine:
            raise NotFoundError("student", mask_personal_id(student.personal_id))
        # What the caller's schools hold: their own versions and those they inherited,
        # never a later school's.
        schools = set(mine)
        for school in mine:
            schools |= inherited_schools(session, student.id, school)
        found = _local_entries(session, student.id, schools)
        found += _received_entries(
            session, student.id, schools, {e.transcript_id for e, _ in found}
        )
        if not found:
            raise NothingToExportError
        found.sort(key=lambda pair: (pair[0].school_year, pair[0].version, pair[0].transcript_id))
        manifest = Manifest(
            exported_at=now.isoformat(),
            personal_id_masked=mask_personal_id(student.personal_id),
            student_name=student.full_name,
            entries=tuple(entry for entry, _ in found),
        )
        files = {path: data for _, contents in found for path, data in contents.items()}
        package = write_package(manifest, files)
        uow.audit.record(
            actor=actor,
            action="record.export",
            object_type="student",
            object_id=str(student.id),
            now=now,
            details={
                "versions": len(manifest.entries),
                "package_sha256": hashlib.sha256(package).hexdigest(),
            },
        )
        uow.commit("the audit log")
        return package
