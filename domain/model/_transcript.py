"""Transcripts, their signatures, correction requests and the immutable signed files."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from domain.model._columns import enum_column, utc_column
from domain.model._encrypted import (
    EncryptedBytes,
    EncryptedJSON,
    EncryptedText,
    encrypted_column,
)
from domain.model._enums import CorrectionStatus, TranscriptKind, TranscriptStatus

# Built once and shared with __mapper_args__: SQLAlchemy's optimistic lock checks this column
# in every UPDATE, so of two concurrent writers exactly one wins (library-notes.md).
_row_version = sa.Column("row_version", sa.Integer, nullable=False)


class Transcript(SQLModel, table=True):
    """One version of a student's transcript for one school year (học bạ số).

    ``status`` is written only by ``workflow.TranscriptFlow``. ``data`` is the year's results
    snapshot the XML and PDF are rendered from; it is frozen once the transcript is signed.
    """

    __tablename__ = "transcripts"
    __table_args__ = (
        # One version number per student, year and kind; a digitised record (SoHoa) is of
        # the paper record's year (TTChung/NamHoc), not the row's, and a school digitises
        # several years of one student in the same year: the use case keeps those apart.
        sa.Index(
            "uq_transcripts_version",
            "student_id",
            "school_year_id",
            "kind",
            "version",
            unique=True,
            sqlite_where=sa.text("kind <> 'SoHoa'"),
            postgresql_where=sa.text("kind <> 'SoHoa'"),
        ),
        sa.Index("ix_transcripts_queue", "school_year_id", "status", "class_id"),
        sa.Index("ix_transcripts_school_status", "school_id", "school_year_id", "status"),
    )
    __mapper_args__: ClassVar[dict[str, Any]] = {"version_id_col": _row_version}

    id: str = Field(primary_key=True, max_length=36)
    """MaHocBa: a UUID per document version."""
    student_id: int = Field(foreign_key="students.id", index=True)
    school_id: int = Field(foreign_key="schools.id")
    school_year_id: int = Field(foreign_key="school_years.id")
    class_id: int = Field(foreign_key="classes.id", index=True)
    kind: TranscriptKind = Field(sa_type=enum_column(TranscriptKind))
    version: int = Field(default=1, ge=1)
    """PhienBan: 1, 2, … bumped by every re-issue."""
    status: TranscriptStatus = Field(
        default=TranscriptStatus.DRAFT, sa_type=enum_column(TranscriptStatus)
    )
    replaces_id: str | None = Field(default=None, foreign_key="transcripts.id", max_length=36)
    """ThayTheCho: the version this one replaces."""
    supplementary: bool = Field(default=False)
    """In the retest / summer-training group: locks on the supplementary date (REQ-20)."""
    data: dict[str, Any] = Field(
        default_factory=dict, sa_column=encrypted_column(EncryptedJSON("transcripts.data"))
    )
    """The DLHocBa content (the student's personal data included): encrypted at rest."""
    created_at: datetime = Field(sa_column=utc_column())
    updated_at: datetime = Field(sa_column=utc_column())
    locked_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    """When the data became immutable (finalized, REQ-21)."""
    xml_sha256: str | None = Field(default=None, max_length=64)
    """The current signed XML in ``blobs``."""
    pdf_sha256: str | None = Field(default=None, max_length=64)
    """The current signed PDF in ``blobs``."""
    row_version: int | None = Field(default=None, sa_column=_row_version)


class TranscriptSignature(SQLModel, table=True):
    """A signature placed in one slot of a transcript; archived, never deleted, when returned."""

    __tablename__ = "transcript_signatures"
    __table_args__ = (
        # At most one live signature per slot; archived ones are kept beside it.
        sa.Index(
            "uq_transcript_signatures_live_slot",
            "transcript_id",
            "slot",
            unique=True,
            sqlite_where=sa.text("archived_at IS NULL"),
            postgresql_where=sa.text("archived_at IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    transcript_id: str = Field(foreign_key="transcripts.id", index=True, max_length=36)
    slot: str = Field(max_length=32)
    """``GVBM:<Ma>``, ``GVCN``, ``HieuTruong`` or ``DonVi``."""
    signer_id: int = Field(foreign_key="people.id")
    on_behalf_of_id: int | None = Field(default=None, foreign_key="people.id")
    """The departed teacher a principal signed in place of (REQ-16)."""
    certificate_sha256: str = Field(max_length=64)
    certificate_subject: str = Field(
        sa_column=encrypted_column(EncryptedText("transcript_signatures.certificate_subject"))
    )
    """The signer's certificate subject (it names their personal ID): encrypted at rest."""
    certificate_serial: str = Field(max_length=64)
    signed_at: datetime = Field(sa_column=utc_column())
    signed_bytes_sha256: str = Field(max_length=64)
    archived_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    archive_reason: str | None = Field(default=None, max_length=1000)


class CorrectionRequest(SQLModel, table=True):
    """A school's request to correct a locked transcript, decided by the Department (REQ-23)."""

    __tablename__ = "correction_requests"

    id: int | None = Field(default=None, primary_key=True)
    transcript_id: str = Field(foreign_key="transcripts.id", index=True, max_length=36)
    requested_by_id: int = Field(foreign_key="people.id")
    reason: str = Field(max_length=1000)
    details: str = Field(default="", max_length=10000)
    status: CorrectionStatus = Field(
        default=CorrectionStatus.PENDING, sa_type=enum_column(CorrectionStatus), index=True
    )
    created_at: datetime = Field(sa_column=utc_column())
    decided_by_id: int | None = Field(default=None, foreign_key="people.id")
    decided_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    decision_note: str | None = Field(default=None, max_length=1000)
    new_transcript_id: str | None = Field(default=None, foreign_key="transcripts.id", max_length=36)


class Blob(SQLModel, table=True):
    """An immutable file (signed XML, signed PDF, scanned original) addressed by its SHA-256.

    Kept in the database so a signature's bytes commit in the same transaction as the
    transition that needed them (one use case, one transaction).
    """

    __tablename__ = "blobs"

    sha256: str = Field(primary_key=True, max_length=64)
    media_type: str = Field(max_length=100)
    size: int
    content: bytes = Field(sa_column=encrypted_column(EncryptedBytes("blobs.content")))
    """The file's bytes, encrypted at rest (``sha256`` and ``size`` are the plaintext's)."""
    created_at: datetime = Field(sa_column=utc_column())
