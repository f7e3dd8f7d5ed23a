"""Circular 22 levels: the academic result with its adjustment, and the year's conduct."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from domain.assessment._marks import Mark
from domain.assessment._vocabulary import Comment, Level, rank

_SUBJECTS_AT_LEVEL = 6
"""T, K and Đ each need at least six scored subjects at or above a mark."""


def _at_least(scores: Sequence[Decimal], floor: str) -> int:
    return sum(1 for score in scores if score >= Decimal(floor))


def threshold_level(marks: Sequence[Mark]) -> Level:
    """The level the thresholds of Điều 9 khoản 1–2 give, before any adjustment.

    T: comments all Đạt; scores all ≥ 6.5 and at least 6 ≥ 8.0.
    K: comments all Đạt; scores all ≥ 5.0 and at least 6 ≥ 6.5.
    Đ: at most 1 comment Chưa đạt; at least 6 scores ≥ 5.0 and none < 3.5.
    CĐ: otherwise.
    """
    scores = [mark for mark in marks if isinstance(mark, Decimal)]
    failed = sum(1 for mark in marks if mark is Comment.CD)
    lowest = min(scores, default=Decimal(10))
    if failed == 0 and lowest >= Decimal("6.5") and _at_least(scores, "8.0") >= _SUBJECTS_AT_LEVEL:
        return Level.T
    if failed == 0 and lowest >= Decimal("5.0") and _at_least(scores, "6.5") >= _SUBJECTS_AT_LEVEL:
        return Level.K
    if failed <= 1 and lowest >= Decimal("3.5") and _at_least(scores, "5.0") >= _SUBJECTS_AT_LEVEL:
        return Level.D
    return Level.CD


def academic_level(marks: Sequence[Mark]) -> Level:
    """The academic result of a semester or the year from each subject's result.

    Adjustment (Điều 9 khoản 3): when the level is two or more steps below what it would be
    "solely because of one single subject", it is raised to the adjacent level. Read as: a
    subject is a culprit when leaving it out raises the threshold level by two or more steps;
    with exactly one culprit the result is one step above the threshold level. A three-step
    drop (Tốt → Chưa đạt) is also raised one step only, to Đạt; a comment subject at Chưa đạt
    can be the single culprit like any other subject, since the text says "một môn học".
    """
    level = threshold_level(marks)
    culprits = [
        index
        for index in range(len(marks))
        if rank(threshold_level([*marks[:index], *marks[index + 1 :]])) - rank(level) >= 2
    ]
    if len(culprits) != 1:
        return level
    return _BETTER[level]


_BETTER = {Level.CD: Level.D, Level.D: Level.K, Level.K: Level.T, Level.T: Level.T}

_T, _K, _D, _CD = Level.T, Level.K, Level.D, Level.CD
_YEAR_CONDUCT: dict[tuple[Level, Level], Level] = {
    # (semester II, semester I): year
    (_T, _T): _T, (_T, _K): _T, (_T, _D): _K, (_T, _CD): _K,
    (_K, _T): _K, (_K, _K): _K, (_K, _D): _K, (_K, _CD): _D,
    (_D, _T): _K, (_D, _K): _D, (_D, _D): _D, (_D, _CD): _D,
    (_CD, _T): _CD, (_CD, _K): _CD, (_CD, _D): _CD, (_CD, _CD): _CD,
}  # fmt: skip
"""Every row of the year-conduct table of assessment.md, spelt out."""


def year_conduct(*, hk1: Level, hk2: Level) -> Level:
    """The year's conduct from the two semesters' (Điều 8)."""
    return _YEAR_CONDUCT[(hk2, hk1)]
