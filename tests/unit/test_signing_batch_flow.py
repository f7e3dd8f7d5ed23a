"""One state machine for many transcripts in turn (``FlowRunner``, ``EventAsker``): each event
runs as on a machine of its own — its own transcript, its own listeners, its own refusals."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from domain.model import Role, Transcript, TranscriptKind, TranscriptStatus
from workflow._actor import Actor, Grant
from workflow._errors import NotAssignedError
from workflow._facts import TranscriptFacts
from workflow._flow import EventAsker, FlowRunner

NOW = datetime(2025, 5, 20, 8, tzinfo=UTC)
PRINCIPAL = Actor(1, "hieutruong", (Grant(Role.PRINCIPAL, school_id=1, school_year_id=1),))
TEACHER = Actor(2, "gvbm", (Grant(Role.SUBJECT_TEACHER, school_id=1, school_year_id=1),))


def _row(name: str, status: TranscriptStatus) -> Transcript:
    return Transcript(
        id=name,
        student_id=1,
        school_id=1,
        school_year_id=1,
        class_id=1,
        kind=TranscriptKind.CA_NAM,
        version=1,
        status=status,
        data={},
        created_at=NOW,
        updated_at=NOW,
    )


FACTS = TranscriptFacts(
    school_id=1,
    school_year_id=1,
    class_id=1,
    department_code="SGD",
    kind=TranscriptKind.CA_NAM,
    subjects=frozenset({"TOAN"}),
    required_subjects=frozenset({"TOAN"}),
    live_slots=frozenset({"GVBM:TOAN", "GVCN"}),
    staffed_subjects=frozenset({"TOAN"}),
    has_homeroom_teacher=True,
    lock_at=datetime(2025, 6, 30, tzinfo=UTC),
)


class _Heard:
    def __init__(self, name: str, log: list[tuple[str, str, str]]) -> None:
        self.name, self.log = name, log

    def after_transition(self, event: str, source: Any, target: Any) -> None:
        self.log.append((self.name, event, str(target.value)))


def test_each_event_moves_its_own_transcript_and_tells_its_own_listeners() -> None:
    runner, log = FlowRunner(), list[tuple[str, str, str]]()
    first = _row("a", TranscriptStatus.HOMEROOM_SIGNED)
    second = _row("b", TranscriptStatus.HOMEROOM_SIGNED)
    for row in (first, second):
        with runner.bound(row, [_Heard(row.id, log)]) as flow:
            flow.send("sign_principal", actor=PRINCIPAL, facts=FACTS, now=NOW)
    assert first.status == second.status == TranscriptStatus.PRINCIPAL_SIGNED
    assert log == [
        ("a", "sign_principal", "principal_signed"),
        ("b", "sign_principal", "principal_signed"),
    ]


def test_a_refused_event_changes_nothing_and_the_next_transcript_still_moves() -> None:
    runner, log = FlowRunner(), list[tuple[str, str, str]]()
    refused = _row("a", TranscriptStatus.HOMEROOM_SIGNED)
    with pytest.raises(NotAssignedError), runner.bound(refused, [_Heard("a", log)]) as flow:
        flow.send("sign_principal", actor=TEACHER, facts=FACTS, now=NOW)
    assert refused.status == TranscriptStatus.HOMEROOM_SIGNED
    moved = _row("b", TranscriptStatus.HOMEROOM_SIGNED)
    with runner.bound(moved, [_Heard("b", log)]) as flow:
        flow.send("sign_principal", actor=PRINCIPAL, facts=FACTS, now=NOW)
    assert moved.status == TranscriptStatus.PRINCIPAL_SIGNED
    assert log == [("b", "sign_principal", "principal_signed")]


def test_after_a_final_state_the_next_transcript_gets_a_working_machine() -> None:
    runner = FlowRunner()
    revoked = _row("a", TranscriptStatus.SCHOOL_STAMPED)
    with runner.bound(revoked, []) as flow:
        flow.send("revoke", actor=PRINCIPAL, facts=FACTS, now=NOW, reason="sai điểm")
    assert revoked.status == TranscriptStatus.SUPERSEDED
    other = _row("b", TranscriptStatus.SCHOOL_STAMPED)
    with runner.bound(other, []) as flow:
        flow.send("revoke", actor=PRINCIPAL, facts=FACTS, now=NOW, reason="sai điểm")
    assert other.status == TranscriptStatus.SUPERSEDED


def test_the_asking_machine_answers_for_each_transcripts_own_state() -> None:
    asker = EventAsker()
    draft = _row("a", TranscriptStatus.DRAFT)
    signed = _row("b", TranscriptStatus.HOMEROOM_SIGNED)
    assert "sign_principal" not in asker.enabled(draft, facts=FACTS, now=NOW, subject_code="")
    assert "sign_principal" in asker.enabled(signed, facts=FACTS, now=NOW, subject_code="")
    assert "sign_subject" in asker.enabled(draft, facts=FACTS, now=NOW, subject_code="TOAN")
    assert draft.status == TranscriptStatus.DRAFT
