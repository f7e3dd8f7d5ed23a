"""The tracking book's values: what a caller enters, and the one checked form that is stored,
compared, fingerprinted in the audit log and read back.

Entered scores may be numbers or text (``8.5``, ``"8,5"``); ``workflow._tracking_checks``
checks every one. Checked scores are ``Decimal`` with one decimal; they are stored as text
(``"8.5"``), which round-trips exactly on every backend.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from domain.model import CommentResult, ConductLevel, HomeroomRecord, ScoreLine, SubjectKind

ScoreInput = Decimal | int | float | str
"""A score as entered: a number, or text with a decimal point or comma."""


@dataclass(frozen=True, slots=True)
class SubjectEntry:
    """One student's line of a subject's sheet for a semester, as entered.

    The line replaces the stored one whole: what is left out is empty afterwards. A scored
    subject takes ``regular``, ``midterm`` and ``final``; a comment subject takes
    ``comment_results`` (``"D"`` or ``"CD"`` each). ``remark`` is the teacher's comment.
    """

    student_id: int
    regular: Sequence[ScoreInput] = ()
    midterm: ScoreInput | None = None
    final: ScoreInput | None = None
    comment_results: Sequence[str] = ()
    remark: str = ""


@dataclass(frozen=True, slots=True)
class HomeroomEntry:
    """What the homeroom teacher enters for one student and semester (replaces it whole)."""

    student_id: int
    conduct: str | None = None
    """``T``, ``K``, ``D`` or ``CD`` (kết quả rèn luyện); None until assessed."""
    absences: int | None = None
    """Sessions (buổi) missed in the semester, excused or not."""
    comment: str = ""


def _text(score: Decimal | None) -> str | None:
    return None if score is None else str(score)


def _score(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


@dataclass(frozen=True, slots=True)
class SubjectValues:
    """A score line's values, checked."""

    regular: tuple[Decimal, ...] = ()
    midterm: Decimal | None = None
    final: Decimal | None = None
    comment_results: tuple[CommentResult, ...] = ()
    remark: str = ""

    def stored(self) -> dict[str, Any]:
        """The JSON-ready form (scores as one-decimal text), as kept and fingerprinted."""
        return {
            "regular": [str(s) for s in self.regular],
            "midterm": _text(self.midterm),
            "final": _text(self.final),
            "comment_results": [r.value for r in self.comment_results],
            "remark": self.remark,
        }

    @classmethod
    def from_stored(cls, data: Mapping[str, Any]) -> SubjectValues:
        """The values back from their stored form."""
        return cls(
            regular=tuple(Decimal(s) for s in data["regular"]),
            midterm=_score(data["midterm"]),
            final=_score(data["final"]),
            comment_results=tuple(CommentResult(r) for r in data["comment_results"]),
            remark=data["remark"],
        )

    @classmethod
    def of_line(cls, line: ScoreLine | None) -> SubjectValues:
        """A stored line's values (an absent line is empty)."""
        if line is None:
            return cls()
        return cls(
            regular=tuple(Decimal(s) for s in line.regular),
            midterm=_score(line.midterm),
            final=_score(line.final),
            comment_results=tuple(CommentResult(r) for r in line.comment_results),
            remark=line.remark,
        )

    def write_to(self, line: ScoreLine) -> None:
        """Put the values on ``line`` (new lists, so the JSON columns are seen as changed)."""
        line.regular = [str(s) for s in self.regular]
        line.midterm = _text(self.midterm)
        line.final = _text(self.final)
        line.comment_results = [r.value for r in self.comment_results]
        line.remark = self.remark

    def as_entry(self, student_id: int) -> SubjectEntry:
        """The same values as an entry, to be checked again (a correction being applied)."""
        return SubjectEntry(
            student_id=student_id,
            regular=self.regular,
            midterm=self.midterm,
            final=self.final,
            comment_results=tuple(r.value for r in self.comment_results),
            remark=self.remark,
        )


@dataclass(frozen=True, slots=True)
class HomeroomValues:
    """A homeroom record's values, checked."""

    conduct: ConductLevel | None = None
    absences: int | None = None
    comment: str = ""

    def stored(self) -> dict[str, Any]:
        """The JSON-ready form, as kept and fingerprinted."""
        conduct = None if self.conduct is None else self.conduct.value
        return {"conduct": conduct, "absences": self.absences, "comment": self.comment}

    @classmethod
    def from_stored(cls, data: Mapping[str, Any]) -> HomeroomValues:
        """The values back from their stored form."""
        conduct = data["conduct"]
        return cls(
            conduct=None if conduct is None else ConductLevel(conduct),
            absences=data["absences"],
            comment=data["comment"],
        )

    @classmethod
    def of_record(cls, record: HomeroomRecord | None) -> HomeroomValues:
        """A stored record's values (an absent record is empty)."""
        if record is None:
            return cls()
        conduct = None if record.conduct is None else ConductLevel(record.conduct)
        return cls(conduct=conduct, absences=record.absences, comment=record.comment)

    def write_to(self, record: HomeroomRecord) -> None:
        """Put the values on ``record``."""
        record.conduct, record.absences, record.comment = self.conduct, self.absences, self.comment

    def as_entry(self, student_id: int) -> HomeroomEntry:
        """The same values as an entry, to be checked again."""
        conduct = None if self.conduct is None else self.conduct.value
        return HomeroomEntry(student_id, conduct, self.absences, self.comment)


@dataclass(frozen=True, slots=True)
class SheetSubject:
    """A subject as a class studies it this year, and what its lines may hold."""

    code: str
    name: str
    kind: SubjectKind
    periods_per_year: int
    regular_count: int
    """The most regular assessments (ĐĐGtx) a semester, by the periods (Circular 22)."""

    @property
    def comment_count(self) -> int:
        """The most results a comment subject has a semester: its regular assessments, the
        mid-term and the end-of-term one, each Đạt or Chưa đạt."""
        return self.regular_count + 2
