"""What the scheduler did (each run once, by key) and what it told people."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import JSON, Column, Field, SQLModel

from domain.model._columns import utc_column


class SchedulerRun(SQLModel, table=True):
    """One application of a time-triggered job, unique by ``key``: a second run is refused.

    The row is written in the same transaction as the job's changes, so a job whose
    transaction commits has run exactly once, whichever process or restart ran it.
    """

    __tablename__ = "scheduler_runs"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=120, unique=True)
    """``main_lock:<school_year_id>``, ``supplementary_lock:<school_year_id>``, …"""
    job: str = Field(max_length=40)
    due_at: datetime = Field(sa_column=utc_column())
    ran_at: datetime = Field(sa_column=utc_column())
    changes: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class Notification(SQLModel, table=True):
    """A message to a person (a reminder before a lock date), kept as sent; unique by ``key``."""

    __tablename__ = "notifications"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=160, unique=True)
    """Deduplicates: ``reminder:<lock key>:<days before>:<person id>``."""
    person_id: int = Field(foreign_key="people.id", index=True)
    kind: str = Field(max_length=40)
    subject: str = Field(max_length=200)
    body: str = Field(max_length=4000)
    due_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    created_at: datetime = Field(sa_column=utc_column())
