"""A small class with a complete year in its tracking book, for the year-end review and the
transcripts built from the book.

6A1 of the test school gets the grade-6 subjects a real class has (eight scored, GDTC by
comment: Circular 22 needs six scored subjects for any level above Chưa đạt), a teacher for
each, and four students whose years lead to the four outcomes, hand-computed:

- An: every scored subject 8.5, except TOAN (9.2, 9.3 → 9.3, the worked example of
  docs/assessment-rules.md); conduct T, T; 3 sessions absent → academic T, conduct T:
  promoted, Học sinh Giỏi (one subject ≥ 9.0, not six: not Xuất sắc).
- Bình: TOAN 3.0, the others 5.5; conduct K, K → 3.0 < 3.5 gives Chưa đạt, and without
  TOAN the others are only Đạt (one step up, no adjustment): retest TOAN.
- Cường: every subject 7.0 (academic K); conduct CD, CD → year CD: summer training.
- Dung: every subject 7.0, conduct T, T, but 30 + 16 = 46 sessions absent: not promoted.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel

from domain.model import (
    ClassSubject,
    Enrollment,
    EntryPeriod,
    Person,
    Role,
    RoleAssignment,
    Student,
)
from tests.support.tracking import open_entry
from tests.support.world import AFTER_LOCK, BEFORE_LOCK, YEAR_START, World, build_world
from workflow import (
    HomeroomEntry,
    ScoreInput,
    SubjectEntry,
    YearEndView,
    approve_year_end,
    build_transcript,
    propose_year_end,
    record_homeroom_data,
    record_subject_scores,
    record_supplementary_results,
)

SCORED = {
    "TOAN": 105,
    "NGUVAN": 105,
    "NGOAINGU1": 105,
    "KHTN": 140,
    "LSDL": 105,
    "GDCD": 35,
    "CONGNGHE": 35,
    "TINHOC": 35,
}
"""The scored subjects of 6A1 and their periods a year (TOAN, NGUVAN: the world's 105)."""
SUBJECTS = (*SCORED, "GDTC")
"""Every subject of 6A1, in catalogue order."""
NEW_STUDENTS = (("079212000103", "Lê Văn Cường", "Nam"), ("079312000104", "Phạm Thị Dung", "Nữ"))


def regular_count(code: str) -> int:
    """ĐĐGtx a semester for the subject's periods."""
    periods = SCORED[code]
    return 2 if periods <= 35 else 3 if periods <= 70 else 4


@dataclass(frozen=True)
class Scene:
    """The class and its four students (ids)."""

    world: World
    an: int
    binh: int
    cuong: int
    dung: int

    @property
    def class_id(self) -> int:
        return self.world.class_ids["6A1"]

    @property
    def students(self) -> tuple[int, int, int, int]:
        """In class-list order."""
        return self.an, self.binh, self.cuong, self.dung


def _furnish(world: World) -> tuple[int, int]:
    """Subjects, their teachers and two more students for 6A1; the new students' ids."""
    class_id = world.class_ids["6A1"]
    with Session(world.engine) as session:
        for code, periods in SCORED.items():
            studied = session.get(ClassSubject, (class_id, code))
            if studied is None:
                session.add(
                    ClassSubject(class_id=class_id, subject_code=code, periods_per_year=periods)
                )
            username = f"gvbm.{code.lower()}"
            if username in world.people:
                continue
            person = Person(username=username, full_name=username.upper())
            session.add(person)
            session.flush()
            assert person.id is not None
            world.people[username] = person.id
            session.add(
                RoleAssignment(
                    person_id=person.id,
                    role=Role.SUBJECT_TEACHER,
                    school_id=world.school_id,
                    school_year_id=world.year_id,
                    class_id=class_id,
                    subject_code=code,
                    valid_from=YEAR_START,
                )
            )
        added = []
        for n, (pid, name, gender) in enumerate(NEW_STUDENTS):
            student = Student(
                personal_id=pid, full_name=name, date_of_birth=date(2013, 4, n + 1), gender=gender
            )
            session.add(student)
            session.flush()
            assert student.id is not None
            added.append(student.id)
            session.add(
                Enrollment(
                    student_id=student.id,
                    class_id=class_id,
                    school_year_id=world.year_id,
                    enrolled_on=date(2024, 9, 5),
                )
            )
        session.commit()
    world.student_ids.extend(added)
    return added[0], added[1]


def uniform(student: int, code: str, score: ScoreInput, remark: str = "") -> SubjectEntry:
    """A line whose every assessment is ``score``: its average is ``score``."""
    return SubjectEntry(
        student, regular=[score] * regular_count(code), midterm=score, final=score, remark=remark
    )


def an_toan(student: int, semester: int) -> SubjectEntry:
    """An's TOAN: 83 / 9 = 9.22 → 9.2, then 83.5 / 9 = 9.28 → 9.3; the year 27.8 / 3 → 9.3."""
    if semester == 1:
        return SubjectEntry(student, regular=[9, "8,5", 9, 10], midterm=9, final="9.5")
    return SubjectEntry(
        student, regular=[9, 9, 10, "9.5"], midterm="9.5", final=9, remark="Tư duy nhanh"
    )


def book_lines(scene: Scene, code: str, semester: int) -> list[SubjectEntry]:
    """The four students' lines of ``code`` for ``semester``."""
    if code == "GDTC":
        return [SubjectEntry(s, comment_results=["D", "D"]) for s in scene.students]
    an = an_toan(scene.an, semester) if code == "TOAN" else uniform(scene.an, code, "8.5")
    return [
        an,
        uniform(scene.binh, code, 3 if code == "TOAN" else "5.5"),
        uniform(scene.cuong, code, 7),
        uniform(scene.dung, code, 7),
    ]


def enter_scores(
    world: World, code: str, semester: int, lines: list[SubjectEntry], at: datetime = BEFORE_LOCK
) -> None:
    """The subject's teacher enters ``lines``."""
    record_subject_scores(
        world.uow(),
        class_id=world.class_ids["6A1"],
        subject_code=code,
        semester=semester,
        lines=lines,
        actor=world.actor(f"gvbm.{code.lower()}", at),
        now=at,
    )


def enter_homeroom(
    world: World, semester: int, entries: list[HomeroomEntry], at: datetime = BEFORE_LOCK
) -> None:
    """The homeroom teacher enters ``entries``."""
    record_homeroom_data(
        world.uow(),
        class_id=world.class_ids["6A1"],
        semester=semester,
        entries=entries,
        actor=world.actor("gvcn.6a1", at),
        now=at,
    )


def homeroom_entries(scene: Scene, semester: int) -> list[HomeroomEntry]:
    """Conduct, absences and comments of the four students for ``semester``."""
    first = semester == 1
    return [
        HomeroomEntry(scene.an, "T", 2 if first else 1, "" if first else "Chăm ngoan, học tốt."),
        HomeroomEntry(scene.binh, "K"),
        HomeroomEntry(scene.cuong, "CD", 3 if first else 4),
        HomeroomEntry(scene.dung, "T", 30 if first else 16),
    ]


def small_class(world: World, *, skip: tuple[str, int, int] | None = None) -> Scene:
    """6A1 furnished, entry open and its whole year entered; ``skip`` = (subject, semester,
    student index) leaves that student's line out."""
    cuong, dung = _furnish(world)
    scene = Scene(world, world.student_ids[0], world.student_ids[1], cuong, dung)
    open_entry(world)
    for code in SUBJECTS:
        for semester in (1, 2):
            lines = book_lines(scene, code, semester)
            if skip is not None and skip[:2] == (code, semester):
                lines = [line for line in lines if line.student_id != scene.students[skip[2]]]
            enter_scores(world, code, semester, lines)
    for semester in (1, 2):
        enter_homeroom(world, semester, homeroom_entries(scene, semester))
    return scene


def propose(
    scene: Scene, who: str = "gvcn.6a1", at: datetime = BEFORE_LOCK
) -> dict[int, YearEndView]:
    """The year-end proposal, by student."""
    views = propose_year_end(
        scene.world.uow(), class_id=scene.class_id, actor=scene.world.actor(who, at), now=at
    )
    return {v.student_id: v for v in views}


def approve(
    scene: Scene, who: str = "hieutruong", at: datetime = BEFORE_LOCK
) -> dict[int, YearEndView]:
    """The principal's approval, by student."""
    views = approve_year_end(
        scene.world.uow(), class_id=scene.class_id, actor=scene.world.actor(who, at), now=at
    )
    return {v.student_id: v for v in views}


SUPPLEMENTARY_OPENS = AFTER_LOCK
"""When the tests' school opens the supplementary period (2 July)."""


def open_supplementary(world: World, at: datetime = SUPPLEMENTARY_OPENS) -> None:
    """The principal decides, the administrator opens the supplementary window."""
    open_entry(world, EntryPeriod.SUPPLEMENTARY, at=at)


def supplementary(
    scene: Scene,
    student: int,
    *,
    at: datetime,
    who: str = "gvbm.toan",
    retest: Mapping[str, ScoreInput] | None = None,
    conduct: str | None = None,
) -> YearEndView:
    """Enter a supplementary result for ``student``."""
    return record_supplementary_results(
        scene.world.uow(),
        class_id=scene.class_id,
        student_id=student,
        retest=retest,
        conduct_after_summer=conduct,
        actor=scene.world.actor(who, at),
        now=at,
    )


def build(scene: Scene, student: int, who: str = "gvcn.6a1", at: datetime = BEFORE_LOCK) -> str:
    """Build (or refresh) the student's annual transcript from the tracking book."""
    return build_transcript(
        scene.world.uow(),
        class_id=scene.class_id,
        student_id=student,
        actor=scene.world.actor(who, at),
        now=at,
    )


# --- scenes built once per backend ----------------------------------------------------------


def approved_class(world: World) -> Scene:
    """``small_class`` with its review proposed and approved, and the supplementary period
    open from 2 July."""
    scene = small_class(world)
    propose(scene)
    approve(scene)
    open_supplementary(world)
    return scene


STAGES: dict[str, Callable[[World], Scene]] = {"entered": small_class, "approved": approved_class}
"""The scenes tests start from, by name."""

_SAVED: dict[tuple[str, str], tuple[dict[str, list[dict[str, Any]]], Scene]] = {}


def saved_scene(engine: Engine, stage: str) -> Scene:
    """The scene ``stage`` in the just-reset database of ``engine``.

    Built through the use cases the first time on each backend (per test process); every
    later test gets the same rows copied back, which is what building it again would give,
    in a fraction of the time.
    """
    key = (engine.url.render_as_string(), stage)
    if key not in _SAVED:
        scene = STAGES[stage](build_world(engine))
        _SAVED[key] = (_dump(engine), scene)
        return scene
    rows, scene = _SAVED[key]
    _restore(engine, rows)
    world = replace(
        scene.world,
        class_ids=dict(scene.world.class_ids),
        people=dict(scene.world.people),
        student_ids=list(scene.world.student_ids),
        assignment_ids=dict(scene.world.assignment_ids),
    )
    return replace(scene, world=world)


def _dump(engine: Engine) -> dict[str, list[dict[str, Any]]]:
    with engine.connect() as connection:
        return {
            table.name: [dict(row._mapping) for row in connection.execute(sa.select(table))]
            for table in SQLModel.metadata.sorted_tables
        }


def _restore(engine: Engine, rows: dict[str, list[dict[str, Any]]]) -> None:
    tables = SQLModel.metadata.sorted_tables
    with engine.begin() as connection:
        for table in reversed(tables):  # only the migrations' reference rows are left
            connection.execute(table.delete())
        for table in tables:
            if rows[table.name]:
                connection.execute(table.insert(), rows[table.name])
        if engine.dialect.name != "postgresql":
            return
        # Rows came back with their ids: move each serial past them, as inserting them would.
        for table in tables:
            for column in table.primary_key.columns:
                sequence = connection.execute(
                    sa.select(sa.func.pg_get_serial_sequence(table.name, column.name))
                ).scalar()
                if sequence is not None and rows[table.name]:
                    top = max(row[column.name] for row in rows[table.name])
                    connection.execute(sa.select(sa.func.setval(sequence, top)))
