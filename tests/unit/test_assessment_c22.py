"""Circular 22, hand-checked: every threshold, the adjustment, the conduct table, the year's end.

Each case carries the arithmetic or the rule that gives its expected value. A ``scores`` line
lists the eight grade-6 scored subjects (TOAN NGUVAN NGOAINGU1 GDCD LSDL KHTN CONGNGHE TINHOC);
a ``comments`` line the comment subjects (GDTC NGHETHUAT HDTNHN GDDP).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from domain.assessment import Level, academic_level, threshold_level, year_conduct
from tests.support.assessment_years import assess, flat_subject, marks, year_data

T, K, D, CD = Level.T, Level.K, Level.D, Level.CD

# (scores, comments, level): the academic result of a semester or a year.
ACADEMIC = {
    # --- Tốt: all ≥ 6.5 and at least six ≥ 8.0, comments all Đạt
    "six at 8.0 and the rest at 6.5 is Tốt": ("8.0 8.0 8.0 8.0 8.0 8.0 6.5 6.5", "D D", T),
    "only five at 8.0 (one at 7.9) is Khá": ("8.0 8.0 8.0 8.0 8.0 7.9 6.5 6.5", "D D", K),
    # 6.4 < 6.5 breaks Tốt; leaving it out gives Tốt, only one step above Khá: no adjustment
    "one subject at 6.4 keeps six 8.0s at Khá": ("8.0 8.0 8.0 8.0 8.0 8.0 8.0 6.4", "D D", K),
    # --- Khá: all ≥ 5.0 and at least six ≥ 6.5, comments all Đạt
    "six at 6.5 and the rest at 5.0 is Khá": ("6.5 6.5 6.5 6.5 6.5 6.5 5.0 5.0", "D D", K),
    "only five at 6.5 (one at 6.4) is Đạt": ("6.5 6.5 6.5 6.5 6.5 6.4 5.0 5.0", "D D", D),
    # 4.9 < 5.0 breaks Khá; without it Khá, one step above Đạt: no adjustment
    "one subject at 4.9 keeps a Khá year at Đạt": ("6.5 6.5 6.5 6.5 6.5 6.5 6.5 4.9", "D D", D),
    # --- Đạt: at least six ≥ 5.0, none < 3.5, at most one comment Chưa đạt
    "six at 5.0 and the rest at 3.5 is Đạt": ("5.0 5.0 5.0 5.0 5.0 5.0 3.5 3.5", "D D", D),
    "only five at 5.0 (the rest 4.9) is Chưa đạt": ("5.0 5.0 5.0 5.0 5.0 4.9 4.9 4.9", "D D", CD),
    # 3.4 < 3.5 breaks Đạt; without it Đạt, one step above Chưa đạt: no adjustment
    "one subject at 3.4 keeps a Đạt year at Chưa đạt": ("5.0 5.0 5.0 5.0 5.0 5.0 5.0 3.4", "", CD),
    "one comment Chưa đạt with Đạt scores is Đạt": ("5.0 5.0 5.0 5.0 5.0 5.0 5.0 5.0", "CD D", D),
    "two comments Chưa đạt are Chưa đạt": ("9.0 9.0 9.0 9.0 9.0 9.0 9.0 9.0", "CD CD", CD),
    "fewer than six scored subjects never reach Đạt": ("10 10 10 10 10", "D D", CD),
    # --- the adjustment (Điều 9 khoản 3): one single subject drags the level two steps down
    # six 9.0 + 8.0 would be Tốt; the 4.0 makes it Đạt; without the 4.0 → Tốt: adjusted to Khá
    "Tốt dragged to Đạt by one subject is adjusted to Khá": (
        "9.0 9.0 9.0 9.0 9.0 9.0 8.0 4.0",
        "D D",
        K,
    ),
    # all 7.0 would be Khá; the 3.0 < 3.5 makes it Chưa đạt; without it → Khá: adjusted to Đạt
    "Khá dragged to Chưa đạt by one subject is adjusted to Đạt": (
        "7.0 7.0 7.0 7.0 7.0 7.0 7.0 3.0",
        "D D",
        D,
    ),
    # leaving out either 4.0 still leaves the other one: no single cause, no adjustment
    "two weak subjects dragging Tốt to Đạt are not adjusted": (
        "9.0 9.0 9.0 9.0 9.0 9.0 4.0 4.0",
        "D D",
        D,
    ),
    "two subjects below 3.5 dragging Khá to Chưa đạt are not adjusted": (
        "7.0 7.0 7.0 7.0 7.0 7.0 3.0 3.0",
        "D D",
        CD,
    ),
    # three steps (Tốt → Chưa đạt) by one subject: raised one step only, to Đạt (reading)
    "Tốt dragged to Chưa đạt by one subject is adjusted to Đạt only": (
        "9.0 9.0 9.0 9.0 9.0 9.0 9.0 3.0",
        "D D",
        D,
    ),
    # a comment subject can be the single cause (reading): Tốt scores, one Chưa đạt → Đạt → Khá
    "Tốt dragged to Đạt by one comment subject is adjusted to Khá": (
        "9.0 9.0 9.0 9.0 9.0 9.0 9.0 9.0",
        "D CD",
        K,
    ),
    # Khá scores and one comment Chưa đạt: Đạt; without it Khá, one step: no adjustment
    "Khá dragged to Đạt by one comment subject stays Đạt": (
        "7.0 7.0 7.0 7.0 7.0 7.0 7.0 7.0",
        "CD D",
        D,
    ),
    # 3.0 and 4.0: leaving out 3.0 gives Đạt (one step), leaving out 4.0 still Chưa đạt
    "a subject at 3.0 with another at 4.0 is not adjusted": (
        "9.0 9.0 9.0 9.0 9.0 9.0 4.0 3.0",
        "D D",
        CD,
    ),
}


@pytest.mark.parametrize(("scores", "comments", "level"), ACADEMIC.values(), ids=ACADEMIC.keys())
def test_the_academic_result_follows_the_thresholds_and_the_adjustment(
    scores: str, comments: str, level: Level
) -> None:
    assert academic_level(marks(scores, comments)) is level


def test_the_adjustment_starts_from_the_threshold_level() -> None:
    # the thresholds alone give Đạt for "Tốt but one 4.0"; the adjustment lifts it to Khá
    dragged = marks("9.0 9.0 9.0 9.0 9.0 9.0 8.0 4.0", "D D")
    assert threshold_level(dragged) is D
    assert academic_level(dragged) is K


# (semester I, semester II, year): every row of the year-conduct table.
CONDUCT = [
    (T, T, T),  # HK II Tốt and HK I ≥ Khá
    (K, T, T),  # HK II Tốt and HK I ≥ Khá
    (D, T, K),  # HK II Tốt and HK I Đạt → Khá
    (CD, T, K),  # HK II Tốt and HK I Chưa đạt → Khá
    (T, K, K),  # HK II Khá and HK I ≥ Đạt
    (K, K, K),
    (D, K, K),
    (CD, K, D),  # HK II Khá and HK I Chưa đạt → Đạt
    (T, D, K),  # HK II Đạt and HK I Tốt → Khá
    (K, D, D),  # HK II Đạt and HK I Khá, Đạt or Chưa đạt → Đạt
    (D, D, D),
    (CD, D, D),
    (T, CD, CD),  # HK II Chưa đạt → Chưa đạt whatever HK I
    (K, CD, CD),
    (D, CD, CD),
    (CD, CD, CD),
]


@pytest.mark.parametrize(("hk1", "hk2", "year"), CONDUCT, ids=[f"{a}-{b}" for a, b, _ in CONDUCT])
def test_the_year_conduct_follows_every_row_of_the_table(
    hk1: Level, hk2: Level, year: Level
) -> None:
    assert year_conduct(hk1=hk1, hk2=hk2) is year


def _semester_of(regular: list[str], midterm: str, final: str, periods: int) -> dict[str, Any]:
    subject = flat_subject("TOAN", "7.0", periods=periods)
    subject["hk1"] = {"regular": regular, "midterm": midterm, "final": final}
    data = year_data(scores="7.0 7.0 7.0 7.0 7.0 7.0 7.0 7.0")
    data["subjects"][0] = subject
    return dict(assess(data)["subjects"]["TOAN"])


def test_a_semester_average_of_exactly_x_x5_rounds_up() -> None:
    # 70 periods → 3 regular: (8 + 8 + 8.5 + 2·8 + 3·8.5) / 8 = 66 / 8 = 8.25 → 8.3
    toan = _semester_of(["8", "8", "8.5"], "8", "8.5", periods=70)
    assert toan["hk1"] == 8.3
    # year: (8.3 + 2·7.0) / 3 = 22.3 / 3 = 7.433… → 7.4
    assert toan["year"] == 7.4


def test_a_semester_average_just_below_x_x5_rounds_down() -> None:
    # (8 + 8 + 8.4 + 2·8 + 3·8.5) / 8 = 65.9 / 8 = 8.2375 → 8.2
    assert _semester_of(["8", "8", "8.4"], "8", "8.5", periods=70)["hk1"] == 8.2


def test_a_35_period_subject_has_two_regular_assessments() -> None:
    # (6 + 7 + 2·6.5 + 3·7) / 7 = 47 / 7 = 6.714… → 6.7
    assert _semester_of(["6", "7"], "6.5", "7", periods=35)["hk1"] == 6.7


def test_the_contracts_example_gives_8_0_for_toan_in_semester_one() -> None:
    # (8 + 7.5 + 9 + 8 + 2·7 + 3·8.5) / (4 + 5) = 72 / 9 = 8.0 (contracts.md prints 7.9)
    # hk2: (9 + 8 + 8.5 + 9 + 2·8 + 3·9) / 9 = 77.5 / 9 = 8.61… → 8.6; year (8.0 + 17.2)/3 = 8.4
    toan = _semester_of(["8", "7.5", "9", "8"], "7", "8.5", periods=140)
    assert toan["hk1"] == 8.0


def test_the_year_average_weights_semester_two_twice() -> None:
    data = year_data()
    data["subjects"][0]["hk2"] = {"regular": ["8.6"] * 4, "midterm": "8.6", "final": "8.6"}
    data["subjects"][0]["hk1"] = {"regular": ["8"] * 4, "midterm": "8", "final": "8"}
    # (8.0 + 2·8.6) / 3 = 25.2 / 3 = 8.4
    assert assess(data)["subjects"]["TOAN"] == {
        "hk1": 8.0,
        "hk2": 8.6,
        "year": 8.4,
        "after_retest": None,
    }


def test_a_comment_subject_needs_two_assessments_all_dat() -> None:
    data = year_data(comments="D")
    data["subjects"][8]["hk1"] = ["D"]  # one assessment only: not the required two
    data["subjects"][8]["hk2"] = ["D", "D", "D"]
    assert assess(data)["subjects"]["GDTC"] == {"hk1": "CD", "hk2": "D", "year": "D"}


def test_a_comment_subjects_year_is_its_second_semester() -> None:
    data = year_data(comments="D")
    data["subjects"][8]["hk1"] = ["CD", "D"]
    assert assess(data)["subjects"]["GDTC"] == {"hk1": "CD", "hk2": "D", "year": "D"}


# --- the year's end: promotion, retests, summer training, honours
GOOD = "7.0 7.0 7.0 7.0 7.0 7.0 7.0 7.0"  # Khá: all ≥ 5.0, eight ≥ 6.5
WEAK = "6.0 6.0 6.0 6.0 6.0 6.0 4.0 3.0"  # 3.0 < 3.5 → CĐ; without 3.0: Đạt, one step → CĐ


def test_a_kha_student_with_45_sessions_absent_is_promoted() -> None:
    result = assess(year_data(scores=GOOD, conduct="K K", absences=45))
    assert (result["academic"]["year"], result["conduct"]["year"]) == ("K", "K")
    assert (result["promoted"], result["needs"]) == (True, [])


def test_46_sessions_absent_means_not_promoted_and_no_retest() -> None:
    result = assess(year_data(scores=WEAK, conduct="K CD", absences=46))
    assert (result["promoted"], result["needs"]) == (False, [])


def test_46_sessions_absent_keeps_back_even_a_good_student() -> None:
    result = assess(year_data(scores=GOOD, conduct="T T", absences=46))
    assert (result["promoted"], result["needs"]) == (False, [])


def test_academic_chua_dat_with_good_conduct_means_retests_and_an_open_decision() -> None:
    result = assess(year_data(scores=WEAK, comments="CD D", conduct="T T"))
    assert result["academic"]["year"] == "CD"
    # CONGNGHE 4.0 and TINHOC 3.0 are below 5.0, GDTC is Chưa đạt
    assert result["needs"] == ["retest:CONGNGHE", "retest:TINHOC", "retest:GDTC"]
    assert result["promoted"] is None
    assert result["academic"]["after_reassessment"] is None


def test_passed_retests_replace_the_year_averages_and_promote() -> None:
    data = year_data(scores=WEAK, conduct="T T", retest={"CONGNGHE": 5.5, "TINHOC": 4.0})
    result = assess(data)
    assert result["subjects"]["CONGNGHE"]["after_retest"] == 5.5
    assert result["subjects"]["TINHOC"]["after_retest"] == 4.0
    # after: 6.0 ×6, 5.5, 4.0 → seven ≥ 5.0, none < 3.5 → Đạt
    assert result["academic"]["after_reassessment"] == "D"
    assert result["promoted"] is True
    assert result["needs"] == ["retest:CONGNGHE", "retest:TINHOC"]


def test_a_failed_retest_means_not_promoted() -> None:
    data = year_data(scores=WEAK, conduct="T T", retest={"CONGNGHE": 4.5, "TINHOC": 3.4})
    result = assess(data)
    # after: 6.0 ×6, 4.5, 3.4 → 3.4 < 3.5; without it Đạt, one step → Chưa đạt
    assert result["academic"]["after_reassessment"] == "CD"
    assert result["promoted"] is False


def test_the_decision_stays_open_until_every_retest_is_known() -> None:
    result = assess(year_data(scores=WEAK, conduct="T T", retest={"CONGNGHE": 9.0}))
    assert result["subjects"]["CONGNGHE"]["after_retest"] == 9.0
    assert result["academic"]["after_reassessment"] is None
    assert result["promoted"] is None


def test_a_comment_subject_is_reassessed_too() -> None:
    data = year_data(scores=GOOD, comments="CD CD", retest={"GDTC": "D", "NGHETHUAT": "D"})
    result = assess(data)
    # two comments Chưa đạt → CĐ; re-assessed Đạt → Khá scores, all Đạt → Khá
    assert result["academic"]["year"] == "CD"
    assert result["academic"]["after_reassessment"] == "K"
    assert result["promoted"] is True


def test_a_retest_for_a_subject_that_needed_none_is_ignored() -> None:
    result = assess(year_data(scores=GOOD, retest={"TOAN": 6.0}))
    assert result["subjects"]["TOAN"]["after_retest"] is None
    assert (result["promoted"], result["needs"]) == (True, [])


def test_year_conduct_chua_dat_means_summer_training_and_an_open_decision() -> None:
    result = assess(year_data(scores=GOOD, conduct="T CD"))
    assert result["conduct"]["year"] == "CD"
    assert (result["promoted"], result["needs"]) == (None, ["summer_conduct_training"])


def test_conduct_re_evaluated_at_dat_after_the_summer_promotes() -> None:
    result = assess(year_data(scores=GOOD, conduct="T CD", conduct_after_summer="D"))
    assert result["conduct"]["after_reassessment"] == "D"
    assert result["promoted"] is True


def test_conduct_still_chua_dat_after_the_summer_means_not_promoted() -> None:
    result = assess(year_data(scores=GOOD, conduct="T CD", conduct_after_summer="CD"))
    assert result["promoted"] is False


def test_both_chua_dat_means_retests_and_summer_training_together() -> None:
    result = assess(year_data(scores=WEAK, conduct="K CD"))
    assert result["needs"] == ["retest:CONGNGHE", "retest:TINHOC", "summer_conduct_training"]
    assert result["promoted"] is None
    done = year_data(
        scores=WEAK, conduct="K CD", retest={"CONGNGHE": 5, "TINHOC": 5}, conduct_after_summer="K"
    )
    assert assess(done)["promoted"] is True


def test_a_student_with_six_subjects_at_9_0_and_tot_everywhere_is_xuat_sac() -> None:
    # academic Tốt (all ≥ 6.5, eight ≥ 8.0); conduct year Tốt (HK II Tốt, HK I Khá); six ≥ 9.0
    result = assess(year_data(scores="9.0 9.0 9.0 9.0 9.0 9.0 8.9 8.0", conduct="K T"))
    assert (result["academic"]["year"], result["conduct"]["year"]) == ("T", "T")
    assert result["title"] == "XuatSac"


def test_five_subjects_at_9_0_make_a_gioi_student() -> None:
    result = assess(year_data(scores="9.0 9.0 9.0 9.0 9.0 8.9 8.9 8.0", conduct="T T"))
    assert result["title"] == "Gioi"


def test_kha_conduct_earns_no_title() -> None:
    result = assess(year_data(scores="9.5 9.5 9.5 9.5 9.5 9.5 9.5 9.5", conduct="D T"))
    assert result["conduct"]["year"] == "K"  # HK II Tốt and HK I Đạt → Khá
    assert result["title"] is None


def test_kha_academic_result_earns_no_title() -> None:
    result = assess(year_data(scores="9.0 9.0 9.0 9.0 9.0 9.0 9.0 6.4", conduct="T T"))
    assert result["academic"]["year"] == "K"
    assert result["title"] is None


def test_the_semester_levels_use_the_semester_averages() -> None:
    data = year_data(scores=GOOD)
    data["subjects"][7]["hk1"] = {"regular": ["3"] * 4, "midterm": "3", "final": "3"}
    result = assess(data)
    # HK I: TINHOC 3.0 → Khá dragged to CĐ by one subject → Đạt; HK II all 7.0 → Khá
    # year TINHOC (3.0 + 2·7.0)/3 = 5.666… → 5.7 → Khá
    assert result["academic"] == {"hk1": "D", "hk2": "K", "year": "K", "after_reassessment": None}
    assert result["subjects"]["TINHOC"]["year"] == 5.7


def test_scores_may_be_given_as_decimals_or_text() -> None:
    data = year_data()
    data["subjects"][0]["hk1"]["final"] = Decimal("7.0")
    data["subjects"][0]["hk1"]["midterm"] = "7,0"
    assert assess(data)["subjects"]["TOAN"]["hk1"] == 7.0
