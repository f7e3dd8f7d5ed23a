"""People: staff accounts and their role assignments, students, guardians, enrolments."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import validates
from sqlmodel import Field, SQLModel

from domain.model._columns import enum_column, utc_column
from domain.model._contact import normalize_phone
from domain.model._data_keys import personal_id_index, phone_index
from domain.model._encrypted import EncryptedText, encrypted_column
from domain.model._enums import Role
from domain.model._identity import validate_personal_id


class Person(SQLModel, table=True):
    """Someone who logs in: staff, a Department officer, a student or a guardian."""

    __tablename__ = "people"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=64, unique=True)
    full_name: str = Field(max_length=120)
    password_hash: str | None = Field(default=None, max_length=255)
    """An argon2 hash; None for accounts that log in by certificate only."""
    is_active: bool = Field(default=True)
    personal_id_index: str | None = Field(default=None, max_length=64, index=True)
    """The blind index of ``personal_id`` (set with it): what look-ups compare."""
    phone_index: str | None = Field(default=None, max_length=64, index=True)
    """The blind index of ``phone`` (set with it): what look-ups compare."""
    personal_id: str | None = Field(
        default=None,
        sa_column=encrypted_column(EncryptedText("people.personal_id"), nullable=True),
    )
    """The 12-digit personal ID (CCCD) of a member of staff: what their signing certificate's
    subject names (``UID=CCCD:<id>``). None for accounts that never sign. Encrypted at rest."""
    phone: str | None = Field(
        default=None, sa_column=encrypted_column(EncryptedText("people.phone"), nullable=True)
    )
    """The registered phone number (10 digits, ``normalize_phone``) of a student's or
    guardian's account: lost files are sent again only to it (REQ-33). Encrypted at rest."""

    @validates("phone")
    def _normal_phone(self, _key: str, value: str | None) -> str | None:
        # Stored in one normal form, so the lost-files look-up compares like with like.
        return None if value is None else normalize_phone(value)


class RoleAssignment(SQLModel, table=True):
    """A person's duty, scoped to a school, year, class and subject, for a period (REQ-29).

    A scope field left empty covers everything below it: a principal's assignment names the
    school and year only; a subject teacher's names the class and the subject too. A Department
    officer's names the department code and no school.
    """

    __tablename__ = "role_assignments"
    __table_args__ = (
        sa.Index("ix_role_assignments_scope", "role", "school_year_id", "class_id", "subject_code"),
        sa.Index("ix_role_assignments_class", "class_id", "role", "subject_code"),
    )

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="people.id", index=True)
    role: Role = Field(sa_type=enum_column(Role))
    department_code: str | None = Field(default=None, max_length=8)
    school_id: int | None = Field(default=None, foreign_key="schools.id")
    school_year_id: int | None = Field(default=None, foreign_key="school_years.id")
    class_id: int | None = Field(default=None, foreign_key="classes.id")
    subject_code: str | None = Field(default=None, foreign_key="subjects.code", max_length=16)
    valid_from: datetime = Field(sa_column=utc_column())
    valid_until: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    """End of the duty (exclusive); None while it lasts."""
    handover_note: str | None = Field(default=None, max_length=500)
    """The hand-over record when the duty passed from or to someone else (REQ-29)."""


class Student(SQLModel, table=True):
    """A student, keyed everywhere by the 12-digit personal ID (REQ-25)."""

    __tablename__ = "students"

    id: int | None = Field(default=None, primary_key=True)
    personal_id_index: str = Field(default="", max_length=64, unique=True)
    """The blind index of ``personal_id`` (set with it): look-ups and uniqueness use it."""
    personal_id: str = Field(sa_column=encrypted_column(EncryptedText("students.personal_id")))
    """Checked by ``validate_personal_id`` whenever it is set; encrypted at rest."""
    full_name: str = Field(max_length=120)
    date_of_birth: date
    gender: str = Field(max_length=8)
    """GioiTinh as printed: ``Nam`` or ``Nữ``."""
    ethnicity: str = Field(default="Kinh", max_length=40)
    nationality: str = Field(default="Việt Nam", max_length=40)
    birthplace: str = Field(
        default="", sa_column=encrypted_column(EncryptedText("students.birthplace"))
    )
    """NoiSinh: where the student was born (an address): encrypted at rest."""
    father_name: str | None = Field(default=None, max_length=120)
    mother_name: str | None = Field(default=None, max_length=120)
    guardian_name: str | None = Field(default=None, max_length=120)
    person_id: int | None = Field(default=None, foreign_key="people.id")
    """The student's own login, if they have one (REQ-35)."""

    @validates("personal_id")
    def _valid_personal_id(self, _key: str, value: str) -> str:
        # Runs on construction and on every assignment, so no row holds a malformed ID.
        return validate_personal_id(value)


class GuardianLink(SQLModel, table=True):
    """A guardian's account linked to a student (father, mother or legal guardian)."""

    __tablename__ = "guardian_links"

    student_id: int = Field(foreign_key="students.id", primary_key=True)
    person_id: int = Field(foreign_key="people.id", primary_key=True)
    relationship: str = Field(max_length=20)
    """``cha``, ``me`` or ``giam_ho``."""


class Enrollment(SQLModel, table=True):
    """A student's place in a class for a school year."""

    __tablename__ = "enrollments"
    __table_args__ = (sa.UniqueConstraint("student_id", "school_year_id", "class_id"),)

    id: int | None = Field(default=None, primary_key=True)
    student_id: int = Field(foreign_key="students.id", index=True)
    class_id: int = Field(foreign_key="classes.id", index=True)
    school_year_id: int = Field(foreign_key="school_years.id")
    enrolled_on: date
    left_on: date | None = None


@sa.event.listens_for(Person, "before_insert")
@sa.event.listens_for(Person, "before_update")
def _index_person(_mapper: object, _connection: object, person: Person) -> None:
    # Written with every INSERT and UPDATE, so an index never lags its (encrypted) value.
    if person.phone is not None:
        person.phone = normalize_phone(person.phone)
    person.phone_index = None if person.phone is None else phone_index(person.phone)
    person.personal_id_index = (
        None if person.personal_id is None else personal_id_index(person.personal_id)
    )


@sa.event.listens_for(Student, "before_insert")
@sa.event.listens_for(Student, "before_update")
def _index_student(_mapper: object, _connection: object, student: Student) -> None:
    student.personal_id_index = personal_id_index(validate_personal_id(student.personal_id))
