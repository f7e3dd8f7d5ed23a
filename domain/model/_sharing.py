"""A student's own copies: share links for a recipient, and lost-files recovery requests."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from domain.model._columns import utc_column


class ShareLink(SQLModel, table=True):
    """A link a student or guardian gives to a recipient of their choice (REQ-32).

    Only the SHA-256 of the link's token is stored: the token itself is shown once, to its
    creator. The link opens one transcript version until ``expires_at`` or until revoked.
    """

    __tablename__ = "share_links"

    id: int | None = Field(default=None, primary_key=True)
    token_sha256: str = Field(max_length=64, unique=True)
    """SHA-256 (hex) of the token in the link."""
    transcript_id: str = Field(foreign_key="transcripts.id", max_length=36, index=True)
    student_id: int = Field(foreign_key="students.id")
    created_by_id: int = Field(foreign_key="people.id", index=True)
    """The student or guardian who made the link; only they list and revoke it."""
    recipient: str = Field(max_length=120)
    """Whom the link is for, in the creator's words (a university, an employer)."""
    created_at: datetime = Field(sa_column=utc_column())
    expires_at: datetime = Field(sa_column=utc_column())
    revoked_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    open_count: int = Field(default=0, sa_column=sa.Column(sa.Integer, nullable=False))
    """How many times the link's page or files were opened (each opening is audited too)."""
    last_opened_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))


class RecoveryRequest(SQLModel, table=True):
    """One request for lost files by personal ID and registered phone (REQ-33).

    A row is written for every accepted request, whether or not the personal ID and phone
    matched anyone, so the rate limits count both alike and the answer reveals nothing.
    ``personal_id_key`` and ``client_key`` are one-way keys (never the values themselves).
    """

    __tablename__ = "recovery_requests"
    __table_args__ = (
        sa.Index("ix_recovery_requests_personal_id_key", "personal_id_key", "requested_at"),
        sa.Index("ix_recovery_requests_client_key", "client_key", "requested_at"),
    )

    id: str = Field(primary_key=True, max_length=36)
    """A random id handed to the requester, who sends it back with the code."""
    personal_id_key: str = Field(max_length=64)
    client_key: str = Field(max_length=64)
    student_id: int | None = Field(default=None, foreign_key="students.id")
    """The student whose files the code opens; None when nothing matched."""
    person_id: int | None = Field(default=None, foreign_key="people.id")
    """The account (student or guardian) whose registered phone received the code."""
    code_sha256: str | None = Field(default=None, max_length=64)
    """SHA-256 of the request id and the one-time code; None when nothing matched."""
    requested_at: datetime = Field(sa_column=utc_column())
    expires_at: datetime = Field(sa_column=utc_column())
    attempts: int = Field(default=0, sa_column=sa.Column(sa.Integer, nullable=False))
    """Wrong codes entered so far."""
    voided_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    """Set when too many wrong codes were entered: the code no longer opens anything."""
    confirmed_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    download_token_sha256: str | None = Field(default=None, max_length=64, unique=True)
    """SHA-256 of the token of the short-lived download page, once the code was confirmed."""
    download_expires_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
