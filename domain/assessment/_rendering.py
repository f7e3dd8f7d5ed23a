"""Results → the JSON objects of contracts.md (numbers with one decimal, levels as codes)."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Any

from domain.assessment._results import (
    Circular22Result,
    Circular58Result,
    CommentSubjectResult,
    Standing,
    SubjectResult,
    YearResult,
)

Json = dict[str, Any]


def _number(value: Decimal | None) -> float | None:
    # A one-decimal Decimal between 0 and 10 converts to the float whose shortest repr is that
    # same decimal, so json.dumps writes 8.4, never 8.399999: the float is for output only.
    return None if value is None else float(value)


def _code(value: StrEnum | None) -> str | None:
    return None if value is None else value.value


def _subject(result: SubjectResult) -> Json:
    if isinstance(result, CommentSubjectResult):
        # contracts.md's comment-subject object has no after_retest: its re-assessment shows
        # in academic.after_reassessment (and in the domain result).
        return {"hk1": result.hk1.value, "hk2": result.hk2.value, "year": result.year.value}
    return {
        "hk1": _number(result.hk1),
        "hk2": _number(result.hk2),
        "year": _number(result.year),
        "after_retest": _number(result.after_retest),
    }


def _standing(standing: Standing[Any]) -> Json:
    return {
        "hk1": _code(standing.hk1),
        "hk2": _code(standing.hk2),
        "year": _code(standing.year),
        "after_reassessment": _code(standing.after_reassessment),
    }


def result_to_json(result: YearResult) -> Json:
    """The `hocba assess` output: contracts.md's shape for Circular 22; for Circular 58 the
    parallel shape of docs/assessment-rules.md (``circular`` and ``average`` added)."""
    body: Json = {
        "subjects": {subject.code: _subject(subject) for subject in result.subjects},
        "academic": _standing(result.academic),
        "conduct": _standing(result.conduct),
        "promoted": result.decisions.promoted,
        "needs": list(result.decisions.needs),
        "title": _code(result.title),
    }
    if isinstance(result, Circular22Result):
        return body
    return {"circular": result.circular.value, **_with_average(body, result)}


def _with_average(body: Json, result: Circular58Result) -> Json:
    average = result.average
    return {
        "subjects": body["subjects"],
        "average": {
            "hk1": _number(average.hk1),
            "hk2": _number(average.hk2),
            "year": _number(average.year),
            "after_retest": _number(average.after_retest),
        },
        **{key: value for key, value in body.items() if key != "subjects"},
    }
