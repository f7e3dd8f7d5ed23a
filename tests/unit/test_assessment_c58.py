"""Legacy grade-years: the automatic choice of circular, and Circular 58/2011 (amended by 26/2020).

A ``scores`` line lists TOAN NGUVAN NGOAINGU1 GDCD LSDL KHTN CONGNGHE TINHOC in that order.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain.assessment import (
    Circular,
    InvalidAssessmentInputError,
    Learning58,
    circular_for,
    learning_level,
)
from tests.support.assessment_years import assess, marks, year_data

C22, C58 = Circular.C22, Circular.C58
G, K, TB, Y, KEM = Learning58

CHOICE = [
    (6, "2020-2021", C58),
    (6, "2021-2022", C22),  # grade 6 from 2021-22
    (7, "2021-2022", C58),
    (7, "2022-2023", C22),  # grades 7 and 10 from 2022-23
    (10, "2021-2022", C58),
    (10, "2022-2023", C22),
    (8, "2022-2023", C58),
    (8, "2023-2024", C22),  # grades 8 and 11 from 2023-24
    (11, "2022-2023", C58),
    (11, "2023-2024", C22),
    (9, "2023-2024", C58),
    (9, "2024-2025", C22),  # grades 9 and 12 from 2024-25
    (12, "2023-2024", C58),
    (12, "2024-2025", C22),
    (12, "2030-2031", C22),
    (9, "2015-2016", C58),
]


@pytest.mark.parametrize(("grade", "school_year", "circular"), CHOICE)
def test_the_circular_follows_grade_and_school_year(
    grade: int, school_year: str, circular: Circular
) -> None:
    assert circular_for(grade=grade, school_year=school_year) is circular


def test_a_legacy_year_is_assessed_under_circular_58_without_being_asked() -> None:
    legacy = assess(year_data(grade=9, school_year="2023-2024", conduct="T T"))
    current = assess(year_data(grade=9, school_year="2024-2025", conduct="T T"))
    assert legacy["circular"] == "58/2011"
    assert legacy["academic"]["year"] == "K"  # all 7.0: average 7.0, Toán 7.0, none < 5.0
    assert "circular" not in current  # contracts.md's shape, unchanged
    assert current["academic"]["year"] == "K"


# (average, Toán and Ngữ văn, every subject's mark, comment marks, học lực)
LEARNING = {
    # Giỏi: average ≥ 8.0, Toán or Ngữ văn ≥ 8.0, none < 6.5, comments Đạt
    "Giỏi at the boundaries": ("8.0", "8.0 6.5", "8.0 6.5 9.0 8.5", "D", G),
    "neither Toán nor Ngữ văn at 8.0 keeps Giỏi away": (
        "8.4",
        "7.9 7.9",
        "7.9 7.9 9.0 9.0",
        "D",
        K,
    ),
    "an average of 7.9 is Khá": ("7.9", "8.0 8.0", "8.0 8.0 7.5 8.0", "D", K),
    # Khá: 6.5 / 6.5 / none < 5.0
    "Khá at the boundaries": ("6.5", "6.5 5.0", "6.5 5.0 7.0 7.5", "D", K),
    "Toán and Ngữ văn below 6.5 make Trung bình": ("7.0", "6.4 6.4", "6.4 6.4 8.0 7.2", "D", TB),
    # Trung bình: 5.0 / 5.0 / none < 3.5
    "Trung bình at the boundaries": ("5.0", "5.0 3.5", "5.0 3.5 6.0 5.5", "D", TB),
    # Yếu: average ≥ 3.5 and none < 2.0
    "an average of 4.9 is Yếu": ("4.9", "5.0 5.0", "5.0 5.0 4.8 4.8", "D", Y),
    "Yếu at the boundaries": ("3.5", "3.5 2.0", "3.5 2.0 4.0 4.5", "D", Y),
    "an average of 3.4 is Kém": ("3.4", "3.4 3.4", "3.4 3.4 3.4 3.4", "D", KEM),
    # a comment subject Chưa đạt rules out Giỏi, Khá and Trung bình; the average reaches Giỏi
    # and that single subject drags it to Yếu: adjusted to Trung bình
    "one comment Chưa đạt on a Giỏi average is adjusted to Trung bình": (
        "8.5",
        "8.5 8.5",
        "8.5 8.5 8.5 8.5",
        "CD",
        TB,
    ),
    # --- Điều 13 khoản 6: one single subject drags the level down
    "Giỏi dragged to Trung bình by one subject is adjusted to Khá": (
        "8.2",
        "9.0 8.0",
        "9.0 8.0 9.0 9.0 4.0",
        "D",
        K,
    ),
    "Giỏi dragged to Yếu by one subject is adjusted to Trung bình": (
        "8.2",
        "9.0 8.0",
        "9.0 8.0 9.0 9.0 3.0",
        "D",
        TB,
    ),
    "Khá dragged to Yếu by one subject is adjusted to Trung bình": (
        "7.0",
        "7.0 7.0",
        "7.0 7.0 7.0 7.0 3.0",
        "D",
        TB,
    ),
    "Khá dragged to Kém by one subject is adjusted to Yếu": (
        "7.0",
        "7.0 7.0",
        "7.0 7.0 7.0 7.0 1.9",
        "D",
        Y,
    ),
    # a Giỏi average also reaches Khá, and Khá → Kém by one subject is adjusted to Yếu (reading)
    "Giỏi dragged to Kém by one subject is adjusted to Yếu": (
        "8.2",
        "9.0 8.0",
        "9.0 8.0 9.0 9.0 1.5",
        "D",
        Y,
    ),
    "Khá dragged one step to Trung bình is not adjusted": (
        "7.0",
        "7.0 7.0",
        "7.0 7.0 4.0",
        "D",
        TB,
    ),
    "two weak subjects on a Giỏi average are not adjusted": (
        "8.2",
        "9.0 9.0",
        "9.0 9.0 9.0 4.0 4.0",
        "D",
        TB,
    ),
}


@pytest.mark.parametrize(
    ("average", "gate", "scores", "comments", "level"), LEARNING.values(), ids=LEARNING.keys()
)
def test_hoc_luc_follows_the_thresholds_and_the_adjustment(
    average: str, gate: str, scores: str, comments: str, level: Learning58
) -> None:
    found = learning_level(
        average=Decimal(average),
        gate=[Decimal(s) for s in gate.split()],
        marks=marks(scores, comments),
    )
    assert found is level


def test_from_2020_21_the_all_subject_average_is_a_plain_mean() -> None:
    # (9 + 9 + 6·6) / 8 = 54 / 8 = 6.75 → 6.8
    result = assess(year_data(scores="9 9 6 6 6 6 6 6", school_year="2020-2021", conduct="T T"))
    assert result["average"] == {"hk1": 6.8, "hk2": 6.8, "year": 6.8, "after_retest": None}


def test_before_2020_21_toan_and_ngu_van_count_twice() -> None:
    # (2·9 + 2·9 + 6·6) / 10 = 72 / 10 = 7.2
    result = assess(year_data(scores="9 9 6 6 6 6 6 6", school_year="2019-2020", conduct="T T"))
    assert result["average"]["year"] == 7.2


def test_the_years_hanh_kiem_is_semester_twos() -> None:
    result = assess(year_data(school_year="2019-2020", conduct="T K"))
    assert result["conduct"] == {"hk1": "T", "hk2": "K", "year": "K", "after_reassessment": None}


def test_yeu_with_fair_conduct_means_retests() -> None:
    # average (6·5.0 + 2·3.0) / 8 = 36 / 8 = 4.5 → Yếu (≥ 3.5, none < 2.0)
    data = year_data(scores="5 5 5 5 5 5 3 3", school_year="2019-2020", conduct="TB TB")
    result = assess(data)
    assert result["academic"]["year"] == "Y"
    assert (result["promoted"], result["needs"]) == (None, ["retest:CONGNGHE", "retest:TINHOC"])


def test_retests_still_below_trung_binh_keep_the_student_back() -> None:
    data = year_data(
        scores="5 5 5 5 5 5 3 3",
        school_year="2019-2020",
        conduct="TB TB",
        retest={"CONGNGHE": 4, "TINHOC": 4.5},
    )
    result = assess(data)
    # Toán and Ngữ văn twice before 2020-21: (2·5 + 2·5 + 4·5 + 4 + 4.5) / 10 = 4.85 → 4.9, Yếu
    assert result["average"]["after_retest"] == 4.9
    assert result["academic"]["after_reassessment"] == "Y"
    assert result["promoted"] is False


def test_retests_reaching_trung_binh_promote() -> None:
    data = year_data(
        scores="5 5 5 5 5 5 3 3",
        school_year="2020-2021",
        conduct="TB TB",
        retest={"CONGNGHE": 6, "TINHOC": 5},
    )
    result = assess(data)
    # (6·5 + 6 + 5) / 8 = 41 / 8 = 5.125 → 5.1; Toán 5.0; none < 3.5 → Trung bình
    assert result["average"]["after_retest"] == 5.1
    assert result["academic"]["after_reassessment"] == "TB"
    assert result["promoted"] is True


def test_kem_is_kept_back_without_retest() -> None:
    result = assess(year_data(scores="5 5 5 5 5 5 5 1.5", school_year="2019-2020", conduct="T T"))
    assert result["academic"]["year"] == "KEM"  # 1.5 < 2.0
    assert (result["promoted"], result["needs"]) == (False, [])


def test_yeu_in_both_is_kept_back_without_retest_or_training() -> None:
    result = assess(year_data(scores="5 5 5 5 5 5 3 3", school_year="2019-2020", conduct="T Y"))
    assert (result["promoted"], result["needs"]) == (False, [])


def test_weak_conduct_with_fair_hoc_luc_means_summer_training() -> None:
    data = year_data(school_year="2019-2020", conduct="K Y")
    assert assess(data)["needs"] == ["summer_conduct_training"]
    assert assess(data)["promoted"] is None
    assert assess({**data, "conduct_after_summer": "TB"})["promoted"] is True
    assert assess({**data, "conduct_after_summer": "Y"})["promoted"] is False


def test_more_than_45_sessions_absent_keeps_a_legacy_student_back() -> None:
    result = assess(year_data(school_year="2019-2020", conduct="T T", absences=46))
    assert (result["promoted"], result["needs"]) == (False, [])


@pytest.mark.parametrize(
    ("scores", "conduct", "title"),
    [
        ("8.5 8.5 8.5 8.5 8.5 8.5 8.5 8.5", "T T", "HocSinhGioi"),  # Giỏi + Tốt
        ("8.5 8.5 8.5 8.5 8.5 8.5 8.5 8.5", "T K", "HocSinhTienTien"),  # Giỏi + Khá
        ("7.0 7.0 7.0 7.0 7.0 7.0 7.0 7.0", "T T", "HocSinhTienTien"),  # Khá + Tốt
        ("7.0 7.0 7.0 7.0 7.0 7.0 7.0 7.0", "T TB", None),  # hạnh kiểm Trung bình
        ("6.0 6.0 6.0 6.0 6.0 6.0 6.0 6.0", "T T", None),  # học lực Trung bình
    ],
)
def test_legacy_titles(scores: str, conduct: str, title: str | None) -> None:
    assert (
        assess(year_data(scores=scores, school_year="2019-2020", conduct=conduct))["title"] == title
    )


def test_a_legacy_year_without_toan_and_ngu_van_is_refused_naming_the_subjects() -> None:
    data = year_data(school_year="2019-2020", conduct="T T")
    data["subjects"] = [s for s in data["subjects"] if s["code"] != "NGUVAN"]
    with pytest.raises(InvalidAssessmentInputError) as refused:
        assess(data)
    assert refused.value.field == "subjects"
    assert "TOAN and NGUVAN" in str(refused.value)
