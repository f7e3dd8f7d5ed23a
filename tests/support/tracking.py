"""The tracking book in tests: opening entry as the school does, signing, and looking at what a
refused write must not have changed."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, col, select

from domain.model import (
    AuditEvent,
    AuditHead,
    EntryCorrection,
    EntryPeriod,
    EntryWindow,
    EntryWindowDecision,
    HomeroomRecord,
    ScoreLine,
    Transcript,
    TranscriptSignature,
    WindowAction,
    YearEndRecord,
)
from tests.support.clock import vn
from tests.support.world import BEFORE_LOCK, World, evidence
from workflow import (
    SigningStep,
    carry_out_window_decision,
    decide_entry_window,
    sign,
)

ENTRY_OPENS = vn(2024, 9, 5, 7, 0)
"""When the tests' school opens entry for the year (after the duties start)."""

DECISION = "Quyết định số 15/QĐ-PCT"


def set_window(
    world: World, period: EntryPeriod, action: WindowAction, at: datetime = ENTRY_OPENS
) -> None:
    """The principal decides, the administrator carries it out, both at ``at``."""
    decision = decide_entry_window(
        world.uow(),
        school_id=world.school_id,
        school_year_id=world.year_id,
        period=period,
        action=action,
        decision=DECISION,
        actor=world.actor("hieutruong", at),
        now=at,
    )
    carry_out_window_decision(
        world.uow(), decision_id=decision, actor=world.actor("admin", at), now=at
    )


def open_entry(world: World, *periods: EntryPeriod, at: datetime = ENTRY_OPENS) -> None:
    """Open entry for ``periods`` (default: both semesters)."""
    for period in periods or (EntryPeriod.HK1, EntryPeriod.HK2):
        set_window(world, period, WindowAction.OPEN, at)


def sign_subject(world: World, transcript_id: str, code: str, at: datetime = BEFORE_LOCK) -> None:
    """The 6A1 teacher of ``code`` signs it on the transcript."""
    teacher = f"gvbm.{code.lower()}"
    sign(
        world.uow(),
        transcript_id=transcript_id,
        step=SigningStep.SUBJECT,
        subject_code=code,
        actor=world.actor(teacher, at),
        evidence=evidence(teacher, at),
        now=at,
    )


def sign_step(world: World, transcript_id: str, step: SigningStep, who: str) -> None:
    """``who`` signs the homeroom or principal step, before the lock."""
    sign(
        world.uow(),
        transcript_id=transcript_id,
        step=step,
        actor=world.actor(who),
        evidence=evidence(who),
        now=BEFORE_LOCK,
    )


def put_in_supplementary_group(world: World, student: int) -> None:
    """What the year-end review will do: the student must retest (REQ-20)."""
    with Session(world.engine) as session:
        session.add(
            YearEndRecord(
                student_id=world.student_ids[student],
                class_id=world.class_ids["6A1"],
                supplementary=True,
                updated_at=BEFORE_LOCK,
                updated_by_id=world.people["gvcn.6a1"],
            )
        )
        session.commit()


def _table(model: type[SQLModel]) -> sa.Table:
    return cast(sa.Table, model.__table__)  # type: ignore[attr-defined]


_WATCHED = tuple(
    _table(model)
    for model in (
        ScoreLine,
        HomeroomRecord,
        YearEndRecord,
        EntryWindow,
        EntryWindowDecision,
        EntryCorrection,
        Transcript,
        TranscriptSignature,
        AuditHead,
    )
)


def tracking_footprint(engine: Engine) -> tuple[tuple[str, ...], ...]:
    """Every row a tracking-book write could change (the audit log through its head)."""
    with engine.connect() as connection:
        return tuple(
            tuple(sorted(str(tuple(row)) for row in connection.execute(sa.select(table))))
            for table in _WATCHED
        )


def audit_entries(engine: Engine, *, after: int = 0) -> list[AuditEvent]:
    """The audit entries after position ``after``, in order."""
    with Session(engine) as session:
        return list(
            session.exec(
                select(AuditEvent).where(AuditEvent.seq > after).order_by(col(AuditEvent.seq))
            ).all()
        )


def last_seq(engine: Engine) -> int:
    """The audit log's last position."""
    with Session(engine) as session:
        head = session.get(AuditHead, 1)
        return 0 if head is None else head.seq


def transcript_row(engine: Engine, transcript_id: str) -> Transcript:
    """The stored transcript."""
    with Session(engine) as session:
        row = session.get(Transcript, transcript_id)
        assert row is not None
        return row


def live_slots(engine: Engine, transcript_id: str) -> set[str]:
    """The transcript's live signature slots."""
    with Session(engine) as session:
        return set(
            session.exec(
                select(TranscriptSignature.slot).where(
                    TranscriptSignature.transcript_id == transcript_id,
                    col(TranscriptSignature.archived_at).is_(None),
                )
            ).all()
        )


def any_row(engine: Engine, model: type[SQLModel]) -> list[Any]:
    """Every row of ``model``'s table."""
    with Session(engine) as session:
        return list(session.exec(select(model)).all())
