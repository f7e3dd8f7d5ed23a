"""The student's record as one school holds it: its own transcripts, those inherited through
completed transfers (the ChuyenTruong record among them) and those imported in packages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from domain.model import (
    Enrollment,
    ImportedTranscript,
    School,
    SchoolClass,
    SchoolYear,
    Transcript,
    TranscriptKind,
    TranscriptStatus,
    mask_personal_id,
)
from workflow._actor import Actor
from workflow._errors import AdministratorForbiddenError, NotAssignedError, NotFoundError
from workflow._record_package import ISSUED, inherited_schools, record_schools
from workflow._transfer_students import find_student
from workflow._uow import UnitOfWork


@dataclass(frozen=True, slots=True)
class ChainLink:
    """One version of the student's record as the receiving school holds it."""

    transcript_id: str
    version: int
    kind: TranscriptKind
    status: TranscriptStatus
    school_year: str
    school_code: str
    source: str
    """``own`` (this school's), ``transferred`` (inherited from a school of the system) or
    ``imported`` (received in a record package)."""
    xml_sha256: str | None
    pdf_sha256: str | None


def student_record_chain(
    uow: UnitOfWork, *, personal_id: str, actor: Actor, now: datetime, school_id: int | None = None
) -> tuple[ChainLink, ...]:
    """The student's transcripts as a school holds them, oldest year first: its own, those it
    inherited through completed transfers (the ChuyenTruong record and the leaving school's
    issued years), and those it imported. For academic affairs or the principal; audited."""
    if actor.is_administrator:
        raise AdministratorForbiddenError
    schools = record_schools(actor)
    with uow:
        session = uow.session
        student = find_student(session, personal_id)
        if student is None or student.id is None:
            raise NotFoundError("student", mask_personal_id(personal_id))
        school = school_id if school_id is not None else min(schools, default=None)
        if school is None or school not in schools:
            raise NotAssignedError(
                "academic affairs or the principal of the school", "giáo vụ hoặc hiệu trưởng"
            )
        inherited = inherited_schools(session, student.id, school)
        rows = session.exec(
            select(Transcript, School.code, SchoolYear.name)
            .join(School, col(School.id) == Transcript.school_id)
            .join(SchoolYear, col(SchoolYear.id) == Transcript.school_year_id)
            .where(
                Transcript.student_id == student.id,
                col(Transcript.school_id).in_([school, *inherited]),
                Transcript.status != TranscriptStatus.SUPERSEDED,
            )
        ).all()
        links = [
            ChainLink(
                row.id,
                row.version,
                TranscriptKind(row.kind),
                TranscriptStatus(row.status),
                # A digitised record is of its paper year (TTChung/NamHoc), not the row's.
                str((row.data.get("TTChung") or {}).get("NamHoc") or year),
                code,
                "own" if row.school_id == school else "transferred",
                row.xml_sha256,
                row.pdf_sha256,
            )
            for row, code, year in rows
            if row.school_id == school or row.status in ISSUED
        ]
        links += [
            ChainLink(
                r.transcript_id,
                r.version,
                TranscriptKind(r.kind),
                TranscriptStatus(r.received_status),
                r.school_year,
                r.source_school_code,
                "imported",
                r.xml_sha256,
                r.pdf_sha256,
            )
            for r in session.exec(
                select(ImportedTranscript).where(
                    ImportedTranscript.student_id == student.id,
                    ImportedTranscript.school_id == school,
                )
            ).all()
        ]
        if not links and not _enrolled_at(session, student.id, school):
            raise NotFoundError("student", mask_personal_id(personal_id))
        uow.audit.record(
            actor=actor,
            action="student.read",
            object_type="student",
            object_id=str(student.id),
            now=now,
            details={"record_chain": len(links), "school_id": school},
        )
        uow.commit("the audit log")
        order = {
            TranscriptKind.CHUYEN_TRUONG: 0,
            TranscriptKind.SO_HOA: 0,
            TranscriptKind.CA_NAM: 1,
        }
        return tuple(
            sorted(links, key=lambda link: (link.school_year, order[link.kind], link.version))
        )


def _enrolled_at(session: Session, student_id: int, school_id: int) -> bool:
    return (
        session.exec(
            select(Enrollment.id)
            .join(SchoolClass, col(SchoolClass.id) == Enrollment.class_id)
            .where(Enrollment.student_id == student_id, SchoolClass.school_id == school_id)
        ).first()
        is not None
    )
