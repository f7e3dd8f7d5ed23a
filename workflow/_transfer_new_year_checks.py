"""What must hold before a leaving school lets a student go before the new school year: the
student's last year there is over, and every transcript of the earlier years is finalized."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from domain.model import (
    Enrollment,
    SchoolClass,
    SchoolYear,
    Transcript,
    TranscriptKind,
    TranscriptStatus,
    Transfer,
)
from workflow._transfer_errors import RecordNotFinalizedError, YearNotOverError

SCHOOL_ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
"""The zone school days are counted in (the regulation is Ho Chi Minh City's)."""


def check_finalized(session: Session, transfer: Transfer, new_year: SchoolYear) -> None:
    """Refuse while a transcript of an earlier year at the leaving school is not finalized."""
    rows = session.exec(
        select(Transcript.id, SchoolYear.name, Transcript.status)
        .join(SchoolYear, col(SchoolYear.id) == Transcript.school_year_id)
        .where(
            Transcript.student_id == transfer.student_id,
            Transcript.school_id == transfer.from_school_id,
            col(SchoolYear.starts_on) < new_year.starts_on,
            col(Transcript.status).not_in(
                (TranscriptStatus.FINALIZED, TranscriptStatus.SUPERSEDED)
            ),
            Transcript.kind != TranscriptKind.CHUYEN_TRUONG,
        )
        .order_by(col(SchoolYear.starts_on))
    ).all()
    if rows:
        raise RecordNotFinalizedError(tuple((i, y, str(s)) for i, y, s in rows))


def check_year_over(
    session: Session, transfer: Transfer, new_year: SchoolYear, now: datetime
) -> None:
    """Refuse until the student's last year at the leaving school has passed its lock date."""
    # Accepting freezes the leaving school's rows of the student's last year there: that year
    # must be over (its main lock passed), or the student would lose the rest of it.
    last = session.exec(
        select(SchoolYear)
        .join(Enrollment, col(Enrollment.school_year_id) == SchoolYear.id)
        .join(SchoolClass, col(SchoolClass.id) == Enrollment.class_id)
        .where(
            Enrollment.student_id == transfer.student_id,
            SchoolClass.school_id == transfer.from_school_id,
            col(SchoolYear.starts_on) < new_year.starts_on,
        )
        .order_by(col(SchoolYear.starts_on).desc())
    ).first()
    if last is not None and now < last.main_lock_at:
        raise YearNotOverError(last.name, last.main_lock_at.astimezone(SCHOOL_ZONE).date())
