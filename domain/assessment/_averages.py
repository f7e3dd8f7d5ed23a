"""Circular 22 averages: the number of regular assessments and the two averaging formulas.

Every score and average has one decimal, rounded half up (8.25 → 8.3). The arithmetic is done
on exact fractions, never binary floats, so a tie is recognised as a tie.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction

from domain.model import DomainError

_MAX_SCORE = Fraction(10)
_MIDTERM_WEIGHT = 2
_FINAL_WEIGHT = 3


class InvalidScoreError(DomainError):
    """A score outside 0–10, or a count of periods or assessments the rules do not allow."""

    code = "invalid_score"

    def __init__(self, what: str, value: object, why: str) -> None:
        self.what = what
        self.value = value
        self.why = why
        super().__init__(f"{what} {value!r} is invalid: {why}")


def regular_assessment_count(periods_per_year: int) -> int:
    """How many regular assessments (ĐĐGtx) a scored subject has per semester.

    35 periods a year or fewer → 2; more than 35 up to 70 → 3; more than 70 → 4.
    """
    if periods_per_year <= 0:
        raise InvalidScoreError("periods_per_year", periods_per_year, "must be positive")
    if periods_per_year <= 35:
        return 2
    if periods_per_year <= 70:
        return 3
    return 4


def parse_score(value: object, *, field: str) -> Decimal:
    """A score as entered (number or text): 0–10 with at most one decimal, else InvalidScoreError.

    ``field`` names where the value came from (``subjects[0].hk1.regular[2]``, ``D7``) so the
    error tells the user which cell or field to fix. Booleans and non-finite numbers are refused.
    """
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise InvalidScoreError(field, value, "must be a number")
    try:
        number = (
            Decimal(str(value).strip().replace(",", "."))
            if isinstance(value, str)
            else (Decimal(str(value)) if isinstance(value, float) else Decimal(value))
        )
    except ArithmeticError:
        raise InvalidScoreError(field, value, "must be a number") from None
    if not number.is_finite():
        raise InvalidScoreError(field, value, "must be a number")
    if not 0 <= number <= _MAX_SCORE:
        raise InvalidScoreError(field, value, "must be between 0 and 10")
    if number != number.quantize(Decimal("0.1")):
        raise InvalidScoreError(field, value, "must have at most one decimal")
    return number.quantize(Decimal("0.1"))


def round_score(value: Decimal | Fraction) -> Decimal:
    """``value`` rounded to one decimal, half up (scores are never negative)."""
    exact = Fraction(value)
    if exact < 0:
        raise InvalidScoreError("score", value, "must not be negative")
    tenths = math.floor(exact * 10 + Fraction(1, 2))
    return Decimal(tenths).scaleb(-1)


def _score(what: str, value: Decimal) -> Fraction:
    exact = Fraction(value)
    if not 0 <= exact <= _MAX_SCORE:
        raise InvalidScoreError(what, value, "must be between 0 and 10")
    return exact


def semester_average(*, regular: Sequence[Decimal], midterm: Decimal, final: Decimal) -> Decimal:
    """ĐTBmhk = (ΣĐĐGtx + 2·ĐĐGgk + 3·ĐĐGck) / (number of ĐĐGtx + 5), one decimal, half up."""
    if not regular:
        raise InvalidScoreError("regular", list(regular), "at least one regular assessment")
    total = sum((_score("regular", r) for r in regular), Fraction(0))
    total += _MIDTERM_WEIGHT * _score("midterm", midterm)
    total += _FINAL_WEIGHT * _score("final", final)
    return round_score(total / (len(regular) + _MIDTERM_WEIGHT + _FINAL_WEIGHT))


def year_average(*, hk1: Decimal, hk2: Decimal) -> Decimal:
    """ĐTBmcn = (ĐTBmhkI + 2·ĐTBmhkII) / 3, from the rounded semester averages; one decimal."""
    return round_score((_score("hk1", hk1) + 2 * _score("hk2", hk2)) / 3)
