"""Circular 22 (and legacy Circular 58/2011) assessment rules as pure functions (no I/O, no clock).

The usual path: ``parse_year_input(json_data)`` → ``assess_year(year)`` → ``result_to_json``.
"""

from domain.assessment._averages import (
    InvalidScoreError,
    parse_score,
    regular_assessment_count,
    round_score,
    semester_average,
    year_average,
)
from domain.assessment._circular58 import learning_level
from domain.assessment._engine import assess_year
from domain.assessment._errors import InvalidAssessmentInputError
from domain.assessment._levels import academic_level, threshold_level, year_conduct
from domain.assessment._marks import Mark, comment_semester
from domain.assessment._parsing import parse_year_input
from domain.assessment._rendering import result_to_json
from domain.assessment._results import (
    SUMMER_CONDUCT_TRAINING,
    AllSubjectAverage,
    Circular22Result,
    Circular58Result,
    CommentSubjectResult,
    Decisions,
    ScoredSubjectResult,
    Standing,
    SubjectResult,
    YearResult,
)
from domain.assessment._validation import check_year
from domain.assessment._vocabulary import (
    MAX_ABSENCES,
    Circular,
    Comment,
    Conduct58,
    Learning58,
    Level,
    Title,
    Title58,
    circular_for,
    rank,
)
from domain.assessment._year import (
    CommentSubject,
    Conduct,
    Retest,
    ScoredSemester,
    ScoredSubject,
    Subject,
    YearInput,
)

__all__ = [
    "MAX_ABSENCES",
    "SUMMER_CONDUCT_TRAINING",
    "AllSubjectAverage",
    "Circular",
    "Circular22Result",
    "Circular58Result",
    "Comment",
    "CommentSubject",
    "CommentSubjectResult",
    "Conduct",
    "Conduct58",
    "Decisions",
    "InvalidAssessmentInputError",
    "InvalidScoreError",
    "Learning58",
    "Level",
    "Mark",
    "Retest",
    "ScoredSemester",
    "ScoredSubject",
    "ScoredSubjectResult",
    "Standing",
    "Subject",
    "SubjectResult",
    "Title",
    "Title58",
    "YearInput",
    "YearResult",
    "academic_level",
    "assess_year",
    "check_year",
    "circular_for",
    "comment_semester",
    "learning_level",
    "parse_score",
    "parse_year_input",
    "rank",
    "regular_assessment_count",
    "result_to_json",
    "round_score",
    "semester_average",
    "threshold_level",
    "year_average",
    "year_conduct",
]
