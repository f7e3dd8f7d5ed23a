"""Reading a transcript's facts from the database, in a handful of indexed queries.

``load_facts_batch`` reads the facts of many transcripts in the same few statements (a
signing session's forty): the per-transcript cost is then a dictionary look-up, not five
round trips.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import Any, cast

import sqlalchemy as sa
from sqlmodel import Session, col, or_

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


def _table(model: type[Any]) -> sa.Table:
    return cast(sa.Table, model.__table__)


_S, _Y, _CS = _table(School), _table(SchoolYear), _table(ClassSubject)
_TS, _RA = _table(TranscriptSignature), _table(RoleAssignment)
_NONE = sa.null()
_FACTS = sa.union_all(
    # The first select gives the columns their types (the lock dates' UTC conversion).
    sa.select(
        sa.literal_column("'p'").label("tag"),
        _S.c.id.label("first"),
        _Y.c.id.label("second"),
        _S.c.department_code.label("value"),
        _NONE.label("extra"),
        _Y.c.main_lock_at.label("main_lock"),
        _Y.c.supplementary_lock_at.label("extra_lock"),
    )
    .select_from(_S.join(_Y, _Y.c.id.in_(sa.bindparam("years", expanding=True))))
    .where(_S.c.id.in_(sa.bindparam("schools", expanding=True))),
    sa.select(
        sa.literal_column("'s'"), _CS.c.class_id, _NONE, _CS.c.subject_code, _NONE, _NONE, _NONE
    ).where(_CS.c.class_id.in_(sa.bindparam("classes", expanding=True))),
    sa.select(
        sa.literal_column("'l'"), _NONE, _NONE, _TS.c.slot, _TS.c.transcript_id, _NONE, _NONE
    ).where(
        _TS.c.transcript_id.in_(sa.bindparam("transcripts", expanding=True)),
        _TS.c.archived_at.is_(None),
    ),
    sa.select(
        sa.literal_column("'d'"),
        _RA.c.class_id,
        _NONE,
        _RA.c.role,
        _RA.c.subject_code,
        _NONE,
        _NONE,
    ).where(
        _RA.c.class_id.in_(sa.bindparam("classes", expanding=True)),
        _RA.c.role.in_(_DUTIES),
        _RA.c.valid_from <= sa.bindparam("now"),
        sa.or_(_RA.c.valid_until.is_(None), _RA.c.valid_until > sa.bindparam("now")),
    ),
)
"""Everything ``load_facts_batch`` reads, in one statement: tagged rows of the schools and
years (``p``), the classes' subjects (``s``), the transcripts' live slots (``l``) and the
classes' duties in force at ``now`` (``d``); built once, run with the batch's ids."""


def load_facts(session: Session, transcript: Transcript, *, now: datetime) -> TranscriptFacts:
    """The facts the guards judge ``transcript`` by, as of ``now``."""
    return load_facts_batch(session, (transcript,), now=now)[transcript.id]


def load_facts_batch(
    session: Session, transcripts: Iterable[Transcript], *, now: datetime
) -> dict[str, TranscriptFacts]:
    """The facts of each of ``transcripts`` as of ``now``, by transcript id: one statement
    whatever their number (``_FACTS``)."""
    rows = list(transcripts)
    if not rows:
        return {}
    departments: dict[int, str] = {}
    locks: dict[int, tuple[datetime, datetime]] = {}
    subjects: dict[int, set[str]] = defaultdict(set)
    live: dict[str, set[str]] = defaultdict(set)
    staffed: dict[int, set[str]] = defaultdict(set)
    homeroom: set[int] = set()
    found = session.execute(
        _FACTS,
        {
            "schools": list({row.school_id for row in rows}),
            "years": list({row.school_year_id for row in rows}),
            "classes": list({row.class_id for row in rows}),
            "transcripts": [row.id for row in rows],
            "now": now,
        },
    )
    for tag, first, second, value, extra, main_lock, extra_lock in found:
        if tag == "p":  # a school (first) and a year (second)
            departments[first] = value
            locks[second] = (main_lock, extra_lock)
        elif tag == "s":  # a subject of the class ``first``
            subjects[first].add(value)
        elif tag == "l":  # a live slot of the transcript ``extra``
            live[extra].add(value)
        elif value == Role.SUBJECT_TEACHER.value:  # a duty in the class ``first`` at ``now``
            if extra is not None:
                staffed[first].add(extra)
        elif value == Role.HOMEROOM_TEACHER.value:
            homeroom.add(first)
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
