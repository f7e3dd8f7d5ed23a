"""Closed vocabularies stored in the database: roles, statuses, kinds, signature slots."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """A duty a person holds at a school (REQ-07), or a reader of their own records (REQ-35)."""

    SUBJECT_TEACHER = "subject_teacher"
    HOMEROOM_TEACHER = "homeroom_teacher"
    PRINCIPAL = "principal"
    ACADEMIC_AFFAIRS = "academic_affairs"
    CLERK = "clerk"
    ADMINISTRATOR = "administrator"
    DEPARTMENT_OFFICER = "department_officer"
    STUDENT = "student"
    GUARDIAN = "guardian"


ACADEMIC_ROLES = frozenset(
    {
        Role.SUBJECT_TEACHER,
        Role.HOMEROOM_TEACHER,
        Role.PRINCIPAL,
        Role.ACADEMIC_AFFAIRS,
        Role.CLERK,
        Role.DEPARTMENT_OFFICER,
    }
)
"""Roles that touch academic data; REQ-07 forbids combining any of them with ADMINISTRATOR."""


class TranscriptStatus(StrEnum):
    """The states of a transcript's workflow; the state machine is their only writer."""

    DRAFT = "draft"
    SUBJECT_SIGNED = "subject_signed"
    HOMEROOM_SIGNED = "homeroom_signed"
    PRINCIPAL_SIGNED = "principal_signed"
    SCHOOL_STAMPED = "school_stamped"
    FINALIZED = "finalized"
    CORRECTION_REQUESTED = "correction_requested"
    SUPERSEDED = "superseded"


class TranscriptKind(StrEnum):
    """LoaiHocBa: annual record, mid-year transfer-out record, digitised paper record."""

    CA_NAM = "CaNam"
    CHUYEN_TRUONG = "ChuyenTruong"
    SO_HOA = "SoHoa"


class SubjectKind(StrEnum):
    """How a subject is assessed under Circular 22: by score (0–10) or by comment (Đạt/Chưa đạt)."""

    SCORE = "score"
    COMMENT = "comment"


class SlotKind(StrEnum):
    """The signature slots of DSCKS, in signing order (transcript-format.md)."""

    GVBM = "GVBM"
    GVCN = "GVCN"
    HIEU_TRUONG = "HieuTruong"
    DON_VI = "DonVi"


class CorrectionStatus(StrEnum):
    """Where a post-lock correction request stands at the Department (REQ-23)."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


def slot_name(kind: SlotKind, subject_code: str | None = None) -> str:
    """The stored slot name: ``GVBM:TOAN`` for a subject teacher, the kind's value otherwise."""
    if kind is SlotKind.GVBM:
        if not subject_code:
            raise ValueError("a GVBM slot needs a subject code")
        return f"{kind.value}:{subject_code}"
    return kind.value
