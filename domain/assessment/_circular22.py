"""A school year under Circular 22: results, year-end decisions and honours."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from domain.assessment._errors import InvalidAssessmentInputError
from domain.assessment._levels import academic_level, year_conduct
from domain.assessment._marks import (
    marks_after_retest,
    retest_codes,
    semester_marks,
    subject_result,
    with_retests,
    year_marks,
)
from domain.assessment._results import (
    Circular22Result,
    Decisions,
    ScoredSubjectResult,
    Standing,
    SubjectResult,
)
from domain.assessment._vocabulary import MAX_ABSENCES, Level, Title, rank
from domain.assessment._year import Conduct, YearInput

_HONOURS_SUBJECTS = 6
"""Học sinh Xuất sắc needs at least this many scored subjects with ĐTBmcn ≥ 9.0."""


def _level(conduct: Conduct, field: str) -> Level:
    if not isinstance(conduct, Level):
        raise InvalidAssessmentInputError(field, conduct, "must be one of T, K, D, CD")
    return conduct


def _at_least_dat(level: Level) -> bool:
    return rank(level) >= rank(Level.D)


def assess_circular22(year: YearInput) -> Circular22Result:
    """Assess ``year`` under Circular 22 (the caller has checked that it applies)."""
    results: tuple[SubjectResult, ...] = tuple(subject_result(s) for s in year.subjects)
    academic_year = academic_level(year_marks(results))
    conduct_hk1 = _level(year.conduct_hk1, "conduct.hk1")
    conduct_hk2 = _level(year.conduct_hk2, "conduct.hk2")
    conduct_year = year_conduct(hk1=conduct_hk1, hk2=conduct_hk2)

    absent_too_long = year.absences > MAX_ABSENCES
    # Too many absences ends the year: no retest and no summer training can lead to promotion.
    summer = not absent_too_long and conduct_year is Level.CD
    # Retests follow an academic Chưa đạt. With conduct Chưa đạt too they are listed at once: the
    # Ministry's answer on Điều 13–14 lets the summer re-evaluation count as the year's conduct,
    # so both happen over the same summer and the retests count if the conduct becomes ≥ Đạt.
    retests = () if absent_too_long or academic_year is not Level.CD else retest_codes(results)
    results = with_retests(results, retests=retests, given=year.retest)
    all_retested = all(code in year.retest for code in retests)
    academic_after = (
        academic_level(marks_after_retest(results)) if retests and all_retested else None
    )
    conduct_after = (
        _level(year.conduct_after_summer, "conduct_after_summer")
        if summer and year.conduct_after_summer is not None
        else None
    )
    decisions = Decisions(
        promoted=_promoted(
            absent_too_long=absent_too_long,
            conduct=conduct_after if summer else conduct_year,
            academic=academic_after if retests else academic_year,
        ),
        retests=retests,
        summer_conduct_training=summer,
    )
    return Circular22Result(
        subjects=results,
        academic=Standing(
            hk1=academic_level(semester_marks(results, "hk1")),
            hk2=academic_level(semester_marks(results, "hk2")),
            year=academic_year,
            after_reassessment=academic_after,
        ),
        conduct=Standing(
            hk1=conduct_hk1, hk2=conduct_hk2, year=conduct_year, after_reassessment=conduct_after
        ),
        decisions=decisions,
        title=_title(conduct=conduct_year, academic=academic_year, results=results),
    )


def _promoted(
    *, absent_too_long: bool, conduct: Level | None, academic: Level | None
) -> bool | None:
    """Lên lớp: conduct ≥ Đạt, academic ≥ Đạt, at most 45 sessions absent.

    ``conduct`` and ``academic`` are the results that count (after summer training and after the
    retests when those were needed); None while such a result is not known, and then so is the
    decision, as contracts.md says: null while a need is open.
    """
    if absent_too_long:
        return False
    if conduct is None or academic is None:
        return None
    return _at_least_dat(conduct) and _at_least_dat(academic)


def _title(*, conduct: Level, academic: Level, results: Sequence[SubjectResult]) -> Title | None:
    """Xuất sắc: conduct and academic Tốt, and at least 6 scored subjects with ĐTBmcn ≥ 9.0;
    Giỏi: conduct and academic Tốt otherwise."""
    if conduct is not Level.T or academic is not Level.T:
        return None
    excellent = sum(
        1 for r in results if isinstance(r, ScoredSubjectResult) and r.year >= Decimal("9.0")
    )
    return Title.XUAT_SAC if excellent >= _HONOURS_SUBJECTS else Title.GIOI
