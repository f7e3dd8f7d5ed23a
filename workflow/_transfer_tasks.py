"""The ``accept_transfer`` lines of academic affairs' queue (``GET /tasks``).

Step ``request``: a transfer the other school asked for waits for this school's acceptance.
Step ``inherit``: the leaving school sealed the ChuyenTruong record; the receiving school
completes the transfer.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session, col, or_, select

from domain.model import (
    Role,
    RoleAssignment,
    SchoolClass,
    SchoolYear,
    Transcript,
    Transfer,
    TransferStage,
)
from workflow._record_package import ISSUED
from workflow._transfer_new_year import deciding_years

ACCEPT_TRANSFER = "accept_transfer"


def _officer_schools(session: Session, person_id: int, now: datetime) -> dict[int, set[int | None]]:
    rows = session.exec(
        select(RoleAssignment.school_id, RoleAssignment.school_year_id).where(
            RoleAssignment.person_id == person_id,
            RoleAssignment.role == Role.ACADEMIC_AFFAIRS,
            col(RoleAssignment.valid_from) <= now,
            or_(col(RoleAssignment.valid_until).is_(None), col(RoleAssignment.valid_until) > now),
        )
    ).all()
    found: dict[int, set[int | None]] = {}
    for school, year in rows:
        if school is not None:
            found.setdefault(school, set()).add(year)
    return found


def _covers(schools: dict[int, set[int | None]], school_id: int, year_id: int) -> bool:
    years = schools.get(school_id)
    return years is not None and (None in years or year_id in years)


def transfer_rows(session: Session, *, person_id: int, now: datetime) -> list[dict[str, Any]]:
    """The caller's transfer lines, as ``TaskItem`` fields (workflow._tasks)."""
    schools = _officer_schools(session, person_id, now)
    if not schools:
        return []
    rows = session.exec(
        select(Transfer, SchoolYear.name, Transcript.status)
        .join(SchoolYear, col(SchoolYear.id) == Transfer.school_year_id)
        .outerjoin(Transcript, col(Transcript.id) == Transfer.transcript_id)
        .where(
            col(Transfer.stage).in_((TransferStage.REQUESTED, TransferStage.ACCEPTED)),
            or_(
                col(Transfer.from_school_id).in_(list(schools)),
                col(Transfer.to_school_id).in_(list(schools)),
            ),
        )
    ).all()
    lines = []
    for transfer, year, status in rows:
        if transfer.stage is TransferStage.REQUESTED:
            other = (
                transfer.from_school_id
                if transfer.requested_by_school_id == transfer.to_school_id
                else transfer.to_school_id
            )
            if not any(_covers(schools, other, y) for y in deciding_years(session, transfer)):
                continue
            step, class_id = (
                "request",
                (
                    transfer.from_class_id
                    if other == transfer.from_school_id
                    else transfer.to_class_id
                ),
            )
        else:
            if status not in ISSUED or not _covers(
                schools, transfer.to_school_id, transfer.school_year_id
            ):
                continue
            step, class_id = "inherit", transfer.to_class_id
        klass = session.get(SchoolClass, class_id) if class_id is not None else None
        lines.append(
            {
                "id": f"{ACCEPT_TRANSFER}:{step}:{class_id or '-'}:{transfer.id}",
                "action": ACCEPT_TRANSFER,
                "step": step,
                "school_year": year,
                "class_id": class_id,
                "class_name": None if klass is None else klass.name,
                "subject_code": None,
                "transcript_ids": (transfer.transcript_id,) if transfer.transcript_id else (),
                "count": 1,
                "due_at": transfer.requested_at.astimezone(UTC),
            }
        )
    return lines
