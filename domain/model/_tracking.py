"""The tracking book (sổ theo dõi và đánh giá): score sheets, homeroom data, entry windows and
corrections of signed entries (REQ-14, REQ-15, REQ-18).

Scores are stored as text with exactly one decimal (``"8.5"``, ``"10.0"``): text round-trips
exactly on SQLite and PostgreSQL alike (a JSON number or a SQLite NUMERIC may come back as a
binary float), and ``decimal.Decimal(text)`` gives back the value entered. The workflow turns
them into ``Decimal`` both ways; nothing else writes these tables.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

import sqlalchemy as sa
from sqlmodel import JSON, Column, Field, SQLModel

from domain.model._columns import enum_column, utc_column
from domain.model._enums import (
    ConductLevel,
    CorrectionStatus,
    EntryPeriod,
    Honour,
    WindowAction,
    WindowDecisionStatus,
    YearEndOutcome,
)


def _row_version() -> sa.Column[int]:
    # One Column per table, shared with __mapper_args__: a concurrent writer of the same row
    # gets a StaleDataError (→ ConflictError) instead of silently overwriting (library-notes).
    return sa.Column("row_version", sa.Integer, nullable=False)


def _semester_check() -> sa.CheckConstraint:
    return sa.CheckConstraint("semester IN (1, 2)", name="semester")


_score_version = _row_version()


class ScoreLine(SQLModel, table=True):
    """One student's line of a subject's score sheet for one semester.

    A scored subject fills ``regular`` (ĐĐGtx), ``midterm`` (ĐĐGgk) and ``final`` (ĐĐGck); a
    comment subject fills ``comment_results`` (Đạt/Chưa đạt) instead. A line may be partial
    during the semester (fewer regular scores, no mid-term or final yet).
    """

    __tablename__ = "score_lines"
    __table_args__ = (
        sa.UniqueConstraint("student_id", "class_id", "subject_code", "semester"),
        sa.Index("ix_score_lines_sheet", "class_id", "subject_code", "semester"),
        _semester_check(),
    )
    __mapper_args__: ClassVar[dict[str, Any]] = {"version_id_col": _score_version}

    id: int | None = Field(default=None, primary_key=True)
    student_id: int = Field(foreign_key="students.id")
    class_id: int = Field(foreign_key="classes.id")
    subject_code: str = Field(foreign_key="subjects.code", max_length=16)
    semester: int
    """1 or 2 (học kỳ I, II)."""
    regular: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    """Regular assessment scores in the order given, as one-decimal text."""
    midterm: str | None = Field(default=None, max_length=4)
    final: str | None = Field(default=None, max_length=4)
    comment_results: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    """A comment subject's assessment results, ``D`` or ``CD`` each."""
    remark: str = Field(default="", max_length=2000)
    """The subject teacher's comment (nhận xét)."""
    updated_at: datetime = Field(sa_column=utc_column())
    updated_by_id: int = Field(foreign_key="people.id")
    row_version: int | None = Field(default=None, sa_column=_score_version)


_homeroom_version = _row_version()


class HomeroomRecord(SQLModel, table=True):
    """What the homeroom teacher records for a student each semester."""

    __tablename__ = "homeroom_records"
    __table_args__ = (
        sa.UniqueConstraint("student_id", "class_id", "semester"),
        sa.Index("ix_homeroom_records_class", "class_id", "semester"),
        _semester_check(),
    )
    __mapper_args__: ClassVar[dict[str, Any]] = {"version_id_col": _homeroom_version}

    id: int | None = Field(default=None, primary_key=True)
    student_id: int = Field(foreign_key="students.id")
    class_id: int = Field(foreign_key="classes.id")
    semester: int
    conduct: ConductLevel | None = Field(default=None, sa_type=enum_column(ConductLevel))
    """Kết quả rèn luyện of the semester: T, K, D or CD."""
    absences: int | None = Field(default=None, ge=0)
    """Sessions (buổi) missed in the semester, excused or not."""
    comment: str = Field(default="", max_length=2000)
    """The homeroom teacher's comment on the semester."""
    updated_at: datetime = Field(sa_column=utc_column())
    updated_by_id: int = Field(foreign_key="people.id")
    row_version: int | None = Field(default=None, sa_column=_homeroom_version)


_year_end_version = _row_version()


class YearEndRecord(SQLModel, table=True):
    """A student's year-end review in a class (REQ-19, REQ-20), written by ``workflow``.

    The homeroom teacher's proposal (computed by the assessment engine from the tracking
    book), the principal's approval, and the results entered in the supplementary period.
    ``supplementary`` is set by the approval only: the entry rules and the lock dates read it,
    so an unapproved proposal never moves a student's lock date.
    """

    __tablename__ = "year_end_records"
    __table_args__ = (sa.UniqueConstraint("student_id", "class_id"),)
    __mapper_args__: ClassVar[dict[str, Any]] = {"version_id_col": _year_end_version}

    id: int | None = Field(default=None, primary_key=True)
    student_id: int = Field(foreign_key="students.id")
    class_id: int = Field(foreign_key="classes.id", index=True)
    outcome: YearEndOutcome | None = Field(default=None, sa_type=enum_column(YearEndOutcome))
    """What the homeroom teacher proposes (computed by the assessment engine)."""
    honour: Honour | None = Field(default=None, sa_type=enum_column(Honour))
    supplementary: bool = Field(default=False)
    """In the retest / summer-training group, whose data locks on the supplementary date."""
    retests: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    """The subjects to retest (kiểm tra lại) the proposal found, in catalogue order."""
    summer_training: bool = Field(default=False)
    """Whether the proposal found summer conduct training (rèn luyện trong hè) needed."""
    retest: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    """Subject code → retest result (one-decimal text, or D/CD for a comment subject)."""
    conduct_after_summer: ConductLevel | None = Field(
        default=None, sa_type=enum_column(ConductLevel)
    )
    """The conduct re-evaluated after summer training."""
    promoted: bool | None = Field(default=None)
    """Lên lớp as decided so far: None while a retest or the summer re-evaluation is awaited."""
    basis_sha256: str | None = Field(default=None, max_length=64)
    """Fingerprint of the tracking-book entries the proposal was computed from: the approval
    is refused if they changed since."""
    proposed_by_id: int | None = Field(default=None, foreign_key="people.id")
    proposed_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    approved_by_id: int | None = Field(default=None, foreign_key="people.id")
    """The principal who approved the year-end lists."""
    approved_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    updated_at: datetime = Field(sa_column=utc_column())
    updated_by_id: int = Field(foreign_key="people.id")
    row_version: int | None = Field(default=None, sa_column=_year_end_version)


_decision_version = _row_version()


class EntryWindowDecision(SQLModel, table=True):
    """The principal's decision to open or close data entry for a period (REQ-18).

    It changes nothing by itself: the window moves when the administrator carries it out.
    """

    __tablename__ = "entry_window_decisions"
    __table_args__ = (
        sa.Index("ix_entry_window_decisions_window", "school_id", "school_year_id", "period"),
    )
    __mapper_args__: ClassVar[dict[str, Any]] = {"version_id_col": _decision_version}

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="schools.id")
    school_year_id: int = Field(foreign_key="school_years.id")
    period: EntryPeriod = Field(sa_type=enum_column(EntryPeriod))
    action: WindowAction = Field(sa_type=enum_column(WindowAction))
    decision: str = Field(max_length=1000)
    """The decision as issued: its number or its wording."""
    effective_at: datetime = Field(sa_column=utc_column())
    """Not carried out before this instant (the schedule the principal set)."""
    decided_by_id: int = Field(foreign_key="people.id")
    decided_at: datetime = Field(sa_column=utc_column())
    status: WindowDecisionStatus = Field(
        default=WindowDecisionStatus.PENDING, sa_type=enum_column(WindowDecisionStatus)
    )
    carried_out_by_id: int | None = Field(default=None, foreign_key="people.id")
    carried_out_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    row_version: int | None = Field(default=None, sa_column=_decision_version)


_window_version = _row_version()


class EntryWindow(SQLModel, table=True):
    """Whether data entry is open for a school, year and period, and who made it so.

    No row means the window was never opened: closed. Closed means read-only.
    """

    __tablename__ = "entry_windows"
    __table_args__ = (sa.UniqueConstraint("school_id", "school_year_id", "period"),)
    __mapper_args__: ClassVar[dict[str, Any]] = {"version_id_col": _window_version}

    id: int | None = Field(default=None, primary_key=True)
    school_id: int = Field(foreign_key="schools.id")
    school_year_id: int = Field(foreign_key="school_years.id")
    period: EntryPeriod = Field(sa_type=enum_column(EntryPeriod))
    is_open: bool = Field(default=False)
    decision_id: int = Field(foreign_key="entry_window_decisions.id")
    """The decision last carried out."""
    decided_by_id: int = Field(foreign_key="people.id")
    """The principal who decided the current state."""
    decided_at: datetime = Field(sa_column=utc_column())
    carried_out_by_id: int = Field(foreign_key="people.id")
    """The administrator who carried it out."""
    carried_out_at: datetime = Field(sa_column=utc_column())
    row_version: int | None = Field(default=None, sa_column=_window_version)


_correction_version = _row_version()


class EntryCorrection(SQLModel, table=True):
    """A teacher's request to change an entry already signed on a transcript (REQ-15).

    ``subject_code`` names the score line corrected; None means the homeroom record.
    ``current`` and ``proposed`` hold the entry's values (the stored form) when requested
    and as proposed. The principal approves (applied at once) or rejects.
    """

    __tablename__ = "entry_corrections"
    __table_args__ = (
        sa.Index("ix_entry_corrections_class", "class_id", "status"),
        _semester_check(),
    )
    __mapper_args__: ClassVar[dict[str, Any]] = {"version_id_col": _correction_version}

    id: int | None = Field(default=None, primary_key=True)
    transcript_id: str = Field(foreign_key="transcripts.id", index=True, max_length=36)
    """The transcript whose signature froze the entry: approval reopens it."""
    student_id: int = Field(foreign_key="students.id")
    class_id: int = Field(foreign_key="classes.id")
    semester: int
    subject_code: str | None = Field(default=None, foreign_key="subjects.code", max_length=16)
    current: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    proposed: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    reason: str = Field(max_length=1000)
    status: CorrectionStatus = Field(
        default=CorrectionStatus.PENDING, sa_type=enum_column(CorrectionStatus)
    )
    requested_by_id: int = Field(foreign_key="people.id")
    requested_at: datetime = Field(sa_column=utc_column())
    decided_by_id: int | None = Field(default=None, foreign_key="people.id")
    decided_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    decision_note: str | None = Field(default=None, max_length=1000)
    row_version: int | None = Field(default=None, sa_column=_correction_version)
