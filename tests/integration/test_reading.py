"""Reading a transcript: who may, what they see, and that every read is audited."""

from __future__ import annotations

import pytest
from sqlmodel import Session, col, select

from domain.model import AuditEvent, GuardianLink, Person, Student
from tests.support.world import BEFORE_LOCK, World, evidence
from workflow import NotFoundError, SigningStep, read_transcript, sign


def _audit_actions(world: World) -> list[str]:
    with Session(world.engine) as session:
        return list(session.exec(select(AuditEvent.action).order_by(col(AuditEvent.seq))).all())


@pytest.mark.parametrize(
    "reader",
    ["hieutruong", "vanthu", "hocvu", "gvcn.6a1", "gvbm.toan", "gvbm.gdtc", "so.gddt"],
)
def test_staff_in_scope_read_a_transcript_and_the_read_is_audited(
    world: World, reader: str
) -> None:
    tid = world.new_transcript()
    view = read_transcript(
        world.uow(), transcript_id=tid, actor=world.actor(reader), now=BEFORE_LOCK
    )
    assert view.id == tid and view.class_name == "6A1"
    assert view.student.personal_id_masked == "079*******01"
    assert _audit_actions(world)[-1] == "student.read"


@pytest.mark.parametrize("reader", ["admin", "gvcn.6a2", "gvbm.toan.6a2", "so.khac"])
def test_readers_out_of_scope_are_told_it_does_not_exist_and_nothing_is_logged(
    world: World, reader: str
) -> None:
    tid = world.new_transcript()
    before = _audit_actions(world)
    with pytest.raises(NotFoundError):
        read_transcript(world.uow(), transcript_id=tid, actor=world.actor(reader), now=BEFORE_LOCK)
    assert _audit_actions(world) == before


def test_a_student_and_their_guardian_read_only_their_own(world: World) -> None:
    own, other = world.new_transcript(student=0), world.new_transcript(student=1)
    with Session(world.engine) as session:
        student = Person(username="hs.an", full_name="Nguyễn Văn An")
        parent = Person(username="ph.an", full_name="Nguyễn Văn Cha")
        session.add_all([student, parent])
        session.flush()
        row = session.get(Student, world.student_ids[0])
        assert row is not None and parent.id is not None and student.id is not None
        row.person_id = student.id
        session.add(
            GuardianLink(student_id=world.student_ids[0], person_id=parent.id, relationship="cha")
        )
        session.commit()
        people = {"hs.an": student.id, "ph.an": parent.id}
    world.people.update(people)
    for reader in people:
        actor = world.actor(reader)
        assert (
            read_transcript(world.uow(), transcript_id=own, actor=actor, now=BEFORE_LOCK).id == own
        )
        with pytest.raises(NotFoundError):
            read_transcript(world.uow(), transcript_id=other, actor=actor, now=BEFORE_LOCK)


def test_the_view_lists_signatures_and_what_the_reader_may_do_next(world: World) -> None:
    tid = world.new_transcript()
    sign(
        world.uow(),
        transcript_id=tid,
        step=SigningStep.SUBJECT,
        subject_code="TOAN",
        actor=world.actor("gvbm.toan"),
        evidence=evidence("gvbm.toan"),
        now=BEFORE_LOCK,
    )
    view = read_transcript(
        world.uow(), transcript_id=tid, actor=world.actor("gvbm.nguvan"), now=BEFORE_LOCK
    )
    assert [s.slot for s in view.signatures] == ["GVBM:TOAN"]
    assert view.signatures[0].signer == "GVBM.TOAN"
    assert view.allowed_actions == ("sign_subject:NGUVAN",)


def test_a_closed_student_account_reads_nothing(world: World) -> None:
    own = world.new_transcript(student=0)
    with Session(world.engine) as session:
        account = Person(username="hs.dong", full_name="Nguyễn Văn An", is_active=False)
        session.add(account)
        session.flush()
        row = session.get(Student, world.student_ids[0])
        assert row is not None and account.id is not None
        row.person_id = account.id
        session.add(row)
        session.commit()
        world.people["hs.dong"] = account.id
    with pytest.raises(NotFoundError):
        read_transcript(
            world.uow(), transcript_id=own, actor=world.actor("hs.dong"), now=BEFORE_LOCK
        )
