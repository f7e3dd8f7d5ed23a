"""The words the rules are written in: circulars, levels, comment results, titles."""

from __future__ import annotations

import re
from enum import StrEnum

from domain.assessment._errors import InvalidAssessmentInputError


class Circular(StrEnum):
    """The regulation a grade-year is assessed under."""

    C22 = "22/2021"
    """Circular 22/2021/TT-BGDĐT (the 2018 curriculum)."""
    C58 = "58/2011"
    """Circular 58/2011/TT-BGDĐT as amended by Circular 26/2020 (legacy grade-years)."""


class Level(StrEnum):
    """A Circular 22 level of academic result or conduct, best first."""

    T = "T"
    """Tốt."""
    K = "K"
    """Khá."""
    D = "D"
    """Đạt."""
    CD = "CD"
    """Chưa đạt."""


class Comment(StrEnum):
    """The result of a subject assessed by comment (and of one such assessment)."""

    D = "D"
    """Đạt."""
    CD = "CD"
    """Chưa đạt."""


class Title(StrEnum):
    """Circular 22 year-end honours."""

    XUAT_SAC = "XuatSac"
    """Học sinh Xuất sắc."""
    GIOI = "Gioi"
    """Học sinh Giỏi."""


class Conduct58(StrEnum):
    """Circular 58 hạnh kiểm, best first."""

    T = "T"
    """Tốt."""
    K = "K"
    """Khá."""
    TB = "TB"
    """Trung bình."""
    Y = "Y"
    """Yếu."""


class Learning58(StrEnum):
    """Circular 58 học lực, best first."""

    G = "G"
    """Giỏi."""
    K = "K"
    """Khá."""
    TB = "TB"
    """Trung bình."""
    Y = "Y"
    """Yếu."""
    KEM = "KEM"
    """Kém."""


class Title58(StrEnum):
    """Circular 58 year-end titles."""

    HOC_SINH_GIOI = "HocSinhGioi"
    """Học sinh Giỏi."""
    HOC_SINH_TIEN_TIEN = "HocSinhTienTien"
    """Học sinh Tiên tiến."""


def rank(level: Level | Conduct58 | Learning58 | Comment) -> int:
    """0 for the worst value of the level's scale, counting up: comparisons read as "at least"."""
    members = list(type(level))
    return len(members) - 1 - members.index(level)


MAX_ABSENCES = 45
"""Sessions (buổi) of absence, excused or not, above which a student is not promoted."""

_FIRST_C22_YEAR = {6: 2021, 7: 2022, 10: 2022, 8: 2023, 11: 2023, 9: 2024, 12: 2024}
"""The first school year (its starting calendar year) each grade is assessed under Circular 22."""


def circular_for(*, grade: int, school_year: str) -> Circular:
    """Which circular assesses ``grade`` in ``school_year`` ('2024-2025').

    Grade 6 from 2021-22; grades 7 and 10 from 2022-23; grades 8 and 11 from 2023-24; grades 9
    and 12 from 2024-25. Earlier grade-years keep Circular 58/2011.
    """
    if isinstance(grade, bool) or grade not in _FIRST_C22_YEAR:
        raise InvalidAssessmentInputError("grade", grade, "must be a whole number from 6 to 12")
    start = school_year_start(school_year)
    return Circular.C22 if start >= _FIRST_C22_YEAR[grade] else Circular.C58


_SCHOOL_YEAR = re.compile(r"([0-9]{4})-([0-9]{4})")


def school_year_start(school_year: str) -> int:
    """The calendar year a school year 'YYYY-YYYY+1' starts in; refuses any other spelling."""
    match = _SCHOOL_YEAR.fullmatch(school_year) if isinstance(school_year, str) else None
    if match is None or int(match[2]) != int(match[1]) + 1:
        raise InvalidAssessmentInputError(
            "school_year", school_year, "must be two consecutive years, as in '2024-2025'"
        )
    return int(match[1])
