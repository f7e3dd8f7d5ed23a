"""Reading the tracking book: scope-checked, and every read recorded (REQ-17, REQ-07).

Readers: the subject teacher (their subjects of the class), the homeroom teacher of the
class, the principal and academic affairs of the school. The administrator never (REQ-07);
nor, here, the clerk, the Department or students and guardians, who read transcripts, not
the tracking book. Outside their scope the data does not exist for the reader
(NotFoundError) and nothing is logged; each read logs one ``student.read`` entry per
student shown, as ``workflow.read_transcript`` does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.model import EntryPeriod
from workflow._actor import Actor
from workflow._errors import NotFoundError
from workflow._tracking_entries import check_semester, homeroom_records, score_lines
from workflow._tracking_locks import live_signatures, signed_by, window_is_open
from workflow._tracking_scope import (
    ClassYear,
    class_students,
    class_subjects,
    load_class_year,
    load_sheet_subject,
    reads_whole_class,
    taught_subjects,
    teaches,
)
from workflow._tracking_values import HomeroomValues, SheetSubject, SubjectValues
from workflow._uow import UnitOfWork


@dataclass(frozen=True, slots=True)
class ScoreLineView:
    """One student's line of a subject for a semester (empty values if nothing was entered)."""

    student_id: int
    student_name: str
    subject_code: str
    semester: int
    values: SubjectValues
    signed: bool
    """Signed on the student's transcript: it changes only through an entry correction."""
    updated_at: datetime | None


@dataclass(frozen=True, slots=True)
class HomeroomView:
    """One student's homeroom record for a semester (empty values if nothing was entered)."""

    student_id: int
    semester: int
    values: HomeroomValues
    signed: bool
    updated_at: datetime | None


@dataclass(frozen=True, slots=True)
class SubjectSheet:
    """A class's score sheet of one subject for a semester: one line per student."""

    class_id: int
    class_name: str
    school_year: str
    subject: SheetSubject
    semester: int
    entry_open: bool
    """The semester's entry window is open and the main lock date has not passed."""
    lines: tuple[ScoreLineView, ...]
    """Every student enrolled in the class, in class-list order."""


@dataclass(frozen=True, slots=True)
class StudentYear:
    """A student's year in a class, as far as the reader may see it."""

    student_id: int
    student_name: str
    class_id: int
    class_name: str
    school_year: str
    subjects: tuple[SheetSubject, ...]
    """The class's subjects the reader may see (a subject teacher: their own)."""
    lines: tuple[ScoreLineView, ...]
    """For each of those subjects, semester 1 then 2."""
    homeroom: tuple[HomeroomView, ...]
    """Semester 1 then 2; empty for a reader who only teaches a subject."""


def _audit_reads(
    uow: UnitOfWork, actor: Actor, now: datetime, student_ids: list[int], what: dict[str, object]
) -> None:
    for student_id in student_ids:
        uow.audit.record(
            actor=actor,
            action="student.read",
            object_type="student",
            object_id=str(student_id),
            now=now,
            details={"tracking": what},
        )


def read_subject_sheet(
    uow: UnitOfWork,
    *,
    class_id: int,
    subject_code: str,
    semester: int,
    actor: Actor,
    now: datetime,
) -> SubjectSheet:
    """A subject's sheet of a class for a semester, for a reader in scope; audited."""
    check_semester(semester)
    with uow:
        sheet = subject_sheet(
            uow, class_id=class_id, subject_code=subject_code, semester=semester,
            actor=actor, now=now,
        )  # fmt: skip
        uow.commit("the audit log")
        return sheet


def subject_sheet(
    uow: UnitOfWork,
    *,
    class_id: int,
    subject_code: str,
    semester: int,
    actor: Actor,
    now: datetime,
    purpose: dict[str, object] | None = None,
) -> SubjectSheet:
    """``read_subject_sheet`` inside a unit of work the caller opened and commits (an export
    reads the sheet this way); ``purpose`` is added to each ``student.read`` entry."""
    session = uow.session
    where = _readable_class(uow, class_id, actor)
    if not (reads_whole_class(actor, where) or teaches(actor, where, subject_code)):
        raise NotFoundError("class", class_id)
    subject = load_sheet_subject(session, where, subject_code)
    students = class_students(session, where)
    stored = score_lines(session, where, subject_code, semester)
    signatures = live_signatures(session, where, students)
    lines = tuple(
        ScoreLineView(
            student_id=sid,
            student_name=name,
            subject_code=subject_code,
            semester=semester,
            values=SubjectValues.of_line(stored.get(sid)),
            signed=signed_by(signatures, sid, subject_code) is not None,
            updated_at=stored[sid].updated_at if sid in stored else None,
        )
        for sid, name in students.items()
    )
    sheet = SubjectSheet(
        class_id=where.class_id,
        class_name=where.klass.name,
        school_year=where.year.name,
        subject=subject,
        semester=semester,
        entry_open=now < where.year.main_lock_at
        and window_is_open(session, where, EntryPeriod.of_semester(semester)),
        lines=lines,
    )
    what = {"sheet": subject_code, "class_id": where.class_id, "semester": semester}
    _audit_reads(uow, actor, now, list(students), {**what, **(purpose or {})})
    return sheet


def _readable_class(uow: UnitOfWork, class_id: int, actor: Actor) -> ClassYear:
    if actor.is_administrator or actor.person_id is None:
        raise NotFoundError("class", class_id)
    return load_class_year(uow.session, class_id)


def read_student_year(
    uow: UnitOfWork, *, student_id: int, class_id: int, actor: Actor, now: datetime
) -> StudentYear:
    """A student's scores of both semesters and homeroom data in a class; audited.

    The homeroom teacher, the principal and academic affairs see everything; a subject
    teacher of the class sees only the subjects they teach there.
    """
    with uow:
        session = uow.session
        where = _readable_class(uow, class_id, actor)
        whole = reads_whole_class(actor, where)
        taught = taught_subjects(actor, where)
        students = class_students(session, where)
        if student_id not in students or not (whole or taught):
            raise NotFoundError("student", student_id)
        subjects = tuple(s for s in class_subjects(session, where) if whole or s.code in taught)
        signatures = live_signatures(session, where, [student_id])
        lines = []
        for subject in subjects:
            for semester in (1, 2):
                line = score_lines(session, where, subject.code, semester).get(student_id)
                lines.append(
                    ScoreLineView(
                        student_id=student_id,
                        student_name=students[student_id],
                        subject_code=subject.code,
                        semester=semester,
                        values=SubjectValues.of_line(line),
                        signed=signed_by(signatures, student_id, subject.code) is not None,
                        updated_at=None if line is None else line.updated_at,
                    )
                )
        homeroom = []
        for semester in (1, 2) if whole else ():
            record = homeroom_records(session, where, semester).get(student_id)
            homeroom.append(
                HomeroomView(
                    student_id=student_id,
                    semester=semester,
                    values=HomeroomValues.of_record(record),
                    signed=signed_by(signatures, student_id, None) is not None,
                    updated_at=None if record is None else record.updated_at,
                )
            )
        year = StudentYear(
            student_id=student_id,
            student_name=students[student_id],
            class_id=where.class_id,
            class_name=where.klass.name,
            school_year=where.year.name,
            subjects=subjects,
            lines=tuple(lines),
            homeroom=tuple(homeroom),
        )
        _audit_reads(uow, actor, now, [student_id], {"year": where.class_id})
        uow.commit("the audit log")
        return year
