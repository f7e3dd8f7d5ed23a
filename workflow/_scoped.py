"""The transcript use cases as an interface calls them: scope first, then the action.

A transcript (or correction request) the actor may not read does not exist for them: they get
the same NotFoundError as for an unknown id, never a NotAssignedError that would confirm it
exists. Within their scope, the action's own guards decide (and may refuse with 403 reasons).
The administrator is refused outright (REQ-07).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from domain.model import Blob, CorrectionRequest, Transcript
from workflow._actor import Actor
from workflow._errors import AdministratorForbiddenError, NotFoundError, WorkflowError
from workflow._reading import TranscriptView, may_read, read_transcript
from workflow._signing import send_back
from workflow._uow import UnitOfWork
from workflow._versions import decide_correction, request_correction, revoke


class SignedFileKind(StrEnum):
    """Which of a transcript's signed files."""

    XML = "xml"
    PDF = "pdf"


class SignedFileMissingError(NotFoundError):
    """The transcript has no signed file of that kind yet (nothing has been signed)."""

    def __init__(self, kind: SignedFileKind, transcript_id: str) -> None:
        WorkflowError.__init__(
            self,
            f"transcript {transcript_id} has no signed {kind.value.upper()} yet",
            f"Học bạ {transcript_id} chưa có tệp {kind.value.upper()} đã ký",
        )


@dataclass(frozen=True, slots=True)
class SignedFile:
    """The bytes of a transcript's current signed file."""

    transcript_id: str
    version: int
    kind: SignedFileKind
    media_type: str
    sha256: str
    content: bytes


@dataclass(frozen=True, slots=True)
class TranscriptOutcome:
    """Where a transcript stands after an action, and the new version it started, if any."""

    transcript_id: str
    status: str
    new_transcript_id: str | None = None


@dataclass(frozen=True, slots=True)
class CorrectionOutcome:
    """A correction request after it was filed or decided."""

    request_id: int
    transcript_id: str
    status: str
    new_transcript_id: str | None = None


def _visible(uow: UnitOfWork, transcript_id: str, actor: Actor) -> None:
    if actor.is_administrator:
        raise AdministratorForbiddenError
    with uow:
        row = uow.session.get(Transcript, transcript_id)
        if row is None or not may_read(uow.session, actor, row):
            raise NotFoundError("transcript", transcript_id)


def _status(uow: UnitOfWork, transcript_id: str) -> str:
    with uow:
        row = uow.session.get(Transcript, transcript_id)
        assert row is not None  # transcripts are never deleted
        return str(row.status)


def return_transcript(
    uow: UnitOfWork, *, transcript_id: str, actor: Actor, reason: str, now: datetime
) -> TranscriptOutcome:
    """A later signer sends a transcript in their scope back to draft (``send_back``)."""
    _visible(uow, transcript_id, actor)
    row = send_back(uow, transcript_id=transcript_id, actor=actor, reason=reason, now=now)
    return TranscriptOutcome(transcript_id=row.id, status=str(row.status))


def revoke_transcript(
    uow: UnitOfWork, *, transcript_id: str, actor: Actor, reason: str, now: datetime
) -> TranscriptOutcome:
    """The principal withdraws an issued version in their scope (``revoke``)."""
    _visible(uow, transcript_id, actor)
    new_id = revoke(uow, transcript_id=transcript_id, actor=actor, reason=reason, now=now)
    return TranscriptOutcome(
        transcript_id=transcript_id,
        status=_status(uow, transcript_id),
        new_transcript_id=new_id,
    )


def file_correction_request(
    uow: UnitOfWork,
    *,
    transcript_id: str,
    actor: Actor,
    reason: str,
    details: str,
    now: datetime,
) -> CorrectionOutcome:
    """The principal asks the Department to correct a locked transcript in their scope."""
    _visible(uow, transcript_id, actor)
    request_id = request_correction(
        uow, transcript_id=transcript_id, actor=actor, reason=reason, details=details, now=now
    )
    return CorrectionOutcome(request_id=request_id, transcript_id=transcript_id, status="pending")


def decide_correction_request(
    uow: UnitOfWork,
    *,
    request_id: int,
    actor: Actor,
    approve: bool,
    note: str,
    now: datetime,
) -> CorrectionOutcome:
    """The Department decides a request about a transcript in its scope."""
    if actor.is_administrator:
        raise AdministratorForbiddenError
    with uow:
        request = uow.session.get(CorrectionRequest, request_id)
        row = uow.session.get(Transcript, request.transcript_id) if request else None
        if row is None or not may_read(uow.session, actor, row):
            raise NotFoundError("correction request", request_id)
        transcript_id = row.id
    new_id = decide_correction(
        uow, request_id=request_id, actor=actor, approve=approve, note=note, now=now
    )
    return CorrectionOutcome(
        request_id=request_id,
        transcript_id=transcript_id,
        status="approved" if approve else "rejected",
        new_transcript_id=new_id,
    )


def read_signed_file(
    uow: UnitOfWork, *, transcript_id: str, kind: SignedFileKind, actor: Actor, now: datetime
) -> SignedFile:
    """The current signed XML or PDF of a transcript in the reader's scope; audited.

    NotFoundError while the transcript has no such file yet (nothing signed).
    """
    if actor.is_administrator:
        raise AdministratorForbiddenError
    with uow:
        session = uow.session
        row = session.get(Transcript, transcript_id)
        if row is None or not may_read(session, actor, row):
            raise NotFoundError("transcript", transcript_id)
        digest = row.xml_sha256 if kind is SignedFileKind.XML else row.pdf_sha256
        blob = session.get(Blob, digest) if digest else None
        if blob is None:
            raise SignedFileMissingError(kind, transcript_id)
        uow.audit.record(
            actor=actor,
            action="student.read",
            object_type="student",
            object_id=str(row.student_id),
            now=now,
            details={"transcript_id": row.id, "file": kind.value},
        )
        uow.commit("the audit log")
        return SignedFile(
            transcript_id=row.id,
            version=row.version,
            kind=kind,
            media_type=blob.media_type,
            sha256=blob.sha256,
            content=bytes(blob.content),
        )


def view_transcript(
    uow: UnitOfWork, *, transcript_id: str, actor: Actor, now: datetime
) -> TranscriptView:
    """``read_transcript``, with the administrator refused outright instead of told 404."""
    if actor.is_administrator:
        raise AdministratorForbiddenError
    return read_transcript(uow, transcript_id=transcript_id, actor=actor, now=now)
