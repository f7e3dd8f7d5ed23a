"""The year-end review (REQ-19): the homeroom teacher proposes, the principal approves.

1. ``propose_year_end``: the class's homeroom teacher has the assessment engine compute,
   from the tracking book, each student's proposal — promoted, retest (with the subjects),
   summer conduct training, or not promoted — and honours. The whole class or nothing:
   an incomplete tracking book is refused, naming the student and subject. A proposal
   may be made again until it is approved.
2. ``approve_year_end``: the principal approves the class's proposals as they stand; refused
   if a student has none, or if the tracking book changed since (the fingerprint of the
   entries each proposal was computed from is compared). The retest and summer-training
   students then form the supplementary group (REQ-20): their year-end records and their
   current annual transcripts are marked, and their data locks on the supplementary date.

Both happen before the year's main lock date. Every record written is audited with its
before/after fingerprints (the results themselves stay out of the audit log, which the
administrator reads too).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlmodel import Session

from domain.model import TranscriptStatus, YearEndRecord, state_hash
from workflow._actor import Actor
from workflow._errors import (
    AdministratorForbiddenError,
    DataLockedError,
    NotAssignedError,
    YearEndApprovedError,
    YearEndNotProposedError,
    YearEndOutdatedError,
)
from workflow._tracking_locks import check_before_main_lock
from workflow._tracking_scope import (
    ClassYear,
    check_may_write_homeroom,
    is_principal,
    load_class_year,
)
from workflow._transcript_build import current_annual
from workflow._transfer_freeze import check_not_transferred
from workflow._transitions import acting_person
from workflow._uow import UnitOfWork
from workflow._year_end_input import assess, basis_fingerprint, load_class_book, read_students
from workflow._year_end_values import (
    YearEndView,
    honour_of,
    outcome_of,
    record_snapshot,
    reviewed_students,
    save_record,
    view_of,
    year_end_records,
)

_LOCKED = frozenset(
    {
        TranscriptStatus.FINALIZED,
        TranscriptStatus.CORRECTION_REQUESTED,
        TranscriptStatus.SUPERSEDED,
    }
)


def _check_principal(actor: Actor, where: ClassYear) -> None:
    if actor.is_administrator:
        raise AdministratorForbiddenError
    if not is_principal(actor, where):
        raise NotAssignedError("the principal of this school", "hiệu trưởng của trường này")


def _check_not_transferred(session: Session, where: ClassYear, students: Iterable[int]) -> None:
    assert where.year.id is not None  # a stored row
    check_not_transferred(
        session, school_id=where.klass.school_id, school_year_id=where.year.id, student_ids=students
    )


def propose_year_end(
    uow: UnitOfWork, *, class_id: int, actor: Actor, now: datetime
) -> tuple[YearEndView, ...]:
    """The homeroom teacher's year-end proposal for every student of the class (who has not
    left), computed by the assessment engine; returns it in class-list order."""
    with uow:
        session = uow.session
        where = load_class_year(session, class_id)
        check_may_write_homeroom(actor, where)
        check_before_main_lock(where, now=now)
        records = year_end_records(session, where)
        if any(r.approved_at is not None for r in records.values()):
            raise YearEndApprovedError(where.klass.name)
        book = load_class_book(session, where)
        reviewed = reviewed_students(session, where)
        _check_not_transferred(session, where, reviewed)
        years = read_students(session, book, reviewed)
        person = acting_person(actor)
        views = []
        for sid, student in years.items():
            result = assess(student.year, student.student_name)
            record = records.get(sid)
            before = None if record is None else state_hash(record_snapshot(record))
            if record is None:
                record = YearEndRecord(
                    student_id=sid, class_id=where.class_id, updated_at=now, updated_by_id=person
                )
            decisions = result.decisions
            record.outcome = outcome_of(result)
            record.honour = honour_of(result)
            record.retests = list(decisions.retests)
            record.summer_training = decisions.summer_conduct_training
            record.promoted = decisions.promoted
            record.basis_sha256 = basis_fingerprint(student.year)
            record.supplementary = False
            record.retest, record.conduct_after_summer = {}, None
            record.proposed_by_id, record.proposed_at = person, now
            record.updated_by_id, record.updated_at = person, now
            save_record(uow, record, before=before, action="year_end.propose", actor=actor, now=now)
            views.append(view_of(record, student.student_name))
        uow.commit("the year-end review")
        return tuple(views)


def approve_year_end(
    uow: UnitOfWork, *, class_id: int, actor: Actor, now: datetime
) -> tuple[YearEndView, ...]:
    """The principal approves the class's year-end proposals; returns them, approved."""
    with uow:
        session = uow.session
        where = load_class_year(session, class_id)
        _check_principal(actor, where)
        check_before_main_lock(where, now=now)
        students = reviewed_students(session, where)
        _check_not_transferred(session, where, students)
        records = year_end_records(session, where)
        for sid, name in students.items():
            record = records.get(sid)
            if record is None or record.proposed_at is None:
                raise YearEndNotProposedError(where.klass.name, name)
            if record.approved_at is not None:
                raise YearEndApprovedError(where.klass.name)
        years = read_students(session, load_class_book(session, where), students)
        for sid, student in years.items():
            if basis_fingerprint(student.year) != records[sid].basis_sha256:
                raise YearEndOutdatedError(student.student_name)
        person = acting_person(actor)
        group = []
        for sid in students:
            record = records[sid]
            before = state_hash(record_snapshot(record))
            record.approved_by_id, record.approved_at = person, now
            record.supplementary = bool(record.retests) or record.summer_training
            record.updated_by_id, record.updated_at = person, now
            save_record(uow, record, before=before, action="year_end.approve", actor=actor, now=now)
            if record.supplementary:
                group.append(sid)
        _mark_transcripts(uow, where, group, students, actor=actor, now=now)
        uow.commit("the year-end review")
        return tuple(view_of(records[sid], name) for sid, name in students.items())


def _mark_transcripts(
    uow: UnitOfWork,
    where: ClassYear,
    group: list[int],
    names: dict[int, str],
    *,
    actor: Actor,
    now: datetime,
) -> None:
    """Put the group's current annual transcripts on the supplementary lock date (REQ-20)."""
    for sid, transcript in current_annual(uow.session, where, group).items():
        if transcript.locked_at is not None or transcript.status in _LOCKED:
            raise DataLockedError(
                f"the annual transcript of {names[sid]} is locked already; it cannot wait "
                "for the supplementary results",
                f"học bạ của học sinh {names[sid]} đã khoá; không thể chờ kết quả bổ sung",
            )
        if transcript.supplementary:
            continue
        transcript.supplementary = True
        transcript.updated_at = now
        uow.session.add(transcript)
        uow.flush("the transcript")
        uow.audit.record(
            actor=actor,
            action="transcript.supplementary",
            object_type="transcript",
            object_id=transcript.id,
            now=now,
            details={
                "supplementary": True,
                "lock_at": where.year.supplementary_lock_at.isoformat(),
            },
        )
