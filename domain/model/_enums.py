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


class ConductLevel(StrEnum):
    """A Circular 22 conduct level (kết quả rèn luyện), as stored.

    The same codes as ``domain.assessment.Level``, which the assessment engine judges with.
    """

    TOT = "T"
    KHA = "K"
    DAT = "D"
    CHUA_DAT = "CD"


class CommentResult(StrEnum):
    """The result of one assessment of a comment subject: Đạt or Chưa đạt."""

    DAT = "D"
    CHUA_DAT = "CD"


class EntryPeriod(StrEnum):
    """A period of data entry in the tracking book, each with its own window (REQ-18)."""

    HK1 = "hk1"
    HK2 = "hk2"
    SUPPLEMENTARY = "supplementary"
    """Retests and summer conduct training, after the main lock date (REQ-20)."""

    @classmethod
    def of_semester(cls, semester: int) -> EntryPeriod:
        """The period in which a semester's data is entered."""
        return cls.HK1 if semester == 1 else cls.HK2


class WindowAction(StrEnum):
    """What the principal decides about an entry window."""

    OPEN = "open"
    CLOSE = "close"


class WindowDecisionStatus(StrEnum):
    """A principal's window decision: waiting for the administrator, carried out, or replaced."""

    PENDING = "pending"
    CARRIED_OUT = "carried_out"
    REPLACED = "replaced"


class YearEndOutcome(StrEnum):
    """The year-end decision proposed for a student (REQ-19)."""

    PROMOTED = "promoted"
    RETEST = "retest"
    SUMMER_TRAINING = "summer_training"
    NOT_PROMOTED = "not_promoted"


class Honour(StrEnum):
    """A year-end title (contracts.md ``title``)."""

    XUAT_SAC = "XuatSac"
    GIOI = "Gioi"
