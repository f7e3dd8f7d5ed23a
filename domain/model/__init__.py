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
from domain.model._certified_copy import CertifiedCopy
from domain.model._challenge import CertificateChallenge
from domain.model._columns import UTCDateTime
from domain.model._consent import Consent
from domain.model._contact import InvalidPhoneError, mask_phone, normalize_phone
from domain.model._enums import (
    ACADEMIC_ROLES,
    CommentResult,
    ConductLevel,
    CorrectionStatus,
    EntryPeriod,
    Honour,
    Role,
    SlotKind,
    SubjectKind,
    TranscriptKind,
    TranscriptStatus,
    WindowAction,
    WindowDecisionStatus,
    YearEndOutcome,
    slot_name,
)
from domain.model._errors import DomainError, InvalidPersonalIdError, UnknownSubjectError
from domain.model._identity import mask_personal_id, validate_personal_id
from domain.model._login import LoginFailure
from domain.model._outbox import CityRegistration, OutboxKind, OutboxMessage, OutboxState
from domain.model._people import Enrollment, GuardianLink, Person, RoleAssignment, Student
from domain.model._scheduling import Notification, SchedulerRun
from domain.model._school import ClassSubject, School, SchoolClass, SchoolYear, Subject
from domain.model._sharing import RecoveryRequest, ShareLink
from domain.model._signing_session import SigningSession, SigningSessionItem
from domain.model._subjects import CATALOGUE, SubjectInfo, subject_info
from domain.model._tracking import (
    EntryCorrection,
    EntryWindow,
    EntryWindowDecision,
    HomeroomRecord,
    ScoreLine,
    YearEndRecord,
)
from domain.model._transcript import Blob, CorrectionRequest, Transcript, TranscriptSignature
from domain.model._transfer import ImportedTranscript, Transfer, TransferKind, TransferStage

__all__ = [
    "ACADEMIC_ROLES",
    "CATALOGUE",
    "GENESIS_HASH",
    "AuditEvent",
    "AuditHead",
    "Blob",
    "CertificateChallenge",
    "CertifiedCopy",
    "ChainBreak",
    "CityRegistration",
    "ClassSubject",
    "CommentResult",
    "ConductLevel",
    "Consent",
    "CorrectionRequest",
    "CorrectionStatus",
    "DomainError",
    "Enrollment",
    "EntryCorrection",
    "EntryPeriod",
    "EntryWindow",
    "EntryWindowDecision",
    "GuardianLink",
    "HomeroomRecord",
    "Honour",
    "ImportedTranscript",
    "InvalidPersonalIdError",
    "InvalidPhoneError",
    "LoginFailure",
    "Notification",
    "OutboxKind",
    "OutboxMessage",
    "OutboxState",
    "Person",
    "RecoveryRequest",
    "Role",
    "RoleAssignment",
    "SchedulerRun",
    "School",
    "SchoolClass",
    "SchoolYear",
    "ScoreLine",
    "ShareLink",
    "SigningSession",
    "SigningSessionItem",
    "SlotKind",
    "Student",
    "Subject",
    "SubjectInfo",
    "SubjectKind",
    "Transcript",
    "TranscriptKind",
    "TranscriptSignature",
    "TranscriptStatus",
    "Transfer",
    "TransferKind",
    "TransferStage",
    "UTCDateTime",
    "UnknownSubjectError",
    "WindowAction",
    "WindowDecisionStatus",
    "YearEndOutcome",
    "YearEndRecord",
    "canonical_json",
    "entry_hash",
    "find_chain_break",
    "mask_personal_id",
    "mask_phone",
    "normalize_phone",
    "slot_name",
    "state_hash",
    "subject_info",
    "validate_personal_id",
]
