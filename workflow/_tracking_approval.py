"""The principal's decision on an entry correction, and applying an approved one (REQ-15).

See ``workflow._tracking_corrections`` for the whole route.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import col, select

from domain.model import (
    CorrectionStatus,
    EntryCorrection,
    HomeroomRecord,
    ScoreLine,
    TranscriptSignature,
)
from workflow._actor import Actor
from workflow._errors import ConflictError, NotFoundError
from workflow._facts_loader import load_facts
from workflow._tracking_corrections import (
    checked_entry,
    entry_values,
    homeroom_teachers,
    stored_entry,
)
from workflow._tracking_entries import write_record
from workflow._tracking_lines import write_line
from workflow._tracking_locks import (
    check_before_lock,
    check_not_signed,
    covering_slots,
    live_signatures,
)
from workflow._tracking_scope import (
    ClassYear,
    check_may_decide_correction,
    load_class_year,
    students_of,
)
from workflow._tracking_values import HomeroomValues, SubjectValues
from workflow._transcript_build import refresh_from_tracking_book
from workflow._transitions import acting_person, fire, get_transcript
from workflow._uow import UnitOfWork


def decide_entry_correction(
    uow: UnitOfWork,
    *,
    correction_id: int,
    approve: bool,
    note: str,
    actor: Actor,
    now: datetime,
) -> None:
    """The principal approves (the change is applied at once) or rejects a request."""
    with uow:
        session = uow.session
        correction = session.get(EntryCorrection, correction_id)
        if correction is None:
            raise NotFoundError("entry correction", correction_id)
        if correction.status != CorrectionStatus.PENDING:
            raise ConflictError("the entry correction")
        where = load_class_year(session, correction.class_id)
        if approve:
            _apply(uow, where, correction, actor=actor, now=now)
        else:
            check_may_decide_correction(actor, where)
        correction.status = CorrectionStatus.APPROVED if approve else CorrectionStatus.REJECTED
        correction.decided_by_id = acting_person(actor)
        correction.decided_at = now
        correction.decision_note = note
        session.add(correction)
        uow.audit.record(
            actor=actor,
            action=f"entry_correction.{'approve' if approve else 'reject'}",
            object_type="entry_correction",
            object_id=str(correction_id),
            now=now,
            details={"note": note, "inform": homeroom_teachers(session, where, now)},
        )
        uow.commit("the entry correction")


def archive_slots(
    uow: UnitOfWork,
    transcript_id: str,
    slots: frozenset[str],
    *,
    reason: str,
    actor: Actor,
    now: datetime,
) -> None:
    """Archive the transcript's live signatures in ``slots`` (kept, never deleted)."""
    live = uow.session.exec(
        select(TranscriptSignature).where(
            TranscriptSignature.transcript_id == transcript_id,
            col(TranscriptSignature.archived_at).is_(None),
            col(TranscriptSignature.slot).in_(slots),
        )
    ).all()
    if not live:
        return
    for signature in live:
        signature.archived_at, signature.archive_reason = now, reason
        uow.session.add(signature)
    uow.flush("the transcript")
    uow.audit.record(
        actor=actor,
        action="signature.archive",
        object_type="transcript",
        object_id=transcript_id,
        now=now,
        details={"reason": reason, "slots": sorted(s.slot for s in live)},
    )


def _apply(
    uow: UnitOfWork, where: ClassYear, correction: EntryCorrection, *, actor: Actor, now: datetime
) -> None:
    session = uow.session
    subject, semester, student_id = (
        correction.subject_code,
        correction.semester,
        correction.student_id,
    )
    transcript = get_transcript(session, correction.transcript_id)
    facts = load_facts(session, transcript, now=now)
    invalidated = facts.live_slots & covering_slots(subject)
    # The machine judges the state first (never once stamped: REQ-23), then the principal.
    fire(
        uow,
        transcript,
        "reopen_for_correction",
        actor=actor,
        now=now,
        facts=facts,
        invalidated=invalidated,
    )
    reason = f"entry correction {correction.id}: {correction.reason}"
    archive_slots(uow, transcript.id, invalidated, reason=reason, actor=actor, now=now)
    students = students_of(session, where, [student_id])
    check_before_lock(session, where, student_ids=students, now=now)
    # Another current transcript of the student (rare: two kinds in one year) may hold the
    # entry signed too; changing it under that signature would falsify a signed document.
    check_not_signed(
        live_signatures(session, where, students, for_writing=True),
        students,
        subject_code=subject,
        semester=semester,
    )
    row = stored_entry(session, where, student_id, semester, subject)
    if entry_values(row, subject).stored() != correction.current:
        raise ConflictError("the entry")  # changed since the request: it would be overwritten
    proposed = (
        SubjectValues.from_stored(correction.proposed)
        if subject is not None
        else HomeroomValues.from_stored(correction.proposed)
    )
    # Checked again: the class's periods may have changed since the request.
    values = checked_entry(
        session, where, proposed.as_entry(student_id), subject, students[student_id]
    )
    why = {"entry_correction": correction.id}
    if isinstance(values, SubjectValues):
        assert subject is not None and (row is None or isinstance(row, ScoreLine))
        key = (student_id, subject, semester)
        write_line(
            uow,
            where,
            row,
            values,
            key=key,
            actor=actor,
            now=now,
            action="tracking.scores.correct",
            details=why,
        )
    else:
        assert row is None or isinstance(row, HomeroomRecord)
        write_record(
            uow,
            where,
            row,
            values,
            key=(student_id, semester),
            actor=actor,
            now=now,
            action="tracking.homeroom.correct",
            details=why,
        )
    # A transcript built from the tracking book follows it, in this same transaction.
    refresh_from_tracking_book(uow, transcript, actor=actor, now=now, why=why)
