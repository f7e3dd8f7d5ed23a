"""The tracking book read as the assessment engine's input: one ``YearInput`` per student.

Both the year-end review and the transcript build read a student's year here, so the two
never disagree. The whole year must be in the book: for every subject the class studies,
both semesters' lines (a scored subject: exactly the regular assessments its periods
require, the mid-term and the end-of-term score; a comment subject: at least one result),
and the homeroom teacher's conduct for both semesters. A blank absence count is no absence,
as on the paper sheet. Every gap of the batch is reported at once (IncompleteTrackingError).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from sqlmodel import Session, col, select

from domain.assessment import (
    Circular,
    Circular22Result,
    Comment,
    CommentSubject,
    InvalidAssessmentInputError,
    Level,
    Retest,
    ScoredSemester,
    ScoredSubject,
    Subject,
    YearInput,
    assess_year,
    circular_for,
)
from domain.model import (
    CATALOGUE,
    HomeroomRecord,
    ScoreLine,
    SubjectKind,
    YearEndRecord,
    state_hash,
)
from workflow._errors import IncompleteTrackingError, InvalidInputError, TrackingGap
from workflow._tracking_scope import ClassYear, class_students, class_subjects
from workflow._tracking_values import HomeroomValues, SheetSubject, SubjectValues

SEMESTERS = (1, 2)
_ORDER = {code: position for position, code in enumerate(CATALOGUE)}


@dataclass(frozen=True, slots=True)
class StudentBook:
    """One student's year as the tracking book holds it, complete."""

    student_id: int
    student_name: str
    year: YearInput
    """The engine's input, without any supplementary result."""
    lines: dict[tuple[str, int], SubjectValues]
    """(subject, semester) → the stored line."""
    homeroom: dict[int, HomeroomValues]
    """semester → the homeroom record."""

    @property
    def absences(self) -> int:
        """Sessions missed in the year (both semesters)."""
        return self.year.absences


@dataclass(frozen=True, slots=True)
class ClassBook:
    """A class's tracking book: its subjects (catalogue order) and its students."""

    where: ClassYear
    subjects: tuple[SheetSubject, ...]
    students: dict[int, str]
    """Every student enrolled, id → full name, in class-list order."""


def load_class_book(session: Session, where: ClassYear) -> ClassBook:
    """The class's subjects and students; refuses a grade-year outside Circular 22."""
    grade, school_year = where.klass.grade, where.year.name
    try:
        circular = circular_for(grade=grade, school_year=school_year)
    except InvalidAssessmentInputError as error:
        raise InvalidInputError("class_id", str(error), str(error)) from None
    if circular is not Circular.C22:
        raise InvalidInputError(
            "class_id",
            f"grade {grade} of {school_year} is assessed under Circular {circular.value}, "
            "whose conduct scale the tracking book does not hold (digitise the paper record)",
            f"khối {grade} năm học {school_year} đánh giá theo Thông tư {circular.value}, sổ "
            "theo dõi không có thang hạnh kiểm này (hãy số hoá học bạ giấy)",
        )
    subjects = sorted(class_subjects(session, where), key=lambda s: _ORDER.get(s.code, 99))
    return ClassBook(where, tuple(subjects), class_students(session, where))


def read_students(
    session: Session, book: ClassBook, student_ids: Iterable[int]
) -> dict[int, StudentBook]:
    """The named students' complete years (in the order given); IncompleteTrackingError
    listing every gap of every student otherwise."""
    ids = list(student_ids)
    lines: dict[tuple[int, str, int], SubjectValues] = {
        (row.student_id, row.subject_code, row.semester): SubjectValues.of_line(row)
        for row in session.exec(
            select(ScoreLine).where(
                ScoreLine.class_id == book.where.class_id, col(ScoreLine.student_id).in_(ids)
            )
        ).all()
    }
    records: dict[tuple[int, int], HomeroomValues] = {
        (row.student_id, row.semester): HomeroomValues.of_record(row)
        for row in session.exec(
            select(HomeroomRecord).where(
                HomeroomRecord.class_id == book.where.class_id,
                col(HomeroomRecord.student_id).in_(ids),
            )
        ).all()
    }
    gaps: list[TrackingGap] = []
    years = {}
    for sid in ids:
        name = book.students[sid]
        found = _Gaps(sid, name, gaps)
        subjects = [_subject(s, sid, lines, found) for s in book.subjects]
        homeroom = {n: records.get((sid, n), HomeroomValues()) for n in SEMESTERS}
        for semester, values in homeroom.items():
            if values.conduct is None:
                found.add(None, semester, ("conduct is missing", "chưa đánh giá rèn luyện"))
        if found.any:
            continue
        conduct = [_level(homeroom[n]) for n in SEMESTERS]
        years[sid] = StudentBook(
            student_id=sid,
            student_name=name,
            year=YearInput(
                grade=book.where.klass.grade,
                school_year=book.where.year.name,
                subjects=tuple(s for s in subjects if s is not None),
                conduct_hk1=conduct[0],
                conduct_hk2=conduct[1],
                absences=sum(homeroom[n].absences or 0 for n in SEMESTERS),
            ),
            lines={
                (s.code, n): lines.get((sid, s.code, n), SubjectValues())
                for s in book.subjects
                for n in SEMESTERS
            },
            homeroom=homeroom,
        )
    if gaps:
        raise IncompleteTrackingError(tuple(gaps))
    return years


def _level(values: HomeroomValues) -> Level:
    assert values.conduct is not None  # a missing conduct is a gap
    return Level(values.conduct.value)


class _Gaps:
    """The gaps found for one student, added to the batch's list."""

    def __init__(self, student_id: int, name: str, found: list[TrackingGap]) -> None:
        self._student, self._found, self.any = (student_id, name), found, False

    def add(self, subject: str | None, semester: int, what: tuple[str, str]) -> None:
        self._found.append(TrackingGap(*self._student, subject, semester, *what))
        self.any = True


def _subject(
    subject: SheetSubject,
    student_id: int,
    lines: dict[tuple[int, str, int], SubjectValues],
    gaps: _Gaps,
) -> Subject | None:
    code = subject.code
    semesters = [lines.get((student_id, code, n)) for n in SEMESTERS]
    if subject.kind is SubjectKind.COMMENT:
        for semester, values in zip(SEMESTERS, semesters, strict=True):
            if values is None or not values.comment_results:
                gaps.add(code, semester, ("no assessment result", "chưa có kết quả đánh giá"))
        results = [
            tuple(Comment(r.value) for r in v.comment_results) if v else () for v in semesters
        ]
        periods = subject.periods_per_year or None
        return CommentSubject(code=code, hk1=results[0], hk2=results[1], periods_per_year=periods)
    if subject.regular_count == 0:
        gaps.add(code, 1, ("the class has no periods of it", "lớp chưa có số tiết của môn"))
        return None
    scored = [
        _scored_semester(subject, values, gaps, semester)
        for semester, values in zip(SEMESTERS, semesters, strict=True)
    ]
    if scored[0] is None or scored[1] is None:
        return None
    return ScoredSubject(
        code=code, periods_per_year=subject.periods_per_year, hk1=scored[0], hk2=scored[1]
    )


def _scored_semester(
    subject: SheetSubject, values: SubjectValues | None, gaps: _Gaps, semester: int
) -> ScoredSemester | None:
    code = subject.code
    if values is None:
        gaps.add(code, semester, ("no scores", "chưa có điểm"))
        return None
    needed, given = subject.regular_count, len(values.regular)
    if given != needed:
        why = (
            f"{given} regular assessments (ĐĐGtx); {needed} are needed",
            f"có {given} điểm ĐĐGtx, cần {needed}",
        )
        gaps.add(code, semester, why)
    if values.midterm is None:
        gaps.add(code, semester, ("the mid-term score (ĐĐGgk) is missing", "chưa có điểm ĐĐGgk"))
    if values.final is None:
        why = ("the end-of-term score (ĐĐGck) is missing", "chưa có điểm ĐĐGck")
        gaps.add(code, semester, why)
    if given != needed or values.midterm is None or values.final is None:
        return None
    return ScoredSemester(regular=values.regular, midterm=values.midterm, final=values.final)


def with_supplementary(year: YearInput, record: YearEndRecord | None) -> YearInput:
    """``year`` with the supplementary results the year-end record holds (if any)."""
    if record is None or not (record.retest or record.conduct_after_summer):
        return year
    comment = {s.code for s in year.subjects if isinstance(s, CommentSubject)}
    retests: dict[str, Retest] = {
        code: Comment(value) if code in comment else Decimal(value)
        for code, value in record.retest.items()
    }
    after = record.conduct_after_summer
    return YearInput(
        grade=year.grade,
        school_year=year.school_year,
        subjects=year.subjects,
        conduct_hk1=year.conduct_hk1,
        conduct_hk2=year.conduct_hk2,
        absences=year.absences,
        retest=MappingProxyType(retests),
        conduct_after_summer=None if after is None else Level(after.value),
    )


def assess(year: YearInput, student_name: str) -> Circular22Result:
    """The engine's result for a year read from the book (always Circular 22 here)."""
    try:
        result = assess_year(year)
    except InvalidAssessmentInputError as error:  # the book's checks make this unreachable
        raise InvalidInputError(f"{student_name}: {error.field}", str(error), str(error)) from None
    assert isinstance(result, Circular22Result)  # load_class_book refuses other circulars
    return result


def basis_fingerprint(year: YearInput) -> str:
    """SHA-256 of what a year-end proposal is computed from (no supplementary results)."""

    def semester(s: ScoredSemester) -> dict[str, Any]:
        return {
            "regular": [str(r) for r in s.regular],
            "midterm": str(s.midterm),
            "final": str(s.final),
        }

    subjects = [
        {"code": s.code, "hk1": [c.value for c in s.hk1], "hk2": [c.value for c in s.hk2]}
        if isinstance(s, CommentSubject)
        else {
            "code": s.code,
            "periods": s.periods_per_year,
            "hk1": semester(s.hk1),
            "hk2": semester(s.hk2),
        }
        for s in sorted(year.subjects, key=lambda s: s.code)
    ]
    return state_hash(
        {
            "grade": year.grade,
            "school_year": year.school_year,
            "subjects": subjects,
            "conduct": [str(year.conduct_hk1), str(year.conduct_hk2)],
            "absences": year.absences,
        }
    )
