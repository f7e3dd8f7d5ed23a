"""Who may write and read the tracking book (REQ-07), and the class, subject and students a
use case acts on.

Writing: the subject teacher of that subject in that class, and the homeroom teacher of the
class (REQ-07 lets them update the class's scores and assessments); the homeroom data is the
homeroom teacher's alone. The principal and academic affairs read the tracking book; they do
not write it: the principal approves corrections instead (REQ-15). The administrator never
reads or writes it. Every check asks the actor's assignments valid at the time of the action.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlmodel import Session, col, select

from domain.assessment import regular_assessment_count
from domain.model import (
    ClassSubject,
    Enrollment,
    Role,
    SchoolClass,
    SchoolYear,
    Student,
    Subject,
    SubjectKind,
)
from workflow._actor import Actor
from workflow._errors import (
    AdministratorForbiddenError,
    EntryProblem,
    InvalidEntryError,
    NotAssignedError,
    NotFoundError,
)
from workflow._tracking_values import SheetSubject


@dataclass(frozen=True, slots=True)
class ClassYear:
    """A class and its school year: the scope every rule of the tracking book is judged in."""

    klass: SchoolClass
    year: SchoolYear

    @property
    def class_id(self) -> int:
        """The class's id (stored rows always have one)."""
        assert self.klass.id is not None
        return self.klass.id

    def held(
        self, actor: Actor, role: Role, *, in_class: bool = False, subject_code: str | None = None
    ) -> bool:
        """Whether ``actor`` holds ``role`` for the school and year (and the class, and the
        subject, when asked)."""
        return actor.holds(
            role,
            school_id=self.klass.school_id,
            school_year_id=self.klass.school_year_id,
            class_id=self.class_id if in_class else None,
            subject_code=subject_code,
        )


def load_class_year(session: Session, class_id: int) -> ClassYear:
    """The class and its year, or NotFoundError."""
    klass = session.get(SchoolClass, class_id)
    if klass is None:
        raise NotFoundError("class", class_id)
    year = session.get(SchoolYear, klass.school_year_id)
    assert year is not None  # a foreign key
    return ClassYear(klass, year)


def load_sheet_subject(session: Session, where: ClassYear, subject_code: str) -> SheetSubject:
    """The subject as the class studies it, or NotFoundError if the class does not."""
    studied = session.get(ClassSubject, (where.class_id, subject_code))
    subject = session.get(Subject, subject_code)
    if studied is None or subject is None:
        raise NotFoundError(f"subject of class {where.klass.name}", subject_code)
    periods = studied.periods_per_year
    return SheetSubject(
        code=subject.code,
        name=subject.name,
        kind=SubjectKind(subject.kind),
        periods_per_year=periods,
        # A subject without periods has no assessments at all: any score is one too many.
        regular_count=regular_assessment_count(periods) if periods > 0 else 0,
    )


def class_subjects(session: Session, where: ClassYear) -> list[SheetSubject]:
    """Every subject the class studies, by code."""
    codes = session.exec(
        select(ClassSubject.subject_code)
        .where(ClassSubject.class_id == where.class_id)
        .order_by(col(ClassSubject.subject_code))
    ).all()
    return [load_sheet_subject(session, where, code) for code in codes]


# --- roles --------------------------------------------------------------------------------


def teaches(actor: Actor, where: ClassYear, subject_code: str) -> bool:
    """The actor is the subject teacher of ``subject_code`` in the class now."""
    return where.held(actor, Role.SUBJECT_TEACHER, in_class=True, subject_code=subject_code)


def taught_subjects(actor: Actor, where: ClassYear) -> frozenset[str]:
    """The subjects the actor teaches in the class now."""
    return frozenset(
        g.subject_code
        for g in actor.grants
        if g.role is Role.SUBJECT_TEACHER
        and g.subject_code is not None
        and teaches(actor, where, g.subject_code)
    )


def is_homeroom_teacher(actor: Actor, where: ClassYear) -> bool:
    """The actor is the homeroom teacher of the class now."""
    return where.held(actor, Role.HOMEROOM_TEACHER, in_class=True)


def is_principal(actor: Actor, where: ClassYear) -> bool:
    """The actor is the principal of the class's school for its year."""
    return where.held(actor, Role.PRINCIPAL)


def reads_whole_class(actor: Actor, where: ClassYear) -> bool:
    """The actor reads everything of the class: its homeroom teacher, the principal or
    academic affairs. (The administrator holds none of these roles: REQ-07.)"""
    return (
        is_homeroom_teacher(actor, where)
        or is_principal(actor, where)
        or where.held(actor, Role.ACADEMIC_AFFAIRS)
    )


def check_may_write_scores(actor: Actor, where: ClassYear, subject_code: str) -> None:
    """The subject teacher of the subject in the class, or its homeroom teacher."""
    if actor.is_administrator:
        raise AdministratorForbiddenError
    if not (teaches(actor, where, subject_code) or is_homeroom_teacher(actor, where)):
        name = where.klass.name
        raise NotAssignedError(
            f"the teacher of {subject_code} in class {name} or its homeroom teacher (the "
            "principal and academic affairs read the tracking book but do not write it)",
            f"giáo viên bộ môn {subject_code} hoặc giáo viên chủ nhiệm lớp {name} (hiệu trưởng "
            "và học vụ chỉ xem sổ theo dõi, không nhập điểm)",
        )


def check_may_write_homeroom(actor: Actor, where: ClassYear) -> None:
    """The homeroom teacher of the class."""
    if actor.is_administrator:
        raise AdministratorForbiddenError
    if not is_homeroom_teacher(actor, where):
        name = where.klass.name
        raise NotAssignedError(
            f"the homeroom teacher of class {name}", f"giáo viên chủ nhiệm lớp {name}"
        )


def check_may_decide_correction(actor: Actor, where: ClassYear) -> None:
    """The principal of the school (REQ-15: the leadership approves entry corrections)."""
    if actor.is_administrator:
        raise AdministratorForbiddenError
    if not is_principal(actor, where):
        raise NotAssignedError("the principal of this school", "hiệu trưởng của trường này")


# --- students -----------------------------------------------------------------------------


def class_students(session: Session, where: ClassYear) -> dict[int, str]:
    """Every student enrolled in the class (left or not): id → full name, in class-list order
    (given name first, as Vietnamese class lists sort)."""
    rows = session.exec(
        select(Student.id, Student.full_name)
        .join(Enrollment, col(Enrollment.student_id) == Student.id)
        .where(Enrollment.class_id == where.class_id)
    ).all()
    ordered = sorted(rows, key=lambda r: (r[1].split()[-1].casefold(), r[1].casefold(), r[0]))
    return {sid: name for sid, name in ordered if sid is not None}


def students_of(session: Session, where: ClassYear, student_ids: Iterable[int]) -> dict[int, str]:
    """The named students (id → full name); InvalidEntryError if one is not in the class or is
    named twice."""
    enrolled = class_students(session, where)
    problems: list[EntryProblem] = []
    seen: set[int] = set()
    for sid in student_ids:
        if sid not in enrolled or sid in seen:
            why = (
                ("is named twice", "bị ghi hai lần")
                if sid in seen
                else (f"is not in class {where.klass.name}", f"không thuộc lớp {where.klass.name}")
            )
            label = enrolled.get(sid, f"#{sid}")
            problems.append(EntryProblem(sid, label, "student_id", "học sinh", sid, *why))
        seen.add(sid)
    if problems:
        raise InvalidEntryError(tuple(problems))
    return {sid: enrolled[sid] for sid in student_ids}
