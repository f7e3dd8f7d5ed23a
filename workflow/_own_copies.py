"""What the share links and the lost-files recovery have in common: which transcripts a
student's own copies may be, whose they are, reading their files, and the refusals."""

from __future__ import annotations

import hashlib
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from domain.model import Blob, GuardianLink, Student, Transcript, TranscriptStatus
from workflow._actor import Actor
from workflow._errors import NotFoundError, WorkflowError
from workflow._scoped import SignedFile, SignedFileKind, SignedFileMissingError

SHAREABLE = frozenset({TranscriptStatus.FINALIZED, TranscriptStatus.CORRECTION_REQUESTED})
"""The states in which a version is the issued transcript (a correction request about it may
be pending): only those are shared or sent again (REQ-32, REQ-33)."""


class AccessGoneError(WorkflowError):
    """A link, code or download page that existed but no longer opens anything (HTTP 410)."""

    code = "gone"


class TooManyRequestsError(WorkflowError):
    """A rate limit was reached; ``retry_after`` seconds until the next attempt counts."""

    code = "too_many_requests"

    def __init__(self, message: str, message_vi: str, *, retry_after: int) -> None:
        super().__init__(message, message_vi)
        self.retry_after = retry_after


def token_digest(token: str) -> str:
    """The SHA-256 (hex) under which a random token is stored (never the token itself)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def owned_student_ids(session: Session, actor: Actor) -> set[int]:
    """The students whose own copies ``actor`` holds: themselves, or a guardian's children."""
    if actor.person_id is None or actor.is_administrator:
        return set()
    own = session.exec(select(Student.id).where(Student.person_id == actor.person_id)).all()
    children = session.exec(
        select(GuardianLink.student_id).where(GuardianLink.person_id == actor.person_id)
    ).all()
    return {i for i in own if i is not None} | set(children)


def shareable_transcripts(session: Session, student_id: int) -> list[Transcript]:
    """A student's issued versions, newest school year first."""
    return list(
        session.exec(
            select(Transcript)
            .where(
                Transcript.student_id == student_id,
                col(Transcript.status).in_(SHAREABLE),
            )
            .order_by(sa.desc(col(Transcript.school_year_id)), sa.desc(col(Transcript.version)))
        ).all()
    )


def signed_file(session: Session, row: Transcript, kind: SignedFileKind) -> SignedFile:
    """The current signed XML or PDF of ``row``; SignedFileMissingError when there is none."""
    digest = row.xml_sha256 if kind is SignedFileKind.XML else row.pdf_sha256
    blob = session.get(Blob, digest) if digest else None
    if blob is None:
        raise SignedFileMissingError(kind, row.id)
    return SignedFile(
        transcript_id=row.id,
        version=row.version,
        kind=kind,
        media_type=blob.media_type,
        sha256=blob.sha256,
        content=bytes(blob.content),
    )


def issued_transcript(session: Session, transcript_id: str, student_id: int) -> Transcript:
    """``transcript_id`` if it is an issued version of ``student_id``'s, else NotFoundError
    (another student's transcript does not exist for this link or download page)."""
    row = session.get(Transcript, transcript_id)
    if row is None or row.student_id != student_id or row.status not in SHAREABLE:
        raise NotFoundError("transcript", transcript_id)
    return row


def still_valid(expires_at: datetime, now: datetime) -> bool:
    """Whether something that expires at ``expires_at`` is still valid at ``now``."""
    return now < expires_at
