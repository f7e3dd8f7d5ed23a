"""Two-step signing sessions: what was prepared for a signer, until they return the values."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import JSON, Column, Field, SQLModel

from domain.model._columns import utc_column
from domain.model._encrypted import EncryptedBytes, EncryptedJSON, encrypted_column


class SigningSession(SQLModel, table=True):
    """One signer, one step, a batch of transcripts (a class); expires, completes once."""

    __tablename__ = "signing_sessions"

    id: str = Field(primary_key=True, max_length=36)
    """A UUID, handed to the client."""
    person_id: int = Field(foreign_key="people.id", index=True)
    """The signer who prepared it: the only one who may complete it."""
    step: str = Field(max_length=16)
    """``subject``, ``homeroom``, ``principal`` or ``school``."""
    subject_code: str | None = Field(default=None, max_length=16)
    """The subject of a ``subject`` step."""
    certificate_chain: list[str] = Field(sa_column=Column(JSON, nullable=False))
    """Base64 DER of the signer's certificate first, then intermediates."""
    certificate_sha256: str = Field(max_length=64)
    """SHA-256 of the signer's certificate (DER)."""
    created_at: datetime = Field(sa_column=utc_column())
    expires_at: datetime = Field(sa_column=utc_column())
    completed_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    """Set when a completion starts: a session is completed once."""


class SigningSessionItem(SQLModel, table=True):
    """One transcript of a session: the prepared document waiting for its signature value."""

    __tablename__ = "signing_session_items"

    session_id: str = Field(foreign_key="signing_sessions.id", primary_key=True, max_length=36)
    transcript_id: str = Field(foreign_key="transcripts.id", primary_key=True, max_length=36)
    position: int
    """The item's place in the session, as prepared."""
    slot: str = Field(max_length=32)
    """``GVBM:<Ma>``, ``GVCN``, ``HieuTruong`` or ``DonVi``."""
    algorithm: str = Field(max_length=100)
    """The XMLDSig SignatureMethod URI of the prepared signature."""
    signing_time: datetime = Field(sa_column=utc_column())
    """The SigningTime written into the prepared signature."""
    base_xml_sha256: str | None = Field(default=None, max_length=64)
    """The transcript's stored signed XML the signature was prepared on (None: none yet)."""
    base_row_version: int | None = Field(default=None)
    """The transcript's ``row_version`` when prepared: completion is refused if it moved on
    (None only for items prepared before this was recorded)."""
    xml_to_sign: bytes = Field(sa_column=Column(sa.LargeBinary, nullable=False))
    """The canonical ``ds:SignedInfo`` handed out to sign."""
    xml_prepared: bytes = Field(
        sa_column=encrypted_column(EncryptedBytes("signing_session_items.xml_prepared"))
    )
    """The document with the signature in place, its SignatureValue still empty (it holds the
    student's personal data: encrypted at rest)."""
    pdf_prepared: dict[str, Any] | None = Field(
        default=None,
        sa_column=encrypted_column(
            EncryptedJSON("signing_session_items.pdf_prepared"), nullable=True
        ),
    )
    """Reserved for the PDF part of the GVCN, HieuTruong and DonVi steps."""
    outcome: str | None = Field(default=None, max_length=64)
    """After completion: ``ok`` or the error code of the refusal."""
