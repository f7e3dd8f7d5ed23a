"""Reading a transcript's facts from the database, in a handful of indexed queries."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session, col, or_, select

from domain.model import (
    ClassSubject,
    Role,
    RoleAssignment,
    School,
    SchoolYear,
    Transcript,
    TranscriptKind,
    TranscriptSignature,
)
from workflow._facts import TranscriptFacts


def valid_at(at: datetime) -> Any:
    """SQL condition: the role assignment is in force at ``at``."""
    return (col(RoleAssignment.valid_from) <= at) & or_(
        col(RoleAssignment.valid_until).is_(None), col(RoleAssignment.valid_until) > at
    )


def load_facts(session: Session, transcript: Transcript, *, now: datetime) -> TranscriptFacts:
    """The facts the guards judge ``transcript`` by, as of ``now``."""
    school = session.get(School, transcript.school_id)
    year = session.get(SchoolYear, transcript.school_year_id)
    if school is None or year is None:  # foreign keys make this unreachable
        raise LookupError(f"transcript {transcript.id} has no school or school year")
    subjects = frozenset(
        session.exec(
            select(ClassSubject.subject_code).where(ClassSubject.class_id == transcript.class_id)
        ).all()
    )
    live_slots = frozenset(
        session.exec(
            select(TranscriptSignature.slot).where(
                TranscriptSignature.transcript_id == transcript.id,
                col(TranscriptSignature.archived_at).is_(None),
            )
        ).all()
    )
    duties = session.exec(
        select(RoleAssignment.role, RoleAssignment.subject_code).where(
            RoleAssignment.class_id == transcript.class_id,
            col(RoleAssignment.role).in_([Role.SUBJECT_TEACHER, Role.HOMEROOM_TEACHER]),
            valid_at(now),
        )
    ).all()
    staffed = frozenset(
        code for role, code in duties if role == Role.SUBJECT_TEACHER and code is not None
    )
    has_homeroom = any(role == Role.HOMEROOM_TEACHER for role, _ in duties)
    kind = TranscriptKind(transcript.kind)
    return TranscriptFacts(
        school_id=transcript.school_id,
        school_year_id=transcript.school_year_id,
        class_id=transcript.class_id,
        department_code=school.department_code,
        kind=kind,
        subjects=subjects,
        required_subjects=subjects if kind is TranscriptKind.CA_NAM else frozenset(),
        live_slots=live_slots,
        staffed_subjects=staffed,
        has_homeroom_teacher=has_homeroom,
        lock_at=year.supplementary_lock_at if transcript.supplementary else year.main_lock_at,
    )
