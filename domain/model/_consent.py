"""A guardian's consent to a purpose of processing a child's personal data (Decree 13/2023)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from domain.model._columns import utc_column


class Consent(SQLModel, table=True):
    """One consent given by a guardian for one student and one purpose (e.g. ``share_links``).

    A consent is in force from ``granted_at`` until ``withdrawn_at``; a withdrawn row is kept
    (it is the record of what was agreed, and when), and granting again adds a new row.
    ``text_version`` names the wording the guardian agreed to.
    """

    __tablename__ = "consents"
    __table_args__ = (sa.Index("ix_consents_student_purpose", "student_id", "purpose"),)

    id: int | None = Field(default=None, primary_key=True)
    student_id: int = Field(foreign_key="students.id")
    guardian_id: int = Field(foreign_key="people.id", index=True)
    """The guardian's account that gave (and may withdraw) the consent."""
    purpose: str = Field(max_length=32)
    """What the consent covers: ``share_links`` (REQ-32)."""
    text_version: str = Field(max_length=16)
    """The version of the consent text shown when it was given."""
    granted_at: datetime = Field(sa_column=utc_column())
    withdrawn_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
