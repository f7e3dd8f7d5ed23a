"""The lock dates, applied by the scheduler by itself, exactly once (REQ-20, REQ-21, REQ-22)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlmodel import Session, col, select

from domain.model import AuditEvent, Notification, SchedulerRun, Transcript, TranscriptKind
from domain.model import TranscriptStatus as S
from scheduler import SchedulerService, run_due
from tests.support.clock import vn
from tests.support.journeys import drive_to, fire, status_of
from tests.support.world import MAIN_LOCK, SUPPLEMENTARY_LOCK, World
from workflow import (
    DataLockedError,
    LockDatePassedError,
    NotAssignedError,
    UnitOfWork,
    record_data,
    revoke,
    task_queue,
)
from workflow._locks import set_lock_calendar
from workflow._notifier import CollectingNotifier

TZ = "Asia/Ho_Chi_Minh"


class FixedClock:
    """A clock stopped at one instant."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at


def _run(world: World, at: datetime, notifier: CollectingNotifier | None = None) -> list[str]:
    report = run_due(
        world.engine,
        at=at,
        notifier=notifier or CollectingNotifier(),
        reminder_days=(7, 3, 1),
        timezone=TZ,
    )
    return report.lines()


def _lock_audits(world: World) -> list[AuditEvent]:
    with Session(world.engine) as session:
        return list(
            session.exec(
                select(AuditEvent)
                .where(col(AuditEvent.action).like("lock.%"))
                .order_by(col(AuditEvent.seq))
            ).all()
        )


def _runs(world: World) -> list[str]:
    with Session(world.engine) as session:
        return sorted(session.exec(select(SchedulerRun.key)).all())


def test_before_the_lock_a_stamped_transcript_can_be_revoked_and_a_draft_edited(
    world: World,
) -> None:
    stamped = drive_to(world, TranscriptKind.CA_NAM, S.SCHOOL_STAMPED)
    draft = world.new_transcript()
    before = MAIN_LOCK - timedelta(seconds=1)
    assert not any("lock" in line for line in _run(world, before)[1:])
    record_data(
        world.uow(),
        transcript_id=draft,
        data={"note": "sửa"},
        actor=world.actor("gvcn.6a1", before),
        now=before,
    )
    revoke(
        world.uow(),
        transcript_id=stamped,
        actor=world.actor("hieutruong", before),
        reason="Sai ngày sinh",
        now=before,
    )
    assert status_of(world.engine, stamped) is S.SUPERSEDED


def test_after_the_lock_runs_stamped_is_finalized_and_revoking_or_editing_is_refused(
    world: World,
) -> None:
    stamped = drive_to(world, TranscriptKind.CA_NAM, S.SCHOOL_STAMPED)
    draft = world.new_transcript()
    after = MAIN_LOCK + timedelta(seconds=1)
    lines = _run(world, after)
    assert any("main_lock" in line and "1 finalized, 1 overdue" in line for line in lines)
    assert status_of(world.engine, stamped) is S.FINALIZED
    with pytest.raises(LockDatePassedError):
        revoke(
            world.uow(),
            transcript_id=stamped,
            actor=world.actor("hieutruong", after),
            reason="Sai ngày sinh",
            now=after,
        )
    with pytest.raises(DataLockedError):
        record_data(
            world.uow(),
            transcript_id=draft,
            data={"note": "sửa"},
            actor=world.actor("gvcn.6a1", after),
            now=after,
        )


def test_a_server_down_over_the_lock_date_applies_it_at_start_up_once(world: World) -> None:
    stamped = drive_to(world, TranscriptKind.CA_NAM, S.SCHOOL_STAMPED)
    for _ in range(2):  # started on 2 July, then restarted
        service = SchedulerService(
            engine=world.engine,
            clock=FixedClock(vn(2025, 7, 2)),
            notifier=CollectingNotifier(),
            reminder_days=(1,),
            timezone=TZ,
            tick_seconds=3600,
        )
        assert service.start() is True
        service.shutdown()
    assert status_of(world.engine, stamped) is S.FINALIZED
    assert _runs(world) == ["main_lock:1"]
    assert [e.action for e in _lock_audits(world)] == ["lock.main"]


def test_running_the_same_instant_twice_changes_nothing_the_second_time(world: World) -> None:
    drive_to(world, TranscriptKind.CA_NAM, S.SCHOOL_STAMPED)
    at = vn(2025, 8, 20)
    first, second = _run(world, at), _run(world, at)
    assert "main_lock:1: applied — 1 finalized, 0 overdue" in first
    assert "supplementary_lock:1: applied — 0 finalized, 0 overdue" in first
    assert second[-1] == "nothing was due"
    assert len(_lock_audits(world)) == 2


def test_the_retest_group_keeps_its_data_open_until_the_supplementary_lock(
    world: World,
) -> None:
    draft = world.new_transcript()
    with Session(world.engine) as session:
        row = session.get(Transcript, draft)
        assert row is not None
        row.supplementary = True
        session.add(row)
        session.commit()
    august_1, august_16 = vn(2025, 8, 1), vn(2025, 8, 16)
    _run(world, august_1)
    record_data(
        world.uow(),
        transcript_id=draft,
        data={"retest": {"TOAN": 6.0}},
        actor=world.actor("gvcn.6a1", august_1),
        now=august_1,
    )
    _run(world, august_16)
    with pytest.raises(DataLockedError):
        record_data(
            world.uow(),
            transcript_id=draft,
            data={"retest": {"TOAN": 7.0}},
            actor=world.actor("gvcn.6a1", august_16),
            now=august_16,
        )


def test_transcripts_not_stamped_at_the_lock_are_overdue_in_the_principals_and_departments_queue(
    world: World,
) -> None:
    late = drive_to(world, TranscriptKind.CA_NAM, S.HOMEROOM_SIGNED)
    after = MAIN_LOCK + timedelta(days=1)
    _run(world, after)
    for who in ("hieutruong", "so.gddt"):
        with Session(world.engine) as session:
            queue = task_queue(session, person_id=world.people[who], now=after)
        overdue = [i for i in queue if i.action == "overdue"]
        assert [i.transcript_ids for i in overdue] == [(late,)], who
    with Session(world.engine) as session:
        other = task_queue(session, person_id=world.people["so.khac"], now=after)
    assert other == []


def test_a_transcript_stamped_after_the_lock_is_finalized_at_the_next_run(world: World) -> None:
    late = drive_to(world, TranscriptKind.CA_NAM, S.PRINCIPAL_SIGNED)
    after = MAIN_LOCK + timedelta(days=1)
    _run(world, after)
    fire(world, late, "stamp", who="vanthu", at=after)
    assert "late stamps finalized: 1" in _run(world, after + timedelta(hours=1))
    assert status_of(world.engine, late) is S.FINALIZED


def test_signers_with_pending_work_are_reminded_once_per_threshold(world: World) -> None:
    world.new_transcript()
    notifier = CollectingNotifier()
    three_days = MAIN_LOCK - timedelta(days=2, hours=12)
    _run(world, three_days, notifier)
    _run(world, three_days + timedelta(hours=1), notifier)
    reminded = sorted(m.username for m in notifier.sent)
    assert reminded == ["gvbm.gdtc", "gvbm.nguvan", "gvbm.toan"]
    assert all("Nhắc việc" in m.subject for m in notifier.sent)
    _run(world, MAIN_LOCK - timedelta(hours=12), notifier)
    assert len(notifier.sent) == 6  # the one-day reminder, once more each
    with Session(world.engine) as session:
        assert len(session.exec(select(Notification)).all()) == 6


def test_the_department_moves_the_lock_date_until_it_is_applied(world: World) -> None:
    officer_now = vn(2025, 6, 1)
    later = MAIN_LOCK + timedelta(days=3)
    set_lock_calendar(
        UnitOfWork(world.engine),
        school_year_id=world.year_id,
        main_lock_at=later,
        supplementary_lock_at=SUPPLEMENTARY_LOCK,
        actor=world.actor("so.gddt", officer_now),
        now=officer_now,
    )
    assert not any("main_lock" in line for line in _run(world, MAIN_LOCK + timedelta(days=1)))
    _run(world, later)
    with pytest.raises(DataLockedError):
        set_lock_calendar(
            UnitOfWork(world.engine),
            school_year_id=world.year_id,
            main_lock_at=later + timedelta(days=1),
            supplementary_lock_at=SUPPLEMENTARY_LOCK,
            actor=world.actor("so.gddt", later),
            now=later,
        )


@pytest.mark.parametrize("who", ["so.khac", "admin", "hieutruong"])
def test_only_the_citys_department_moves_its_lock_dates(world: World, who: str) -> None:
    with pytest.raises(NotAssignedError):
        set_lock_calendar(
            UnitOfWork(world.engine),
            school_year_id=world.year_id,
            main_lock_at=MAIN_LOCK + timedelta(days=1),
            supplementary_lock_at=SUPPLEMENTARY_LOCK,
            actor=world.actor(who),
            now=vn(2025, 6, 1),
        )
