"""The queue lines that are not signatures: a class to build, a window decision to carry out.

Academic affairs builds a class's annual transcripts from the tracking book once the year's
entry is done (``build_class_transcripts``); the administrator carries out the principal's
entry-window decisions (``carry_out_window_decision``, REQ-18). Both appear in ``GET /tasks``
beside the signatures, so every role's inbox shows its own work.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, cast

import sqlalchemy as sa
from sqlmodel import Session, SQLModel

from domain.model import (
    Enrollment,
    EntryWindowDecision,
    Role,
    RoleAssignment,
    SchoolClass,
    SchoolYear,
    Transcript,
    TranscriptKind,
    TranscriptStatus,
    WindowDecisionStatus,
)

BUILD_TRANSCRIPTS = "build_transcripts"
"""Queue action: a class of a year still open has students without an annual transcript."""
CARRY_OUT_WINDOW = "carry_out_window"
"""Queue action: a principal's entry-window decision waits for the administrator."""


def _table(model: type[SQLModel], alias: str) -> sa.FromClause:
    return cast(sa.Table, model.__table__).alias(alias)  # type: ignore[attr-defined]


_RA = _table(RoleAssignment, "dra")
_E = _table(Enrollment, "de")
_T = _table(Transcript, "dt")
_C = _table(SchoolClass, "dc")
_Y = _table(SchoolYear, "dy")
_D = _table(EntryWindowDecision, "dd")


def _holds(person_id: int, role: Role, now: datetime) -> sa.ColumnElement[bool]:
    return sa.and_(
        _RA.c.person_id == person_id,
        _RA.c.role == role.value,
        _RA.c.valid_from <= now,
        sa.or_(_RA.c.valid_until.is_(None), _RA.c.valid_until > now),
    )


def build_rows(session: Session, *, person_id: int, now: datetime) -> list[dict[str, Any]]:
    """Classes of the academic affairs officer's schools, in a year whose main lock has not
    passed, with enrolled students lacking an annual transcript (one row per class)."""
    missing = ~sa.exists().where(
        _T.c.student_id == _E.c.student_id,
        _T.c.class_id == _E.c.class_id,
        _T.c.kind == TranscriptKind.CA_NAM.value,
        _T.c.status != TranscriptStatus.SUPERSEDED.value,
    )
    mine = sa.and_(
        _holds(person_id, Role.ACADEMIC_AFFAIRS, now),
        sa.or_(_RA.c.school_id.is_(None), _RA.c.school_id == _C.c.school_id),
        sa.or_(_RA.c.school_year_id.is_(None), _RA.c.school_year_id == _C.c.school_year_id),
    )
    statement = (
        sa.select(
            _Y.c.name.label("school_year"),
            _C.c.id.label("class_id"),
            _C.c.name.label("class_name"),
            sa.func.count(sa.distinct(_E.c.student_id)).label("count"),
            _Y.c.main_lock_at.label("due_at"),
        )
        .select_from(_E)
        .join(_C, _C.c.id == _E.c.class_id)
        .join(_Y, _Y.c.id == _C.c.school_year_id)
        .join(_RA, mine)
        .where(_E.c.left_on.is_(None), _Y.c.main_lock_at > now, missing)
        .group_by(_Y.c.name, _C.c.id, _C.c.name, _Y.c.main_lock_at)
    )
    return [dict(row._mapping) for row in session.execute(statement)]


def window_rows(session: Session, *, person_id: int, now: datetime) -> list[dict[str, Any]]:
    """The principals' pending entry-window decisions of the administrator's schools."""
    mine = sa.and_(
        _holds(person_id, Role.ADMINISTRATOR, now),
        sa.or_(_RA.c.school_id.is_(None), _RA.c.school_id == _D.c.school_id),
    )
    statement = (
        sa.select(
            _D.c.id.label("decision_id"),
            _D.c.period.label("period"),
            _Y.c.name.label("school_year"),
            _D.c.effective_at.label("due_at"),
        )
        .select_from(_D)
        .join(_Y, _Y.c.id == _D.c.school_year_id)
        .join(_RA, mine)
        .where(_D.c.status == WindowDecisionStatus.PENDING.value)
        .distinct()
    )
    return [dict(row._mapping) for row in session.execute(statement)]


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def duty_rows(session: Session, *, person_id: int, now: datetime) -> list[dict[str, Any]]:
    """The caller's build and window lines, as ``TaskItem`` fields (workflow._tasks)."""
    lines: list[dict[str, Any]] = [
        {
            "id": f"{BUILD_TRANSCRIPTS}:-:{row['class_id']}:-",
            "action": BUILD_TRANSCRIPTS,
            "step": None,
            "school_year": row["school_year"],
            "class_id": row["class_id"],
            "class_name": row["class_name"],
            "subject_code": None,
            "transcript_ids": (),
            "count": row["count"],
            "due_at": _aware(row["due_at"]),
        }
        for row in build_rows(session, person_id=person_id, now=now)
    ]
    lines.extend(
        {
            "id": f"{CARRY_OUT_WINDOW}:{row['period']}:-:{row['decision_id']}",
            "action": CARRY_OUT_WINDOW,
            "step": str(row["period"]),
            "school_year": row["school_year"],
            "class_id": None,
            "class_name": None,
            "subject_code": None,
            "transcript_ids": (),
            "count": 1,
            "due_at": _aware(row["due_at"]),
        }
        for row in window_rows(session, person_id=person_id, now=now)
    )
    return lines
