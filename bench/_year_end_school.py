"""The year-end benchmark's school: its rows, its demo-PKI keys and a complete tracking book.

A lower-secondary school of ``students`` students in classes of ``class_size`` spread over
grades 6–9, the demo's twelve subjects in every class, one subject teacher per grade and
subject, a homeroom teacher per class, a principal, a clerk (the seal), academic affairs and an
administrator. The rows are written in one unit of work, as ``workflow._demo_setup`` writes the
demo school's (an operator's import of the sector data); students and their year results come
from the demo's seeded generators (``workflow._demo_records``). The tracking book is then
filled through the real use cases, as the demo fills it: the principal opens entry for each
semester and the administrator carries it out, every subject teacher enters each class's sheet
of each semester, every homeroom teacher the conduct and absences.

Every signer holds a soft key of a demo PKI (``workflow._demo_pki``: PKCS#12 files written once
to ``pki_dir`` and reused). The instants are fixed in school year 2025-2026 (never the clock).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine
from sqlmodel import Session

from domain.assessment import assess_year, parse_year_input
from domain.model import (
    ClassSubject,
    Enrollment,
    EntryPeriod,
    Person,
    Role,
    RoleAssignment,
    School,
    SchoolClass,
    SchoolYear,
    Student,
    WindowAction,
)
from workflow import load_actor
from workflow._actor import Actor
from workflow._demo_data import SEED, SUBJECT_CODES, SUBJECTS
from workflow._demo_pki import DemoIdentity, DemoPki, demo_personal_id, ensure_demo_pki
from workflow._demo_records import DemoStudent, draw_class, year_results
from workflow._demo_setup import SEED_ACTOR
from workflow._demo_tracking import homeroom_entry, subject_entry
from workflow._passwords import hash_password
from workflow._tracking_entries import record_homeroom_data, record_subject_scores
from workflow._tracking_windows import carry_out_window_decision, decide_entry_window
from workflow._uow import UnitOfWork

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
SCHOOL_CODE = "79000801"
SCHOOL_NAME = "Trường THCS Đo Hiệu Năng"
DEPARTMENT_CODE = "79"
YEAR_NAME = "2025-2026"
GRADES = (6, 7, 8, 9)
PRINCIPAL, CLERK, ACADEMIC_AFFAIRS, ADMINISTRATOR = "hieutruong", "vanthu", "hocvu", "admin"
PKI_NOW = datetime(2026, 6, 1, 8, tzinfo=ZONE)
"""When the bench's certificates are issued (the demo PKI backdates them two years)."""
_PASSWORD = "hocba-bench"


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """A local instant of school year 2025-2026."""
    return datetime(2025 if month >= 9 else 2026, month, day, hour, minute, tzinfo=ZONE)


@dataclass(frozen=True, slots=True)
class Shape:
    """How big the school is."""

    students: int
    class_size: int = 40

    @property
    def class_names(self) -> tuple[str, ...]:
        """``6A1, 7A1, 8A1, 9A1, 6A2, …``: the classes spread evenly over the grades."""
        count = -(-self.students // self.class_size)
        return tuple(f"{GRADES[n % 4]}A{n // 4 + 1}" for n in range(count))

    def size_of(self, position: int) -> int:
        """Students of the class at ``position`` (the last one takes the remainder)."""
        left = self.students - position * self.class_size
        return min(self.class_size, left)

    @property
    def marker(self) -> str:
        """What the database holds (with the generator's version: change it to rebuild)."""
        return f"students={self.students},class_size={self.class_size},generator=2"


def homeroom_login(class_name: str) -> str:
    return f"gvcn.{class_name.lower()}"


def subject_login(grade: int, code: str) -> str:
    return f"gvbm.{code.lower()}.k{grade}"


@dataclass(frozen=True, slots=True)
class SchoolRoster:
    """The ids the close needs: the school, its year, classes (in creation order), people."""

    school_id: int
    year_id: int
    class_ids: dict[str, int]
    people: dict[str, int]
    students: dict[str, tuple[int, ...]]


def staff_logins(shape: Shape) -> list[str]:
    """Every staff login of the school (the signers first)."""
    grades = sorted({int(name[0]) for name in shape.class_names})
    return [
        PRINCIPAL,
        CLERK,
        ACADEMIC_AFFAIRS,
        *(homeroom_login(name) for name in shape.class_names),
        *(subject_login(grade, code) for grade in grades for code in SUBJECT_CODES),
    ]


def school_pki(directory: Path, shape: Shape) -> DemoPki:
    """The demo PKI for this school's signers (issued on first use, then only loaded)."""
    identities = [
        DemoIdentity(login, login.upper(), SCHOOL_NAME)
        for login in staff_logins(shape)
        if login != ACADEMIC_AFFAIRS
    ]
    return ensure_demo_pki(
        directory,
        logins=identities,
        now=PKI_NOW,
        school_name=SCHOOL_NAME,
        school_code=SCHOOL_CODE,
    )


def _flushed(uow: UnitOfWork, row: School | SchoolYear | SchoolClass | Person | Student) -> int:
    uow.session.add(row)
    uow.flush("the benchmark school")
    assert row.id is not None  # set by the flush
    return int(row.id)


def _assign(
    uow: UnitOfWork,
    role: Role,
    person: int,
    school: tuple[int, int] | None = None,
    *,
    class_id: int | None = None,
    subject_code: str | None = None,
) -> None:
    """A duty from 1 September; ``school`` = (school id, year id), None for the administrator."""
    uow.session.add(
        RoleAssignment(
            person_id=person,
            role=role,
            school_id=None if school is None else school[0],
            school_year_id=None if school is None else school[1],
            class_id=class_id,
            subject_code=subject_code,
            valid_from=at(9, 1, 0),
        )
    )


def _assessable(year: dict[str, Any]) -> dict[str, Any]:
    """A generated year as ``hocba assess`` input."""
    subjects: list[dict[str, Any]] = []
    for code, subject in year["subjects"].items():
        terms = {t: subject[t] for t in ("hk1", "hk2")}
        if subject["kind"] == "comment":
            marks = {t: [*m["regular"], m["midterm"], m["final"]] for t, m in terms.items()}
            subjects.append({"code": code, **marks})
        else:
            kept = {t: {k: m[k] for k in ("regular", "midterm", "final")} for t, m in terms.items()}
            subjects.append({"code": code, "periods_per_year": subject["periods_per_year"], **kept})
    return {
        "grade": year["grade"],
        "school_year": year["school_year"],
        "subjects": subjects,
        "conduct": year["conduct"],
        "absences": year["absences"],
    }


def _promoted_year(rng: random.Random, student: DemoStudent, grade: int) -> dict[str, Any]:
    """The student's generated year, drawn again while it would need a retest or summer
    training: such a transcript waits for the supplementary period, after the close measured
    here (about 3 in 1,000 draws)."""
    while True:
        year = year_results(rng, student=student, grade=grade, school_year=YEAR_NAME)
        decisions = assess_year(parse_year_input(_assessable(year))).decisions
        if decisions.promoted and not decisions.retests and not decisions.summer_conduct_training:
            return year


def set_up(engine: Engine, shape: Shape) -> tuple[SchoolRoster, dict[str, list[dict[str, Any]]]]:
    """The school's rows (one transaction); the roster and each class's generated years."""
    rng = random.Random(SEED)
    years: dict[str, list[dict[str, Any]]] = {}
    drawn: dict[str, tuple[DemoStudent, ...]] = {}
    personal_ids: set[str] = set()
    for position, name in enumerate(shape.class_names):
        grade = int(name[0])
        # Names unique within a class (as the demo's), personal IDs within the school.
        members = draw_class(
            rng,
            count=shape.size_of(position),
            birth_year=2025 - grade - 5,
            taken=set(personal_ids),
        )
        personal_ids.update(s.personal_id for s in members)
        drawn[name] = members
        years[name] = [_promoted_year(rng, s, grade) for s in members]
    with UnitOfWork(engine) as uow:
        session = uow.session
        school_id = _flushed(
            uow,
            School(
                code=SCHOOL_CODE, name=SCHOOL_NAME, department_code=DEPARTMENT_CODE, level="THCS"
            ),
        )
        year = SchoolYear(
            department_code=DEPARTMENT_CODE,
            name=YEAR_NAME,
            starts_on=date(2025, 9, 1),
            ends_on=date(2026, 5, 31),
            main_lock_at=at(6, 30, 23, 59),
            supplementary_lock_at=at(8, 15, 23, 59),
        )
        year_id = _flushed(uow, year)
        class_ids: dict[str, int] = {}
        for name in shape.class_names:
            klass = SchoolClass(
                school_id=school_id, school_year_id=year_id, name=name, grade=int(name[0])
            )
            class_ids[name] = _flushed(uow, klass)
            session.add_all(
                ClassSubject(class_id=class_ids[name], subject_code=code, periods_per_year=p)
                for code, p in SUBJECTS
            )
        people: dict[str, int] = {}
        password_hash = hash_password(_PASSWORD)  # one hash: argon2 is slow by design
        for login in [*staff_logins(shape), ADMINISTRATOR]:
            person = Person(
                username=login,
                full_name=login.upper(),
                password_hash=password_hash,
                personal_id=None if login == ADMINISTRATOR else demo_personal_id(login),
            )
            people[login] = _flushed(uow, person)
        school = (school_id, year_id)
        _assign(uow, Role.ADMINISTRATOR, people[ADMINISTRATOR])
        _assign(uow, Role.PRINCIPAL, people[PRINCIPAL], school)
        _assign(uow, Role.CLERK, people[CLERK], school)
        _assign(uow, Role.ACADEMIC_AFFAIRS, people[ACADEMIC_AFFAIRS], school)
        for name, class_id in class_ids.items():
            _assign(
                uow, Role.HOMEROOM_TEACHER, people[homeroom_login(name)], school, class_id=class_id
            )
            for code in SUBJECT_CODES:
                teacher = people[subject_login(int(name[0]), code)]
                _assign(
                    uow, Role.SUBJECT_TEACHER, teacher, school, class_id=class_id, subject_code=code
                )
        students: dict[str, tuple[int, ...]] = {}
        for name, members in drawn.items():
            ids = []
            for s in members:
                row = Student(
                    personal_id=s.personal_id,
                    full_name=s.full_name,
                    date_of_birth=s.date_of_birth,
                    gender=s.gender,
                    birthplace="Thành phố Hồ Chí Minh",
                    father_name=s.father_name,
                    mother_name=s.mother_name,
                )
                student_id = _flushed(uow, row)
                ids.append(student_id)
                session.add(
                    Enrollment(
                        student_id=student_id,
                        class_id=class_ids[name],
                        school_year_id=year_id,
                        enrolled_on=date(2025, 9, 5),
                    )
                )
            students[name] = tuple(ids)
        uow.audit.record(
            actor=SEED_ACTOR,
            action="bench.setup",
            object_type="school",
            object_id=SCHOOL_CODE,
            now=at(9, 1, 0),
            details={"classes": len(class_ids), "students": shape.students},
        )
        uow.commit("the benchmark school")
    roster = SchoolRoster(school_id, year_id, class_ids, people, students)
    return roster, years


class Actors:
    """Each login's actor at an instant, loaded once (a signing batch shares both)."""

    def __init__(self, engine: Engine, people: dict[str, int]) -> None:
        self._engine, self._people = engine, people
        self._loaded: dict[tuple[str, datetime], Actor] = {}

    def __call__(self, login: str, when: datetime) -> Actor:
        key = (login, when)
        if key not in self._loaded:
            with Session(self._engine) as session:
                self._loaded[key] = load_actor(session, self._people[login], at=when)
        return self._loaded[key]


def fill_tracking_book(
    engine: Engine,
    roster: SchoolRoster,
    years: dict[str, list[dict[str, Any]]],
    *,
    progress: Callable[[str], None] = lambda _: None,
) -> None:
    """Both semesters of every class entered through the tracking book's use cases."""
    actor = Actors(engine, roster.people)
    for semester, (opened, scored, homeroom) in enumerate(
        ((at(9, 5, 7), at(12, 22, 8), at(12, 29, 9)), (at(1, 3, 7), at(5, 11, 8), at(5, 15, 9))),
        start=1,
    ):
        decision = decide_entry_window(
            UnitOfWork(engine),
            school_id=roster.school_id,
            school_year_id=roster.year_id,
            period=EntryPeriod.of_semester(semester),
            action=WindowAction.OPEN,
            decision=f"Quyết định số {10 + semester}/QĐ-THCS mở nhập điểm học kỳ {semester}",
            actor=actor(PRINCIPAL, opened),
            now=opened,
        )
        carry_out_window_decision(
            UnitOfWork(engine), decision_id=decision, actor=actor(ADMINISTRATOR, opened), now=opened
        )
        for name, class_id in roster.class_ids.items():
            students, results = roster.students[name], years[name]
            for position, code in enumerate(SUBJECT_CODES):
                when = scored + timedelta(minutes=position)
                record_subject_scores(
                    UnitOfWork(engine),
                    class_id=class_id,
                    subject_code=code,
                    semester=semester,
                    lines=[
                        subject_entry(sid, year["subjects"][code], semester)
                        for sid, year in zip(students, results, strict=True)
                    ],
                    actor=actor(subject_login(int(name[0]), code), when),
                    now=when,
                )
            record_homeroom_data(
                UnitOfWork(engine),
                class_id=class_id,
                semester=semester,
                entries=[
                    homeroom_entry(sid, year, semester)
                    for sid, year in zip(students, results, strict=True)
                ],
                actor=actor(homeroom_login(name), homeroom),
                now=homeroom,
            )
        progress(f"semester {semester} entered")
