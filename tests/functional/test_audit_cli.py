"""`hocba audit verify` (contracts.md), run as the real console command on a real database.

The log is filled by use cases; then rows are altered with plain SQL, the way someone with
database access but without the application would, and the command must name the entry.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel

from domain.model import AuditEvent, entry_hash
from tests.support.cli import DEMO_KEY_SETTINGS
from tests.support.clock import vn
from tests.support.world import BEFORE_LOCK, World, evidence
from workflow import SigningStep, record_data, sign

AUDIT = SQLModel.metadata.tables["audit_events"]
ENTRIES = 9
"""What ``_fill_the_log`` writes: 2 creations, 1 data entry, 3 × (transition, signature)."""


def _hocba(*arguments: str, database_url: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run the installed ``hocba`` script (the console entry point hocba.cli:main)."""
    script = Path(sys.executable).with_name("hocba")
    command = (
        [str(script)]
        if script.exists()
        else [sys.executable, "-c", "from hocba.cli import main; main()"]
    )
    environment = {
        **os.environ,
        **DEMO_KEY_SETTINGS,
        "HOCBA_DATABASE_URL": database_url,
        "HOCBA_DATA_DIR": str(cwd),
    }
    return subprocess.run(
        [*command, *arguments],
        capture_output=True,
        text=True,
        env=environment,
        cwd=cwd,
        timeout=120,
        check=False,
    )


def _fill_the_log(world: World) -> None:
    first = world.new_transcript(student=0)
    world.new_transcript(student=1)
    record_data(
        world.uow(),
        transcript_id=first,
        data={"note": "scores entered"},
        actor=world.actor("gvcn.6a1"),
        now=BEFORE_LOCK,
    )
    for code in ("TOAN", "NGUVAN", "GDTC"):
        teacher = f"gvbm.{code.lower()}"
        sign(
            world.uow(),
            transcript_id=first,
            step=SigningStep.SUBJECT,
            subject_code=code,
            actor=world.actor(teacher),
            evidence=evidence(teacher),
            now=BEFORE_LOCK,
        )


def _url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def _edit_details(connection: sa.Connection) -> None:
    connection.execute(AUDIT.update().where(AUDIT.c.seq == 3).values(details={"note": "forged"}))


def _edit_actor_label(connection: sa.Connection) -> None:
    connection.execute(
        sa.text("UPDATE audit_events SET actor_label = 'someone else' WHERE seq = 5")
    )


def _edit_occurred_at(connection: sa.Connection) -> None:
    connection.execute(AUDIT.update().where(AUDIT.c.seq == 2).values(occurred_at=vn(2025, 1, 1)))


def _rehashed_edit(seq: int) -> Callable[[sa.Connection], None]:
    # A forger who also recomputes the edited entry's own hash: the next entry gives it
    # away, or for the last entry the hash the chain head records.
    def alter(connection: sa.Connection) -> None:
        _edit_and_rehash(connection, seq)

    return alter


def _edit_and_rehash(connection: sa.Connection, seq: int) -> None:
    with Session(bind=connection) as session:
        event = session.get(AuditEvent, seq)
        assert event is not None
        event.actor_label = "someone else"
        event.hash = entry_hash(event)
        session.add(event)
        session.flush()


def _delete_middle(connection: sa.Connection) -> None:
    connection.execute(sa.text("DELETE FROM audit_events WHERE seq = 4"))


def _swap(connection: sa.Connection) -> None:
    # Three steps: ``seq`` is the primary key, which PostgreSQL checks row by row.
    for old, new in ((3, -1), (6, 3), (-1, 6)):
        connection.execute(
            sa.text("UPDATE audit_events SET seq = :new WHERE seq = :old"), {"old": old, "new": new}
        )


def _delete_last(connection: sa.Connection) -> None:
    connection.execute(sa.text("DELETE FROM audit_events WHERE seq = :last"), {"last": ENTRIES})


@dataclass(frozen=True)
class Tampering:
    alter: Callable[[sa.Connection], None]
    broken_at: int
    reason: str


TAMPERINGS = {
    "edit-details": Tampering(_edit_details, 3, "altered"),
    "edit-actor-label": Tampering(_edit_actor_label, 5, "altered"),
    "edit-occurred-at": Tampering(_edit_occurred_at, 2, "altered"),
    "edit-and-rehash": Tampering(_rehashed_edit(4), 5, "does not follow"),
    "edit-and-rehash-last": Tampering(_rehashed_edit(ENTRIES), ENTRIES, "chain head"),
    "delete-middle": Tampering(_delete_middle, 4, "missing"),
    "swap-two": Tampering(_swap, 3, "does not follow"),
    "delete-last": Tampering(_delete_last, ENTRIES, f"the chain head records entry {ENTRIES}"),
}


def test_an_intact_log_verifies_and_is_counted(world: World, tmp_path: Path) -> None:
    _fill_the_log(world)
    result = _hocba("audit", "verify", database_url=_url(world.engine), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"audit log intact: {ENTRIES} entries"


@pytest.mark.parametrize("kind", list(TAMPERINGS))
def test_a_tampered_log_fails_naming_the_first_broken_entry(
    world: World, tmp_path: Path, kind: str
) -> None:
    tampering = TAMPERINGS[kind]
    _fill_the_log(world)
    with world.engine.connect() as connection:
        count = connection.execute(sa.select(sa.func.count()).select_from(AUDIT)).scalar_one()
    assert count == ENTRIES
    with world.engine.begin() as connection:
        tampering.alter(connection)

    result = _hocba("audit", "verify", database_url=_url(world.engine), cwd=tmp_path)

    assert result.returncode == 1, (result.stdout, result.stderr)
    assert result.stdout == ""
    assert f"audit log BROKEN at audit event {tampering.broken_at}:" in result.stderr
    assert tampering.reason in result.stderr
