"""Every invalid `hocba assess` input is refused with a typed error that names the field."""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

import pytest

from domain.assessment import (
    Comment,
    InvalidAssessmentInputError,
    Level,
    ScoredSemester,
    ScoredSubject,
    YearInput,
    assess_year,
    parse_year_input,
)
from domain.model import DomainError
from tests.support.assessment_years import year_data

DELETE = object()
"""Stands for "leave this field out"."""

# (where, the value put there, the field the error must name). Subject 0 is TOAN (105 periods,
# four regular assessments), subject 8 is GDTC (comment).
INVALID: dict[str, tuple[tuple[Any, ...], object, str]] = {
    "a score above 10": (("subjects", 0, "hk1", "regular", 2), 10.5, "subjects[0].hk1.regular[2]"),
    "a negative score": (("subjects", 0, "hk2", "midterm"), -1, "subjects[0].hk2.midterm"),
    "a score with two decimals": (
        ("subjects", 0, "hk1", "final"),
        Decimal("8.25"),
        "subjects[0].hk1.final",
    ),
    "a score that is not a number": (
        ("subjects", 0, "hk1", "regular", 0),
        "tám",
        "subjects[0].hk1.regular[0]",
    ),
    "a score given as true": (
        ("subjects", 0, "hk1", "regular", 1),
        True,
        "subjects[0].hk1.regular[1]",
    ),
    "a missing mid-term": (("subjects", 0, "hk1", "midterm"), DELETE, "subjects[0].hk1.midterm"),
    "a null mid-term": (("subjects", 0, "hk2", "midterm"), None, "subjects[0].hk2.midterm"),
    "a missing final": (("subjects", 0, "hk2", "final"), DELETE, "subjects[0].hk2.final"),
    "missing regular assessments": (
        ("subjects", 0, "hk1", "regular"),
        DELETE,
        "subjects[0].hk1.regular",
    ),
    "too few regular assessments for 105 periods": (
        ("subjects", 0, "hk1", "regular"),
        [7, 7, 7],
        "subjects[0].hk1.regular",
    ),
    "too many regular assessments for 105 periods": (
        ("subjects", 0, "hk2", "regular"),
        [7, 7, 7, 7, 7],
        "subjects[0].hk2.regular",
    ),
    "regular assessments that are not a list": (
        ("subjects", 0, "hk1", "regular"),
        "7 7 7 7",
        "subjects[0].hk1.regular",
    ),
    "a missing semester": (("subjects", 0, "hk2"), DELETE, "subjects[0].hk2"),
    "no periods for a scored subject": (
        ("subjects", 0, "periods_per_year"),
        DELETE,
        "subjects[0].periods_per_year",
    ),
    "zero periods": (("subjects", 0, "periods_per_year"), 0, "subjects[0].periods_per_year"),
    "fractional periods": (
        ("subjects", 0, "periods_per_year"),
        52.5,
        "subjects[0].periods_per_year",
    ),
    "an unknown subject code": (("subjects", 0, "code"), "PHYSICS", "subjects[0].code"),
    "a lower-case subject code": (("subjects", 0, "code"), "toan", "subjects[0].code"),
    "a missing subject code": (("subjects", 0, "code"), DELETE, "subjects[0].code"),
    "a scored subject said to be a comment one": (
        ("subjects", 0, "kind"),
        "comment",
        "subjects[0].kind",
    ),
    "a comment subject said to be scored": (("subjects", 8, "kind"), "score", "subjects[8].kind"),
    "a kind that does not exist": (("subjects", 0, "kind"), "points", "subjects[0].kind"),
    "a comment result other than D or CD": (("subjects", 8, "hk1", 1), "Đ", "subjects[8].hk1[1]"),
    "a comment result given as a score": (("subjects", 8, "hk2", 0), 8, "subjects[8].hk2[0]"),
    "a subject given twice": (("subjects", 1, "code"), "TOAN", "subjects[1].code"),
    "an unknown field in a subject": (("subjects", 0, "teacher"), "cô Lan", "subjects[0].teacher"),
    "an unknown field in a semester": (("subjects", 0, "hk1", "oral"), 8, "subjects[0].hk1.oral"),
    "a subject that is not an object": (("subjects", 2), "NGOAINGU1", "subjects[2]"),
    "subjects that are not a list": (("subjects",), {"TOAN": 8}, "subjects"),
    "no subjects": (("subjects",), [], "subjects"),
    "a Circular 58 conduct in a Circular 22 year": (("conduct", "hk1"), "TB", "conduct.hk1"),
    "a conduct that is no level": (("conduct", "hk2"), "X", "conduct.hk2"),
    "a missing conduct": (("conduct", "hk2"), DELETE, "conduct.hk2"),
    "an unknown conduct field": (("conduct", "year"), "T", "conduct.year"),
    "no conduct at all": (("conduct",), DELETE, "conduct"),
    "a conduct after summer that is no level": (
        ("conduct_after_summer",),
        "A",
        "conduct_after_summer",
    ),
    "negative absences": (("absences",), -1, "absences"),
    "fractional absences": (("absences",), 2.5, "absences"),
    "absences as text": (("absences",), "3", "absences"),
    "missing absences": (("absences",), DELETE, "absences"),
    "an unknown top-level field": (("teacher",), "cô Lan", "teacher"),
    "a retest for a subject not in the list": (("retest", "VATLI"), 6, "retest.VATLI"),
    "a retest for an unknown code": (("retest", "XYZ"), 6, "retest.XYZ"),
    "a retest score above 10": (("retest", "TOAN"), 11, "retest.TOAN"),
    "a retest score with two decimals": (("retest", "TOAN"), Decimal("5.55"), "retest.TOAN"),
    "a comment retest that is not D or CD": (("retest", "GDTC"), 7, "retest.GDTC"),
    "retests that are not an object": (("retest",), ["TOAN"], "retest"),
    "grade 5": (("grade",), 5, "grade"),
    "grade 13": (("grade",), 13, "grade"),
    "a grade as text": (("grade",), "6", "grade"),
    "a missing grade": (("grade",), DELETE, "grade"),
    "a school year of one year": (("school_year",), "2024", "school_year"),
    "a school year spanning two years": (("school_year",), "2024-2026", "school_year"),
    "a school year written short": (("school_year",), "24-25", "school_year"),
    "a school year as a number": (("school_year",), 2024, "school_year"),
    "a missing school year": (("school_year",), DELETE, "school_year"),
}


def _with(data: dict[str, Any], where: tuple[Any, ...], value: object) -> dict[str, Any]:
    changed = copy.deepcopy(data)
    holder: Any = changed
    for step in where[:-1]:
        holder = holder[step]
    if value is DELETE:
        del holder[where[-1]]
    else:
        holder[where[-1]] = value
    return changed


@pytest.mark.parametrize(("where", "value", "field"), INVALID.values(), ids=INVALID.keys())
def test_an_invalid_input_is_refused_naming_the_field(
    where: tuple[Any, ...], value: object, field: str
) -> None:
    with pytest.raises(InvalidAssessmentInputError) as refused:
        parse_year_input(_with(year_data(), where, value))
    assert refused.value.field == field
    assert str(refused.value).startswith(f"{field}: ")


def test_the_valid_base_year_is_accepted() -> None:
    assert len(parse_year_input(year_data()).subjects) == 12


def test_a_legacy_year_refuses_a_circular_22_conduct() -> None:
    with pytest.raises(InvalidAssessmentInputError) as refused:
        parse_year_input(year_data(school_year="2019-2020", conduct="D T"))
    assert refused.value.field == "conduct.hk1"
    assert "T, K, TB, Y" in refused.value.why


def test_an_input_that_is_not_an_object_is_refused() -> None:
    with pytest.raises(InvalidAssessmentInputError) as refused:
        parse_year_input([year_data()])
    assert refused.value.field == "input"


def test_the_message_shows_the_value_and_what_is_expected() -> None:
    with pytest.raises(InvalidAssessmentInputError) as refused:
        parse_year_input(_with(year_data(), ("subjects", 0, "hk1", "regular", 2), Decimal("10.5")))
    assert str(refused.value) == "subjects[0].hk1.regular[2]: must be between 0 and 10 (got 10.5)"


def test_the_message_for_a_missing_field_says_so() -> None:
    with pytest.raises(InvalidAssessmentInputError) as refused:
        parse_year_input(_with(year_data(), ("subjects", 0, "hk1", "midterm"), DELETE))
    assert str(refused.value) == "subjects[0].hk1.midterm: is missing"
    assert refused.value.missing


def test_the_count_error_says_how_many_the_periods_require() -> None:
    with pytest.raises(InvalidAssessmentInputError) as refused:
        parse_year_input(_with(year_data(), ("subjects", 0, "hk1", "regular"), [7, 7, 7]))
    assert refused.value.why == "needs exactly 4 regular assessments for 105 periods a year"


def test_the_error_is_a_domain_error() -> None:
    assert issubclass(InvalidAssessmentInputError, DomainError)


def test_kind_may_be_left_to_the_catalogue() -> None:
    data = year_data()
    for subject in data["subjects"]:
        del subject["kind"]
    assert parse_year_input(data) == parse_year_input(year_data())


def test_a_year_built_in_code_is_checked_the_same_way() -> None:
    flat = ScoredSemester(regular=(Decimal(7),) * 3, midterm=Decimal(7), final=Decimal(7))
    year = YearInput(
        grade=6,
        school_year="2024-2025",
        subjects=(ScoredSubject(code="TOAN", periods_per_year=140, hk1=flat, hk2=flat),),
        conduct_hk1=Level.T,
        conduct_hk2=Level.T,
    )
    with pytest.raises(InvalidAssessmentInputError) as refused:
        assess_year(year)
    assert refused.value.field == "subjects[0].hk1.regular"


def test_a_year_built_in_code_refuses_a_score_out_of_range() -> None:
    flat = ScoredSemester(regular=(Decimal(7),) * 4, midterm=Decimal(11), final=Decimal(7))
    year = YearInput(
        grade=6,
        school_year="2024-2025",
        subjects=(ScoredSubject(code="TOAN", periods_per_year=140, hk1=flat, hk2=flat),),
        conduct_hk1=Level.T,
        conduct_hk2=Level.T,
        retest={"GDTC": Comment.D},
    )
    with pytest.raises(InvalidAssessmentInputError) as refused:
        assess_year(year)
    assert refused.value.field == "subjects[0].hk1.midterm"
