"""A transcript travels the whole happy path and every step is audited."""

from __future__ import annotations

from sqlmodel import Session, select

from domain.model import AuditEvent, Transcript, TranscriptStatus
from tests.support.world import AFTER_LOCK, BEFORE_LOCK, SUBJECTS_6A1, World, evidence
from workflow import (
    SigningStep,
    finalize,
    sign,
    task_queue,
    verify_audit_chain,
)


def test_an_annual_transcript_goes_from_draft_to_finalized(world: World) -> None:
    tid = world.new_transcript()
    for code in SUBJECTS_6A1:
        teacher = f"gvbm.{code.lower()}"
        sign(
            world.uow(),
            transcript_id=tid,
            step=SigningStep.SUBJECT,
            subject_code=code,
            actor=world.actor(teacher),
            evidence=evidence(teacher),
            now=BEFORE_LOCK,
        )
    for step, who in ((SigningStep.HOMEROOM, "gvcn.6a1"), (SigningStep.PRINCIPAL, "hieutruong")):
        sign(
            world.uow(),
            transcript_id=tid,
            step=step,
            actor=world.actor(who),
            evidence=evidence(who),
            now=BEFORE_LOCK,
        )
    sign(
        world.uow(),
        transcript_id=tid,
        step=SigningStep.SCHOOL,
        actor=world.actor("vanthu"),
        evidence=evidence("vanthu", organisation=True),
        now=BEFORE_LOCK,
    )
    finalize(world.uow(), transcript_id=tid, actor=world.actor("vanthu"), now=AFTER_LOCK)
    with Session(world.engine) as session:
        row = session.get(Transcript, tid)
        assert row is not None and row.status == TranscriptStatus.FINALIZED
        actions = session.exec(select(AuditEvent.action)).all()
        assert actions.count("signature.add") == 6
        report = verify_audit_chain(session)
        assert report.ok, report.first_break


def test_the_teachers_queue_groups_a_class_and_subject(world: World) -> None:
    first, second = world.new_transcript(student=0), world.new_transcript(student=1)
    with Session(world.engine) as session:
        items = task_queue(session, person_id=world.people["gvbm.toan"], now=BEFORE_LOCK)
    assert len(items) == 1
    assert items[0].subject_code == "TOAN" and items[0].class_name == "6A1"
    assert set(items[0].transcript_ids) == {first, second} and items[0].count == 2
