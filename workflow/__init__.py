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
from workflow._demo_setup import DemoConflictError
from workflow._drafting import create_transcript, record_data
from workflow._errors import (
    AdministratorForbiddenError,
    ConflictError,
    DataLockedError,
    InvalidInputError,
    LockDatePassedError,
    NotAllowedInStateError,
    NotAssignedError,
    NotFoundError,
    NotYetLockedError,
    OrganisationCertificateRequiredError,
    ReasonRequiredError,
    SlotAlreadySignedError,
    SubjectNotInTranscriptError,
    WorkflowError,
)
from workflow._facts import TranscriptFacts
from workflow._facts_loader import load_facts
from workflow._flow import EVENTS, TranscriptFlow, mermaid_diagram
from workflow._passwords import hash_password, password_needs_rehash, verify_password
from workflow._policy import SignatureEvidence
from workflow._reading import SignatureView, StudentView, TranscriptView, may_read, read_transcript
from workflow._settings import Settings, load_settings
from workflow._signing import finalize, send_back, sign
from workflow._signing_steps import SigningStep, slot_of_step
from workflow._staff import assign_role, end_assignment
from workflow._tasks import TaskItem, task_queue
from workflow._transitions import snapshot
from workflow._uow import UnitOfWork
from workflow._versions import decide_correction, request_correction, revoke

__all__ = [
    "DEMO_PASSWORD",
    "EVENTS",
    "SYSTEM",
    "Actor",
    "AdministratorForbiddenError",
    "AuditReport",
    "AuditTrail",
    "ClassProgress",
    "Clock",
    "ConflictError",
    "DataLockedError",
    "DemoConflictError",
    "DemoIncompleteError",
    "DemoLogin",
    "DemoSummary",
    "Grant",
    "InvalidInputError",
    "LockDatePassedError",
    "NotAllowedInStateError",
    "NotAssignedError",
    "NotFoundError",
    "NotYetLockedError",
    "OrganisationCertificateRequiredError",
    "ReasonRequiredError",
    "Settings",
    "SignatureEvidence",
    "SignatureView",
    "SigningStep",
    "SlotAlreadySignedError",
    "StudentView",
    "SubjectNotInTranscriptError",
    "TaskItem",
    "TranscriptFacts",
    "TranscriptFlow",
    "TranscriptView",
    "UnitOfWork",
    "WorkflowError",
    "allowed_actions",
    "assign_role",
    "create_database_engine",
    "create_transcript",
    "decide_correction",
    "end_assignment",
    "finalize",
    "hash_password",
    "is_postgresql",
    "load_actor",
    "load_facts",
    "load_settings",
    "may_read",
    "mermaid_diagram",
    "password_needs_rehash",
    "read_transcript",
    "record_data",
    "request_correction",
    "revoke",
    "seed_demo",
    "send_back",
    "sign",
    "slot_of_step",
    "snapshot",
    "task_queue",
    "verify_audit_chain",
    "verify_password",
]
