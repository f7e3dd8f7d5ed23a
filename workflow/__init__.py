"""What may HAPPEN to a transcript: the state machine, its guards, use cases, queues, audit."""

from workflow._actor import SYSTEM, Actor, Grant, load_actor
from workflow._allowed import allowed_actions
from workflow._audit import AuditReport, AuditTrail, verify_audit_chain
from workflow._clock import Clock
from workflow._database import create_database_engine, is_postgresql
from workflow._demo import (
    ClassProgress,
    DemoIncompleteError,
    DemoLogin,
    DemoSummary,
    seed_demo,
)
from workflow._demo_data import DEMO_PASSWORD
from workflow._demo_pki import (
    DemoCredential,
    DemoIdentity,
    DemoPki,
    DemoPkiError,
    demo_staff_identities,
    ensure_demo_pki,
)
from workflow._demo_setup import DemoConflictError
from workflow._document import (
    TranscriptDataIncompleteError,
    TranscriptDataInvalidError,
    transcript_document,
)
from workflow._drafting import create_transcript, record_data
from workflow._errors import (
    AdministratorForbiddenError,
    ConflictError,
    DataLockedError,
    DecisionNotDueError,
    EntryNotSignedError,
    EntryProblem,
    EntrySignedError,
    EntryWindowClosedError,
    IncompleteTrackingError,
    InvalidEntryError,
    InvalidInputError,
    LockDatePassedError,
    NotAllowedInStateError,
    NotAssignedError,
    NotFoundError,
    NotInSupplementaryGroupError,
    NotYetLockedError,
    OrganisationCertificateRequiredError,
    ReasonRequiredError,
    SignedDataChangedError,
    SlotAlreadySignedError,
    SubjectNotInTranscriptError,
    TrackingGap,
    WorkflowError,
    YearEndApprovedError,
    YearEndNotProposedError,
    YearEndOutdatedError,
)
from workflow._facts import TranscriptFacts
from workflow._facts_loader import load_facts
from workflow._flow import EVENTS, TranscriptFlow, mermaid_diagram
from workflow._passwords import hash_password, password_needs_rehash, verify_password
from workflow._pdf_signing import (
    PdfSigning,
    PdfSigningSetupError,
    local_timestamper,
    pdf_signing_options,
    read_trust_roots,
    tsa_at_url,
)
from workflow._policy import SignatureEvidence
from workflow._reading import SignatureView, StudentView, TranscriptView, may_read, read_transcript
from workflow._settings import Settings, load_settings
from workflow._signed_pdf import (
    PdfNotCompletedError,
    PdfSignatureMissingError,
    SignedPdfInvalidError,
)
from workflow._signing import finalize, send_back, sign
from workflow._signing_completion import ItemResult, complete_signing
from workflow._signing_errors import (
    CertificateNotOwnedError,
    CertificateNotValidError,
    CertificateUnreadableError,
    DocumentNotPreparableError,
    SignedDocumentInvalidError,
    SignedXmlMismatchError,
    SignerFailedError,
    SigningSessionCompletedError,
    SigningSessionExpiredError,
    SigningSessionNotYoursError,
    TranscriptMovedError,
)
from workflow._signing_sessions import (
    SESSION_LIFETIME,
    PreparedItem,
    PreparedSession,
    ToSign,
    prepare_signing,
    sign_with,
)
from workflow._signing_steps import SigningStep, slot_of_step
from workflow._staff import assign_role, end_assignment
from workflow._tasks import TaskItem, task_queue
from workflow._tracking_approval import decide_entry_correction
from workflow._tracking_corrections import request_entry_correction
from workflow._tracking_entries import record_homeroom_data, record_subject_scores
from workflow._tracking_queue import (
    EntryCorrectionConcern,
    EntryCorrectionView,
    entry_corrections_for,
)
from workflow._tracking_reading import (
    HomeroomView,
    ScoreLineView,
    StudentYear,
    SubjectSheet,
    read_student_year,
    read_subject_sheet,
)
from workflow._tracking_sheet_cells import SignedEntriesInWorkbookError
from workflow._tracking_sheets import export_class_sheet, import_class_sheet
from workflow._tracking_values import (
    HomeroomEntry,
    HomeroomValues,
    ScoreInput,
    SheetSubject,
    SubjectEntry,
    SubjectValues,
)
from workflow._tracking_windows import (
    EntryWindowView,
    carry_out_window_decision,
    decide_entry_window,
    entry_windows,
)
from workflow._transcript_build import build_class_transcripts, build_transcript
from workflow._transitions import snapshot
from workflow._uow import UnitOfWork
from workflow._versions import decide_correction, request_correction, revoke
from workflow._workbook import (
    MAX_WORKBOOK_BYTES,
    CellError,
    Mismatch,
    WorkbookError,
    WorkbookMismatchError,
    WorkbookRejected,
    WorkbookUnreadableError,
)
from workflow._year_end import approve_year_end, propose_year_end
from workflow._year_end_supplementary import record_supplementary_results
from workflow._year_end_values import YearEndView

__all__ = [
    "DEMO_PASSWORD",
    "EVENTS",
    "MAX_WORKBOOK_BYTES",
    "SESSION_LIFETIME",
    "SYSTEM",
    "Actor",
    "AdministratorForbiddenError",
    "AuditReport",
    "AuditTrail",
    "CellError",
    "CertificateNotOwnedError",
    "CertificateNotValidError",
    "CertificateUnreadableError",
    "ClassProgress",
    "Clock",
    "ConflictError",
    "DataLockedError",
    "DecisionNotDueError",
    "DemoConflictError",
    "DemoCredential",
    "DemoIdentity",
    "DemoIncompleteError",
    "DemoLogin",
    "DemoPki",
    "DemoPkiError",
    "DemoSummary",
    "DocumentNotPreparableError",
    "EntryCorrectionConcern",
    "EntryCorrectionView",
    "EntryNotSignedError",
    "EntryProblem",
    "EntrySignedError",
    "EntryWindowClosedError",
    "EntryWindowView",
    "Grant",
    "HomeroomEntry",
    "HomeroomValues",
    "HomeroomView",
    "IncompleteTrackingError",
    "InvalidEntryError",
    "InvalidInputError",
    "ItemResult",
    "LockDatePassedError",
    "Mismatch",
    "NotAllowedInStateError",
    "NotAssignedError",
    "NotFoundError",
    "NotInSupplementaryGroupError",
    "NotYetLockedError",
    "OrganisationCertificateRequiredError",
    "PdfNotCompletedError",
    "PdfSignatureMissingError",
    "PdfSigning",
    "PdfSigningSetupError",
    "PreparedItem",
    "PreparedSession",
    "ReasonRequiredError",
    "ScoreInput",
    "ScoreLineView",
    "Settings",
    "SheetSubject",
    "SignatureEvidence",
    "SignatureView",
    "SignedDataChangedError",
    "SignedDocumentInvalidError",
    "SignedEntriesInWorkbookError",
    "SignedPdfInvalidError",
    "SignedXmlMismatchError",
    "SignerFailedError",
    "SigningSessionCompletedError",
    "SigningSessionExpiredError",
    "SigningSessionNotYoursError",
    "SigningStep",
    "SlotAlreadySignedError",
    "StudentView",
    "StudentYear",
    "SubjectEntry",
    "SubjectNotInTranscriptError",
    "SubjectSheet",
    "SubjectValues",
    "TaskItem",
    "ToSign",
    "TrackingGap",
    "TranscriptDataIncompleteError",
    "TranscriptDataInvalidError",
    "TranscriptFacts",
    "TranscriptFlow",
    "TranscriptMovedError",
    "TranscriptView",
    "UnitOfWork",
    "WorkbookError",
    "WorkbookMismatchError",
    "WorkbookRejected",
    "WorkbookUnreadableError",
    "WorkflowError",
    "YearEndApprovedError",
    "YearEndNotProposedError",
    "YearEndOutdatedError",
    "YearEndView",
    "allowed_actions",
    "approve_year_end",
    "assign_role",
    "build_class_transcripts",
    "build_transcript",
    "carry_out_window_decision",
    "complete_signing",
    "create_database_engine",
    "create_transcript",
    "decide_correction",
    "decide_entry_correction",
    "decide_entry_window",
    "demo_staff_identities",
    "end_assignment",
    "ensure_demo_pki",
    "entry_corrections_for",
    "entry_windows",
    "export_class_sheet",
    "finalize",
    "hash_password",
    "import_class_sheet",
    "is_postgresql",
    "load_actor",
    "load_facts",
    "load_settings",
    "local_timestamper",
    "may_read",
    "mermaid_diagram",
    "password_needs_rehash",
    "pdf_signing_options",
    "prepare_signing",
    "propose_year_end",
    "read_student_year",
    "read_subject_sheet",
    "read_transcript",
    "read_trust_roots",
    "record_data",
    "record_homeroom_data",
    "record_subject_scores",
    "record_supplementary_results",
    "request_correction",
    "request_entry_correction",
    "revoke",
    "seed_demo",
    "send_back",
    "sign",
    "sign_with",
    "slot_of_step",
    "snapshot",
    "task_queue",
    "transcript_document",
    "tsa_at_url",
    "verify_audit_chain",
    "verify_password",
]
