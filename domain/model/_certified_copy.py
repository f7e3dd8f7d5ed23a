"""Certified paper copies of a student's transcripts for a school without digital ones (REQ-28)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import JSON, Column, Field, SQLModel

from domain.model._columns import utc_column
from domain.model._encrypted import EncryptedJSON, encrypted_column


class CertifiedCopy(SQLModel, table=True):
    """One certified copy: prepared for the school's seal, then sealed (``pdf_sha256``).

    The copy is a PDF of the listed issued transcript versions with the certification page
    ("Sao y bản chính"); the clerk seals it with the school's organisation certificate.
    """

    __tablename__ = "certified_copies"

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="schools.id", index=True)
    student_id: int = Field(foreign_key="students.id", index=True)
    transcript_ids: list[str] = Field(sa_column=Column(JSON, nullable=False))
    """MaHocBa of each version copied, in the order printed."""
    prepared: dict[str, Any] | None = Field(
        default=None,
        sa_column=encrypted_column(EncryptedJSON("certified_copies.prepared"), nullable=True),
    )
    """The seal's prepared PDF signature between the two steps; cleared once sealed (it holds
    the student's personal data: encrypted at rest)."""
    prepared_by_id: int = Field(foreign_key="people.id")
    prepared_at: datetime = Field(sa_column=utc_column())
    pdf_sha256: str | None = Field(default=None, foreign_key="blobs.sha256", max_length=64)
    """The sealed copy in ``blobs``; None until sealed."""
    sealed_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
