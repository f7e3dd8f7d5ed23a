"""What ``assess_year`` returns: per-subject results, levels, decisions, honours."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Generic, TypeVar

from domain.assessment._vocabulary import Circular, Comment, Conduct58, Learning58, Level, Title58
from domain.assessment._vocabulary import Title as Title22

SUMMER_CONDUCT_TRAINING = "summer_conduct_training"
"""The ``needs`` entry for rèn luyện trong kì nghỉ hè."""

L = TypeVar("L", Level, Conduct58, Learning58)


@dataclass(frozen=True, slots=True)
class ScoredSubjectResult:
    """A scored subject's averages, one decimal each."""

    code: str
    """Catalogue code."""
    hk1: Decimal
    """ĐTBmhk of semester I."""
    hk2: Decimal
    """ĐTBmhk of semester II."""
    year: Decimal
    """ĐTBmcn, from the two rounded semester averages."""
    after_retest: Decimal | None = None
    """The retest score, which replaces ``year``; None unless a retest was needed and is known."""


@dataclass(frozen=True, slots=True)
class CommentSubjectResult:
    """A comment subject's results."""

    code: str
    """Catalogue code."""
    hk1: Comment
    """Semester I: Đạt when there are enough assessments and all are Đạt."""
    hk2: Comment
    """Semester II, same rule."""
    year: Comment
    """The year result is the semester II result."""
    after_retest: Comment | None = None
    """The re-assessment, which replaces ``year``; None unless one was needed and is known."""


SubjectResult = ScoredSubjectResult | CommentSubjectResult


@dataclass(frozen=True, slots=True)
class Standing(Generic[L]):
    """One scale's results over the year: academic result or conduct."""

    hk1: L
    """Semester I."""
    hk2: L
    """Semester II."""
    year: L
    """The year, before any retest or summer training."""
    after_reassessment: L | None = None
    """After the retests (academic) or the summer training (conduct); None until known."""


@dataclass(frozen=True, slots=True)
class Decisions:
    """The year-end decisions shared by both circulars."""

    promoted: bool | None
    """Lên lớp; None while a needed retest or re-evaluation is not known yet."""
    retests: tuple[str, ...]
    """Subject codes to retest (kiểm tra lại), in catalogue order."""
    summer_conduct_training: bool
    """Whether the student must do summer conduct training."""

    @property
    def needs(self) -> tuple[str, ...]:
        """The contracts.md ``needs`` list: ``retest:<CODE>`` per subject, then summer training."""
        trained = (SUMMER_CONDUCT_TRAINING,) if self.summer_conduct_training else ()
        return (*(f"retest:{code}" for code in self.retests), *trained)


@dataclass(frozen=True, slots=True)
class Circular22Result:
    """A year assessed under Circular 22."""

    subjects: tuple[SubjectResult, ...]
    """One per input subject, in input order."""
    academic: Standing[Level]
    """Kết quả học tập."""
    conduct: Standing[Level]
    """Kết quả rèn luyện."""
    decisions: Decisions
    """Promotion, retests, summer training."""
    title: Title22 | None
    """Học sinh Xuất sắc / Giỏi, or None."""
    circular: Circular = Circular.C22
    """Always Circular 22: lets a caller tell the two result kinds apart."""


@dataclass(frozen=True, slots=True)
class AllSubjectAverage:
    """Circular 58's all-subject average (ĐTBhk, ĐTBcn), one decimal each."""

    hk1: Decimal
    """ĐTBhk of semester I."""
    hk2: Decimal
    """ĐTBhk of semester II."""
    year: Decimal
    """ĐTBcn, from the subjects' year averages."""
    after_retest: Decimal | None = None
    """ĐTBcn recomputed with the retest scores; None unless retests were needed and are known."""


@dataclass(frozen=True, slots=True)
class Circular58Result:
    """A legacy year assessed under Circular 58/2011 (as amended by Circular 26/2020)."""

    subjects: tuple[SubjectResult, ...]
    """One per input subject, in input order."""
    average: AllSubjectAverage
    """The all-subject averages."""
    academic: Standing[Learning58]
    """Học lực."""
    conduct: Standing[Conduct58]
    """Hạnh kiểm."""
    decisions: Decisions
    """Promotion, retests, summer training."""
    title: Title58 | None
    """Học sinh Giỏi / Tiên tiến, or None."""
    circular: Circular = Circular.C58
    """Always Circular 58."""


YearResult = Circular22Result | Circular58Result
