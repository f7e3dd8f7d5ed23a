"""What a transcript IS: the tables (thin), vocabularies, identity rules and the audit chain."""

from domain.model._audit import (
    GENESIS_HASH,
    AuditEvent,
    AuditHead,
    ChainBreak,
    canonical_json,
    entry_hash,
    find_chain_break,
    state_hash,
)
from domain.model._columns import UTCDateTime
from domain.model._enums import (
    ACADEMIC_ROLES,
    CorrectionStatus,
    Role,
    SlotKind,
    SubjectKind,
    TranscriptKind,
    TranscriptStatus,
    slot_name,
)
from domain.model._errors import DomainError, InvalidPersonalIdError, UnknownSubjectError
from domain.model._identity import mask_personal_id, validate_personal_id
from domain.model._people import Enrollment, GuardianLink, Person, RoleAssignment, Student
from domain.model._scheduling import Notification, SchedulerRun
from domain.model._school import ClassSubject, School, SchoolClass, SchoolYear, Subject
from domain.model._subjects import CATALOGUE, SubjectInfo, subject_info
from domain.model._transcript import Blob, CorrectionRequest, Transcript, TranscriptSignature

__all__ = [
    "ACADEMIC_ROLES",
    "CATALOGUE",
    "GENESIS_HASH",
    "AuditEvent",
    "AuditHead",
    "Blob",
    "ChainBreak",
    "ClassSubject",
    "CorrectionRequest",
    "CorrectionStatus",
    "DomainError",
    "Enrollment",
    "GuardianLink",
    "InvalidPersonalIdError",
    "Notification",
    "Person",
    "Role",
    "RoleAssignment",
    "SchedulerRun",
    "School",
    "SchoolClass",
    "SchoolYear",
    "SlotKind",
    "Student",
    "Subject",
    "SubjectInfo",
    "SubjectKind",
    "Transcript",
    "TranscriptKind",
    "TranscriptSignature",
    "TranscriptStatus",
    "UTCDateTime",
    "UnknownSubjectError",
    "canonical_json",
    "entry_hash",
    "find_chain_break",
    "mask_personal_id",
    "slot_name",
    "state_hash",
    "subject_info",
    "validate_personal_id",
]
