"""Reading a transcript's facts from the database, in a handful of indexed queries.

``load_facts_batch`` reads the facts of many transcripts in the same few statements (a
signing session's forty): the per-transcript cost is then a dictionary look-up, not five
round trips.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import sqlalchemy as sa
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

_DUTIES = (Role.SUBJECT_TEACHER, Role.HOMEROOM_TEACHER)


def valid_at(at: datetime) -> Any:
    """SQL condition: the role assignment is in force at ``at``."""
    return (col(RoleAssignment.valid_from) <= at) & or_(
        col(RoleAssignment.valid_until).is_(None), col(RoleAssignment.valid_until) > at
    )


def load_facts(session: Session, transcript: Transcript, *, now: datetime) -> TranscriptFacts:
    """The facts the guards judge ``transcript`` by, as of ``now``."""
    return load_facts_batch(session, (transcript,), now=now)[transcript.id]


def load_facts_batch(
    session: Session, transcripts: Iterable[Transcript], *, now: datetime
) -> dict[str, TranscriptFacts]:
    """The facts of each of ``transcripts`` as of ``now``, by transcript id: four statements
    whatever their number (the school and year, the classes' subjects, the live slots, the
    classes' duties at ``now``)."""
    rows = list(transcripts)
    if not rows:
        return {}
    school_ids = {row.school_id for row in rows}
    year_ids = {row.school_year_id for row in rows}
    class_ids = {row.class_id for row in rows}
    # Schools × years of one session is one row (the same school and year for every item).
    places = session.execute(
        sa.select(
            col(School.id),
            col(School.department_code),
            col(SchoolYear.id),
            col(SchoolYear.main_lock_at),
            col(SchoolYear.supplementary_lock_at),
        )
        .select_from(School)
        .join(SchoolYear, col(SchoolYear.id).in_(year_ids))
        .where(col(School.id).in_(school_ids))
    ).all()
    departments = {school_id: code for school_id, code, *_ in places}
    locks = {year_id: (main, extra) for _, _, year_id, main, extra in places}
    subjects: dict[int, set[str]] = defaultdict(set)
    for class_id, code in session.exec(
        select(ClassSubject.class_id, ClassSubject.subject_code).where(
            col(ClassSubject.class_id).in_(class_ids)
        )
    ).all():
        subjects[class_id].add(code)
    live: dict[str, set[str]] = defaultdict(set)
    for transcript_id, slot in session.exec(
        select(TranscriptSignature.transcript_id, TranscriptSignature.slot).where(
            col(TranscriptSignature.transcript_id).in_([row.id for row in rows]),
            col(TranscriptSignature.archived_at).is_(None),
        )
    ).all():
        live[transcript_id].add(slot)
    staffed: dict[int, set[str]] = defaultdict(set)
    homeroom: set[int] = set()
    for duty_class, role, duty_subject in session.exec(
        select(RoleAssignment.class_id, RoleAssignment.role, RoleAssignment.subject_code).where(
            col(RoleAssignment.class_id).in_(class_ids),
            col(RoleAssignment.role).in_(_DUTIES),
            valid_at(now),
        )
    ).all():
        if duty_class is None:  # the IN condition rules it out
            continue
        if role == Role.SUBJECT_TEACHER and duty_subject is not None:
            staffed[duty_class].add(duty_subject)
        elif role == Role.HOMEROOM_TEACHER:
            homeroom.add(duty_class)
    facts = {}
    for row in rows:
        if row.school_id not in departments or row.school_year_id not in locks:
            # foreign keys make this unreachable
            raise LookupError(f"transcript {row.id} has no school or school year")
        kind = TranscriptKind(row.kind)
        class_subjects = frozenset(subjects.get(row.class_id, ()))
        main_lock, extra_lock = locks[row.school_year_id]
        facts[row.id] = TranscriptFacts(
            school_id=row.school_id,
            school_year_id=row.school_year_id,
            class_id=row.class_id,
            department_code=departments[row.school_id],
            kind=kind,
            subjects=class_subjects,
            required_subjects=class_subjects if kind is TranscriptKind.CA_NAM else frozenset(),
            live_slots=frozenset(live.get(row.id, ())),
            staffed_subjects=frozenset(staffed.get(row.class_id, ())),
            has_homeroom_teacher=row.class_id in homeroom,
            lock_at=extra_lock if row.supplementary else main_lock,
        )
    return facts
