"""One student's school year as the rules read it: the typed input of ``assess_year``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from domain.assessment._vocabulary import Comment, Conduct58, Level


@dataclass(frozen=True, slots=True)
class ScoredSemester:
    """A scored subject's assessments in one semester."""

    regular: tuple[Decimal, ...]
    """The regular assessments (ĐĐGtx), as many as the subject's periods require."""
    midterm: Decimal
    """The mid-term assessment (ĐĐGgk), weight 2."""
    final: Decimal
    """The end-of-term assessment (ĐĐGck), weight 3."""


@dataclass(frozen=True, slots=True)
class ScoredSubject:
    """A subject assessed by comment combined with a score (0–10, one decimal)."""

    code: str
    """Catalogue code (``TOAN``)."""
    periods_per_year: int
    """Teaching periods a year: decides how many regular assessments each semester has."""
    hk1: ScoredSemester
    """Semester I."""
    hk2: ScoredSemester
    """Semester II."""


@dataclass(frozen=True, slots=True)
class CommentSubject:
    """A subject assessed by comment only (Đạt / Chưa đạt)."""

    code: str
    """Catalogue code (``GDTC``)."""
    hk1: tuple[Comment, ...]
    """Semester I assessments, in order."""
    hk2: tuple[Comment, ...]
    """Semester II assessments, in order."""
    periods_per_year: int | None = None
    """Teaching periods a year, when known; the rules do not use it for comment subjects."""


Subject = ScoredSubject | CommentSubject
Conduct = Level | Conduct58
"""Conduct as entered: a Circular 22 level, or a Circular 58 hạnh kiểm for legacy years."""
Retest = Decimal | Comment
"""A retest result: a score for a scored subject, Đạt / Chưa đạt for a comment subject."""


@dataclass(frozen=True, slots=True)
class YearInput:
    """Everything the year-end assessment of one student needs (contracts.md, `hocba assess`)."""

    grade: int
    """6–9 lower secondary, 10–12 upper secondary; with ``school_year`` it picks the circular."""
    school_year: str
    """'2024-2025'."""
    subjects: tuple[Subject, ...]
    """Each subject once; the order does not matter."""
    conduct_hk1: Conduct
    """The homeroom teacher's conduct assessment for semester I."""
    conduct_hk2: Conduct
    """… and for semester II."""
    absences: int = 0
    """Sessions (buổi) absent in the year, excused or not."""
    retest: Mapping[str, Retest] = field(default_factory=dict)
    """Retest (kiểm tra lại / đánh giá lại) results by subject code, once they are known."""
    conduct_after_summer: Conduct | None = None
    """Conduct re-evaluated after summer training, once known."""
