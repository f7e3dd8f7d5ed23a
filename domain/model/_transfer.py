"""Transfers between schools and transcripts received from another system (REQ-25…REQ-28)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from domain.model._columns import enum_column, utc_column
from domain.model._enums import TranscriptKind, TranscriptStatus


class TransferStage(StrEnum):
    """Where a transfer between two schools of the system stands (not a transcript status)."""

    REQUESTED = "requested"
    """One school's academic affairs asked; the other school's must accept."""
    ACCEPTED = "accepted"
    """Accepted: the leaving school's ChuyenTruong transcript waits for its principal and clerk."""
    COMPLETED = "completed"
    """The receiving school inherited the record; the student is enrolled there."""
    REFUSED = "refused"
    """The school asked to accept declined, with a reason; nothing else changed."""


class TransferKind(StrEnum):
    """When in the school year the student moves (REQ-26)."""

    MID_YEAR = "mid_year"
    """During the year: the leaving school signs a ChuyenTruong record of the results so far."""
    BEFORE_YEAR = "before_year"
    """Before the school year starts: the receiving school inherits every finalized
    transcript and opens the new year; no new record is signed."""


class Transfer(SQLModel, table=True):
    """A student moving from one school of the system to another during a school year (REQ-26).

    The leaving school keeps every row it had (read-only from then on); the receiving school
    reads the student's transcripts through this record.
    """

    __tablename__ = "transfers"

    id: int | None = Field(default=None, primary_key=True)
    student_id: int = Field(foreign_key="students.id", index=True)
    school_year_id: int = Field(foreign_key="school_years.id")
    from_school_id: int = Field(foreign_key="schools.id", index=True)
    from_class_id: int = Field(foreign_key="classes.id")
    to_school_id: int = Field(foreign_key="schools.id", index=True)
    to_class_id: int | None = Field(default=None, foreign_key="classes.id")
    """The class the student continues the year in; chosen by the receiving school."""
    kind: TransferKind = Field(
        default=TransferKind.MID_YEAR,
        sa_type=enum_column(TransferKind),
        sa_column_kwargs={"server_default": TransferKind.MID_YEAR.value},
    )
    """Mid-year (a ChuyenTruong record) or before the year (``school_year_id`` is the new
    year, ``from_class_id`` the student's last class at the leaving school)."""
    stage: TransferStage = Field(
        default=TransferStage.REQUESTED, sa_type=enum_column(TransferStage), index=True
    )
    requested_by_id: int = Field(foreign_key="people.id")
    requested_by_school_id: int = Field(foreign_key="schools.id")
    """Which side asked: the other side accepts."""
    requested_at: datetime = Field(sa_column=utc_column())
    reason: str = Field(default="", max_length=500)
    accepted_by_id: int | None = Field(default=None, foreign_key="people.id")
    accepted_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    transcript_id: str | None = Field(default=None, foreign_key="transcripts.id", max_length=36)
    """The leaving school's ChuyenTruong transcript: the results so far, semester I included."""
    completed_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    effective_on: date | None = None
    """The day the student left the leaving school and joined the receiving one."""
    refused_by_id: int | None = Field(default=None, foreign_key="people.id")
    refused_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    refusal_reason: str | None = Field(default=None, max_length=500)
    """Why the school asked to accept declined (shown to the school that asked)."""


class ImportedTranscript(SQLModel, table=True):
    """A signed transcript version received in a record package from another system.

    Read-only: kept exactly as received (the files are blobs addressed by their SHA-256),
    never re-signed and never re-keyed; no state machine applies to it.
    """

    __tablename__ = "imported_transcripts"
    __table_args__ = (sa.UniqueConstraint("school_id", "transcript_id"),)

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="schools.id")
    """The receiving school."""
    student_id: int = Field(foreign_key="students.id", index=True)
    transcript_id: str = Field(max_length=36)
    """MaHocBa as the issuing system wrote it."""
    version: int = Field(ge=1)
    kind: TranscriptKind = Field(sa_type=enum_column(TranscriptKind))
    received_status: TranscriptStatus = Field(sa_type=enum_column(TranscriptStatus))
    """The status the issuing system reported (finalized, or issued and not yet locked)."""
    school_year: str = Field(max_length=9)
    department_code: str = Field(max_length=8)
    source_school_code: str = Field(max_length=16)
    source_school_name: str = Field(max_length=200)
    class_name: str = Field(max_length=16)
    grade: int
    xml_sha256: str = Field(foreign_key="blobs.sha256", max_length=64)
    pdf_sha256: str | None = Field(default=None, foreign_key="blobs.sha256", max_length=64)
    package_sha256: str = Field(max_length=64)
    imported_by_id: int = Field(foreign_key="people.id")
    imported_at: datetime = Field(sa_column=utc_column())
