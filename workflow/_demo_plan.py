"""What the demo's transcripts go through, by whom and when: the script the seed plays.

Last year's steps fall on real dates of its May–June signing season and its lock; this year's
fall between 1 September and ``now``, spread so that their order is kept.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from domain.model import Role
from workflow._demo_calendar import DemoYear, so_far
from workflow._demo_data import ACCOUNTS, SUBJECT_CODES, YearRef
from workflow._demo_setup import ClassKey
from workflow._signing_steps import SigningStep

Action = Literal["sign", "finalize", "request_correction"]
"""The use case a step calls (the transcripts are built from the tracking book beforehand:
``workflow._demo_tracking``)."""
TranscriptKey = tuple[ClassKey, int]
"""A transcript of the demo: its class and the student's place in the class list."""

PRINCIPAL, CLERK, ACADEMIC_AFFAIRS = "hieutruong", "vanthu", "hocvu"
CORRECTED_STUDENT = 4
"""Last year's student whose finalized transcript awaits a correction (not ``hs.demo``)."""


@dataclass(frozen=True, slots=True)
class Progress:
    """How far one transcript is taken."""

    subjects: frozenset[str]
    """Subjects whose teacher has signed."""
    last_step: SigningStep | None = None
    """The last step signed after the subject teachers (homeroom, principal or school)."""
    finalized: bool = False
    """Issued at the year's lock (by the scheduler's actor)."""
    correction: bool = False
    """Then, this year, the principal asks the Department to correct it."""


_ALL = frozenset(SUBJECT_CODES)
_LATER_STEPS = (SigningStep.HOMEROOM, SigningStep.PRINCIPAL, SigningStep.SCHOOL)


def planned_progress(key: ClassKey, index: int) -> Progress:
    """Where the ``index``-th transcript of a class stands once the demo is seeded.

    Last year: all finalized, one with a pending correction request. This year: 6A1 is
    partly subject-signed (three complete, Toán and KHTN still open for the others), 6A2's
    transcripts are not built yet (academic affairs' work: ``workflow._demo_tracking.UNBUILT``),
    and 7A1 has three transcripts waiting for each of the clerk, the principal and the
    homeroom teacher, the rest still missing Toán and Ngoại ngữ 1.
    """
    ref, name = key
    if ref is YearRef.PREVIOUS:
        correction = index == CORRECTED_STUDENT
        return Progress(_ALL, SigningStep.SCHOOL, finalized=True, correction=correction)
    if name == "6A1":
        return Progress(_ALL if index < 3 else _ALL - {"TOAN", "KHTN"})
    if name == "6A2":
        return Progress(frozenset())
    waiting_for_clerk, waiting_for_principal, waiting_for_homeroom = range(3)
    stage = index // 3
    if stage == waiting_for_clerk:
        return Progress(_ALL, SigningStep.PRINCIPAL)
    if stage == waiting_for_principal:
        return Progress(_ALL, SigningStep.HOMEROOM)
    if stage == waiting_for_homeroom:
        return Progress(_ALL)
    return Progress(_ALL - {"TOAN", "NGOAINGU1"})


def _teachers() -> tuple[dict[tuple[ClassKey, str], str], dict[ClassKey, str]]:
    subject: dict[tuple[ClassKey, str], str] = {}
    homeroom: dict[ClassKey, str] = {}
    for account in ACCOUNTS:
        for duty in account.duties:
            if duty.year is None or duty.class_name is None:
                continue
            key = (duty.year, duty.class_name)
            if duty.role is Role.SUBJECT_TEACHER and duty.subject_code:
                subject[key, duty.subject_code] = account.username
            elif duty.role is Role.HOMEROOM_TEACHER:
                homeroom[key] = account.username
    return subject, homeroom


SUBJECT_TEACHERS, HOMEROOM_TEACHERS = _teachers()
"""The login on duty for each (class, subject), and the homeroom teacher of each class."""
_SIGNERS = {SigningStep.PRINCIPAL: PRINCIPAL, SigningStep.SCHOOL: CLERK}


@dataclass(frozen=True, slots=True)
class Step:
    """One use case call of the script."""

    at: datetime
    action: Action
    transcript: TranscriptKey
    login: str | None
    """Who acts; None for the scheduler (the lock)."""
    step: SigningStep | None = None
    subject_code: str | None = None


class _Timing:
    """When each kind of step happens in a year (last year: real dates; this year: so far)."""

    def __init__(self, year: DemoYear, now: datetime) -> None:
        self.year, self.now = year, now

    def _point(self, fraction: float, month: int, day: int, hour: int) -> datetime:
        if self.year.ref is YearRef.CURRENT:
            return so_far(self.year, now=self.now, fraction=fraction)
        return self.year.at(month, day, hour)

    def subject(self, position: int) -> datetime:
        if self.year.ref is YearRef.CURRENT:
            return so_far(self.year, now=self.now, fraction=0.45 + 0.03 * position)
        return self.year.at(5, 25, 14) + timedelta(days=position)

    def later(self, step: SigningStep) -> datetime:
        fraction, day = {
            SigningStep.HOMEROOM: (0.86, 10),
            SigningStep.PRINCIPAL: (0.90, 15),
            SigningStep.SCHOOL: (0.93, 20),
        }[step]
        return self._point(fraction, 6, day, 9)

    def correction(self) -> datetime:
        return so_far(self.year, now=self.now, fraction=0.95)


def plan_steps(
    *, class_sizes: dict[ClassKey, int], years: dict[YearRef, DemoYear], now: datetime
) -> list[Step]:
    """Every use case call, in the order of their instants (all at or before ``now``)."""
    current = _Timing(years[YearRef.CURRENT], now)
    steps = [
        step
        for key, size in class_sizes.items()
        for index in range(size)
        for step in _transcript_steps((key, index), _Timing(years[key[0]], now), current)
    ]
    return sorted(steps, key=lambda s: s.at)  # stable: a transcript's own steps keep their order


def _transcript_steps(target: TranscriptKey, timing: _Timing, current: _Timing) -> Iterator[Step]:
    key, index = target
    plan = planned_progress(key, index)
    for position, code in enumerate(SUBJECT_CODES):
        if code in plan.subjects:
            teacher = SUBJECT_TEACHERS[key, code]
            yield Step(timing.subject(position), "sign", target, teacher, SigningStep.SUBJECT, code)
    reached = _LATER_STEPS.index(plan.last_step) + 1 if plan.last_step else 0
    for step in _LATER_STEPS[:reached]:
        signer = HOMEROOM_TEACHERS[key] if step is SigningStep.HOMEROOM else _SIGNERS[step]
        yield Step(timing.later(step), "sign", target, signer, step)
    if plan.finalized:
        yield Step(timing.year.main_lock_at, "finalize", target, None)
    if plan.correction:
        yield Step(current.correction(), "request_correction", target, PRINCIPAL)
