"""Circular 22 averages: regular-assessment counts, semester and year averages, half-up rounding."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.assessment import (
    InvalidScoreError,
    regular_assessment_count,
    round_score,
    semester_average,
    year_average,
)


def d(text: str) -> Decimal:
    return Decimal(text)


@pytest.mark.parametrize(
    ("periods", "count"),
    [(18, 2), (35, 2), (36, 3), (52, 3), (70, 3), (71, 4), (105, 4), (140, 4)],
)
def test_the_number_of_regular_assessments_follows_the_periods(periods: int, count: int) -> None:
    assert regular_assessment_count(periods) == count


def test_a_subject_without_periods_has_no_assessment_count() -> None:
    with pytest.raises(InvalidScoreError):
        regular_assessment_count(0)


@pytest.mark.parametrize(
    ("value", "rounded"),
    [
        ("8.25", "8.3"),
        ("8.24", "8.2"),
        ("8.35", "8.4"),
        ("0.05", "0.1"),
        ("9.95", "10.0"),
        ("7", "7.0"),
    ],
)
def test_scores_round_half_up_to_one_decimal(value: str, rounded: str) -> None:
    assert round_score(d(value)) == d(rounded)
    assert str(round_score(d(value))) == rounded


def test_half_up_is_not_what_binary_floats_give() -> None:
    assert round(8.25, 1) == 8.2  # the trap: banker's rounding on a binary float
    assert round_score(d("8.25")) == d("8.3")


def test_the_semester_average_weights_midterm_twice_and_final_three_times() -> None:
    # (8 + 7.5 + 9 + 8 + 2·7 + 3·8.5) / (4 + 5) = 72 / 9
    average = semester_average(
        regular=[d("8"), d("7.5"), d("9"), d("8")], midterm=d("7"), final=d("8.5")
    )
    assert average == d("8.0")


def test_a_semester_average_exactly_between_two_tenths_rounds_up() -> None:
    # (8 + 8 + 8.5 + 2·8 + 3·8.5) / (3 + 5) = 66 / 8 = 8.25
    average = semester_average(regular=[d("8"), d("8"), d("8.5")], midterm=d("8"), final=d("8.5"))
    assert average == d("8.3")


def test_a_two_assessment_subject_divides_by_seven() -> None:
    # (6 + 7 + 2·6.5 + 3·7) / 7 = 47 / 7 = 6.714…
    assert semester_average(regular=[d("6"), d("7")], midterm=d("6.5"), final=d("7")) == d("6.7")


def test_the_year_average_weights_the_second_semester_twice() -> None:
    assert year_average(hk1=d("8.0"), hk2=d("8.6")) == d("8.4")
    assert year_average(hk1=d("6.5"), hk2=d("7.0")) == d("6.8")
    assert year_average(hk1=d("10"), hk2=d("10")) == d("10.0")


@pytest.mark.parametrize("bad", ["-0.5", "10.1", "11"])
def test_a_score_outside_zero_to_ten_is_refused(bad: str) -> None:
    with pytest.raises(InvalidScoreError):
        semester_average(regular=[d(bad), d("8")], midterm=d("8"), final=d("8"))
    with pytest.raises(InvalidScoreError):
        year_average(hk1=d(bad), hk2=d("8"))


def test_a_semester_needs_regular_assessments() -> None:
    with pytest.raises(InvalidScoreError):
        semester_average(regular=[], midterm=d("8"), final=d("8"))


scores = st.integers(min_value=0, max_value=100).map(lambda tenths: Decimal(tenths).scaleb(-1))


@given(regular=st.lists(scores, min_size=2, max_size=4), midterm=scores, final=scores)
def test_a_semester_average_lies_between_the_lowest_and_highest_score(
    regular: list[Decimal], midterm: Decimal, final: Decimal
) -> None:
    average = semester_average(regular=regular, midterm=midterm, final=final)
    marks = [*regular, midterm, final]
    assert min(marks) <= average <= max(marks)
    assert average.as_tuple().exponent == -1


@given(hk1=scores, hk2=scores)
def test_a_year_average_lies_between_its_semesters(hk1: Decimal, hk2: Decimal) -> None:
    average = year_average(hk1=hk1, hk2=hk2)
    assert min(hk1, hk2) <= average <= max(hk1, hk2)
