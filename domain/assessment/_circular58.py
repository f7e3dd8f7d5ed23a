"""A legacy school year under Circular 58/2011 (as amended by Circular 26/2020).

Subject averages use the same formulas as Circular 22 (Circular 26/2020 brought them in). Học
lực comes from the all-subject average with the Toán-or-Ngữ văn gate, and the one-weak-subject
adjustment of Điều 13 khoản 6 IS implemented: its four cases are quoted consistently by several
public sources and are reproduced in ``_ADJUSTED`` below. Not implemented: the extra condition on
the specialised subject of a gifted school's specialised class (môn chuyên), and the hand-picked
subset of subjects a student may choose to retest (every subject below 5.0 is listed).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction

from domain.assessment._averages import round_score
from domain.assessment._errors import InvalidAssessmentInputError
from domain.assessment._marks import (
    Mark,
    marks_after_retest,
    retest_codes,
    semester_marks,
    subject_result,
    with_retests,
    year_marks,
)
from domain.assessment._results import (
    AllSubjectAverage,
    Circular58Result,
    Decisions,
    Standing,
    SubjectResult,
)
from domain.assessment._vocabulary import (
    MAX_ABSENCES,
    Comment,
    Conduct58,
    Learning58,
    Title58,
    rank,
    school_year_start,
)
from domain.assessment._year import Conduct, YearInput

_GATE_SUBJECTS = ("TOAN", "NGUVAN")
"""One of these must reach the level's floor (Điều 13 khoản 1–3, point a)."""
_FIRST_UNWEIGHTED_YEAR = 2020
"""Circular 26/2020 made the all-subject average a plain mean from 2020-21; before it, Toán and
Ngữ văn counted twice (Circular 58 Điều 11)."""

_G, _K, _TB, _Y, _KEM = Learning58
_FLOORS = {_G: ("8.0", "6.5"), _K: ("6.5", "5.0"), _TB: ("5.0", "3.5")}
"""Per level: (average and gate floor, floor for every subject)."""
_ADJUSTED = {(_G, _TB): _K, (_G, _Y): _TB, (_K, _Y): _TB, (_K, _KEM): _Y}
"""Điều 13 khoản 6: (level the averages reach, level one subject drags it to) → level given."""


def _learning_level(average: Decimal, gate: Sequence[Decimal], marks: Sequence[Mark]) -> Learning58:
    scores = [mark for mark in marks if isinstance(mark, Decimal)]
    all_passed = all(mark is not Comment.CD for mark in marks)
    lowest = min(scores, default=Decimal(10))
    for level, (floor, subject_floor) in _FLOORS.items():
        if (
            average >= Decimal(floor)
            and max(gate, default=Decimal(0)) >= Decimal(floor)
            and lowest >= Decimal(subject_floor)
            and all_passed
        ):
            return level
    if average >= Decimal("3.5") and lowest >= Decimal("2.0"):
        return _Y
    return _KEM


def learning_level(
    *, average: Decimal, gate: Sequence[Decimal], marks: Sequence[Mark]
) -> Learning58:
    """Học lực from the all-subject average, the Toán / Ngữ văn averages and every subject's mark.

    Adjustment: when the averages reach Giỏi or Khá (point a) and exactly one subject's mark
    keeps the level down, the four cases of ``_ADJUSTED`` apply. Read here: a subject is that
    single cause when ignoring its own mark would give the level the averages reach; a Giỏi
    average also reaches Khá, so Giỏi dragged to Kém is adjusted as Khá → Kém, to Yếu.
    """
    level = _learning_level(average, gate, marks)
    best = level
    for reached in (_G, _K):
        floor = Decimal(_FLOORS[reached][0])
        if average < floor or max(gate, default=Decimal(0)) < floor:
            continue
        causes = [
            index
            for index in range(len(marks))
            if rank(_learning_level(average, gate, [*marks[:index], *marks[index + 1 :]]))
            >= rank(reached)
        ]
        adjusted = _ADJUSTED.get((reached, level))
        if len(causes) == 1 and adjusted is not None and rank(adjusted) > rank(best):
            best = adjusted
    return best


def all_subject_average(marks: Sequence[Mark], codes: Sequence[str], *, weighted: bool) -> Decimal:
    """The mean of the scored subjects' averages, one decimal; Toán and Ngữ văn twice if
    ``weighted`` (before 2020-21)."""
    total, weights = Fraction(0), 0
    for mark, code in zip(marks, codes, strict=True):
        if isinstance(mark, Decimal):
            weight = 2 if weighted and code in _GATE_SUBJECTS else 1
            total += weight * Fraction(mark)
            weights += weight
    if not weights:
        raise InvalidAssessmentInputError("subjects", list(codes), "needs a scored subject")
    return round_score(total / weights)


def _conduct(conduct: Conduct, field: str) -> Conduct58:
    if not isinstance(conduct, Conduct58):
        raise InvalidAssessmentInputError(field, conduct, "must be one of T, K, TB, Y")
    return conduct


def assess_circular58(year: YearInput) -> Circular58Result:
    """Assess a legacy ``year`` under Circular 58 (the caller has checked that it applies)."""
    results: tuple[SubjectResult, ...] = tuple(subject_result(s) for s in year.subjects)
    codes = [r.code for r in results]
    weighted = school_year_start(year.school_year) < _FIRST_UNWEIGHTED_YEAR

    def standing(marks: Sequence[Mark]) -> tuple[Decimal, Learning58]:
        average = all_subject_average(marks, codes, weighted=weighted)
        gate = [m for m, c in zip(marks, codes, strict=True) if c in _GATE_SUBJECTS]
        decimals = [m for m in gate if isinstance(m, Decimal)]
        return average, learning_level(average=average, gate=decimals, marks=marks)

    (hk1_average, hk1), (hk2_average, hk2) = (
        standing(semester_marks(results, s)) for s in ("hk1", "hk2")
    )
    year_average, learning_year = standing(year_marks(results))
    conduct_hk1 = _conduct(year.conduct_hk1, "conduct.hk1")
    conduct_hk2 = _conduct(year.conduct_hk2, "conduct.hk2")
    # Điều 12: the year's hạnh kiểm rests mainly on semester II; read as equal to it.
    conduct_year = conduct_hk2

    absent_too_long = year.absences > MAX_ABSENCES
    weak_both = learning_year is _Y and conduct_year is Conduct58.Y
    # Kém, or Yếu in both, or too many absences: kept back with no retest and no training.
    kept_back = absent_too_long or learning_year is _KEM or weak_both
    retests = retest_codes(results) if not kept_back and learning_year is _Y else ()
    summer = not kept_back and conduct_year is Conduct58.Y
    results = with_retests(results, retests=retests, given=year.retest)
    after_average: Decimal | None = None
    learning_after: Learning58 | None = None
    if retests and all(code in year.retest for code in retests):
        after_average, learning_after = standing(marks_after_retest(results))
    conduct_after = (
        _conduct(year.conduct_after_summer, "conduct_after_summer")
        if summer and year.conduct_after_summer is not None
        else None
    )
    learning_final = learning_after if retests else learning_year
    conduct_final = conduct_after if summer else conduct_year
    promoted: bool | None
    if kept_back:
        promoted = False
    elif learning_final is None or conduct_final is None:
        promoted = None
    else:
        promoted = rank(learning_final) >= rank(_TB) and rank(conduct_final) >= rank(Conduct58.TB)
    return Circular58Result(
        subjects=results,
        average=AllSubjectAverage(
            hk1=hk1_average, hk2=hk2_average, year=year_average, after_retest=after_average
        ),
        academic=Standing(hk1=hk1, hk2=hk2, year=learning_year, after_reassessment=learning_after),
        conduct=Standing(
            hk1=conduct_hk1, hk2=conduct_hk2, year=conduct_year, after_reassessment=conduct_after
        ),
        decisions=Decisions(promoted=promoted, retests=retests, summer_conduct_training=summer),
        title=_title(conduct=conduct_year, learning=learning_year),
    )


def _title(*, conduct: Conduct58, learning: Learning58) -> Title58 | None:
    """Học sinh Giỏi: hạnh kiểm Tốt and học lực Giỏi; Tiên tiến: both at least Khá."""
    if conduct is Conduct58.T and learning is _G:
        return Title58.HOC_SINH_GIOI
    if rank(conduct) >= rank(Conduct58.K) and rank(learning) >= rank(_K):
        return Title58.HOC_SINH_TIEN_TIEN
    return None
