"""Checking what is entered in the tracking book against Circular 22 and the class's subjects.

Every problem of a batch is collected (student, field, value, why, in English and Vietnamese)
so the caller refuses the whole batch with one error that lists them all.
"""

from __future__ import annotations

from decimal import Decimal

from domain.assessment import InvalidScoreError, parse_score
from domain.model import CommentResult, ConductLevel, SubjectKind
from workflow._errors import EntryProblem
from workflow._tracking_values import (
    HomeroomEntry,
    HomeroomValues,
    ScoreInput,
    SheetSubject,
    SubjectEntry,
    SubjectValues,
)

MAX_TEXT = 2000
"""The longest remark or comment kept (the columns' size)."""

Label = tuple[str, str]
"""A name or a reason, in English and in Vietnamese."""


_MIDTERM, _FINAL, _REMARK = ("midterm", "ĐĐGgk"), ("final", "ĐĐGck"), ("remark", "nhận xét")
COMMENT_RESULTS = frozenset(r.value for r in CommentResult)
"""The codes a comment-subject result may take (D, CD)."""
CONDUCT_LEVELS = frozenset(level.value for level in ConductLevel)
"""The codes a conduct level may take (T, K, D, CD)."""
# parse_score explains in English; a teacher reads the reason in Vietnamese (an unknown
# reason falls back to the English text rather than to nothing).
_WHY_VI = {
    "must be a number": "phải là một số",
    "must be between 0 and 10": "phải từ 0 đến 10",
    "must have at most one decimal": "chỉ được có một chữ số thập phân",
}


class Problems:
    """The problems found in a batch, in input order, for one InvalidEntryError."""

    def __init__(self) -> None:
        self.found: list[EntryProblem] = []

    def add(self, student: tuple[int, str], field: Label, value: object, why: Label) -> None:
        """Note one problem of ``student`` (id, full name) in ``field``."""
        self.found.append(EntryProblem(*student, field[0], field[1], value, why[0], why[1]))


def _check_score(
    value: ScoreInput, field: Label, student: tuple[int, str], problems: Problems
) -> Decimal | None:
    try:
        return parse_score(value, field=field[0])
    except InvalidScoreError as error:
        problems.add(student, field, value, (error.why, _WHY_VI.get(error.why, error.why)))
        return None


def _check_text(text: str, field: Label, student: tuple[int, str], problems: Problems) -> str:
    if len(text) > MAX_TEXT:
        why = (f"is longer than {MAX_TEXT} characters", f"dài quá {MAX_TEXT} ký tự")
        problems.add(student, field, f"{text[:20]}…", why)
    return text


def _check_scored(
    entry: SubjectEntry, subject: SheetSubject, student: tuple[int, str], p: Problems
) -> SubjectValues:
    if entry.comment_results:
        p.add(
            student,
            ("comment_results", "đánh giá Đ/CĐ"),
            list(entry.comment_results),
            ("is only for comment subjects", "chỉ dành cho môn đánh giá bằng nhận xét"),
        )
    if len(entry.regular) > subject.regular_count:
        allowed = subject.regular_count, subject.periods_per_year
        p.add(
            student,
            ("regular", "số ĐĐGtx"),
            len(entry.regular),
            (
                "regular scores given; at most {} are allowed for {} periods a year".format(
                    *allowed
                ),
                "điểm ĐĐGtx; tối đa {} với {} tiết một năm".format(*allowed),
            ),
        )
    regular = [
        _check_score(v, (f"regular[{i}]", f"ĐĐGtx{i + 1}"), student, p)
        for i, v in enumerate(entry.regular)
    ]
    midterm = None if entry.midterm is None else _check_score(entry.midterm, _MIDTERM, student, p)
    final = None if entry.final is None else _check_score(entry.final, _FINAL, student, p)
    return SubjectValues(
        regular=tuple(r for r in regular if r is not None),
        midterm=midterm,
        final=final,
        remark=_check_text(entry.remark, _REMARK, student, p),
    )


def _check_commented(
    entry: SubjectEntry, subject: SheetSubject, student: tuple[int, str], p: Problems
) -> SubjectValues:
    if entry.regular or entry.midterm is not None or entry.final is not None:
        p.add(
            student,
            ("regular", "điểm số"),
            list(entry.regular),
            ("scores are only for scored subjects", "môn này đánh giá bằng nhận xét"),
        )
    if len(entry.comment_results) > subject.comment_count:
        p.add(
            student,
            ("comment_results", "số đánh giá"),
            len(entry.comment_results),
            (
                f"results given; at most {subject.comment_count} are allowed",
                f"đánh giá; tối đa {subject.comment_count}",
            ),
        )
    results: list[CommentResult] = []
    for i, value in enumerate(entry.comment_results):
        if value in COMMENT_RESULTS:
            results.append(CommentResult(value))
        else:
            field = (f"comment_results[{i}]", f"đánh giá {i + 1}")
            p.add(student, field, value, ("must be D or CD", "phải là Đ hoặc CĐ (D/CD)"))
    remark = _check_text(entry.remark, _REMARK, student, p)
    return SubjectValues(comment_results=tuple(results), remark=remark)


def check_subject_entry(
    entry: SubjectEntry, *, subject: SheetSubject, student_name: str, problems: Problems
) -> SubjectValues:
    """The checked values of ``entry``; each problem found is added to ``problems``.

    Partial lines are allowed (fewer regular assessments, no mid-term or final yet), more
    regular assessments than the periods allow never.
    """
    student = (entry.student_id, student_name)
    if subject.kind is SubjectKind.COMMENT:
        return _check_commented(entry, subject, student, problems)
    return _check_scored(entry, subject, student, problems)


def check_homeroom_entry(
    entry: HomeroomEntry, *, student_name: str, problems: Problems
) -> HomeroomValues:
    """The checked values of ``entry``; each problem found is added to ``problems``."""
    student = (entry.student_id, student_name)
    conduct = None
    if entry.conduct is not None:
        if entry.conduct in CONDUCT_LEVELS:
            conduct = ConductLevel(entry.conduct)
        else:
            why = ("must be T, K, D or CD", "phải là T, K, Đ hoặc CĐ (T/K/D/CD)")
            problems.add(student, ("conduct", "kết quả rèn luyện"), entry.conduct, why)
    absences = entry.absences
    if absences is not None and (
        isinstance(absences, bool) or not isinstance(absences, int) or absences < 0
    ):
        why = ("must be a whole number, 0 or more", "phải là số nguyên không âm")
        problems.add(student, ("absences", "số buổi nghỉ"), absences, why)
        absences = None
    comment = _check_text(entry.comment, ("comment", "nhận xét của GVCN"), student, problems)
    return HomeroomValues(conduct=conduct, absences=absences, comment=comment)
