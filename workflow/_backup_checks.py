"""After a restore: the audit chain, and every stored signed file through the project's verifier.

Every blob is checked against its address (SHA-256). A signed XML or PDF passes when each of
its signatures is valid (TOTAL_PASSED). A file of a signing step in progress lacks the later
signatures, which is expected; the current XML and PDF of an issued transcript (stamped,
finalized, under correction, or superseded after issue) must be complete as well.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from domain.documents import ProblemCode
from domain.model import Blob, Transcript, TranscriptStatus
from domain.signatures import TrustSettings, VerificationReport, verify_transcript_file
from workflow._audit import AuditReport, verify_audit_chain

ISSUED = frozenset(
    {
        TranscriptStatus.SCHOOL_STAMPED,
        TranscriptStatus.FINALIZED,
        TranscriptStatus.CORRECTION_REQUESTED,
        TranscriptStatus.SUPERSEDED,
    }
)
_KINDS = {"application/xml": "xml", "text/xml": "xml", "application/pdf": "pdf"}


@dataclass(frozen=True, slots=True)
class FileFailure:
    """A stored file that did not verify, and why."""

    sha256: str
    kind: str
    """``xml``, ``pdf`` or the media type."""
    reason: str


@dataclass(frozen=True, slots=True)
class RestoredCheck:
    """What was verified in a restored database."""

    audit: AuditReport
    xml_verified: int
    pdf_verified: int
    complete: int
    """Of the verified files, the current files of issued transcripts (every slot signed)."""
    other_files: int
    """Blobs that are neither XML nor PDF (scanned originals): checked against their address."""
    failures: tuple[FileFailure, ...]

    @property
    def ok(self) -> bool:
        """The audit chain holds and every file verified."""
        return self.audit.ok and not self.failures


def _issued_files(session: Session) -> dict[str, str]:
    """The current XML and PDF digests of issued transcripts → the transcript's id."""
    rows = session.exec(
        select(Transcript.id, Transcript.xml_sha256, Transcript.pdf_sha256).where(
            col(Transcript.status).in_(ISSUED)
        )
    ).all()
    issued: dict[str, str] = {}
    for transcript_id, xml, pdf in rows:
        for digest in (xml, pdf):
            if digest is not None:
                issued[digest] = transcript_id
    return issued


def _dangling(session: Session) -> list[FileFailure]:
    """Transcripts pointing at a file that is not stored."""
    failures = []
    stored = set(session.exec(select(Blob.sha256)).all())
    for transcript_id, xml, pdf in session.exec(
        select(Transcript.id, Transcript.xml_sha256, Transcript.pdf_sha256)
    ).all():
        for kind, digest in (("xml", xml), ("pdf", pdf)):
            if digest is not None and digest not in stored:
                failures.append(
                    FileFailure(digest, kind, f"transcript {transcript_id}'s file is missing")
                )
    return failures


def _judge(report: VerificationReport, *, must_be_complete: bool) -> str | None:
    """Why the file fails, or None."""
    bad: dict[str, list[str]] = {}
    for signature in report.signatures:
        if not signature.valid:
            codes = ", ".join(f.code for f in signature.errors)
            verdict = signature.indication.value + (f" ({codes})" if codes else "")
            bad.setdefault(verdict, []).append(signature.slot)
    if bad:
        return "; ".join(f"{verdict} in {', '.join(slots)}" for verdict, slots in bad.items())
    if not report.signatures:
        return f"no signature ({', '.join(report.all_codes()) or report.indication.value})"
    if must_be_complete and not report.valid:
        return f"issued but incomplete: {', '.join(report.all_codes()) or 'not valid'}"
    others = [f.code for f in report.errors if f.code != ProblemCode.SIGNATURE_MISSING.value]
    if others:
        return ", ".join(others)
    return None


def verify_restored(
    engine: Engine,
    *,
    trust: TrustSettings,
    now: datetime,
    progress: Callable[[int, int], None] | None = None,
) -> RestoredCheck:
    """Check the audit chain and every stored file of the database behind ``engine``.

    ``now`` only decides whether a certificate has expired since (each signature is judged at
    its signing time); ``progress(done, total)`` is told after each file.
    """
    with Session(engine) as session:
        audit = verify_audit_chain(session)
    with Session(engine) as session:
        issued = _issued_files(session)
        failures = _dangling(session)
        listing = session.exec(select(Blob.sha256, Blob.media_type).order_by(Blob.sha256)).all()
    counts = {"xml": 0, "pdf": 0, "complete": 0, "other": 0}
    for done, (digest, media_type) in enumerate(listing, start=1):
        with Session(engine) as session:
            blob = session.get(Blob, digest)
            content = bytes(blob.content) if blob is not None else b""
        kind = _KINDS.get(media_type, media_type)
        reason = None
        if hashlib.sha256(content).hexdigest() != digest:
            reason = "its content does not match its SHA-256 address"
        elif kind in ("xml", "pdf"):
            report = verify_transcript_file(content, trust=trust, now=now)
            reason = _judge(report, must_be_complete=digest in issued)
        if reason is not None:
            failures.append(FileFailure(digest, kind, reason))
        elif kind in ("xml", "pdf"):
            counts[kind] += 1
            counts["complete"] += digest in issued
        else:
            counts["other"] += 1
        if progress is not None:
            progress(done, len(listing))
    return RestoredCheck(
        audit=audit,
        xml_verified=counts["xml"],
        pdf_verified=counts["pdf"],
        complete=counts["complete"],
        other_files=counts["other"],
        failures=tuple(failures),
    )
