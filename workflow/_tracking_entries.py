"""Writing the tracking book: a subject's score sheet and the homeroom teacher's records.

Each call is one unit of work: every line of the batch is written, or none (REQ-14, REQ-07,
REQ-18). Refusals come in this order: who (the duty), when (lock date, entry window, a
signature), what (the values, every problem of the batch listed in one InvalidEntryError).
Each line that changes is audited with the before/after fingerprints of its values; a line
sent unchanged is not written again.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from domain.model import HomeroomRecord, ScoreLine, state_hash
from workflow._actor import Actor
from workflow._errors import InvalidEntryError, InvalidInputError
from workflow._tracking_checks import Problems, check_homeroom_entry, check_subject_entry
from workflow._tracking_lines import audit_line, stage_line
from workflow._tracking_locks import check_entry_open, check_not_signed, live_signatures
from workflow._tracking_scope import (
    ClassYear,
    check_may_write_homeroom,
    check_may_write_scores,
    load_class_year,
    load_sheet_subject,
    students_of,
)
from workflow._tracking_values import HomeroomEntry, HomeroomValues, SubjectEntry, SubjectValues
from workflow._transitions import acting_person
from workflow._uow import UnitOfWork


def check_semester(semester: int) -> None:
    """Refuse a semester other than 1 or 2."""
    if semester not in (1, 2):
        raise InvalidInputError("semester", "must be 1 or 2", "phải là 1 hoặc 2")


def record_snapshot(record: HomeroomRecord) -> dict[str, Any]:
    """What an audit entry fingerprints of a homeroom record."""
    return {
        "student_id": record.student_id,
        "class_id": record.class_id,
        "semester": record.semester,
        **HomeroomValues.of_record(record).stored(),
    }


def score_lines(
    session: Session, where: ClassYear, subject_code: str, semester: int
) -> dict[int, ScoreLine]:
    """The stored lines of a subject's sheet for a semester, by student."""
    rows = session.exec(
        select(ScoreLine).where(
            ScoreLine.class_id == where.class_id,
            ScoreLine.subject_code == subject_code,
            ScoreLine.semester == semester,
        )
    ).all()
    return {row.student_id: row for row in rows}


def homeroom_records(
    session: Session, where: ClassYear, semester: int
) -> dict[int, HomeroomRecord]:
    """The stored homeroom records of the class for a semester, by student."""
    rows = session.exec(
        select(HomeroomRecord).where(
            HomeroomRecord.class_id == where.class_id,
            col(HomeroomRecord.semester) == semester,
        )
    ).all()
    return {row.student_id: row for row in rows}


def write_record(
    uow: UnitOfWork,
    where: ClassYear,
    record: HomeroomRecord | None,
    values: HomeroomValues,
    *,
    key: tuple[int, int],
    actor: Actor,
    now: datetime,
    action: str,
    details: dict[str, Any] | None = None,
) -> None:
    """Store ``values`` as the homeroom record of ``key`` (student, semester), audited."""
    before = None if record is None else state_hash(record_snapshot(record))
    if record is None:
        record = HomeroomRecord(
            student_id=key[0],
            class_id=where.class_id,
            semester=key[1],
            updated_at=now,
            updated_by_id=acting_person(actor),
        )
    values.write_to(record)
    record.updated_at, record.updated_by_id = now, acting_person(actor)
    uow.session.add(record)
    uow.flush("the homeroom records")
    uow.audit.record(
        actor=actor,
        action=action,
        object_type="homeroom_record",
        object_id=str(record.id),
        now=now,
        before_sha256=before,
        after_sha256=state_hash(record_snapshot(record)),
        details={"student_id": key[0], "semester": key[1], **(details or {})},
    )


def record_subject_scores(
    uow: UnitOfWork,
    *,
    class_id: int,
    subject_code: str,
    semester: int,
    lines: Sequence[SubjectEntry],
    actor: Actor,
    now: datetime,
) -> int:
    """Write students' lines of a subject's sheet for a semester; returns how many changed.

    One student or the whole class in one call, all or nothing. Each line replaces the
    stored one. Partial lines are fine during the semester; more regular assessments than
    the class's periods allow never are. Refused for a line already signed on the
    student's transcript (EntrySignedError: use ``request_entry_correction``).
    """
    check_semester(semester)
    with uow:
        changed = write_subject_scores(
            uow, class_id=class_id, subject_code=subject_code, semester=semester,
            lines=lines, actor=actor, now=now,
        )  # fmt: skip
        uow.commit("the score sheet")
        return changed


def write_subject_scores(
    uow: UnitOfWork,
    *,
    class_id: int,
    subject_code: str,
    semester: int,
    lines: Sequence[SubjectEntry],
    actor: Actor,
    now: datetime,
    details: dict[str, Any] | None = None,
) -> int:
    """``record_subject_scores`` inside a unit of work the caller opened and commits, so that
    another use case (a workbook import) writes the lines in its own transaction; ``details``
    are added to each line's audit entry."""
    session = uow.session
    where = load_class_year(session, class_id)
    check_may_write_scores(actor, where, subject_code)
    subject = load_sheet_subject(session, where, subject_code)
    students = students_of(session, where, [entry.student_id for entry in lines])
    check_entry_open(session, where, semester=semester, student_ids=students, now=now)
    check_not_signed(
        live_signatures(session, where, students, for_writing=True),
        students,
        subject_code=subject_code,
        semester=semester,
    )
    problems = Problems()
    checked = {
        entry.student_id: check_subject_entry(
            entry, subject=subject, student_name=students[entry.student_id], problems=problems
        )
        for entry in lines
    }
    if problems.found:
        raise InvalidEntryError(tuple(problems.found))
    stored = score_lines(session, where, subject_code, semester)
    staged = []
    for student_id, values in checked.items():
        line = stored.get(student_id)
        if line is not None and SubjectValues.of_line(line) == values:
            continue
        key = (student_id, subject_code, semester)
        staged.append((key, stage_line(uow, where, line, values, key=key, actor=actor, now=now)))
    uow.flush("the score sheet")  # once for the batch: the new lines get their ids
    for key, (line, before) in staged:
        audit_line(
            uow, line, before, key=key, actor=actor, now=now, action="tracking.scores",
            details=details,
        )  # fmt: skip
    return len(staged)


def record_homeroom_data(
    uow: UnitOfWork,
    *,
    class_id: int,
    semester: int,
    entries: Sequence[HomeroomEntry],
    actor: Actor,
    now: datetime,
) -> int:
    """Write students' conduct, absences and comment for a semester; returns how many changed.

    The homeroom teacher's, all or nothing, on the same conditions as the scores; refused
    once the homeroom teacher (or a later signer) has signed the student's transcript.
    """
    check_semester(semester)
    with uow:
        session = uow.session
        where = load_class_year(session, class_id)
        check_may_write_homeroom(actor, where)
        students = students_of(session, where, [entry.student_id for entry in entries])
        check_entry_open(session, where, semester=semester, student_ids=students, now=now)
        check_not_signed(
            live_signatures(session, where, students, for_writing=True),
            students,
            subject_code=None,
            semester=semester,
        )
        problems = Problems()
        checked = {
            entry.student_id: check_homeroom_entry(
                entry, student_name=students[entry.student_id], problems=problems
            )
            for entry in entries
        }
        if problems.found:
            raise InvalidEntryError(tuple(problems.found))
        stored = homeroom_records(session, where, semester)
        changed = 0
        for student_id, values in checked.items():
            record = stored.get(student_id)
            if record is not None and HomeroomValues.of_record(record) == values:
                continue
            write_record(
                uow,
                where,
                record,
                values,
                key=(student_id, semester),
                actor=actor,
                now=now,
                action="tracking.homeroom",
            )
            changed += 1
        uow.commit("the homeroom records")
        return changed
