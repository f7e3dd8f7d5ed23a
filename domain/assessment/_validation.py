"""Checks a ``YearInput`` against the rules before any arithmetic; errors name the field."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from domain.assessment._averages import InvalidScoreError, parse_score, regular_assessment_count
from domain.assessment._errors import InvalidAssessmentInputError
from domain.assessment._vocabulary import Circular, Comment, Conduct58, Level, circular_for
from domain.assessment._year import (
    CommentSubject,
    Conduct,
    ScoredSemester,
    ScoredSubject,
    Subject,
    YearInput,
)
from domain.model import CATALOGUE, SubjectKind


def check_score(value: object, field: str) -> Decimal:
    """``value`` as a score (0–10, at most one decimal), or the error naming ``field``."""
    try:
        return parse_score(value, field=field)
    except InvalidScoreError as error:
        raise InvalidAssessmentInputError(field, value, error.why) from None


def check_year(year: YearInput) -> Circular:
    """Refuse what the rules cannot assess; return the circular that applies.

    Checked: grade 6–12, school year 'YYYY-YYYY+1', known subject codes each given once with
    the catalogue's kind, positive periods, the exact number of regular assessments for the
    periods, scores 0–10 with one decimal, conduct on the circular's scale, absences not
    negative, retests only for listed subjects and of the subject's kind.
    """
    circular = circular_for(grade=year.grade, school_year=year.school_year)
    if not year.subjects:
        raise InvalidAssessmentInputError("subjects", [], "needs at least one subject")
    seen: set[str] = set()
    for index, subject in enumerate(year.subjects):
        path = f"subjects[{index}]"
        _check_subject(subject, path)
        if subject.code in seen:
            raise InvalidAssessmentInputError(f"{path}.code", subject.code, "is given twice")
        seen.add(subject.code)
    scored = {s.code for s in year.subjects if isinstance(s, ScoredSubject)}
    if circular is Circular.C58 and not {"TOAN", "NGUVAN"} <= scored:
        # Học lực is gated on Toán or Ngữ văn; without both the gate (and the retest choice it
        # leads to) is undefined, and every lower-secondary grade-year has both subjects.
        raise InvalidAssessmentInputError(
            "subjects", sorted(seen), "a Circular 58 year needs the scored subjects TOAN and NGUVAN"
        )
    scale = Level if circular is Circular.C22 else Conduct58
    for field, conduct in (
        ("conduct.hk1", year.conduct_hk1),
        ("conduct.hk2", year.conduct_hk2),
        ("conduct_after_summer", year.conduct_after_summer),
    ):
        if conduct is not None:
            check_conduct(conduct, field, scale)
    if isinstance(year.absences, bool) or not isinstance(year.absences, int) or year.absences < 0:
        raise InvalidAssessmentInputError("absences", year.absences, "must be a whole number ≥ 0")
    by_code = {subject.code: subject for subject in year.subjects}
    for code, value in year.retest.items():
        retested = by_code.get(code)
        if retested is None:
            raise InvalidAssessmentInputError(f"retest.{code}", value, "is not one of the subjects")
        if isinstance(retested, CommentSubject):
            check_comment(value, f"retest.{code}")
        else:
            check_score(value, f"retest.{code}")
    return circular


def check_conduct(value: Conduct, field: str, scale: type[Level] | type[Conduct58]) -> None:
    """Conduct on the circular's scale: T, K, D, CD (22) or T, K, TB, Y (58)."""
    if not isinstance(value, scale):
        names = ", ".join(member.value for member in scale)
        raise InvalidAssessmentInputError(field, value, f"must be one of {names}")


def check_comment(value: object, field: str) -> None:
    """A comment result: D or CD."""
    if not isinstance(value, Comment):
        raise InvalidAssessmentInputError(field, value, "must be D or CD")


def _check_subject(subject: Subject, path: str) -> None:
    info = CATALOGUE.get(subject.code)
    if info is None:
        raise InvalidAssessmentInputError(f"{path}.code", subject.code, "is not a known subject")
    kind = SubjectKind.COMMENT if isinstance(subject, CommentSubject) else SubjectKind.SCORE
    if kind is not info.kind:
        raise InvalidAssessmentInputError(
            f"{path}.kind", kind.value, f"{subject.code} is a {info.kind.value} subject"
        )
    periods = subject.periods_per_year
    if periods is not None and (
        isinstance(periods, bool) or not isinstance(periods, int) or periods <= 0
    ):
        raise InvalidAssessmentInputError(
            f"{path}.periods_per_year", periods, "must be a whole number above 0"
        )
    if isinstance(subject, CommentSubject):
        for semester, assessments in (("hk1", subject.hk1), ("hk2", subject.hk2)):
            for position, assessment in enumerate(assessments):
                check_comment(assessment, f"{path}.{semester}[{position}]")
        return
    if periods is None:
        raise InvalidAssessmentInputError.absent(f"{path}.periods_per_year")
    expected = regular_assessment_count(periods)
    for semester, scores in (("hk1", subject.hk1), ("hk2", subject.hk2)):
        _check_semester(scores, f"{path}.{semester}", expected=expected, periods=periods)


def _check_semester(semester: ScoredSemester, path: str, *, expected: int, periods: int) -> None:
    regular: Sequence[Decimal] = semester.regular
    if len(regular) != expected:
        raise InvalidAssessmentInputError(
            f"{path}.regular",
            len(regular),
            f"needs exactly {expected} regular assessments for {periods} periods a year",
        )
    for position, score in enumerate(regular):
        check_score(score, f"{path}.regular[{position}]")
    check_score(semester.midterm, f"{path}.midterm")
    check_score(semester.final, f"{path}.final")
