"""Builders for `hocba assess` inputs: a grade-6 year written as a line of averages."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from domain.assessment import (
    Comment,
    Mark,
    assess_year,
    parse_year_input,
    result_to_json,
)

SCORED = ("TOAN", "NGUVAN", "NGOAINGU1", "GDCD", "LSDL", "KHTN", "CONGNGHE", "TINHOC")
"""The eight scored subjects of grade 6, in the order a ``scores`` line lists them."""
COMMENTED = ("GDTC", "NGHETHUAT", "HDTNHN", "GDDP")
"""The comment subjects, in the order a ``comments`` line lists them."""

Json = dict[str, Any]


def flat_subject(code: str, score: str, *, periods: int = 105) -> Json:
    """A scored subject with every assessment equal to ``score``: all its averages are ``score``."""
    count = 2 if periods <= 35 else 3 if periods <= 70 else 4

    def semester() -> Json:
        return {"regular": [score] * count, "midterm": score, "final": score}

    return {
        "code": code,
        "kind": "score",
        "periods_per_year": periods,
        "hk1": semester(),
        "hk2": semester(),
    }


def comment_subject(code: str, year: str) -> Json:
    """A comment subject Đạt in semester I; ``year`` 'CD' makes semester II and the year CĐ."""
    return {"code": code, "kind": "comment", "hk1": ["D", "D"], "hk2": ["D", year]}


def year_data(
    *,
    scores: str = "7.0 7.0 7.0 7.0 7.0 7.0 7.0 7.0",
    comments: str = "D D D D",
    conduct: str = "T T",
    absences: int = 0,
    retest: dict[str, object] | None = None,
    conduct_after_summer: str | None = None,
    grade: int = 6,
    school_year: str = "2024-2025",
) -> Json:
    """A year's input: ``scores`` for SCORED in order, ``comments`` for COMMENTED, ``conduct``
    as 'HKI HKII'."""
    hk1, hk2 = conduct.split()
    return {
        "grade": grade,
        "school_year": school_year,
        "subjects": [flat_subject(c, s) for c, s in zip(SCORED, scores.split(), strict=False)]
        + [comment_subject(c, r) for c, r in zip(COMMENTED, comments.split(), strict=False)],
        "conduct": {"hk1": hk1, "hk2": hk2},
        "absences": absences,
        "retest": retest or {},
        "conduct_after_summer": conduct_after_summer,
    }


def assess(data: Json) -> Json:
    """The `hocba assess` output for ``data``, computed in-process."""
    return result_to_json(assess_year(parse_year_input(data)))


def marks(scores: str, comments: str = "") -> list[Mark]:
    """Subject results written as a line: '9.0 8.0 …' and 'D CD …'."""
    return [Decimal(s) for s in scores.split()] + [Comment(c) for c in comments.split()]
