"""A class's score sheet as an Excel workbook, out of and into the tracking book (REQ-14).

``export_class_sheet`` is a read of the sheet (same scope, same ``student.read`` entries as
``read_subject_sheet``) that returns the .xlsx of ``workflow._workbook``. ``import_class_sheet``
is a write by the same people as ``record_subject_scores``, in one transaction: every row of
the workbook is read and checked, and the lines it changes are written through the same rules —
or, if anything is wrong, nothing is. Refusals come in this order: who (the duty), when (the
semester's entry window, checked before the file is read), the file (unreadable, another
sheet, an invalid cell), then the entries it changes (the lock date, a signature, a value the
tracking book does not take) — the last reported at the cells of each student's row.

How a row becomes a line (``workflow._tracking_sheet_cells``): the ĐĐGtx columns must be
filled from the first without a gap (a blank between two filled ones is an invalid cell); a
row equal to the stored line is left alone — not written, not audited, not checked against
signatures or the lock date — so a teacher may send back the whole sheet after some students'
transcripts were signed; a student of the class without a row keeps their line as it is.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from domain.model import Person, Role, RoleAssignment, School, Student, SubjectKind
from workflow._actor import Actor
from workflow._errors import InvalidEntryError, InvalidInputError
from workflow._tracking_entries import check_semester, score_lines, write_subject_scores
from workflow._tracking_locks import check_entry_open, live_signatures, signed_by
from workflow._tracking_reading import subject_sheet
from workflow._tracking_scope import (
    ClassYear,
    check_may_write_scores,
    class_students,
    load_class_year,
    load_sheet_subject,
)
from workflow._tracking_sheet_cells import (
    SignedEntriesInWorkbookError,
    entry_of,
    gap_errors,
    problem_errors,
    same_values,
    sheet_row,
    signed_errors,
)
from workflow._tracking_values import SheetSubject, SubjectValues
from workflow._uow import UnitOfWork
from workflow._workbook_errors import WorkbookRejected
from workflow._workbook_export import export_sheet
from workflow._workbook_import import import_located
from workflow._workbook_layout import Columns
from workflow._workbook_values import ScoreSheet, SheetHeader, SheetRow


def export_class_sheet(
    uow: UnitOfWork,
    *,
    class_id: int,
    subject_code: str,
    semester: int,
    actor: Actor,
    now: datetime,
) -> bytes:
    """The .xlsx of a scored subject's sheet of a class for a semester: one row per student in
    class-list order with the stored scores; for a reader in scope, audited as a read."""
    check_semester(semester)
    with uow:
        session = uow.session
        read = subject_sheet(
            uow, class_id=class_id, subject_code=subject_code, semester=semester,
            actor=actor, now=now, purpose={"export": "xlsx"},
        )  # fmt: skip
        where = load_class_year(session, class_id)
        _check_scored(read.subject)
        header = _header(session, where, read.subject, semester, now)
        ids = _personal_ids(session, [line.student_id for line in read.lines])
        rows = tuple(
            sheet_row(n, ids[line.student_id], line.student_name, line.values, header.regular_count)
            for n, line in enumerate(read.lines, start=1)
        )
        sheet = ScoreSheet(header=header, rows=rows)
        uow.commit("the audit log")
    return export_sheet(sheet)


def import_class_sheet(
    uow: UnitOfWork,
    *,
    class_id: int,
    subject_code: str,
    semester: int,
    data: bytes,
    actor: Actor,
    now: datetime,
) -> int:
    """Write the lines a workbook of the sheet changes; returns how many changed.

    All or nothing. Refused with: NotAssignedError / AdministratorForbiddenError (who);
    EntryWindowClosedError (the semester's window is closed); WorkbookUnreadableError,
    WorkbookMismatchError (another class, subject, semester or year) or WorkbookRejected (every
    invalid cell, a gap in the ĐĐGtx columns included); DataLockedError (the lock date, for the
    students it changes); SignedEntriesInWorkbookError (the changed cells of entries signed on
    a transcript: use ``request_entry_correction``); WorkbookRejected for values the tracking
    book refuses. The import is audited (``tracking.sheet_import``, the workbook's SHA-256),
    each changed line as ``record_subject_scores`` does (``source``: ``workbook``).
    """
    check_semester(semester)
    with uow:
        session = uow.session
        where = load_class_year(session, class_id)
        check_may_write_scores(actor, where, subject_code)
        subject = load_sheet_subject(session, where, subject_code)
        _check_scored(subject)
        if now < where.year.main_lock_at:
            # Until the main lock the semester's window decides for every student alike: a
            # closed one is reported before the file is read (its cells would not matter).
            check_entry_open(session, where, semester=semester, student_ids=(), now=now)
        header = _header(session, where, subject, semester, now)
        upload = _read_upload(session, where, header, data)
        changed_ids = [upload.student_of[row.personal_id] for _, _, row in upload.changes]
        if changed_ids:  # after the main lock: the supplementary group's window and lock
            check_entry_open(session, where, semester=semester, student_ids=changed_ids, now=now)
        signatures = live_signatures(session, where, changed_ids, for_writing=True)
        slots: dict[str, str] = {}
        for _, _, row in upload.changes:
            found = signed_by(signatures, upload.student_of[row.personal_id], subject_code)
            if found is not None:
                slots[row.personal_id] = found.slot
        if slots:
            raise SignedEntriesInWorkbookError(signed_errors(upload.changes, slots, upload.columns))
        changed = 0
        if upload.changes:
            entries = [
                entry_of(row, upload.student_of[row.personal_id]) for _, _, row in upload.changes
            ]
            try:
                changed = write_subject_scores(
                    uow, class_id=class_id, subject_code=subject_code, semester=semester,
                    lines=entries, actor=actor, now=now, details={"source": "workbook"},
                )  # fmt: skip
            except InvalidEntryError as error:
                rows = {upload.student_of[row.personal_id]: n for n, _, row in upload.changes}
                cells = problem_errors(error.problems, rows, upload.columns)
                raise WorkbookRejected(cells) from None
        uow.audit.record(
            actor=actor,
            action="tracking.sheet_import",
            object_type="score_sheet",
            object_id=f"{class_id}:{subject_code}:{semester}",
            now=now,
            details={
                "workbook_sha256": hashlib.sha256(data).hexdigest(),
                "rows": upload.rows,
                "changed": changed,
            },
        )
        uow.commit("the score sheet")
        return changed


@dataclass(frozen=True, slots=True)
class _Upload:
    """What a workbook holds for the tracking book."""

    columns: Columns
    rows: int
    """How many student rows the workbook has."""
    changes: list[tuple[int, SheetRow, SheetRow]]
    """The rows that differ from the stored lines: (Excel row, stored, workbook), in order."""
    student_of: dict[str, int]
    """Student id by personal ID, for the class."""


def _read_upload(session: Session, where: ClassYear, header: SheetHeader, data: bytes) -> _Upload:
    """Read and check the workbook against the class list, and compare it with the stored
    lines; WorkbookError (nothing applied) for an unusable file or any invalid cell."""
    names = class_students(session, where)
    ids = _personal_ids(session, list(names))
    roster = {ids[sid]: name for sid, name in names.items()}
    located = import_located(data, expected=header, roster=roster)
    columns = Columns(header.regular_count)
    row_of = located.row_of
    gaps = [e for r in located.sheet.rows for e in gap_errors(r, row_of[r.personal_id], columns)]
    if gaps:
        raise WorkbookRejected(gaps)
    student_of = {pid: sid for sid, pid in ids.items()}
    stored = score_lines(session, where, header.subject_code, header.semester)
    changes = []
    for row in located.sheet.rows:
        values = SubjectValues.of_line(stored.get(student_of[row.personal_id]))
        before = sheet_row(
            row.ordinal, row.personal_id, row.full_name, values, header.regular_count
        )
        if not same_values(before, row):
            changes.append((row_of[row.personal_id], before, row))
    return _Upload(columns, len(located.sheet.rows), changes, student_of)


def _check_scored(subject: SheetSubject) -> None:
    # A comment subject (Đạt / Chưa đạt) has no score sheet in the teachers' layout.
    if subject.kind is not SubjectKind.SCORE:
        raise InvalidInputError(
            "subject_code",
            f"{subject.code} is assessed by comments; only scored subjects have a score sheet",
            f"môn {subject.code} đánh giá bằng nhận xét, không có bảng điểm Excel",
        )


def _header(
    session: Session, where: ClassYear, subject: SheetSubject, semester: int, now: datetime
) -> SheetHeader:
    school = session.get(School, where.klass.school_id)
    assert school is not None  # a foreign key
    return SheetHeader(
        school_name=school.name,
        school_year=where.year.name,
        class_name=where.klass.name,
        subject_code=subject.code,
        subject_name=subject.name,
        semester=semester,
        periods_per_year=subject.periods_per_year,
        teacher_name=_teacher_name(session, where, subject.code, now),
    )


def _teacher_name(session: Session, where: ClassYear, subject_code: str, now: datetime) -> str:
    """The subject's teacher in the class at ``now`` (the latest assigned), or ''."""
    name = session.exec(
        select(Person.full_name)
        .join(RoleAssignment, col(RoleAssignment.person_id) == Person.id)
        .where(
            RoleAssignment.role == Role.SUBJECT_TEACHER,
            RoleAssignment.class_id == where.class_id,
            RoleAssignment.subject_code == subject_code,
            RoleAssignment.valid_from <= now,
            sa.or_(
                col(RoleAssignment.valid_until).is_(None), col(RoleAssignment.valid_until) > now
            ),
        )
        .order_by(col(RoleAssignment.valid_from).desc())
    ).first()
    return name or ""


def _personal_ids(session: Session, student_ids: list[int]) -> dict[int, str]:
    """Each student's personal ID (the key a workbook row is matched on)."""
    rows = session.exec(
        select(Student.id, Student.personal_id).where(col(Student.id).in_(student_ids))
    ).all()
    return {sid: pid for sid, pid in rows if sid is not None}
