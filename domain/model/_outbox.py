"""The outbox of the exchange with the city transcript system (REQ-31, flows 3–5).

A message is written in the same transaction as the change that causes it (a finalized
transcript, a superseded registered version), so nothing is lost when the other side is
down; a delivery worker sends it later, as often as needed, under its idempotency key.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import JSON, Column, Field, SQLModel

from domain.model._columns import enum_column, utc_column
from domain.model._encrypted import EncryptedText, encrypted_column


class OutboxKind(StrEnum):
    """What a message asks the city transcript system to do (docs/city-exchange.md)."""

    REGISTER_CREATE = "register_create"
    """Flow 3: register a finalized transcript version by the student's personal ID."""
    SEND_TRANSCRIPT = "send_transcript"
    """Flow 4: send the version's signed XML."""
    REGISTER_VERIFY = "register_verify"
    """Flow 3: ask the city to confirm it holds that very document (its SHA-256)."""
    RELAY_MINISTRY = "relay_ministry"
    """Flow 5: have the city relay the version to the Ministry under the Ministry's UUID."""
    REGISTER_CANCEL = "register_cancel"
    """Flow 3: cancel the registration of a version that was superseded."""


class OutboxState(StrEnum):
    """Where a message stands."""

    PENDING = "pending"
    """Waiting for its next attempt (``next_attempt_at``)."""
    DELIVERED = "delivered"
    """The city acknowledged it (200, 201, 202, or 409: it had it already)."""
    DEAD = "dead"
    """Given up: refused by the city or out of attempts; the Department may retry it."""


class OutboxMessage(SQLModel, table=True):
    """One request to the city transcript system, delivered at least once, applied once.

    Messages of one transcript version are delivered in ``id`` order: a message waits while
    an earlier one of the same version is not delivered.
    """

    __tablename__ = "outbox_messages"
    __table_args__ = (
        sa.Index("ix_outbox_messages_due", "state", "next_attempt_at"),
        sa.Index("ix_outbox_messages_transcript_order", "transcript_id", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: OutboxKind = Field(sa_type=enum_column(OutboxKind))
    idempotency_key: str = Field(max_length=120, unique=True)
    """Sent as the ``Idempotency-Key`` header: ``hocba:<kind>:<transcript id>``."""
    transcript_id: str = Field(foreign_key="transcripts.id", max_length=36)
    """The payload reference: the transcript version the message is about."""
    department_code: str = Field(max_length=8, index=True)
    """The city Department whose officers see this message (their dead-letter view)."""
    personal_id: str = Field(
        sa_column=encrypted_column(EncryptedText("outbox_messages.personal_id"))
    )
    """The student's personal ID: what the city registers a transcript by (encrypted)."""
    document_sha256: str | None = Field(default=None, max_length=64)
    """The signed XML (in ``blobs``) as it was when the message was written."""
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    """Kind-specific extras (a cancellation's reason and replacing version)."""
    state: OutboxState = Field(default=OutboxState.PENDING, sa_type=enum_column(OutboxState))
    attempts: int = Field(default=0)
    next_attempt_at: datetime = Field(sa_column=utc_column())
    claimed_until: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    """A worker's lease: until then no other worker takes the message."""
    claim_token: str | None = Field(default=None, max_length=36)
    """Which claim holds the lease: an outcome is recorded only under the same token."""
    last_status: int | None = Field(default=None)
    """The HTTP status of the last answer (None: no answer, e.g. a timeout)."""
    last_error: str | None = Field(default=None, max_length=1000)
    created_at: datetime = Field(sa_column=utc_column())
    updated_at: datetime = Field(sa_column=utc_column())
    delivered_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))


class CityRegistration(SQLModel, table=True):
    """A transcript version registered with the city, and the UUID the Ministry gave it."""

    __tablename__ = "city_registrations"

    transcript_id: str = Field(primary_key=True, foreign_key="transcripts.id", max_length=36)
    ministry_uuid: str = Field(max_length=36)
    """Issued by the Ministry, returned by the city on registration; names the relay."""
    registered_at: datetime = Field(sa_column=utc_column())
    cancelled_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
