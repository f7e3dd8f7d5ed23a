"""A small school built directly in the database, for tests of the workflow.

One Department (79), one school, the 2024-2025 year with its default lock calendar, classes
6A1 (TOAN, NGUVAN, GDTC) and 6A2 (TOAN), one person per duty, two students of 6A1.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from domain.model import (
    ClassSubject,
    Enrollment,
    Person,
    Role,
    RoleAssignment,
    School,
    SchoolClass,
    SchoolYear,
    Student,
    TranscriptKind,
)
from tests.support.clock import vn
from workflow import (
    Actor,
    SignatureEvidence,
    UnitOfWork,
    create_transcript,
    load_actor,
)

SUBJECTS_6A1 = ("TOAN", "NGUVAN", "GDTC")
YEAR_START = vn(2024, 9, 1, 0, 0)
MAIN_LOCK = vn(2025, 6, 30, 23, 59, 59)
SUPPLEMENTARY_LOCK = vn(2025, 8, 15, 23, 59, 59)
BEFORE_LOCK = vn(2025, 5, 20)
AFTER_LOCK = vn(2025, 7, 2)

# username → (role, scope); scope keys: class, subject, department
STAFF: dict[str, tuple[Role, dict[str, str]]] = {
    "hieutruong": (Role.PRINCIPAL, {}),
    "vanthu": (Role.CLERK, {}),
    "hocvu": (Role.ACADEMIC_AFFAIRS, {}),
    "admin": (Role.ADMINISTRATOR, {}),
    "gvcn.6a1": (Role.HOMEROOM_TEACHER, {"class": "6A1"}),
    "gvcn.6a2": (Role.HOMEROOM_TEACHER, {"class": "6A2"}),
    "gvbm.toan": (Role.SUBJECT_TEACHER, {"class": "6A1", "subject": "TOAN"}),
    "gvbm.nguvan": (Role.SUBJECT_TEACHER, {"class": "6A1", "subject": "NGUVAN"}),
    "gvbm.gdtc": (Role.SUBJECT_TEACHER, {"class": "6A1", "subject": "GDTC"}),
    "gvbm.toan.6a2": (Role.SUBJECT_TEACHER, {"class": "6A2", "subject": "TOAN"}),
    "so.gddt": (Role.DEPARTMENT_OFFICER, {"department": "79"}),
    "so.khac": (Role.DEPARTMENT_OFFICER, {"department": "01"}),
}


@dataclass
class World:
    """Ids of what was built, and helpers to act in it."""

    engine: Engine
    school_id: int
    year_id: int
    class_ids: dict[str, int]
    people: dict[str, int]
    student_ids: list[int]
    assignment_ids: dict[str, int] = field(default_factory=dict)

    def uow(self) -> UnitOfWork:
        """A fresh unit of work on this world's database."""
        return UnitOfWork(self.engine)

    def actor(self, username: str, at: datetime = BEFORE_LOCK) -> Actor:
        """The actor ``username`` with the assignments valid ``at``."""
        with Session(self.engine) as session:
            return load_actor(session, self.people[username], at=at)

    def new_transcript(
        self,
        *,
        kind: TranscriptKind = TranscriptKind.CA_NAM,
        student: int = 0,
        klass: str = "6A1",
        data: dict[str, Any] | None = None,
    ) -> str:
        """A draft transcript opened by academic affairs."""
        return create_transcript(
            self.uow(),
            student_id=self.student_ids[student],
            class_id=self.class_ids[klass],
            kind=kind,
            data=data or {"note": "initial"},
            actor=self.actor("hocvu", YEAR_START),
            now=YEAR_START,
        )


def evidence(
    username: str, at: datetime = BEFORE_LOCK, *, organisation: bool = False
) -> SignatureEvidence:
    """A signature's record as the signing layer would hand it over."""
    digest = hashlib.sha256(f"{username}@{at.isoformat()}".encode()).hexdigest()
    return SignatureEvidence(
        certificate_sha256=hashlib.sha256(username.encode()).hexdigest(),
        certificate_subject=f"CN={username},O=Test School,C=VN",
        certificate_serial=str(int(digest[:12], 16)),
        signed_at=at,
        signed_bytes_sha256=digest,
        organisation=organisation,
    )


def build_world(engine: Engine) -> World:
    """Create the test school in an empty, migrated database."""
    with Session(engine) as session:
        school = School(code="79000001", name="Trường THCS Thử Nghiệm", department_code="79")
        year = SchoolYear(
            department_code="79",
            name="2024-2025",
            starts_on=date(2024, 9, 1),
            ends_on=date(2025, 5, 31),
            main_lock_at=MAIN_LOCK,
            supplementary_lock_at=SUPPLEMENTARY_LOCK,
        )
        session.add_all([school, year])
        session.flush()
        assert school.id is not None and year.id is not None
        classes = {}
        for name, subjects in (("6A1", SUBJECTS_6A1), ("6A2", ("TOAN",))):
            klass = SchoolClass(school_id=school.id, school_year_id=year.id, name=name, grade=6)
            session.add(klass)
            session.flush()
            assert klass.id is not None
            classes[name] = klass.id
            for code in subjects:
                session.add(
                    ClassSubject(class_id=klass.id, subject_code=code, periods_per_year=105)
                )
        people: dict[str, int] = {}
        assignments: dict[str, int] = {}
        for username, (role, scope) in STAFF.items():
            person = Person(username=username, full_name=username.upper())
            session.add(person)
            session.flush()
            assert person.id is not None
            people[username] = person.id
            department = scope.get("department")
            assignment = RoleAssignment(
                person_id=person.id,
                role=role,
                department_code=department,
                school_id=None if department else school.id,
                school_year_id=None if department or role is Role.ADMINISTRATOR else year.id,
                class_id=classes[scope["class"]] if "class" in scope else None,
                subject_code=scope.get("subject"),
                valid_from=YEAR_START,
            )
            session.add(assignment)
            session.flush()
            assert assignment.id is not None
            assignments[username] = assignment.id
        students = []
        for n, (pid, name) in enumerate(
            (("079212000101", "Nguyễn Văn An"), ("079312000102", "Trần Thị Bình"))
        ):
            student = Student(
                personal_id=pid,
                full_name=name,
                date_of_birth=date(2013, 3, n + 1),
                gender="Nam" if n == 0 else "Nữ",
            )
            session.add(student)
            session.flush()
            assert student.id is not None
            students.append(student.id)
            session.add(
                Enrollment(
                    student_id=student.id,
                    class_id=classes["6A1"],
                    school_year_id=year.id,
                    enrolled_on=date(2024, 9, 5),
                )
            )
        session.commit()
        return World(engine, school.id, year.id, classes, people, students, assignments)
