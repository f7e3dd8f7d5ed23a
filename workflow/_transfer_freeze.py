"""The leaving school's read-only record of a student who transferred away (REQ-26).

Once a transfer is completed (mid-year, or before the year), the leaving school keeps every
row it had about the student, to read: its tracking book rows and its transcripts of that
student, of the transfer's school year and every earlier one, take no more writes (score
entry, homeroom data, corrections, year-end decisions, builds, signatures, any transcript
event but ``finalize``, which issues a sealed record as it is). Each refusal is a
``TransferredAwayError`` naming the transfer.

A student who later comes back to the school through another completed transfer is the
school's again for the years from that return on.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import cast

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from domain.model import SchoolYear, Student, Transcript, Transfer, TransferStage
from workflow._errors import WorkflowError

UNFROZEN_EVENTS = frozenset({"finalize"})
"""Transcript events a transfer does not stop: ``finalize`` issues a sealed version as it is
(the lock job's, or the school's before the lock), changing nothing in it."""


class TransferredAwayError(WorkflowError):
    """The student left the school by a completed transfer: the school's record of them is
    read-only."""

    code = "transferred_away"

    def __init__(self, *, student: str, transfer_id: int, effective_on: date | None) -> None:
        when = effective_on.isoformat() if effective_on else "?"
        super().__init__(
            f"{student} left the school by transfer {transfer_id} on {when}: the school's "
            "record of the student is read-only",
            f"Học sinh {student} đã chuyển trường (hồ sơ chuyển trường số {transfer_id}, "
            f"ngày {when}): hồ sơ của học sinh tại trường chỉ còn để xem, không sửa hay ký được",
        )
        self.student = student
        self.transfer_id = transfer_id


_T = cast(sa.Table, Transfer.__table__)  # type: ignore[attr-defined]
_Y = cast(sa.Table, SchoolYear.__table__)  # type: ignore[attr-defined]
_LEFT, _THIS = _Y.alias("left_year"), _Y.alias("this_year")
_ANY_LEAVING = (
    sa.select(_T.c.id)
    .select_from(
        _T.join(_LEFT, _LEFT.c.id == _T.c.school_year_id).join(
            _THIS, _THIS.c.id == sa.bindparam("year")
        )
    )
    .where(
        _T.c.student_id.in_(sa.bindparam("students", expanding=True)),
        _T.c.from_school_id == sa.bindparam("school"),
        _T.c.stage == TransferStage.COMPLETED,
        _LEFT.c.starts_on >= _THIS.c.starts_on,
    )
    .limit(1)
)
"""Whether any of the students left the school by a completed transfer of that year or a later
one: the first question of ``freezing_transfers``, built once (nobody left, the usual answer,
costs one light statement)."""


def freezing_transfers(
    session: Session, *, school_id: int, school_year_id: int, student_ids: Iterable[int]
) -> dict[int, Transfer]:
    """For each of the students whose rows of ``school_year_id`` at ``school_id`` are frozen,
    the completed transfer that froze them."""
    ids = list(set(student_ids))
    if not ids:
        return {}
    if (
        session.execute(
            _ANY_LEAVING, {"students": ids, "school": school_id, "year": school_year_id}
        ).first()
        is None
    ):
        return {}
    # The year's start is joined, not read first. A year that does not exist joins nothing,
    # freezing nothing.
    this_year, out_year, back_year = aliased(SchoolYear), aliased(SchoolYear), aliased(SchoolYear)
    leaving = session.exec(
        select(Transfer)
        .join(out_year, col(out_year.id) == Transfer.school_year_id)
        .join(this_year, col(this_year.id) == school_year_id)
        .where(
            col(Transfer.student_id).in_(ids),
            Transfer.from_school_id == school_id,
            Transfer.stage == TransferStage.COMPLETED,
            col(out_year.starts_on) >= col(this_year.starts_on),
        )
        .order_by(col(Transfer.completed_at))
    ).all()
    if not leaving:
        return {}
    returns = session.exec(
        select(Transfer.student_id, Transfer.completed_at)
        .join(back_year, col(back_year.id) == Transfer.school_year_id)
        .join(this_year, col(this_year.id) == school_year_id)
        .where(
            col(Transfer.student_id).in_(ids),
            Transfer.to_school_id == school_id,
            Transfer.stage == TransferStage.COMPLETED,
            col(back_year.starts_on) <= col(this_year.starts_on),
        )
    ).all()
    frozen: dict[int, Transfer] = {}
    for transfer in leaving:
        came_back = any(
            sid == transfer.student_id
            and at is not None
            and transfer.completed_at is not None
            and at > transfer.completed_at
            for sid, at in returns
        )
        if not came_back:
            frozen.setdefault(transfer.student_id, transfer)
    return frozen


def check_not_transferred(
    session: Session, *, school_id: int, school_year_id: int, student_ids: Iterable[int]
) -> None:
    """Refuse (TransferredAwayError) if one of the students transferred away from the school:
    its rows of that year are read-only."""
    refuse_frozen(
        session,
        freezing_transfers(
            session, school_id=school_id, school_year_id=school_year_id, student_ids=student_ids
        ),
    )


def refuse_frozen(session: Session, frozen: dict[int, Transfer]) -> None:
    """Raise TransferredAwayError for the first-made of the ``frozen`` students' transfers
    (``freezing_transfers``' answer), if there is one."""
    if not frozen:
        return
    transfer = min(frozen.values(), key=lambda t: t.id or 0)
    student = session.get(Student, transfer.student_id)
    assert transfer.id is not None and student is not None  # stored rows
    raise TransferredAwayError(
        student=student.full_name, transfer_id=transfer.id, effective_on=transfer.effective_on
    )


def check_transcript_not_transferred(session: Session, transcript: Transcript, event: str) -> None:
    """Refuse ``event`` on a transcript of a school the student transferred away from."""
    if event in UNFROZEN_EVENTS:
        return
    check_not_transferred(
        session,
        school_id=transcript.school_id,
        school_year_id=transcript.school_year_id,
        student_ids=(transcript.student_id,),
    )
