"""What the clerk's certified-copy page shows (REQ-28): a student's issued versions the
clerk's school can copy, found by personal ID, and the copies the school has made.

Only a clerk of the school sees either; a student with no issued version at the clerk's
school reads as not found, whether or not they exist elsewhere (no existence leaks across
schools). Finding a student is a read of personal data: audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final

from sqlmodel import col, select

from domain.model import (
    CertifiedCopy,
    Role,
    SchoolClass,
    SchoolYear,
    Student,
    Transcript,
    mask_personal_id,
)
from workflow._actor import Actor
from workflow._errors import AdministratorForbiddenError, NotAssignedError, NotFoundError
from workflow._record_package import ISSUED
from workflow._transfer_students import find_student
from workflow._uow import UnitOfWork

RECENT_COPIES: Final = 50
"""How many of the school's latest copies the page lists."""


@dataclass(frozen=True, slots=True)
class CopyableVersion:
    """One issued version a certified copy may contain."""

    transcript_id: str
    school_year: str
    kind: str
    version: int
    class_name: str


@dataclass(frozen=True, slots=True)
class CopyCandidates:
    """A student found by personal ID and their issued versions at the clerk's school."""

    student_name: str
    personal_id_masked: str
    versions: tuple[CopyableVersion, ...]


@dataclass(frozen=True, slots=True)
class CopyLine:
    """One certified copy of the school, for the list."""

    id: int
    student_name: str
    versions: int
    prepared_at: datetime
    sealed_at: datetime | None

    @property
    def number(self) -> str:
        """The copy's number as printed on its certification page."""
        return f"{self.id}/SY-HB"


def _clerk_schools(actor: Actor) -> frozenset[int]:
    if actor.is_administrator:
        raise AdministratorForbiddenError
    schools = frozenset(
        g.school_id for g in actor.grants if g.role is Role.CLERK and g.school_id is not None
    )
    if not schools:
        raise NotAssignedError("a school's clerk", "văn thư của trường")
    return schools


def copy_candidates(
    uow: UnitOfWork, *, actor: Actor, personal_id: str, now: datetime
) -> CopyCandidates:
    """The student ``personal_id`` names and their issued versions at the clerk's school,
    oldest year first; NotFoundError when there is none there. Audited as a read."""
    schools = _clerk_schools(actor)
    with uow:
        session = uow.session
        student = find_student(session, personal_id)
        rows = []
        if student is not None:
            rows = list(
                session.exec(
                    select(Transcript, SchoolYear.name, SchoolClass.name)
                    .join(SchoolYear, col(SchoolYear.id) == Transcript.school_year_id)
                    .join(SchoolClass, col(SchoolClass.id) == Transcript.class_id)
                    .where(
                        Transcript.student_id == student.id,
                        col(Transcript.school_id).in_(schools),
                        col(Transcript.status).in_(ISSUED),
                        col(Transcript.xml_sha256).is_not(None),
                    )
                    .order_by(col(SchoolYear.starts_on), col(Transcript.version))
                ).all()
            )
        if student is None or not rows:
            raise NotFoundError("issued transcript of student", mask_personal_id(personal_id))
        uow.audit.record(
            actor=actor,
            action="student.read",
            object_type="student",
            object_id=str(student.id),
            now=now,
            details={"via": "certified_copy_search"},
        )
        uow.commit("the audit log")
        return CopyCandidates(
            student_name=student.full_name,
            personal_id_masked=mask_personal_id(student.personal_id),
            versions=tuple(
                CopyableVersion(row.id, year, str(row.kind), row.version, class_name)
                for row, year, class_name in rows
            ),
        )


def school_copies(uow: UnitOfWork, *, actor: Actor, now: datetime) -> tuple[CopyLine, ...]:
    """The clerk's school's latest certified copies, newest first (sealed or only prepared)."""
    del now  # the list does not depend on the moment; kept for the use cases' common shape
    schools = _clerk_schools(actor)
    with uow:
        rows = uow.session.exec(
            select(CertifiedCopy, Student.full_name)
            .join(Student, col(Student.id) == CertifiedCopy.student_id)
            .where(col(CertifiedCopy.school_id).in_(schools))
            .order_by(col(CertifiedCopy.id).desc())
            .limit(RECENT_COPIES)
        ).all()
        return tuple(
            CopyLine(
                id=copy.id or 0,
                student_name=name,
                versions=len(copy.transcript_ids),
                prepared_at=copy.prepared_at,
                sealed_at=copy.sealed_at,
            )
            for copy, name in rows
        )
