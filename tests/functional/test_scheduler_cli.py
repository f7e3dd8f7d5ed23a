"""``hocba scheduler run-due``: several processes told to run the same lock apply it once."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from domain.model import AuditEvent, SchedulerRun, TranscriptKind
from domain.model import TranscriptStatus as S
from scheduler import LeaderLock
from tests.support.cli import DEMO_KEY_SETTINGS
from tests.support.journeys import drive_to, status_of
from tests.support.world import World
from workflow import create_database_engine

HOCBA = str(Path(sys.executable).with_name("hocba"))
AT = "2025-07-01T00:00:00+07:00"


def _env(engine: Engine) -> dict[str, str]:
    url = engine.url.render_as_string(hide_password=False)
    return {
        **os.environ,
        **DEMO_KEY_SETTINGS,
        "HOCBA_DATABASE_URL": url,
        "HOCBA_REMINDER_DAYS": "[]",
    }


def test_two_scheduler_processes_told_to_run_the_lock_apply_it_once(world: World) -> None:
    stamped = drive_to(world, TranscriptKind.CA_NAM, S.SCHOOL_STAMPED)
    processes = [
        subprocess.Popen(
            [HOCBA, "scheduler", "run-due", "--at", AT],
            env=_env(world.engine),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=120) for p in processes]
    assert [p.returncode for p in processes] == [0, 0], outputs
    printed = "".join(out for out, _ in outputs)
    assert printed.count("main_lock:1: applied") == 1, printed
    assert status_of(world.engine, stamped) is S.FINALIZED
    with Session(world.engine) as session:
        assert session.exec(select(SchedulerRun.key)).all() == ["main_lock:1"]
        locks = session.exec(
            select(AuditEvent.action).where(col(AuditEvent.action).like("lock.%"))
        ).all()
    assert locks == ["lock.main"]


def test_an_instant_without_an_offset_is_refused_with_exit_2(world: World) -> None:
    result = subprocess.run(
        [HOCBA, "scheduler", "run-due", "--at", "2025-07-01T00:00:00"],
        env=_env(world.engine),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2
    assert "needs an offset" in result.stderr


def test_only_one_process_holds_the_scheduler_lock_at_a_time(world: World) -> None:
    url = world.engine.url.render_as_string(hide_password=False)
    first, second = (LeaderLock(create_database_engine(url)) for _ in range(2))
    assert first.try_acquire() is True
    assert second.try_acquire() is False
    first.release()
    assert second.try_acquire() is True
    second.release()
