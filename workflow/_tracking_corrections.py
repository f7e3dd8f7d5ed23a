"""Correcting an entry already signed on a transcript (REQ-15, Đ.11.3).

1. The teacher who may write the entry (the subject teacher or the homeroom teacher of the
   class; the homeroom data: the homeroom teacher) asks, with the proposed values and a
   reason: ``request_entry_correction``. Only for a signed entry; an unsigned one is simply
   written. The entry window does not matter (closing entry does not stop a correction the
   principal approves) but the lock date does: after it, the transcript is corrected
   through the Department (REQ-23).
2. The principal decides: ``decide_entry_correction``. On approval, in one transaction, the
   transcript that froze the entry fires ``reopen_for_correction`` (state machine: never
   once stamped), the signatures the change invalidates are archived — the subject's
   ``GVBM`` and every later one (``GVCN``, ``HieuTruong``, ``DonVi``) —, the values are
   applied with their before/after fingerprints in the audit log, and the transcript waits
   for re-signing: in draft, or at the homeroom step when every subject signature stays.
3. The homeroom teacher is informed: the request and the decision name them in the audit
   log (``inform``), and ``entry_corrections_for`` lists every correction of their class
   (their queue). The administrator oversees through the audit log, which holds the
   fingerprints of the values, never the values (REQ-07).
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from domain.model import (
    EntryCorrection,
    HomeroomRecord,
    Role,
    RoleAssignment,
    ScoreLine,
    state_hash,
)
from workflow._actor import Actor
from workflow._errors import (
    EntryNotSignedError,
    InvalidEntryError,
    InvalidInputError,
    NotAllowedInStateError,
    ReasonRequiredError,
)
from workflow._facts_loader import load_facts, valid_at
from workflow._flow import TranscriptFlow
from workflow._tracking_checks import Problems, check_homeroom_entry, check_subject_entry
from workflow._tracking_entries import check_semester
from workflow._tracking_locks import (
    check_before_lock,
    covering_slots,
    entry_label,
    live_signatures,
    signed_by,
)
from workflow._tracking_scope import (
    ClassYear,
    check_may_write_homeroom,
    check_may_write_scores,
    load_class_year,
    load_sheet_subject,
    students_of,
)
from workflow._tracking_values import HomeroomEntry, HomeroomValues, SubjectEntry, SubjectValues
from workflow._transitions import acting_person, get_transcript
from workflow._uow import UnitOfWork

Values = SubjectValues | HomeroomValues


def homeroom_teachers(session: Session, where: ClassYear, now: datetime) -> list[int]:
    """Who is informed of a correction: the class's homeroom teachers at ``now``."""
    return sorted(
        set(
            session.exec(
                select(RoleAssignment.person_id).where(
                    RoleAssignment.role == Role.HOMEROOM_TEACHER,
                    RoleAssignment.class_id == where.class_id,
                    valid_at(now),
                )
            ).all()
        )
    )


def stored_entry(
    session: Session, where: ClassYear, student_id: int, semester: int, subject: str | None
) -> ScoreLine | HomeroomRecord | None:
    """The stored score line of ``subject`` (None: the homeroom record), if any."""
    if subject is None:
        return session.exec(
            select(HomeroomRecord).where(
                HomeroomRecord.student_id == student_id,
                HomeroomRecord.class_id == where.class_id,
                col(HomeroomRecord.semester) == semester,
            )
        ).first()
    return session.exec(
        select(ScoreLine).where(
            ScoreLine.student_id == student_id,
            ScoreLine.class_id == where.class_id,
            ScoreLine.subject_code == subject,
            col(ScoreLine.semester) == semester,
        )
    ).first()


def entry_values(row: ScoreLine | HomeroomRecord | None, subject: str | None) -> Values:
    """The values of a stored entry (empty if there is none)."""
    if subject is None:
        assert row is None or isinstance(row, HomeroomRecord)
        return HomeroomValues.of_record(row)
    assert row is None or isinstance(row, ScoreLine)
    return SubjectValues.of_line(row)


def checked_entry(
    session: Session,
    where: ClassYear,
    entry: SubjectEntry | HomeroomEntry,
    subject: str | None,
    student_name: str,
) -> Values:
    """The checked values of ``entry``; InvalidEntryError listing every problem."""
    problems = Problems()
    if isinstance(entry, HomeroomEntry):
        values: Values = check_homeroom_entry(entry, student_name=student_name, problems=problems)
    else:
        assert subject is not None
        sheet_subject = load_sheet_subject(session, where, subject)
        values = check_subject_entry(
            entry, subject=sheet_subject, student_name=student_name, problems=problems
        )
    if problems.found:
        raise InvalidEntryError(tuple(problems.found))
    return values


def _check_reopenable(
    session: Session, transcript_id: str, subject: str | None, now: datetime
) -> None:
    # Asked of the machine, the one place that knows: a request its approval could never
    # apply (the transcript is stamped or issued) is refused at once.
    transcript = get_transcript(session, transcript_id)
    facts = load_facts(session, transcript, now=now)
    enabled = TranscriptFlow(transcript).enabled_events(
        facts=facts, invalidated=facts.live_slots & covering_slots(subject)
    )
    if "reopen_for_correction" not in {event.id for event in enabled}:
        raise NotAllowedInStateError("reopen_for_correction", str(transcript.status))


def request_entry_correction(
    uow: UnitOfWork,
    *,
    class_id: int,
    semester: int,
    entry: SubjectEntry | HomeroomEntry,
    reason: str,
    actor: Actor,
    now: datetime,
    subject_code: str | None = None,
) -> int:
    """Ask the principal to change a signed entry to ``entry``; returns the request's id.

    ``entry`` is the whole new line (a ``SubjectEntry``, with ``subject_code``) or the whole
    new homeroom record (a ``HomeroomEntry``, without).
    """
    check_semester(semester)
    if isinstance(entry, SubjectEntry) != (subject_code is not None):
        raise InvalidInputError(
            "subject_code",
            "required for a score line and only for it",
            "chỉ và bắt buộc ghi khi sửa điểm một môn",
        )
    with uow:
        session = uow.session
        where = load_class_year(session, class_id)
        if subject_code is None:
            check_may_write_homeroom(actor, where)
        else:
            check_may_write_scores(actor, where, subject_code)
        if not reason.strip():
            raise ReasonRequiredError
        students = students_of(session, where, [entry.student_id])
        check_before_lock(session, where, student_ids=students, now=now)
        proposed = checked_entry(session, where, entry, subject_code, students[entry.student_id])
        signature = signed_by(
            live_signatures(session, where, students), entry.student_id, subject_code
        )
        if signature is None:
            raise EntryNotSignedError(*entry_label(subject_code, semester))
        _check_reopenable(session, signature.transcript_id, subject_code, now)
        row = stored_entry(session, where, entry.student_id, semester, subject_code)
        current = entry_values(row, subject_code)
        if current == proposed:
            raise InvalidInputError(
                "entry", "the proposed values are the current ones", "giá trị đề nghị không đổi"
            )
        correction = EntryCorrection(
            transcript_id=signature.transcript_id,
            student_id=entry.student_id,
            class_id=where.class_id,
            semester=semester,
            subject_code=subject_code,
            current=current.stored(),
            proposed=proposed.stored(),
            reason=reason,
            requested_by_id=acting_person(actor),
            requested_at=now,
        )
        session.add(correction)
        uow.flush("the entry correction")
        assert correction.id is not None
        uow.audit.record(
            actor=actor,
            action="entry_correction.request",
            object_type="entry_correction",
            object_id=str(correction.id),
            now=now,
            before_sha256=state_hash(correction.current),
            after_sha256=state_hash(correction.proposed),
            details={
                "transcript_id": signature.transcript_id,
                "signed_slot": signature.slot,
                "reason": reason,
                "inform": homeroom_teachers(session, where, now),
            },
        )
        uow.commit("the entry correction")
        return correction.id
