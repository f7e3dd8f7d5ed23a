"""Circular 22 assessment rules as pure functions (no I/O, no clock)."""

from domain.assessment._averages import (
    InvalidScoreError,
    parse_score,
    regular_assessment_count,
    round_score,
    semester_average,
    year_average,
)

__all__ = [
    "InvalidScoreError",
    "parse_score",
    "regular_assessment_count",
    "round_score",
    "semester_average",
    "year_average",
]
