"""Receiving a student's record package: verified whole first, then stored as received."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from domain.model import (
    Blob,
    ImportedTranscript,
    School,
    Student,
    TranscriptKind,
    TranscriptStatus,
    mask_personal_id,
)
from domain.signatures import TrustSettings
from workflow._actor import Actor
from workflow._errors import (
    AdministratorForbiddenError,
    InvalidInputError,
    NotAssignedError,
    NotFoundError,
)
from workflow._record_package import ISSUED, record_schools
from workflow._record_package_checks import CheckedPackage, PackageRejectedError, check_package
from workflow._record_package_format import PDF_MEDIA_TYPE, XML_MEDIA_TYPE, PackageProblem
from workflow._transfer_students import find_student
from workflow._uow import UnitOfWork


@dataclass(frozen=True, slots=True)
class ImportedVersion:
    """One version the import recorded (or found already recorded)."""

    transcript_id: str
    version: int
    kind: str
    school_year: str
    school_code: str
    already_present: bool


@dataclass(frozen=True, slots=True)
class ImportedRecord:
    """What an import stored for the receiving school."""

    student_id: int
    personal_id_masked: str
    school_id: int
    package_sha256: str
    versions: tuple[ImportedVersion, ...]
    files: int


def _receiving_school(actor: Actor, school_id: int | None) -> int:
    schools = record_schools(actor)
    if school_id is not None:
        if school_id not in schools:
            raise NotAssignedError(
                "academic affairs or the principal of that school",
                "giáo vụ hoặc hiệu trưởng của trường đó",
            )
        return school_id
    if not schools:
        raise NotAssignedError(
            "academic affairs or the principal of a school", "giáo vụ hoặc hiệu trưởng của trường"
        )
    if len(schools) > 1:
        raise InvalidInputError(
            "school_id", "you act for several schools: name one", "hãy chọn trường tiếp nhận"
        )
    return next(iter(schools))


def _store_blob(session: Session, data: bytes, media_type: str, now: datetime) -> str:
    digest = hashlib.sha256(data).hexdigest()
    if session.get(Blob, digest) is None:
        session.add(
            Blob(sha256=digest, media_type=media_type, size=len(data), content=data, created_at=now)
        )
    return digest


def _receiving_student(session: Session, checked: CheckedPackage) -> Student:
    newest = max(checked.documents.values(), key=lambda d: (d.header.school_year, d.header.version))
    details = newest.student
    student = find_student(session, details.personal_id)
    if student is not None:
        if student.full_name != details.full_name or student.date_of_birth != details.date_of_birth:
            problem = PackageProblem(
                "manifest.json",
                "content_mismatch",
                "this personal ID belongs to a student of another name or birth date here",
            )
            raise PackageRejectedError((problem,))
        return student
    student = Student(
        personal_id=details.personal_id,
        full_name=details.full_name,
        date_of_birth=details.date_of_birth,
        gender=details.gender.value,
        ethnicity=details.ethnicity,
        nationality=details.nationality,
        birthplace=details.birthplace,
        father_name=details.father_name,
        mother_name=details.mother_name,
        guardian_name=details.guardian_name,
    )
    session.add(student)
    session.flush()
    return student


def import_student_record(
    uow: UnitOfWork,
    *,
    package: bytes,
    actor: Actor,
    now: datetime,
    trust: TrustSettings,
    school_id: int | None = None,
) -> ImportedRecord:
    """Receive a student's record package for the actor's school (academic affairs, principal).

    Every file is checked first (``check_package``: limits, manifest hashes, signatures against
    ``trust``); any problem refuses the whole package with PackageRejectedError and nothing is
    written. Then, in one transaction: the student (found by personal ID, or created from the
    signed data), the files as blobs, one ImportedTranscript per version (a version already
    received by this school is left as it is). Audited (``record.import``).
    """
    if actor.is_administrator:
        raise AdministratorForbiddenError
    receiving = _receiving_school(actor, school_id)
    checked = check_package(package, trust=trust, now=now)
    assert actor.person_id is not None
    with uow:
        session = uow.session
        if session.get(School, receiving) is None:
            raise NotFoundError("school", receiving)
        student = _receiving_student(session, checked)
        assert student.id is not None
        present = set(
            session.exec(
                select(ImportedTranscript.transcript_id).where(
                    ImportedTranscript.school_id == receiving
                )
            )
        )
        versions = []
        for entry in checked.manifest.entries:
            xml = _store_blob(session, checked.members[entry.xml.path], XML_MEDIA_TYPE, now)
            pdf = (
                _store_blob(session, checked.members[entry.pdf.path], PDF_MEDIA_TYPE, now)
                if entry.pdf
                else None
            )
            again = entry.transcript_id in present
            if not again:
                session.add(
                    ImportedTranscript(
                        school_id=receiving,
                        student_id=student.id,
                        transcript_id=entry.transcript_id,
                        version=entry.version,
                        kind=TranscriptKind(entry.kind),
                        received_status=_received_status(entry.status),
                        school_year=entry.school_year,
                        department_code=entry.department_code,
                        source_school_code=entry.school_code,
                        source_school_name=entry.school_name,
                        class_name=entry.class_name,
                        grade=entry.grade,
                        xml_sha256=xml,
                        pdf_sha256=pdf,
                        package_sha256=checked.sha256,
                        imported_by_id=actor.person_id,
                        imported_at=now,
                    )
                )
            versions.append(
                ImportedVersion(
                    entry.transcript_id,
                    entry.version,
                    entry.kind,
                    entry.school_year,
                    entry.school_code,
                    again,
                )
            )
        uow.audit.record(
            actor=actor,
            action="record.import",
            object_type="student",
            object_id=str(student.id),
            now=now,
            details={
                "school_id": receiving,
                "package_sha256": checked.sha256,
                "versions": len(versions),
                "new": sum(not v.already_present for v in versions),
            },
        )
        uow.commit("the imported record")
        return ImportedRecord(
            student_id=student.id,
            personal_id_masked=mask_personal_id(student.personal_id),
            school_id=receiving,
            package_sha256=checked.sha256,
            versions=tuple(versions),
            files=len(checked.members),
        )


def _received_status(value: str) -> TranscriptStatus:
    try:
        status = TranscriptStatus(value)
    except ValueError:
        status = TranscriptStatus.FINALIZED
    # What the issuing system reports; only issued versions travel.
    return status if status in ISSUED else TranscriptStatus.FINALIZED
