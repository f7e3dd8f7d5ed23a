"""Failed password logins, kept so a lockout holds across processes and restarts."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from domain.model._columns import utc_column


class LoginFailure(SQLModel, table=True):
    """One failed password login for a username (known or not, so a lockout tells nothing).

    Rows older than the lockout window are deleted when the same username tries again; a
    successful login deletes that username's rows.
    """

    __tablename__ = "login_failures"
    __table_args__ = (sa.Index("ix_login_failures_username_failed_at", "username", "failed_at"),)

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=64)
    """The username as typed (lower-cased), whether or not such an account exists."""
    failed_at: datetime = Field(sa_column=utc_column())
