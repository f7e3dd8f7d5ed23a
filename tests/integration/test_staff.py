"""Duties: only the administrator grants them, never beside an academic role; hand-overs."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from domain.model import Person, Role, TranscriptSignature
from tests.support.world import BEFORE_LOCK, YEAR_START, World, evidence
from workflow import (
    InvalidInputError,
    NotAssignedError,
    SigningStep,
    assign_role,
    end_assignment,
    sign,
    task_queue,
)


def _new_person(world: World, username: str) -> int:
    with Session(world.engine) as session:
        person = Person(username=username, full_name=username)
        session.add(person)
        session.commit()
        assert person.id is not None
        world.people[username] = person.id
        return person.id


def test_the_administrator_grants_a_teaching_duty(world: World) -> None:
    pid = _new_person(world, "gv.moi")
    assign_role(
        world.uow(),
        person_id=pid,
        role=Role.SUBJECT_TEACHER,
        actor=world.actor("admin"),
        now=YEAR_START,
        valid_from=YEAR_START,
        school_id=world.school_id,
        school_year_id=world.year_id,
        class_id=world.class_ids["6A2"],
        subject_code="TOAN",
    )
    assert world.actor("gv.moi").holds(
        Role.SUBJECT_TEACHER,
        class_id=world.class_ids["6A2"],
        school_id=world.school_id,
        school_year_id=world.year_id,
        subject_code="TOAN",
    )


def test_nobody_but_the_administrator_grants_duties(world: World) -> None:
    pid = _new_person(world, "gv.moi")
    with pytest.raises(NotAssignedError):
        assign_role(
            world.uow(),
            person_id=pid,
            role=Role.CLERK,
            actor=world.actor("hieutruong"),
            now=YEAR_START,
            valid_from=YEAR_START,
            school_id=world.school_id,
        )


@pytest.mark.parametrize(
    ("holder", "new_role"),
    [("hieutruong", Role.ADMINISTRATOR), ("admin", Role.PRINCIPAL)],
)
def test_an_account_never_holds_the_administrator_role_beside_an_academic_one(
    world: World, holder: str, new_role: Role
) -> None:
    with pytest.raises(InvalidInputError) as refused:
        assign_role(
            world.uow(),
            person_id=world.people[holder],
            role=new_role,
            actor=world.actor("admin"),
            now=YEAR_START,
            valid_from=YEAR_START,
            school_id=world.school_id,
        )
    assert refused.value.field == "role"


def test_a_teacher_who_leaves_hands_the_subject_to_the_principal_until_a_successor(
    world: World,
) -> None:
    tid = world.new_transcript()
    left = BEFORE_LOCK - timedelta(days=10)
    end_assignment(
        world.uow(),
        assignment_id=world.assignment_ids["gvbm.toan"],
        valid_until=left,
        handover_note="Biên bản bàn giao số 12",
        actor=world.actor("admin"),
        now=left,
    )
    with Session(world.engine) as session:
        principal_queue = task_queue(session, person_id=world.people["hieutruong"], now=BEFORE_LOCK)
        teacher_queue = task_queue(session, person_id=world.people["gvbm.toan"], now=BEFORE_LOCK)
    assert [(i.step, i.subject_code) for i in principal_queue] == [("subject", "TOAN")]
    assert teacher_queue == []
    sign(
        world.uow(),
        transcript_id=tid,
        step=SigningStep.SUBJECT,
        subject_code="TOAN",
        actor=world.actor("hieutruong"),
        evidence=evidence("hieutruong"),
        now=BEFORE_LOCK,
    )
    with Session(world.engine) as session:
        signature = session.get(TranscriptSignature, 1)
        assert signature is not None
        assert signature.signer_id == world.people["hieutruong"]
        assert signature.on_behalf_of_id == world.people["gvbm.toan"]


def test_a_hand_over_needs_a_record(world: World) -> None:
    with pytest.raises(InvalidInputError) as refused:
        end_assignment(
            world.uow(),
            assignment_id=world.assignment_ids["gvbm.toan"],
            valid_until=BEFORE_LOCK,
            handover_note=" ",
            actor=world.actor("admin"),
            now=BEFORE_LOCK,
        )
    assert refused.value.field == "handover_note"


def test_a_class_without_its_homeroom_teacher_is_signed_by_the_principal_in_their_place(
    world: World,
) -> None:
    tid = world.new_transcript()
    for code in ("TOAN", "NGUVAN", "GDTC"):
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
    left = BEFORE_LOCK + timedelta(days=1)
    end_assignment(
        world.uow(),
        assignment_id=world.assignment_ids["gvcn.6a1"],
        valid_until=left,
        handover_note="Nghỉ hưu",
        actor=world.actor("admin"),
        now=left,
    )
    later = left + timedelta(days=1)
    sign(
        world.uow(),
        transcript_id=tid,
        step=SigningStep.HOMEROOM,
        actor=world.actor("hieutruong", later),
        evidence=evidence("hieutruong", later),
        now=later,
    )
    with Session(world.engine) as session:
        homeroom = session.exec(
            select(TranscriptSignature).where(TranscriptSignature.slot == "GVCN")
        ).one()
    assert homeroom.signer_id == world.people["hieutruong"]
    assert homeroom.on_behalf_of_id == world.people["gvcn.6a1"]
