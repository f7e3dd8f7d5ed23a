"""The demo's tracking book, and the transcripts built from it (REQ-04, REQ-14, REQ-18).

Each year the principal decides to open entry for semesters 1 and 2 and the administrator
carries it out; every subject teacher then enters the class's sheet of each semester
(``record_subject_scores``, the whole class at once) and the homeroom teacher the conduct and
absences (``record_homeroom_data``); finally academic affairs builds the class's transcripts
from the tracking book (``build_class_transcripts``). The values are the students' generated
year results (``workflow._demo_records``). Everything here happens before any transcript is
signed (a signed entry is frozen): last year on real dates of its two semesters, this year
early in the stretch between 1 September and ``now``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, Literal

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from domain.model import EntryPeriod, Transcript, WindowAction
from workflow._actor import Actor
from workflow._demo_calendar import DemoYear, so_far
from workflow._demo_data import SUBJECT_CODES, YearRef
from workflow._demo_plan import (
    ACADEMIC_AFFAIRS,
    HOMEROOM_TEACHERS,
    PRINCIPAL,
    SUBJECT_TEACHERS,
    TranscriptKey,
)
from workflow._demo_setup import ClassKey, DemoRoster
from workflow._tracking_entries import record_homeroom_data, record_subject_scores
from workflow._tracking_values import HomeroomEntry, SubjectEntry
from workflow._tracking_windows import carry_out_window_decision, decide_entry_window
from workflow._transcript_build import build_class_transcripts
from workflow._uow import UnitOfWork
from workflow._year_end import approve_year_end, propose_year_end

ADMINISTRATOR = "admin"
EntryAction = Literal["open_window", "scores", "homeroom", "review", "build", "decide_window"]
"""The use cases an entry step calls (``open_window``: the principal's decision and the
administrator carrying it out, at the same instant; ``review``: the homeroom teacher proposes
the year-end decisions and the principal approves them; ``decide_window``: a decision of the
principal left for the administrator to carry out)."""
UNBUILT: ClassKey = (YearRef.CURRENT, "6A2")
"""This year's class whose transcripts academic affairs has yet to build (its queue's work)."""
_CLOSE_DECISION = "Quyết định số 15/QĐ-PCT về việc khoá nhập điểm học kỳ I năm học {year}"
_DECISION = "Quyết định số {number}/QĐ-PCT về việc mở nhập điểm học kỳ {semester} năm học {year}"
_REAL = {
    ("open_window", 1): (9, 5, 7),
    ("open_window", 2): (1, 3, 7),
    ("scores", 1): (12, 22, 8),
    ("homeroom", 1): (12, 29, 9),
    ("scores", 2): (5, 11, 8),
    ("homeroom", 2): (5, 15, 9),
    ("review", 2): (5, 17, 14),
    ("build", 2): (5, 18, 8),
}
"""Last year: (month, day, hour) of each action of a semester."""
_SO_FAR = {
    ("open_window", 1): 0.02,
    ("open_window", 2): 0.03,
    ("scores", 1): 0.10,
    ("homeroom", 1): 0.17,
    ("scores", 2): 0.18,
    ("homeroom", 2): 0.26,
    ("review", 2): 0.29,
    ("build", 2): 0.30,
    ("decide_window", 1): 0.31,
}
"""This year: how far between 1 September and ``now`` (the subjects' signatures from 0.45)."""


@dataclass(frozen=True, slots=True)
class EntryStep:
    """One use case call of the tracking book (or of building the transcripts from it)."""

    at: datetime
    action: EntryAction
    year: YearRef
    login: str
    """Who acts (for a window: the principal, who decides)."""
    semester: int = 2
    klass: ClassKey | None = None
    """The class written or built (None for a window: the whole school's)."""
    subject_code: str | None = None
    decision: str | None = None
    """For a window: the principal's decision, as issued."""


def entry_steps(
    *, classes: list[ClassKey], years: dict[YearRef, DemoYear], now: datetime
) -> list[EntryStep]:
    """Every tracking-book call of the demo, in the order of their instants."""
    steps = [
        step
        for ref, year in years.items()
        for step in _year_steps([key for key in classes if key[0] is ref], year, now)
    ]
    return sorted(steps, key=lambda s: s.at)


def _year_steps(classes: list[ClassKey], year: DemoYear, now: datetime) -> Iterator[EntryStep]:
    def at(action: EntryAction, semester: int, position: int = 0) -> datetime:
        if year.ref is YearRef.PREVIOUS:
            return year.at(*_REAL[action, semester]) + timedelta(minutes=15 * position)
        return so_far(year, now=now, fraction=_SO_FAR[action, semester] + 0.005 * position)

    ref = year.ref
    for semester in (1, 2):
        wording = _DECISION.format(number=10 + semester, semester="I" * semester, year=year.name)
        yield EntryStep(
            at("open_window", semester), "open_window", ref, PRINCIPAL, semester, decision=wording
        )
        for key in classes:
            for position, code in enumerate(SUBJECT_CODES):
                teacher = SUBJECT_TEACHERS[key, code]
                when = at("scores", semester, position)
                yield EntryStep(when, "scores", ref, teacher, semester, key, code)
            yield EntryStep(
                at("homeroom", semester), "homeroom", ref, HOMEROOM_TEACHERS[key], semester, key
            )
    for key in classes:
        yield EntryStep(at("review", 2), "review", ref, PRINCIPAL, klass=key)
        if key != UNBUILT:
            yield EntryStep(at("build", 2), "build", ref, ACADEMIC_AFFAIRS, klass=key)
    if ref is YearRef.CURRENT:
        wording = _CLOSE_DECISION.format(year=year.name)
        yield EntryStep(
            at("decide_window", 1), "decide_window", ref, PRINCIPAL, 1, decision=wording
        )


def subject_entry(student_id: int, subject: dict[str, Any], semester: int) -> SubjectEntry:
    """A student's line of a subject for a semester, from their generated year results."""
    marks = subject[f"hk{semester}"]
    if subject["kind"] == "comment":
        results = [*marks["regular"], marks["midterm"], marks["final"]]
        return SubjectEntry(student_id, comment_results=results)
    return SubjectEntry(
        student_id,
        regular=[_score(mark) for mark in marks["regular"]],
        midterm=_score(marks["midterm"]),
        final=_score(marks["final"]),
    )


_HOMEROOM_COMMENTS = {
    "T": "Ngoan, chăm chỉ, tích cực tham gia các hoạt động của lớp.",
    "K": "Có ý thức học tập; cần mạnh dạn hơn trong các hoạt động chung.",
    "D": "Cần cố gắng hơn trong học tập và rèn luyện.",
    "CD": "Cần rèn luyện thêm ý thức kỷ luật; gia đình cần phối hợp với nhà trường.",
}
"""The homeroom teacher's comment (NhanXetGVCN) by the semester's conduct level."""


def homeroom_entry(student_id: int, year: dict[str, Any], semester: int) -> HomeroomEntry:
    """A student's conduct, absences and comment of a semester; the year's absences are split
    between the semesters (the first gets the smaller half)."""
    first = year["absences"] // 2
    absences = first if semester == 1 else year["absences"] - first
    conduct = year["conduct"][f"hk{semester}"]
    return HomeroomEntry(
        student_id, conduct=conduct, absences=absences, comment=_HOMEROOM_COMMENTS[conduct]
    )


def _score(mark: float) -> Decimal:
    return Decimal(str(mark))  # generated with one decimal: its shortest repr is exact


@dataclass
class Built:
    """The transcripts built so far: id and data of each, for the signing steps."""

    ids: dict[TranscriptKey, str] = field(default_factory=dict)
    data: dict[TranscriptKey, dict[str, Any]] = field(default_factory=dict)


class EntryPlayer:
    """Plays the entry steps, one use case (one transaction) each."""

    def __init__(
        self,
        engine: Engine,
        roster: DemoRoster,
        results: dict[TranscriptKey, dict[str, Any]],
        actor: Callable[[str, datetime], Actor],
    ) -> None:
        self._engine, self._roster, self._results, self._actor = engine, roster, results, actor
        self.built = Built()

    def play(self, step: EntryStep) -> None:
        """Run one step; a refusal raises the use case's error (a bug in the script)."""
        if step.action in ("open_window", "decide_window"):
            self._window(step, carry_out=step.action == "open_window")
            return
        assert step.klass is not None  # the other steps name their class
        uow, actor = UnitOfWork(self._engine), self._actor(step.login, step.at)
        class_id = self._roster.class_ids[step.klass]
        students = self._roster.students[step.klass]
        years = [self._results[step.klass, index] for index in range(len(students))]
        if step.action == "review":
            self._review_year(step.klass, class_id, step.at)
        elif step.action == "build":
            build_class_transcripts(uow, class_id=class_id, actor=actor, now=step.at)
            self._note_built(step.klass, students)
        elif step.action == "scores":
            assert step.subject_code is not None
            lines = [
                subject_entry(sid, year["subjects"][step.subject_code], step.semester)
                for sid, year in zip(students, years, strict=True)
            ]
            record_subject_scores(
                uow, class_id=class_id, subject_code=step.subject_code, semester=step.semester,
                lines=lines, actor=actor, now=step.at,
            )  # fmt: skip
        else:
            entries = [
                homeroom_entry(sid, year, step.semester)
                for sid, year in zip(students, years, strict=True)
            ]
            record_homeroom_data(
                uow, class_id=class_id, semester=step.semester, entries=entries, actor=actor,
                now=step.at,
            )  # fmt: skip

    def _review_year(self, key: ClassKey, class_id: int, at: datetime) -> None:
        # An annual transcript (CaNam) is signed as XML, which needs the year-end decisions
        # (DuocLenLop, DanhHieu): the homeroom teacher proposes them, the principal approves.
        homeroom = self._actor(HOMEROOM_TEACHERS[key], at)
        propose_year_end(UnitOfWork(self._engine), class_id=class_id, actor=homeroom, now=at)
        principal = self._actor(PRINCIPAL, at)
        approve_year_end(UnitOfWork(self._engine), class_id=class_id, actor=principal, now=at)

    def _note_built(self, key: ClassKey, students: tuple[int, ...]) -> None:
        with Session(self._engine) as session:
            rows = session.exec(
                select(Transcript).where(
                    Transcript.class_id == self._roster.class_ids[key],
                    col(Transcript.student_id).in_(students),
                )
            ).all()
        by_student = {row.student_id: row for row in rows}
        for index, sid in enumerate(students):
            self.built.ids[key, index] = by_student[sid].id
            self.built.data[key, index] = by_student[sid].data

    def _window(self, step: EntryStep, *, carry_out: bool) -> None:
        assert step.decision is not None  # a window step carries the decision's wording
        decision = decide_entry_window(
            UnitOfWork(self._engine),
            school_id=self._roster.school_id,
            school_year_id=self._roster.year_ids[step.year],
            period=EntryPeriod.of_semester(step.semester),
            action=WindowAction.OPEN if carry_out else WindowAction.CLOSE,
            decision=step.decision,
            actor=self._actor(step.login, step.at),
            now=step.at,
        )
        if not carry_out:
            return
        carry_out_window_decision(
            UnitOfWork(self._engine),
            decision_id=decision,
            actor=self._actor(ADMINISTRATOR, step.at),
            now=step.at,
        )
