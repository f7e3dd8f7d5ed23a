"""The demo school's tables: school, years, classes, accounts, duties, students, enrolments.

Written in one unit of work (one transaction, one audit entry), the way an operator's import
of a school's sector data would be. Transcripts are not made here: they go through the use
cases (``workflow._demo_script``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from domain.model import (
    ClassSubject,
    Enrollment,
    GuardianLink,
    Person,
    Role,
    RoleAssignment,
    School,
    SchoolClass,
    SchoolYear,
    Student,
)
from workflow._actor import Actor
from workflow._demo_calendar import DemoYear
from workflow._demo_data import (
    ACCOUNTS,
    CITY,
    DEMO_PASSWORD,
    DEMO_PHONES,
    DEPARTMENT_CODE,
    GUARDIAN_LOGIN,
    PROMOTED_CLASS,
    SCHOOL_CODE,
    SCHOOL_LEVEL,
    SCHOOL_NAME,
    STUDENT_LOGIN,
    SUBJECTS,
    Account,
    Duty,
    YearRef,
    grade_of,
)
from workflow._demo_pki import demo_personal_id
from workflow._demo_records import DemoStudent
from workflow._errors import WorkflowError
from workflow._passwords import hash_password
from workflow._uow import UnitOfWork

ClassKey = tuple[YearRef, str]

SEED_ACTOR = Actor(person_id=None, label="demo-seed")
"""Who the audit log names for the setup (no person: the seed is an operator's command)."""


class DemoConflictError(WorkflowError):
    """The database already holds accounts the demo needs; the demo goes into an empty one."""

    code = "demo_conflict"

    def __init__(self, usernames: list[str]) -> None:
        names = ", ".join(usernames)
        super().__init__(
            f"accounts {names} already exist; seed the demo into an empty database",
            f"Tài khoản {names} đã tồn tại; hãy tạo dữ liệu mẫu trong một cơ sở dữ liệu trống",
        )
        self.usernames = usernames


@dataclass(frozen=True, slots=True)
class DemoRoster:
    """The ids of what the setup wrote, for the steps that follow."""

    school_id: int
    year_ids: dict[YearRef, int]
    class_ids: dict[ClassKey, int]
    people: dict[str, int]
    """Person id by username."""
    full_names: dict[str, str]
    """Full name by username."""
    students: dict[ClassKey, tuple[int, ...]]
    """Student ids of each class, in class-list order."""


def _year_row(session: Session, year: DemoYear) -> SchoolYear:
    # The Department sets a city's years: reuse one that is already there.
    found = session.exec(
        select(SchoolYear).where(
            SchoolYear.department_code == DEPARTMENT_CODE, SchoolYear.name == year.name
        )
    ).first()
    if found is not None:
        return found
    row = SchoolYear(
        department_code=DEPARTMENT_CODE,
        name=year.name,
        starts_on=year.starts_on,
        ends_on=year.ends_on,
        main_lock_at=year.main_lock_at,
        supplementary_lock_at=year.supplementary_lock_at,
    )
    session.add(row)
    return row


def _flushed_id(uow: UnitOfWork, row: Any) -> int:
    uow.flush("the demo school")
    assert row.id is not None  # set by the flush
    return int(row.id)


class _Setup:
    """Writes the rows in dependency order inside one open unit of work."""

    def __init__(self, uow: UnitOfWork, years: dict[YearRef, DemoYear], demo_student: str) -> None:
        self.uow, self.years, self.demo_student = uow, years, demo_student
        self.session = uow.session
        self.year_ids: dict[YearRef, int] = {}
        self.class_ids: dict[ClassKey, int] = {}
        self.people: dict[str, int] = {}
        self.full_names: dict[str, str] = {}
        self.school_id = 0

    def school(self) -> None:
        school = School(
            code=SCHOOL_CODE, name=SCHOOL_NAME, department_code=DEPARTMENT_CODE, level=SCHOOL_LEVEL
        )
        self.session.add(school)
        self.school_id = _flushed_id(self.uow, school)
        for ref, year in self.years.items():
            self.year_ids[ref] = _flushed_id(self.uow, _year_row(self.session, year))

    def classes(self, keys: list[ClassKey]) -> None:
        for ref, name in keys:
            klass = SchoolClass(
                school_id=self.school_id,
                school_year_id=self.year_ids[ref],
                name=name,
                grade=grade_of(name),
            )
            self.session.add(klass)
            class_id = _flushed_id(self.uow, klass)
            self.class_ids[ref, name] = class_id
            self.session.add_all(
                ClassSubject(class_id=class_id, subject_code=code, periods_per_year=periods)
                for code, periods in SUBJECTS
            )

    def accounts(self, names: dict[str, str]) -> None:
        # One salted hash for all: the password is public, and argon2's deliberate cost
        # (~0.2 s a hash on a 2-core machine) would otherwise dominate the seed.
        password_hash = hash_password(DEMO_PASSWORD)
        for account in ACCOUNTS:
            full_name = names.get(account.username, account.full_name)
            signs = account.role not in {Role.STUDENT, Role.GUARDIAN}
            person = Person(
                username=account.username,
                full_name=full_name,
                password_hash=password_hash,
                personal_id=demo_personal_id(account.username) if signs else None,
                phone=DEMO_PHONES.get(account.username),
            )
            self.session.add(person)
            self.people[account.username] = _flushed_id(self.uow, person)
            self.full_names[account.username] = full_name
            self.session.add_all(self._assignment(account, duty) for duty in account.duties)

    def _assignment(self, account: Account, duty: Duty) -> RoleAssignment:
        in_school = duty.department_code is None
        opens = self.years[duty.year or YearRef.PREVIOUS].opens_at
        return RoleAssignment(
            person_id=self.people[account.username],
            role=duty.role,
            department_code=duty.department_code,
            school_id=self.school_id if in_school else None,
            school_year_id=self.year_ids[duty.year] if duty.year else None,
            class_id=self.class_ids[duty.year, duty.class_name]
            if duty.year and duty.class_name
            else None,
            subject_code=duty.subject_code,
            valid_from=opens,
        )

    def students(
        self, classes: dict[ClassKey, tuple[DemoStudent, ...]]
    ) -> dict[ClassKey, tuple[int, ...]]:
        ids: dict[str, int] = {}
        by_class: dict[ClassKey, tuple[int, ...]] = {}
        for key, members in classes.items():
            year = self.years[key[0]]
            for student in members:
                if student.personal_id not in ids:
                    ids[student.personal_id] = self._student(student)
                self.session.add(
                    Enrollment(
                        student_id=ids[student.personal_id],
                        class_id=self.class_ids[key],
                        school_year_id=self.year_ids[key[0]],
                        enrolled_on=year.starts_on,
                    )
                )
            by_class[key] = tuple(ids[s.personal_id] for s in members)
        self.session.add(
            GuardianLink(
                student_id=ids[self.demo_student],
                person_id=self.people[GUARDIAN_LOGIN],
                relationship="me",
            )
        )
        return by_class

    def _student(self, student: DemoStudent) -> int:
        row = Student(
            personal_id=student.personal_id,
            full_name=student.full_name,
            date_of_birth=student.date_of_birth,
            gender=student.gender,
            birthplace=CITY,
            father_name=student.father_name,
            mother_name=student.mother_name,
        )
        if student.personal_id == self.demo_student:
            row.person_id = self.people[STUDENT_LOGIN]
        self.session.add(row)
        return _flushed_id(self.uow, row)


def existing_usernames(session: Session) -> list[str]:
    """Demo usernames already taken in the database."""
    wanted = [a.username for a in ACCOUNTS]
    return sorted(session.exec(select(Person.username).where(col(Person.username).in_(wanted))))


def set_up_school(
    engine: Engine,
    *,
    years: dict[YearRef, DemoYear],
    classes: dict[ClassKey, tuple[DemoStudent, ...]],
    now: datetime,
) -> DemoRoster:
    """Write the demo school's rows in one transaction; DemoConflictError if accounts exist."""
    demo_student = classes[PROMOTED_CLASS][0]
    names = {STUDENT_LOGIN: demo_student.full_name, GUARDIAN_LOGIN: demo_student.mother_name}
    with UnitOfWork(engine) as uow:
        taken = existing_usernames(uow.session)
        if taken:
            raise DemoConflictError(taken)
        setup = _Setup(uow, years, demo_student.personal_id)
        setup.school()
        setup.classes(list(classes))
        setup.accounts(names)
        students = setup.students(classes)
        uow.audit.record(
            actor=SEED_ACTOR,
            action="demo.setup",
            object_type="school",
            object_id=SCHOOL_CODE,
            now=years[YearRef.PREVIOUS].opens_at,
            details={
                "seeded_at": now.isoformat(),
                "accounts": len(setup.people),
                "classes": [f"{years[ref].name} {name}" for ref, name in classes],
                "students": len({i for ids in students.values() for i in ids}),
            },
        )
        uow.commit("the demo school")
        return DemoRoster(
            school_id=setup.school_id,
            year_ids=setup.year_ids,
            class_ids=setup.class_ids,
            people=setup.people,
            full_names=setup.full_names,
            students=students,
        )
