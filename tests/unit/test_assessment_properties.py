"""Properties of the whole engine over random years (Hypothesis): monotone, bounded, order-free."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from domain.assessment import Comment, Learning58, Level, rank
from tests.support.assessment_years import assess

SCORED_CODES = [
    "TOAN", "NGUVAN", "NGOAINGU1", "GDCD", "LSDL", "KHTN", "CONGNGHE", "TINHOC",
    "LICHSU", "DIALI", "VATLI", "HOAHOC", "SINHHOC", "GDKTPL", "GDQPAN",
]  # fmt: skip
COMMENT_CODES = ["GDTC", "NGHETHUAT", "AMNHAC", "MITHUAT", "HDTNHN", "GDDP"]
LEVELS = [level.value for level in Level]

# Scores as JSON numbers with one decimal, the way the command receives them. A student has a
# strength, each subject a level near it and each score a value near that level, so that every
# result and decision turns up (independent scores would almost all average out to Chưa đạt).
strengths = st.integers(min_value=30, max_value=100)
spreads = st.integers(min_value=-8, max_value=8)


def _score(level: int, spread: int) -> float:
    return min(100, max(0, level + spread)) / 10


comments = st.one_of(
    st.lists(st.just("D"), min_size=2, max_size=4),
    st.lists(st.sampled_from(["D", "CD"]), min_size=1, max_size=4),
)


@st.composite
def scored_subject(draw: st.DrawFn, code: str, strength: int) -> dict[str, Any]:
    periods = draw(st.sampled_from([35, 52, 70, 105, 140]))
    count = 2 if periods <= 35 else 3 if periods <= 70 else 4
    level = strength + draw(st.integers(min_value=-20, max_value=15))

    def semester() -> dict[str, Any]:
        regular = [_score(level, draw(spreads)) for _ in range(count)]
        return {
            "regular": regular,
            "midterm": _score(level, draw(spreads)),
            "final": _score(level, draw(spreads)),
        }

    return {
        "code": code,
        "kind": "score",
        "periods_per_year": periods,
        "hk1": semester(),
        "hk2": semester(),
    }


@st.composite
def years(draw: st.DrawFn, *, school_year: str = "2024-2025") -> dict[str, Any]:
    """A year with Toán, Ngữ văn and four to seven more scored subjects (as every real grade
    has), and some comment ones."""
    others = [c for c in SCORED_CODES if c not in ("TOAN", "NGUVAN")]
    more = draw(st.lists(st.sampled_from(others), min_size=4, max_size=7, unique=True))
    codes = ["TOAN", "NGUVAN", *more]
    codes = draw(st.permutations(codes))
    commented = draw(st.lists(st.sampled_from(COMMENT_CODES), max_size=4, unique=True))
    strength = draw(strengths)
    subjects = [draw(scored_subject(code, strength)) for code in codes] + [
        {"code": code, "kind": "comment", "hk1": draw(comments), "hk2": draw(comments)}
        for code in commented
    ]
    legacy = school_year < "2021"
    conduct = st.sampled_from(["T", "K", "TB", "Y"] if legacy else LEVELS)
    return {
        "grade": 6,
        "school_year": school_year,
        "subjects": subjects,
        "conduct": {"hk1": draw(conduct), "hk2": draw(conduct)},
        "absences": draw(st.integers(min_value=0, max_value=60)),
        "retest": {},
        "conduct_after_summer": None,
    }


def _level_rank(value: str | None, scale: type[Level] | type[Learning58]) -> int:
    return -1 if value is None else rank(scale(value))


def _promotion_rank(promoted: bool | None) -> int:
    # not promoted < still open < promoted
    return {False: 0, None: 1, True: 2}[promoted]


def _title_rank(title: str | None) -> int:
    return {None: 0, "Gioi": 1, "XuatSac": 2, "HocSinhTienTien": 1, "HocSinhGioi": 2}[title]


def _subject_not_lower(before: dict[str, Any], after: dict[str, Any]) -> bool:
    if isinstance(before["year"], str):
        return all(
            rank(Comment(after[key])) >= rank(Comment(before[key]))
            for key in ("hk1", "hk2", "year")
        )
    return all(after[key] >= before[key] for key in ("hk1", "hk2", "year"))


def _not_lower(before: dict[str, Any], after: dict[str, Any]) -> bool:
    scale = Learning58 if "circular" in before else Level
    return (
        all(
            _subject_not_lower(before["subjects"][c], after["subjects"][c])
            for c in before["subjects"]
        )
        and all(
            _level_rank(after["academic"][key], scale)
            >= _level_rank(before["academic"][key], scale)
            for key in ("hk1", "hk2", "year")
        )
        and _promotion_rank(after["promoted"]) >= _promotion_rank(before["promoted"])
        and _title_rank(after["title"]) >= _title_rank(before["title"])
    )


@st.composite
def raised(
    draw: st.DrawFn, *, school_year: str = "2024-2025"
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A year, and the same year with one score raised."""
    year = draw(years(school_year=school_year))
    better = copy.deepcopy(year)
    scored = [s for s in better["subjects"] if s["kind"] == "score"]
    semester = draw(st.sampled_from(scored))[draw(st.sampled_from(["hk1", "hk2"]))]
    slot = draw(st.sampled_from(["midterm", "final", *range(len(semester["regular"]))]))
    holder, key = (semester["regular"], slot) if isinstance(slot, int) else (semester, slot)
    current = round(holder[key] * 10)
    holder[key] = draw(st.integers(min_value=current, max_value=100)) / 10
    return year, better


@given(raised())
def test_raising_any_one_score_never_lowers_a_result(
    pair: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    year, better = pair
    assert _not_lower(assess(year), assess(better))


@given(raised(school_year="2019-2020"))
def test_raising_any_one_score_never_lowers_a_legacy_result(
    pair: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    year, better = pair
    assert _not_lower(assess(year), assess(better))


@given(years())
def test_every_average_stays_between_0_and_10_with_one_decimal(year: dict[str, Any]) -> None:
    for subject in assess(year)["subjects"].values():
        for key in ("hk1", "hk2", "year"):
            if isinstance(subject[key], float):
                assert 0 <= subject[key] <= 10
                assert round(subject[key], 1) == subject[key]


@given(years(), st.randoms(use_true_random=False))
def test_the_result_does_not_depend_on_the_order_of_the_subjects(
    year: dict[str, Any], random: Any
) -> None:
    shuffled = copy.deepcopy(year)
    random.shuffle(shuffled["subjects"])
    assert assess(shuffled) == assess(year)


@given(years(), st.integers(min_value=46, max_value=300))
def test_more_than_45_sessions_absent_is_never_promoted(
    year: dict[str, Any], absences: int
) -> None:
    result = assess({**year, "absences": absences})
    assert result["promoted"] is False
    assert result["needs"] == []


@given(years(school_year="2018-2019"), st.integers(min_value=46, max_value=300))
def test_more_than_45_sessions_absent_is_never_promoted_in_a_legacy_year(
    year: dict[str, Any], absences: int
) -> None:
    assert assess({**year, "absences": absences})["promoted"] is False
