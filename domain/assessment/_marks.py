"""From a subject's assessments to its semester and year results (both circulars)."""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Mapping, Sequence
from decimal import Decimal

from domain.assessment._averages import semester_average, year_average
from domain.assessment._results import CommentSubjectResult, ScoredSubjectResult, SubjectResult
from domain.assessment._vocabulary import Comment
from domain.assessment._year import CommentSubject, Retest, Subject
from domain.model import CATALOGUE

MIN_COMMENT_ASSESSMENTS = 2
"""A comment subject needs at least this many assessments a semester to be Đạt."""

Mark = Decimal | Comment
"""What a subject contributes to a level: its average, or its Đạt / Chưa đạt."""


def comment_semester(assessments: Sequence[Comment]) -> Comment:
    """Đạt when there are the required assessments (at least 2) and every one is Đạt."""
    enough = len(assessments) >= MIN_COMMENT_ASSESSMENTS
    return Comment.D if enough and all(a is Comment.D for a in assessments) else Comment.CD


def subject_result(subject: Subject) -> SubjectResult:
    """The semester and year results of one subject, before any retest."""
    if isinstance(subject, CommentSubject):
        hk2_comment = comment_semester(subject.hk2)
        return CommentSubjectResult(
            code=subject.code, hk1=comment_semester(subject.hk1), hk2=hk2_comment, year=hk2_comment
        )
    hk1, hk2 = (
        semester_average(regular=s.regular, midterm=s.midterm, final=s.final)
        for s in (subject.hk1, subject.hk2)
    )
    return ScoredSubjectResult(
        code=subject.code, hk1=hk1, hk2=hk2, year=year_average(hk1=hk1, hk2=hk2)
    )


def retest_codes(results: Sequence[SubjectResult]) -> tuple[str, ...]:
    """The subjects to retest, in catalogue order (so the list does not depend on input order)."""
    codes = {r.code for r in results if needs_retest(r)}
    return tuple(code for code in CATALOGUE if code in codes)


def needs_retest(result: SubjectResult) -> bool:
    """A scored subject whose year average is below 5.0, or a comment subject at Chưa đạt."""
    if isinstance(result, CommentSubjectResult):
        return result.year is Comment.CD
    return result.year < Decimal(5)


def with_retests(
    results: Sequence[SubjectResult], *, retests: Collection[str], given: Mapping[str, Retest]
) -> tuple[SubjectResult, ...]:
    """``results`` with the known retest results of the subjects that needed one.

    A retest result for a subject that did not need a retest is ignored (contracts.md's
    example gives one for TOAN, whose year average is 8.4).
    """
    return tuple(_with_retest(result, retests=retests, given=given) for result in results)


def _with_retest(
    result: SubjectResult, *, retests: Collection[str], given: Mapping[str, Retest]
) -> SubjectResult:
    value = given.get(result.code) if result.code in retests else None
    if isinstance(result, ScoredSubjectResult) and isinstance(value, Decimal):
        return dataclasses.replace(result, after_retest=value)
    if isinstance(result, CommentSubjectResult) and isinstance(value, Comment):
        return dataclasses.replace(result, after_retest=value)
    return result


def semester_marks(results: Sequence[SubjectResult], semester: str) -> list[Mark]:
    """Each subject's ``hk1`` or ``hk2`` result."""
    return [result.hk1 if semester == "hk1" else result.hk2 for result in results]


def year_marks(results: Sequence[SubjectResult]) -> list[Mark]:
    """Each subject's year result."""
    return [result.year for result in results]


def marks_after_retest(results: Sequence[SubjectResult]) -> list[Mark]:
    """Each subject's year result, replaced by its retest result where there is one."""
    return [r.year if r.after_retest is None else r.after_retest for r in results]
