"""The demo school of contracts.md ("Demo data"): seeded once, idempotently, from ``now``.

``seed_demo`` writes the school, its two years, classes, accounts and students in one
transaction (``workflow._demo_setup``), then plays the script through the real use cases, one
transaction each: entry opened, the tracking book filled in and the transcripts built from it
(``workflow._demo_tracking``), then the signatures, the lock and a correction request
(``workflow._demo_script``: real XML signatures with the demo PKI's keys), and finally
records that the demo is complete.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from domain.model import (
    AuditEvent,
    Enrollment,
    Person,
    Role,
    School,
    SchoolClass,
    SchoolYear,
    Transcript,
    TranscriptStatus,
)
from workflow._demo_calendar import DemoYear, demo_years
from workflow._demo_data import (
    ACCOUNTS,
    CLASS_SIZES,
    DEMO_PASSWORD,
    PROMOTED_CLASS,
    PROMOTED_TO,
    SCHOOL_CODE,
    SCHOOL_NAME,
    SEED,
    YearRef,
    grade_of,
)
from workflow._demo_pki import DemoPki
from workflow._demo_plan import Step, TranscriptKey, plan_steps
from workflow._demo_records import DemoStudent, draw_class, year_results
from workflow._demo_script import ScriptPlayer
from workflow._demo_setup import SEED_ACTOR, ClassKey, set_up_school
from workflow._demo_tracking import EntryStep, entry_steps
from workflow._errors import InvalidInputError, WorkflowError
from workflow._pdf_signing import DEFAULT_PUBLIC_URL
from workflow._uow import UnitOfWork

_COMPLETE = "demo.complete"
_SCHOOL_AGE = 5
"""Grade 1 starts in the September of the year a child turns 6: grade g, born first − g − 5."""


class DemoIncompleteError(WorkflowError):
    """An earlier seed stopped half-way: the demo school exists but its script did not finish."""

    code = "demo_incomplete"

    def __init__(self) -> None:
        super().__init__(
            f"an earlier demo seed of school {SCHOOL_CODE} stopped before it finished; "
            "delete the database (e.g. var/hocba.db) and seed again",
            f"Lần tạo dữ liệu mẫu trước cho trường {SCHOOL_CODE} bị dừng giữa chừng; "
            "hãy xoá cơ sở dữ liệu (ví dụ var/hocba.db) rồi tạo lại",
        )


@dataclass(frozen=True, slots=True)
class DemoLogin:
    """One line of the printed logins table."""

    username: str
    full_name: str
    role: Role
    duty: str
    """What the person does (Vietnamese)."""


@dataclass(frozen=True, slots=True)
class ClassProgress:
    """A class of the demo and how far its transcripts are."""

    school_year: str
    class_name: str
    students: int
    statuses: tuple[tuple[TranscriptStatus, int], ...]
    """Transcripts per status, in workflow order; statuses without one are left out."""


@dataclass(frozen=True, slots=True)
class DemoSummary:
    """What the demo holds: the school, the logins (all with ``password``) and the classes."""

    school_code: str
    school_name: str
    password: str
    logins: tuple[DemoLogin, ...]
    classes: tuple[ClassProgress, ...]
    created: bool = field(default=False, compare=False)
    """Whether this call seeded the demo (False: it was already there and nothing changed)."""


def seed_demo(
    engine: Engine,
    *,
    now: datetime,
    pki: DemoPki,
    timezone: str = "Asia/Ho_Chi_Minh",
    public_url: str = DEFAULT_PUBLIC_URL,
) -> DemoSummary:
    """Create the demo school unless it exists; return what the demo holds either way.

    The years are the school year containing ``now`` (September–August in ``timezone``) and
    the one before; every event is dated at or before ``now``. Students and scores come from a
    seeded generator, so the same ``now`` gives the same people and scores (transcript ids are
    random UUIDs, as everywhere); ``pki`` (``ensure_demo_pki``) holds the keys that sign;
    the signed PDFs' QR codes open ``public_url``'s verification page.
    DemoConflictError if demo usernames are already taken; DemoIncompleteError if an earlier
    seed stopped half-way.
    """
    if now.tzinfo is None:
        raise InvalidInputError("now", "must be timezone-aware", "phải có múi giờ")
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInputError("timezone", "unknown time zone", "múi giờ không hợp lệ") from None
    with Session(engine) as session:
        if _school_exists(session):
            if not _completed(session):
                raise DemoIncompleteError
            return _summary(session, created=False)
    years = demo_years(now, zone=zone)
    rng = random.Random(SEED)  # noqa: S311  (demo names and scores, not secrets)
    classes = _draw_classes(rng, years)
    data = _draw_results(rng, classes, years)
    roster = set_up_school(engine, years=years, classes=classes, now=now)
    sizes = {key: len(members) for key, members in classes.items()}
    entries = entry_steps(classes=list(classes), years=years, now=now)
    transcripts = plan_steps(class_sizes=sizes, years=years, now=now)
    # One script in the order of the instants; at the same instant the tracking book first.
    steps: list[Step | EntryStep] = [*entries, *transcripts]
    script = sorted(steps, key=lambda step: step.at)
    ScriptPlayer(engine, roster, data, pki, public_url=public_url).play(script)
    with UnitOfWork(engine) as uow:
        uow.audit.record(
            actor=SEED_ACTOR,
            action=_COMPLETE,
            object_type="school",
            object_id=SCHOOL_CODE,
            now=now,
        )
        uow.commit("the demo school")
    with Session(engine) as session:
        return _summary(session, created=True)


def _draw_classes(
    rng: random.Random, years: dict[YearRef, DemoYear]
) -> dict[ClassKey, tuple[DemoStudent, ...]]:
    taken: set[str] = set()
    classes: dict[ClassKey, tuple[DemoStudent, ...]] = {}
    for (ref, name), size in CLASS_SIZES.items():
        if (ref, name) == PROMOTED_TO:
            classes[ref, name] = classes[PROMOTED_CLASS]
            continue
        birth_year = years[ref].starts_on.year - grade_of(name) - _SCHOOL_AGE
        classes[ref, name] = draw_class(rng, count=size, birth_year=birth_year, taken=taken)
    return classes


def _draw_results(
    rng: random.Random,
    classes: dict[ClassKey, tuple[DemoStudent, ...]],
    years: dict[YearRef, DemoYear],
) -> dict[TranscriptKey, dict[str, Any]]:
    return {
        ((ref, name), index): year_results(
            rng, student=student, grade=grade_of(name), school_year=years[ref].name
        )
        for (ref, name), members in classes.items()
        for index, student in enumerate(members)
    }


def _school_exists(session: Session) -> bool:
    return session.exec(select(School.id).where(School.code == SCHOOL_CODE)).first() is not None


def _completed(session: Session) -> bool:
    marker = select(AuditEvent.seq).where(
        AuditEvent.action == _COMPLETE, AuditEvent.object_id == SCHOOL_CODE
    )
    return session.exec(marker).first() is not None


def _summary(session: Session, *, created: bool) -> DemoSummary:
    names = dict(
        session.exec(
            select(Person.username, Person.full_name).where(
                col(Person.username).in_([a.username for a in ACCOUNTS])
            )
        ).all()
    )
    logins = tuple(
        DemoLogin(a.username, names.get(a.username, a.full_name), a.role, a.duty_vi)
        for a in ACCOUNTS
    )
    return DemoSummary(
        school_code=SCHOOL_CODE,
        school_name=SCHOOL_NAME,
        password=DEMO_PASSWORD,
        logins=logins,
        classes=_class_progress(session),
        created=created,
    )


def _class_progress(session: Session) -> tuple[ClassProgress, ...]:
    rows = session.exec(
        select(SchoolClass.id, SchoolYear.name, SchoolClass.name)
        .join(SchoolYear, col(SchoolYear.id) == SchoolClass.school_year_id)
        .join(School, col(School.id) == SchoolClass.school_id)
        .where(School.code == SCHOOL_CODE)
        .order_by(col(SchoolYear.name), col(SchoolClass.name))
    ).all()
    classes = [(class_id, year, name) for class_id, year, name in rows if class_id is not None]
    ids = [class_id for class_id, _, _ in classes]
    enrolled = dict(
        session.exec(
            select(Enrollment.class_id, sa.func.count())
            .where(col(Enrollment.class_id).in_(ids))
            .group_by(col(Enrollment.class_id))
        ).all()
    )
    counts: dict[tuple[int, TranscriptStatus], int] = {
        (class_id, TranscriptStatus(status)): n
        for class_id, status, n in session.exec(
            select(Transcript.class_id, Transcript.status, sa.func.count())
            .where(col(Transcript.class_id).in_(ids))
            .group_by(col(Transcript.class_id), col(Transcript.status))
        ).all()
    }
    return tuple(
        ClassProgress(
            school_year=year,
            class_name=name,
            students=enrolled.get(class_id, 0),
            statuses=tuple(
                (status, counts[class_id, status])
                for status in TranscriptStatus
                if (class_id, status) in counts
            ),
        )
        for class_id, year, name in classes
    )
