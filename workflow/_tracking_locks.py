"""When the tracking book may change: entry windows, lock dates and signed entries.

- A semester's data is written only while its entry window is open (REQ-18); a window
  never opened is closed.
- From the year's main lock date on, nobody writes, except for a student of the
  supplementary group (retest, summer conduct training: REQ-20), while the supplementary
  window is open and until the supplementary lock date.
- An entry signed on the student's transcript is frozen (REQ-16, REQ-21): only an entry
  correction approved by the principal changes it (REQ-15). A subject's line is signed by
  its teacher's ``GVBM:<code>`` signature and by every later one (``GVCN`` — the homeroom
  teacher signs the class's results —, ``HieuTruong``, ``DonVi``); the homeroom data by the
  later ones. The same slots are the ones a correction of that entry invalidates.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm.attributes import flag_modified
from sqlmodel import Session, col, select

from domain.model import (
    EntryPeriod,
    EntryWindow,
    SlotKind,
    Transcript,
    TranscriptSignature,
    TranscriptStatus,
    YearEndRecord,
    slot_name,
)
from workflow._errors import DataLockedError, EntrySignedError, EntryWindowClosedError
from workflow._tracking_scope import ClassYear
from workflow._transfer_freeze import check_not_transferred

LATER_SLOTS = frozenset({SlotKind.GVCN.value, SlotKind.HIEU_TRUONG.value, SlotKind.DON_VI.value})
"""The signatures that cover every entry of the transcript, homeroom data included."""


def covering_slots(subject_code: str | None) -> frozenset[str]:
    """The slots that sign a subject's line (``subject_code``) or the homeroom data (None)."""
    if subject_code is None:
        return LATER_SLOTS
    return LATER_SLOTS | {slot_name(SlotKind.GVBM, subject_code)}


def window_is_open(session: Session, where: ClassYear, period: EntryPeriod) -> bool:
    """Whether the school's entry window for ``period`` of the year is open."""
    window = session.exec(
        select(EntryWindow).where(
            EntryWindow.school_id == where.klass.school_id,
            EntryWindow.school_year_id == where.year.id,
            EntryWindow.period == period,
        )
    ).first()
    return window is not None and window.is_open


def supplementary_group(
    session: Session, where: ClassYear, student_ids: Iterable[int]
) -> frozenset[int]:
    """The students of the class in the retest / summer-training group (REQ-20).

    The tracking book's year-end record says so; until the year-end review writes it, a
    current transcript marked supplementary counts too (the workflow's lock date reads that
    flag), so the two never disagree about a student's lock date.
    """
    ids = list(student_ids)
    by_review = session.exec(
        select(YearEndRecord.student_id).where(
            YearEndRecord.class_id == where.class_id,
            col(YearEndRecord.student_id).in_(ids),
            col(YearEndRecord.supplementary).is_(True),
        )
    ).all()
    by_transcript = session.exec(
        select(Transcript.student_id).where(
            Transcript.school_year_id == where.year.id,
            col(Transcript.student_id).in_(ids),
            col(Transcript.supplementary).is_(True),
            Transcript.status != TranscriptStatus.SUPERSEDED,
        )
    ).all()
    return frozenset(by_review) | frozenset(by_transcript)


def _lock_passed(lock_at: datetime, year: str) -> DataLockedError:
    when = lock_at.isoformat()
    return DataLockedError(
        f"the lock date {when} of {year} has passed",
        f"đã qua thời hạn khoá dữ liệu {when} năm học {year}",
    )


def check_before_lock(
    session: Session, where: ClassYear, *, student_ids: Iterable[int], now: datetime
) -> frozenset[int]:
    """Refuse if a student's data is locked at ``now`` (or read-only at a school they
    transferred away from); return those still open only because they are in the
    supplementary group (empty before the main lock date)."""
    year = where.year
    ids = list(student_ids)
    assert year.id is not None  # a stored row
    check_not_transferred(
        session, school_id=where.klass.school_id, school_year_id=year.id, student_ids=ids
    )
    if now < year.main_lock_at:
        return frozenset()
    group = supplementary_group(session, where, ids)
    if any(sid not in group for sid in ids):
        raise _lock_passed(year.main_lock_at, year.name)
    if now >= year.supplementary_lock_at:
        raise _lock_passed(year.supplementary_lock_at, year.name)
    return group


def check_entry_open(
    session: Session,
    where: ClassYear,
    *,
    semester: int,
    student_ids: Iterable[int],
    now: datetime,
) -> None:
    """Refuse unless the students' data of ``semester`` may be written at ``now``."""
    late = check_before_lock(session, where, student_ids=student_ids, now=now)
    period = EntryPeriod.SUPPLEMENTARY if late else EntryPeriod.of_semester(semester)
    if not window_is_open(session, where, period):
        raise EntryWindowClosedError(period.value, where.year.name)


def check_before_main_lock(where: ClassYear, *, now: datetime) -> None:
    """Refuse from the year's main lock date on (the year-end review happens before it)."""
    if now >= where.year.main_lock_at:
        raise _lock_passed(where.year.main_lock_at, where.year.name)


def check_supplementary_open(session: Session, where: ClassYear, *, now: datetime) -> None:
    """Refuse unless supplementary results (retests, conduct after summer training) may be
    written at ``now``: before the supplementary lock date, with the supplementary window
    open. Whether the student is in the group is the caller's to check."""
    year = where.year
    if now >= year.supplementary_lock_at:
        raise _lock_passed(year.supplementary_lock_at, year.name)
    if not window_is_open(session, where, EntryPeriod.SUPPLEMENTARY):
        raise EntryWindowClosedError(EntryPeriod.SUPPLEMENTARY.value, year.name)


@dataclass(frozen=True, slots=True)
class LiveSignature:
    """A live signature on a current transcript of a student of the class."""

    student_id: int
    transcript_id: str
    slot: str


def live_signatures(
    session: Session, where: ClassYear, student_ids: Iterable[int], *, for_writing: bool = False
) -> list[LiveSignature]:
    """The live signatures on the students' current transcripts of the class's year.

    A superseded version keeps its signatures (they are history, never archived): only the
    versions still in force count. ``for_writing``: the caller is about to change the
    students' entries on the strength of this answer, so the transcripts are held first
    (``hold_current_transcripts``).
    """
    ids = list(student_ids)
    if for_writing:
        hold_current_transcripts(session, where, ids)
    rows = session.exec(
        select(Transcript.student_id, Transcript.id, TranscriptSignature.slot)
        .join(TranscriptSignature, col(TranscriptSignature.transcript_id) == Transcript.id)
        .where(
            Transcript.school_year_id == where.year.id,
            col(Transcript.student_id).in_(ids),
            Transcript.status != TranscriptStatus.SUPERSEDED,
            col(TranscriptSignature.archived_at).is_(None),
        )
        .order_by(col(Transcript.created_at), col(Transcript.id), col(TranscriptSignature.slot))
    ).all()
    return [LiveSignature(sid, tid, slot) for sid, tid, slot in rows]


def hold_current_transcripts(session: Session, where: ClassYear, student_ids: list[int]) -> None:
    """Make a signature that races this write conflict with it (one of the two is refused).

    Under READ COMMITTED (PostgreSQL) a writer that found no signature could otherwise commit
    entries that a signature committed meanwhile has frozen. Both now update the same
    transcript rows, whose optimistic ``row_version`` lets only the first commit through:
    a signature after this write reads the new entries; a write after a signature meets it.
    The rows are read before the signatures, so a signature committed in between is seen.
    SQLite needs none of this (a unit of work holds the write lock from its start), and it
    costs nothing there.
    """
    rows = session.exec(
        select(Transcript)
        .where(
            Transcript.school_year_id == where.year.id,
            col(Transcript.student_id).in_(student_ids),
            Transcript.status != TranscriptStatus.SUPERSEDED,
        )
        .order_by(col(Transcript.id))
    ).all()
    for row in rows:
        # An UPDATE with the same data: its only effect is the row_version check and bump.
        flag_modified(row, "data")
        session.add(row)


def signed_by(
    signatures: Iterable[LiveSignature], student_id: int, subject_code: str | None
) -> LiveSignature | None:
    """The first live signature that covers the student's entry (None: it may change)."""
    slots = covering_slots(subject_code)
    return next(
        (s for s in signatures if s.student_id == student_id and s.slot in slots),
        None,
    )


def entry_label(subject_code: str | None, semester: int) -> tuple[str, str]:
    """How an error names an entry, in English and Vietnamese."""
    if subject_code is None:
        return f"the homeroom data of semester {semester}", f"dữ liệu chủ nhiệm học kỳ {semester}"
    return f"{subject_code} of semester {semester}", f"điểm môn {subject_code} học kỳ {semester}"


def check_not_signed(
    signatures: Iterable[LiveSignature],
    students: dict[int, str],
    *,
    subject_code: str | None,
    semester: int,
) -> None:
    """Refuse if one of ``students`` (id → name) has the entry signed on a transcript."""
    listed = list(signatures)
    for sid, name in students.items():
        signature = signed_by(listed, sid, subject_code)
        if signature is not None:
            entry, entry_vi = entry_label(subject_code, semester)
            raise EntrySignedError(
                entry=entry, entry_vi=entry_vi, student=name, slot=signature.slot
            )
