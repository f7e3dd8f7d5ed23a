"""The lock dates (REQ-20, REQ-21): finalize what is stamped, flag what is late, exactly once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy import ColumnElement
from sqlmodel import Session, col, select

from domain.model import Role, SchedulerRun, SchoolYear, Transcript, TranscriptStatus
from workflow._actor import SYSTEM, Actor
from workflow._errors import DataLockedError, InvalidInputError, NotAssignedError, NotFoundError
from workflow._transitions import fire
from workflow._uow import UnitOfWork

UNSTAMPED = (
    TranscriptStatus.DRAFT,
    TranscriptStatus.SUBJECT_SIGNED,
    TranscriptStatus.HOMEROOM_SIGNED,
    TranscriptStatus.PRINCIPAL_SIGNED,
)
"""Statuses of a transcript that is late once its lock date has passed."""


class LockGroup(StrEnum):
    """Which students a lock date applies to (REQ-20)."""

    MAIN = "main"
    """Everyone outside the supplementary group: 30 June by default."""
    SUPPLEMENTARY = "supplementary"
    """The retest / summer-training group: 15 August by default."""


def lock_key(group: LockGroup, school_year_id: int) -> str:
    """The run key of one lock: it is applied at most once."""
    return f"{group.value}_lock:{school_year_id}"


def lock_time(year: SchoolYear, group: LockGroup) -> datetime:
    """When ``group`` of ``year`` locks."""
    return year.main_lock_at if group is LockGroup.MAIN else year.supplementary_lock_at


@dataclass(frozen=True, slots=True)
class DueLock:
    """A lock whose time has come and that has not been applied yet."""

    school_year_id: int
    school_year: str
    department_code: str
    group: LockGroup
    lock_at: datetime


@dataclass(frozen=True, slots=True)
class LockOutcome:
    """What applying a lock changed (``applied`` False: it had been applied before)."""

    key: str
    applied: bool
    finalized: tuple[str, ...] = ()
    overdue: tuple[str, ...] = ()


def due_locks(session: Session, *, at: datetime) -> list[DueLock]:
    """Every lock whose time is at or before ``at`` and that has no run yet, oldest first."""
    applied = set(session.exec(select(SchedulerRun.key)).all())
    due = []
    for year in session.exec(select(SchoolYear)).all():
        assert year.id is not None
        for group in LockGroup:
            when = lock_time(year, group)
            if when <= at and lock_key(group, year.id) not in applied:
                due.append(DueLock(year.id, year.name, year.department_code, group, when))
    return sorted(due, key=lambda d: (d.lock_at, d.school_year_id, d.group))


def _in_group(group: LockGroup) -> ColumnElement[bool]:
    return col(Transcript.supplementary).is_(group is LockGroup.SUPPLEMENTARY)


def apply_lock(
    uow: UnitOfWork, *, school_year_id: int, group: LockGroup, now: datetime
) -> LockOutcome:
    """Apply one lock: finalize its group's stamped transcripts, list the unstamped as overdue.

    Idempotent: the run is recorded under its key in the same transaction, so a second call,
    in this process or another, changes nothing (a concurrent one gets ConflictError).
    """
    with uow:
        session = uow.session
        year = session.get(SchoolYear, school_year_id)
        if year is None:
            raise NotFoundError("school year", school_year_id)
        when = lock_time(year, group)
        if now < when:
            raise InvalidInputError(
                "now",
                f"the {group.value} lock is at {when.isoformat()}",
                f"chưa đến thời điểm khoá {when.isoformat()}",
            )
        key = lock_key(group, school_year_id)
        if session.exec(select(SchedulerRun).where(SchedulerRun.key == key)).first():
            return LockOutcome(key=key, applied=False)
        run = SchedulerRun(key=key, job=f"{group.value}_lock", due_at=when, ran_at=now)
        session.add(run)
        uow.flush("the lock")  # claims the key first: a concurrent runner stops here
        in_year = sa.and_(col(Transcript.school_year_id) == school_year_id, _in_group(group))
        stamped = session.exec(
            select(Transcript)
            .where(*in_year, Transcript.status == TranscriptStatus.SCHOOL_STAMPED)
            .order_by(col(Transcript.id))
        ).all()
        for transcript in stamped:
            fire(uow, transcript, "finalize", actor=SYSTEM, now=now)
            transcript.locked_at = now
            session.add(transcript)
        overdue = tuple(
            session.exec(
                select(Transcript.id)
                .where(*in_year, col(Transcript.status).in_(UNSTAMPED))
                .order_by(col(Transcript.id))
            ).all()
        )
        finalized = tuple(t.id for t in stamped)
        run.changes = {"finalized": len(finalized), "overdue": len(overdue)}
        session.add(run)
        uow.audit.record(
            actor=SYSTEM,
            action=f"lock.{group.value}",
            object_type="school_year",
            object_id=str(school_year_id),
            now=now,
            details={
                "school_year": year.name,
                "lock_at": when.isoformat(),
                "finalized": list(finalized),
                "overdue": list(overdue),
            },
        )
        uow.commit("the lock")
        return LockOutcome(key=key, applied=True, finalized=finalized, overdue=overdue)


def finalize_late_stamps(uow: UnitOfWork, *, now: datetime) -> tuple[str, ...]:
    """Finalize transcripts stamped after their lock was applied (they were overdue)."""
    with uow:
        session = uow.session
        late = []
        # Only the groups whose lock was applied, found through the run keys: the query is
        # bounded by the years that locked, not by every stamped transcript in the city.
        for key in session.exec(
            select(SchedulerRun.key).where(
                col(SchedulerRun.job).in_(["main_lock", "supplementary_lock"])
            )
        ).all():
            group_name, year_id = key.split("_lock:")
            group = LockGroup(group_name)
            for transcript in session.exec(
                select(Transcript)
                .where(
                    Transcript.school_year_id == int(year_id),
                    _in_group(group),
                    Transcript.status == TranscriptStatus.SCHOOL_STAMPED,
                )
                .order_by(col(Transcript.id))
            ).all():
                fire(uow, transcript, "finalize", actor=SYSTEM, now=now)
                transcript.locked_at = now
                session.add(transcript)
                late.append(transcript.id)
        if late:
            uow.audit.record(
                actor=SYSTEM,
                action="lock.late_finalize",
                object_type="transcript",
                object_id=late[0],
                now=now,
                details={"finalized": late},
            )
        uow.commit("the transcripts")
        return tuple(late)


def set_lock_calendar(
    uow: UnitOfWork,
    *,
    school_year_id: int,
    main_lock_at: datetime,
    supplementary_lock_at: datetime,
    actor: Actor,
    now: datetime,
) -> None:
    """The Department moves its city's lock dates (only while they have not been applied)."""
    if supplementary_lock_at <= main_lock_at:
        raise InvalidInputError(
            "supplementary_lock_at",
            "must be after the main lock",
            "phải sau thời điểm khoá chính",
        )
    with uow:
        session = uow.session
        year = session.get(SchoolYear, school_year_id)
        if year is None:
            raise NotFoundError("school year", school_year_id)
        if actor.is_administrator or not actor.holds(
            Role.DEPARTMENT_OFFICER, department_code=year.department_code
        ):
            raise NotAssignedError(
                "an officer of this city's Department", "cán bộ Sở GDĐT của thành phố này"
            )
        applied = set(session.exec(select(SchedulerRun.key)).all())
        for group, new in (
            (LockGroup.MAIN, main_lock_at),
            (LockGroup.SUPPLEMENTARY, supplementary_lock_at),
        ):
            if lock_key(group, school_year_id) in applied and new != lock_time(year, group):
                raise DataLockedError(
                    f"the {group.value} lock was applied already",
                    "thời điểm khoá này đã được áp dụng",
                )
        before = {
            "main": year.main_lock_at.isoformat(),
            "supplementary": year.supplementary_lock_at.isoformat(),
        }
        year.main_lock_at, year.supplementary_lock_at = main_lock_at, supplementary_lock_at
        session.add(year)
        uow.audit.record(
            actor=actor,
            action="lock.calendar",
            object_type="school_year",
            object_id=str(school_year_id),
            now=now,
            details={
                "before": before,
                "after": {
                    "main": main_lock_at.isoformat(),
                    "supplementary": supplementary_lock_at.isoformat(),
                },
            },
        )
        uow.commit("the school year")
