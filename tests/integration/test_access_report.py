"""The access report (REQ-17): reads made through the workflow's read use cases, at injected
times, become findings of three kinds, for the principal's and the Department's scope only."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from sqlmodel import Session, col, select

from domain.model import (
    AuditEvent,
    ClassSubject,
    Enrollment,
    Person,
    Role,
    RoleAssignment,
    School,
    SchoolClass,
    Student,
    TranscriptKind,
)
from tests.api.conftest import GUARDIAN, STUDENT, add_own_readers
from tests.support.clock import vn
from tests.support.world import YEAR_START, World
from workflow import (
    SYSTEM,
    AccessPolicy,
    AdministratorForbiddenError,
    InvalidInputError,
    NotAssignedError,
    access_report,
    create_transcript,
    read_transcript,
)
from workflow._staff import end_assignment

SINCE = vn(2025, 3, 1, 0, 0)
UNTIL = vn(2025, 4, 1, 0, 0)
NOW = vn(2025, 4, 2)
TUESDAY_MORNING = vn(2025, 3, 4, 10, 0)
TUESDAY_NIGHT = vn(2025, 3, 4, 22, 30)
SUNDAY_MORNING = vn(2025, 3, 9, 9, 0)


def _read(world: World, who: str, transcript_id: str, at: datetime) -> None:
    read_transcript(world.uow(), transcript_id=transcript_id, actor=world.actor(who, at), now=at)


def _report(world: World, who: str, policy: AccessPolicy | None = None) -> list[tuple[str, str]]:
    report = access_report(
        world.uow(), actor=world.actor(who, NOW), now=NOW, since=SINCE, until=UNTIL, policy=policy
    )
    return [(f.username, f.kind) for f in report.findings]


@pytest.fixture
def transcripts(world: World) -> list[str]:
    return [world.new_transcript(student=0), world.new_transcript(student=1)]


def _second_school(world: World) -> int:
    """School B of the same Department, with its principal ``hieutruong.b`` and class 6B1."""
    with Session(world.engine) as session:
        school = School(code="79000002", name="Trường THCS Thứ Hai", department_code="79")
        session.add(school)
        session.flush()
        assert school.id is not None
        klass = SchoolClass(school_id=school.id, school_year_id=world.year_id, name="6B1", grade=6)
        principal = Person(username="hieutruong.b", full_name="HIEU TRUONG B")
        session.add_all([klass, principal])
        session.flush()
        assert klass.id is not None and principal.id is not None
        session.add(ClassSubject(class_id=klass.id, subject_code="TOAN", periods_per_year=105))
        session.add(
            RoleAssignment(
                person_id=principal.id,
                role=Role.PRINCIPAL,
                school_id=school.id,
                school_year_id=world.year_id,
                valid_from=YEAR_START,
            )
        )
        session.commit()
        world.people["hieutruong.b"] = principal.id
        world.class_ids["6B1"] = klass.id
        return school.id


def _transfer_student_0(world: World, on: date) -> None:
    """Student 0 leaves 6A1 and joins 6B1 on ``on`` (set-up: transfers are not a use case yet)."""
    with Session(world.engine) as session:
        old = session.exec(
            select(Enrollment).where(Enrollment.student_id == world.student_ids[0])
        ).one()
        old.left_on = on
        session.add(old)
        session.add(
            Enrollment(
                student_id=world.student_ids[0],
                class_id=world.class_ids["6B1"],
                school_year_id=world.year_id,
                enrolled_on=on,
            )
        )
        session.commit()


def _school_b_transcript(world: World) -> str:
    """A draft transcript of a new student of 6B1."""
    with Session(world.engine) as session:
        student = Student(
            personal_id="079212000555",
            full_name="Võ Văn Ba",
            date_of_birth=date(2013, 6, 6),
            gender="Nam",
        )
        session.add(student)
        session.flush()
        assert student.id is not None
        session.add(
            Enrollment(
                student_id=student.id,
                class_id=world.class_ids["6B1"],
                school_year_id=world.year_id,
                enrolled_on=date(2024, 9, 5),
            )
        )
        session.commit()
        student_id = student.id
    return create_transcript(
        world.uow(),
        student_id=student_id,
        class_id=world.class_ids["6B1"],
        kind=TranscriptKind.CA_NAM,
        data={"note": "school B"},
        actor=SYSTEM,
        now=YEAR_START,
    )


def test_reads_outside_working_hours_are_found_in_the_schools_time_zone(
    world: World, transcripts: list[str]
) -> None:
    _read(world, "gvcn.6a1", transcripts[0], TUESDAY_MORNING)
    _read(world, "gvcn.6a1", transcripts[0], TUESDAY_NIGHT)
    _read(world, "gvcn.6a1", transcripts[1], SUNDAY_MORNING)
    report = access_report(
        world.uow(), actor=world.actor("hieutruong", NOW), now=NOW, since=SINCE, until=UNTIL
    )
    [finding] = report.findings
    assert (finding.username, finding.kind, finding.count, finding.students) == (
        "gvcn.6a1",
        "off_hours",
        2,
        2,
    )
    assert finding.first_at == TUESDAY_NIGHT and finding.last_at == SUNDAY_MORNING
    assert [e.student_id for e in finding.examples] == world.student_ids


def test_an_account_reading_more_students_than_a_multiple_of_its_duties_is_found(
    world: World, transcripts: list[str]
) -> None:
    for transcript_id in transcripts:
        _read(world, "gvcn.6a1", transcript_id, TUESDAY_MORNING)
    assert _report(world, "hieutruong") == []
    strict = AccessPolicy(read_multiple=0.5)
    assert _report(world, "hieutruong", strict) == [("gvcn.6a1", "volume")]
    report = access_report(
        world.uow(),
        actor=world.actor("hieutruong", NOW),
        now=NOW,
        since=SINCE,
        until=UNTIL,
        policy=strict,
    )
    assert (report.findings[0].students, report.findings[0].covered) == (2, 2)


def test_an_account_whose_duty_ended_is_found_above_the_floor(
    world: World, transcripts: list[str]
) -> None:
    for transcript_id in transcripts:
        _read(world, "gvbm.toan", transcript_id, TUESDAY_MORNING)
    end_assignment(
        world.uow(),
        assignment_id=world.assignment_ids["gvbm.toan"],
        valid_until=vn(2025, 3, 20),
        handover_note="Chuyển công tác",
        actor=world.actor("admin", vn(2025, 3, 19)),
        now=vn(2025, 3, 19),
    )
    assert _report(world, "hieutruong", AccessPolicy(reads_without_duty=2)) == []
    assert _report(world, "hieutruong", AccessPolicy(reads_without_duty=1)) == [
        ("gvbm.toan", "volume")
    ]


def test_reads_of_a_student_enrolled_in_a_school_without_an_assignment_there_are_found(
    world: World, transcripts: list[str]
) -> None:
    _second_school(world)
    _read(world, "gvcn.6a1", transcripts[0], TUESDAY_MORNING)  # still in 6A1: fine
    _transfer_student_0(world, date(2025, 3, 10))
    _read(world, "gvcn.6a1", transcripts[0], vn(2025, 3, 12, 10, 0))
    # School B's principal reads a student of B: an assigned read, never a finding.
    _read(world, "hieutruong.b", _school_b_transcript(world), vn(2025, 3, 13, 10, 0))
    for principal in ("hieutruong", "hieutruong.b", "so.gddt"):
        report = access_report(
            world.uow(), actor=world.actor(principal, NOW), now=NOW, since=SINCE, until=UNTIL
        )
        [finding] = report.findings
        assert (finding.username, finding.kind, finding.count) == ("gvcn.6a1", "foreign_school", 1)
        assert finding.first_at == vn(2025, 3, 12, 10, 0)


def test_a_principal_does_not_see_another_schools_accounts(
    world: World, transcripts: list[str]
) -> None:
    _second_school(world)
    _read(world, "gvcn.6a1", transcripts[0], TUESDAY_NIGHT)
    assert _report(world, "hieutruong") == [("gvcn.6a1", "off_hours")]
    assert _report(world, "hieutruong.b") == []
    assert _report(world, "so.gddt") == [("gvcn.6a1", "off_hours")]
    assert _report(world, "so.khac") == []


def test_own_reads_by_a_student_or_guardian_are_never_findings(
    world: World, transcripts: list[str]
) -> None:
    add_own_readers(world)
    _read(world, STUDENT, transcripts[0], TUESDAY_NIGHT)
    _read(world, GUARDIAN, transcripts[0], SUNDAY_MORNING)
    assert _report(world, "hieutruong") == []


@pytest.mark.parametrize("who", ["gvcn.6a1", "hocvu", "vanthu"])
def test_only_the_principal_and_the_department_get_the_report(world: World, who: str) -> None:
    with pytest.raises(NotAssignedError):
        _report(world, who)


def test_the_administrator_is_refused(world: World) -> None:
    with pytest.raises(AdministratorForbiddenError):
        _report(world, "admin")


def test_a_period_backwards_or_over_a_year_is_refused(world: World) -> None:
    actor = world.actor("hieutruong", NOW)
    with pytest.raises(InvalidInputError):
        access_report(world.uow(), actor=actor, now=NOW, since=UNTIL, until=SINCE)
    with pytest.raises(InvalidInputError):
        access_report(world.uow(), actor=actor, now=NOW, since=vn(2024, 1, 1), until=UNTIL)


def test_reading_the_report_is_itself_an_audit_event(world: World) -> None:
    _report(world, "hieutruong")
    with Session(world.engine) as session:
        events = session.exec(
            select(AuditEvent).where(col(AuditEvent.action) == "access_report.read")
        ).all()
    assert [(e.actor_id, e.details["schools"]) for e in events] == [
        (world.people["hieutruong"], [world.school_id])
    ]


@pytest.mark.parametrize(
    "wrong",
    [
        {"working_hours": (19, 6)},
        {"working_days": frozenset({0, 1})},
        {"read_multiple": 0.0},
        {"timezone": "Asia/Nowhere"},
    ],
)
def test_a_policy_with_impossible_settings_is_refused_naming_them(wrong: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match=next(iter(wrong)).replace("working_", "")):
        AccessPolicy(**wrong)
