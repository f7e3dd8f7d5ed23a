"""Reading the tracking book: who may, what they see, and that every read is audited."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlmodel import Session

from tests.support.tracking import audit_entries, last_seq, open_entry, sign_subject
from tests.support.world import BEFORE_LOCK, World
from workflow import (
    HomeroomEntry,
    NotFoundError,
    SubjectEntry,
    read_student_year,
    read_subject_sheet,
    record_homeroom_data,
    record_subject_scores,
    verify_audit_chain,
)

SHEET_READERS = ("gvbm.toan", "gvcn.6a1", "hieutruong", "hocvu")
NOT_SHEET_READERS = ("admin", "vanthu", "gvbm.nguvan", "gvbm.toan.6a2", "gvcn.6a2", "so.gddt")


@pytest.fixture
def school(world: World) -> World:
    """Entry open; TOAN and NGUVAN scores and homeroom data for An (student 0)."""
    open_entry(world)
    an = world.student_ids[0]
    for code in ("TOAN", "NGUVAN"):
        record_subject_scores(
            world.uow(),
            class_id=world.class_ids["6A1"],
            subject_code=code,
            semester=1,
            lines=[SubjectEntry(an, regular=[8], midterm=7)],
            actor=world.actor(f"gvbm.{code.lower()}"),
            now=BEFORE_LOCK,
        )
    record_homeroom_data(
        world.uow(),
        class_id=world.class_ids["6A1"],
        semester=2,
        entries=[HomeroomEntry(an, conduct="T", absences=1)],
        actor=world.actor("gvcn.6a1"),
        now=BEFORE_LOCK,
    )
    return world


def read_sheet(world: World, who: str, subject: str = "TOAN") -> object:
    return read_subject_sheet(
        world.uow(),
        class_id=world.class_ids["6A1"],
        subject_code=subject,
        semester=1,
        actor=world.actor(who),
        now=BEFORE_LOCK,
    )


@pytest.mark.parametrize("reader", SHEET_READERS)
def test_readers_in_scope_read_a_sheet_and_each_student_shown_is_a_logged_read(
    school: World, reader: str
) -> None:
    start = last_seq(school.engine)

    read_sheet(school, reader)

    reads = audit_entries(school.engine, after=start)
    assert [(e.action, e.object_id, e.actor_label) for e in reads] == [
        ("student.read", str(sid), reader) for sid in school.student_ids
    ]
    assert reads[0].details == {
        "tracking": {"sheet": "TOAN", "class_id": school.class_ids["6A1"], "semester": 1}
    }


@pytest.mark.parametrize("reader", NOT_SHEET_READERS)
def test_readers_out_of_scope_are_told_the_sheet_does_not_exist_and_nothing_is_logged(
    school: World, reader: str
) -> None:
    start = last_seq(school.engine)

    with pytest.raises(NotFoundError):
        read_sheet(school, reader)

    assert audit_entries(school.engine, after=start) == []


def test_the_sheet_says_which_lines_are_signed_and_whether_entry_is_open(school: World) -> None:
    sign_subject(school, school.new_transcript(student=0), "TOAN")

    sheet = read_subject_sheet(
        school.uow(),
        class_id=school.class_ids["6A1"],
        subject_code="TOAN",
        semester=1,
        actor=school.actor("gvbm.toan"),
        now=BEFORE_LOCK,
    )

    assert [(line.student_name, line.signed) for line in sheet.lines] == [
        ("Nguyễn Văn An", True),
        ("Trần Thị Bình", False),
    ]
    assert sheet.entry_open and sheet.subject.regular_count == 4
    assert sheet.class_name == "6A1" and sheet.school_year == "2024-2025"


@pytest.mark.parametrize(
    ("reader", "subjects", "sees_homeroom"),
    [
        ("gvcn.6a1", ["GDTC", "NGUVAN", "TOAN"], True),
        ("hieutruong", ["GDTC", "NGUVAN", "TOAN"], True),
        ("hocvu", ["GDTC", "NGUVAN", "TOAN"], True),
        ("gvbm.toan", ["TOAN"], False),
        ("gvbm.nguvan", ["NGUVAN"], False),
    ],
)
def test_a_students_year_shows_the_reader_what_their_duty_covers(
    school: World, reader: str, subjects: list[str], sees_homeroom: bool
) -> None:
    start = last_seq(school.engine)

    year = read_student_year(
        school.uow(),
        student_id=school.student_ids[0],
        class_id=school.class_ids["6A1"],
        actor=school.actor(reader),
        now=BEFORE_LOCK,
    )

    assert [s.code for s in year.subjects] == subjects
    assert [(line.subject_code, line.semester) for line in year.lines] == [
        (code, semester) for code in subjects for semester in (1, 2)
    ]
    entered = [line for line in year.lines if line.subject_code != "GDTC" and line.semester == 1]
    assert entered and all(line.values.midterm == Decimal("7.0") for line in entered)
    assert bool(year.homeroom) is sees_homeroom
    if sees_homeroom:
        assert year.homeroom[1].values.conduct == "T" and year.homeroom[1].values.absences == 1
    (read,) = audit_entries(school.engine, after=start)
    assert (read.action, read.object_id) == ("student.read", str(school.student_ids[0]))


@pytest.mark.parametrize("reader", ["admin", "vanthu", "gvcn.6a2", "gvbm.toan.6a2", "so.gddt"])
def test_nobody_else_reads_a_students_year(school: World, reader: str) -> None:
    start = last_seq(school.engine)

    with pytest.raises(NotFoundError):
        read_student_year(
            school.uow(),
            student_id=school.student_ids[0],
            class_id=school.class_ids["6A1"],
            actor=school.actor(reader),
            now=BEFORE_LOCK,
        )

    assert audit_entries(school.engine, after=start) == []


def test_the_audit_chain_holds_after_writes_and_reads(school: World) -> None:
    read_sheet(school, "hieutruong")

    with Session(school.engine) as session:
        report = verify_audit_chain(session)

    assert report.ok and report.entries > 0
