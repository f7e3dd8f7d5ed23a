"""``hocba scheduler run-due`` sends the city exchange's messages when HOCBA_CITY_URL is set."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from domain.model import TranscriptKind, TranscriptStatus
from tests.support.city_server import TOKEN, running_city
from tests.support.cli import DEMO_KEY_SETTINGS
from tests.support.journeys import drive_to
from tests.support.outbox import messages
from tests.support.world import World

HOCBA = str(Path(sys.executable).with_name("hocba"))


def test_run_due_delivers_the_outbox_to_the_configured_city(world: World) -> None:
    transcript_id = drive_to(world, TranscriptKind.CA_NAM, TranscriptStatus.FINALIZED)
    with running_city() as city:
        env = {
            **os.environ,
            **DEMO_KEY_SETTINGS,
            "HOCBA_DATABASE_URL": world.engine.url.render_as_string(hide_password=False),
            "HOCBA_REMINDER_DAYS": "[]",
            "HOCBA_CITY_URL": city.url,
            "HOCBA_CITY_TOKEN": TOKEN,
        }
        result = subprocess.run(
            [HOCBA, "scheduler", "run-due", "--at", "2025-05-21T09:00:00+07:00"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    assert result.returncode == 0, result.stderr
    assert "city exchange: 4 delivered" in result.stdout
    assert set(city.record.registrations) == {transcript_id}
    assert {str(m.state) for m in messages(world.engine)} == {"delivered"}
