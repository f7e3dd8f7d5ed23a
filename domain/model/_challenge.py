"""Certificate login challenges: a nonce to sign, stored until it is used once or expires."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from domain.model._columns import utc_column


class CertificateChallenge(SQLModel, table=True):
    """A nonce handed out by ``POST /auth/cert-challenge``; deleted when it is used.

    Single use across API processes: the login that deletes the row owns it. Expired rows are
    deleted when the next challenge is issued.
    """

    __tablename__ = "certificate_challenges"

    id: str = Field(primary_key=True, max_length=36)
    """A UUID, handed to the client with the nonce."""
    nonce: bytes = Field(sa_column=sa.Column(sa.LargeBinary, nullable=False))
    """The random bytes the client signs (32 of them)."""
    created_at: datetime = Field(sa_column=utc_column())
    expires_at: datetime = Field(sa_column=utc_column(index=True))
