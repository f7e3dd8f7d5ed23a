"""Creating or refreshing a student's annual transcript (CaNam) from the tracking book only
(REQ-04, Đ.18 flows 1–2).

``build_transcript`` opens the student's draft if there is none, or brings the current one
in step with the tracking book; ``build_class_transcripts`` does it for the whole class in
one transaction, all or nothing. The data's shape is in ``workflow._transcript_build_data``.

What may change, in this order of refusals:
- nothing once the transcript is locked (finalized, or its lock date passed: REQ-21);
- never a part a live signature covers (``workflow._transcript_build_parts``): a refresh
  keeps it as signed, and refuses if the tracking book now differs (SignedDataChangedError,
  pointing to the entry-correction route);
- only a draft, as ``record_data``: a transcript further on is returned to draft first.
A refresh that changes nothing writes nothing. After an approved entry correction the
principal's decision refreshes the transcript it reopened, in the same transaction
(``refresh_from_tracking_book``, called by ``workflow._tracking_approval``).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from domain.model import (
    Person,
    Role,
    RoleAssignment,
    School,
    Student,
    Transcript,
    TranscriptKind,
    TranscriptStatus,
    YearEndRecord,
    state_hash,
)
from workflow._actor import Actor
from workflow._errors import (
    AdministratorForbiddenError,
    DataLockedError,
    NotAssignedError,
    NotFoundError,
    SignedDataChangedError,
)
from workflow._facts_loader import load_facts
from workflow._tracking_scope import ClassYear, load_class_year, reads_whole_class
from workflow._transcript_build_data import Json, transcript_data
from workflow._transcript_build_parts import is_built, keep_signed
from workflow._transfer_freeze import check_not_transferred
from workflow._transitions import replace_data, snapshot
from workflow._uow import UnitOfWork
from workflow._year_end_input import (
    ClassBook,
    StudentBook,
    assess,
    load_class_book,
    read_students,
    with_supplementary,
)
from workflow._year_end_values import reviewed_students, year_end_records


def check_may_build(actor: Actor, where: ClassYear) -> None:
    """The homeroom teacher of the class, academic affairs or the principal of the school."""
    if actor.is_administrator:
        raise AdministratorForbiddenError
    if not reads_whole_class(actor, where):
        name = where.klass.name
        raise NotAssignedError(
            f"the homeroom teacher of class {name}, academic affairs or the principal",
            f"giáo viên chủ nhiệm lớp {name}, học vụ hoặc hiệu trưởng",
        )


def current_annual(
    session: Session, where: ClassYear, student_ids: Iterable[int]
) -> dict[int, Transcript]:
    """The students' annual transcripts of the class in force (the newest version that is
    not superseded), by student."""
    rows = session.exec(
        select(Transcript)
        .where(
            Transcript.school_year_id == where.year.id,
            Transcript.class_id == where.class_id,
            Transcript.kind == TranscriptKind.CA_NAM,
            col(Transcript.student_id).in_(list(student_ids)),
            Transcript.status != TranscriptStatus.SUPERSEDED,
        )
        .order_by(col(Transcript.version))
    ).all()
    return {row.student_id: row for row in rows}


def subject_teachers(session: Session, where: ClassYear, now: datetime) -> dict[str, str]:
    """Each subject's teacher in the class: the one assigned at ``now``, else the last one."""
    rows = session.exec(
        select(RoleAssignment, Person.full_name)
        .join(Person, col(Person.id) == RoleAssignment.person_id)
        .where(
            RoleAssignment.role == Role.SUBJECT_TEACHER,
            RoleAssignment.class_id == where.class_id,
            col(RoleAssignment.subject_code).is_not(None),
            col(RoleAssignment.valid_from) <= now,
        )
    ).all()

    def rank(row: tuple[RoleAssignment, str]) -> tuple[int, datetime]:
        duty = row[0]
        if duty.valid_until is None or duty.valid_until > now:
            return 1, duty.valid_from  # in office: the latest to take it up
        return 0, duty.valid_until  # left: the last to leave

    teachers: dict[str, str] = {}
    for duty, name in sorted(rows, key=rank):
        assert duty.subject_code is not None
        teachers[duty.subject_code] = name  # the best-ranked comes last
    return teachers


@dataclass(frozen=True, slots=True)
class _Class:
    """What building the transcripts of a class reads once."""

    book: ClassBook
    school: School
    records: dict[int, YearEndRecord]
    teachers: dict[str, str]
    years: dict[int, StudentBook]


def _read_class(
    session: Session, where: ClassYear, student_ids: list[int], now: datetime
) -> _Class:
    book = load_class_book(session, where)
    school = session.get(School, where.klass.school_id)
    assert school is not None  # a foreign key
    return _Class(
        book=book,
        school=school,
        records=year_end_records(session, where),
        teachers=subject_teachers(session, where, now),
        years=read_students(session, book, student_ids),
    )


def _approved(record: YearEndRecord | None) -> bool:
    return record is not None and record.approved_at is not None


def _fresh(session: Session, read: _Class, student_id: int) -> Json:
    student = session.get(Student, student_id)
    assert student is not None  # enrolled
    record = read.records.get(student_id)
    decided = _approved(record)
    book = read.years[student_id]
    year = with_supplementary(book.year, record if decided else None)
    return transcript_data(
        where=read.book.where,
        school=read.school,
        student=student,
        subjects=read.book.subjects,
        book=book,
        result=assess(year, book.student_name),
        teachers=read.teachers,
        decided=decided,
    )


def _create(
    uow: UnitOfWork, read: _Class, student_id: int, data: Json, *, actor: Actor, now: datetime
) -> str:
    where = read.book.where
    record = read.records.get(student_id)
    row = Transcript(
        id=str(uuid.uuid4()),
        student_id=student_id,
        school_id=where.klass.school_id,
        school_year_id=where.klass.school_year_id,
        class_id=where.class_id,
        kind=TranscriptKind.CA_NAM,
        supplementary=record is not None and _approved(record) and record.supplementary,
        data=data,
        created_at=now,
        updated_at=now,
    )
    uow.session.add(row)
    uow.flush("the transcript")
    uow.audit.record(
        actor=actor,
        action="transcript.create",
        object_type="transcript",
        object_id=row.id,
        now=now,
        after_sha256=state_hash(snapshot(row)),
        details={"kind": TranscriptKind.CA_NAM.value, "source": "tracking_book"},
    )
    return row.id


def _refresh(
    uow: UnitOfWork,
    row: Transcript,
    fresh: Json,
    *,
    student: str,
    draft_only: bool,
    actor: Actor,
    now: datetime,
    details: dict[str, Any] | None = None,
) -> None:
    facts = load_facts(uow.session, row, now=now)
    signed: SignedDataChangedError | None = None
    try:
        data = keep_signed(row.data, fresh, facts.live_slots, student=student)
    except SignedDataChangedError as error:
        signed, data = error, fresh
    if signed is None and data == row.data:
        return
    if row.locked_at is not None or now >= facts.lock_at:
        when = facts.lock_at.isoformat()
        raise DataLockedError(
            f"the transcript of {student} is locked (lock date {when})",
            f"học bạ của học sinh {student} đã khoá (thời hạn {when})",
        )
    if signed is not None:
        raise signed
    if draft_only and row.status != TranscriptStatus.DRAFT:
        raise DataLockedError(
            "signed data can change only after it is returned to draft",
            "dữ liệu đã ký chỉ được sửa sau khi trả về bản nháp",
        )
    replace_data(
        uow,
        row,
        data,
        action="transcript.build",
        actor=actor,
        now=now,
        details={"source": "tracking_book", **(details or {})},
    )


def _build(
    uow: UnitOfWork, where: ClassYear, student_ids: list[int], *, actor: Actor, now: datetime
) -> tuple[str, ...]:
    session = uow.session
    assert where.year.id is not None  # a stored row
    check_not_transferred(
        session,
        school_id=where.klass.school_id,
        school_year_id=where.year.id,
        student_ids=student_ids,
    )
    read = _read_class(session, where, student_ids, now)
    existing = current_annual(session, where, student_ids)
    built = []
    for sid in student_ids:
        fresh = _fresh(session, read, sid)
        row = existing.get(sid)
        if row is None:
            built.append(_create(uow, read, sid, fresh, actor=actor, now=now))
            continue
        name = read.years[sid].student_name
        _refresh(uow, row, fresh, student=name, draft_only=True, actor=actor, now=now)
        built.append(row.id)
    return tuple(built)


def build_transcript(
    uow: UnitOfWork, *, class_id: int, student_id: int, actor: Actor, now: datetime
) -> str:
    """Create the student's annual draft from the tracking book, or refresh the current
    one; returns its id. Refused if the tracking book is incomplete for the student."""
    with uow:
        where = load_class_year(uow.session, class_id)
        check_may_build(actor, where)
        if student_id not in reviewed_students(uow.session, where):
            raise NotFoundError(f"student of class {where.klass.name}", student_id)
        (built,) = _build(uow, where, [student_id], actor=actor, now=now)
        uow.commit("the transcript")
        return built


def build_class_transcripts(
    uow: UnitOfWork, *, class_id: int, actor: Actor, now: datetime
) -> tuple[str, ...]:
    """``build_transcript`` for every student of the class (who has not left), in one
    transaction: every transcript is built, or none. Returns their ids in class-list order."""
    with uow:
        where = load_class_year(uow.session, class_id)
        check_may_build(actor, where)
        students = list(reviewed_students(uow.session, where))
        built = _build(uow, where, students, actor=actor, now=now)
        uow.commit("the transcripts")
        return built


def refresh_from_tracking_book(
    uow: UnitOfWork, transcript: Transcript, *, actor: Actor, now: datetime, why: dict[str, Any]
) -> None:
    """Bring a transcript built from the tracking book in step with it, inside the caller's
    unit of work (an approved entry correction). The transcript may wait in draft or at the
    homeroom step: only the parts no live signature covers change. Data not built from the
    tracking book (``is_built``) is left as it is."""
    if transcript.kind != TranscriptKind.CA_NAM or not is_built(transcript.data):
        return
    session = uow.session
    where = load_class_year(session, transcript.class_id)
    sid = transcript.student_id
    read = _read_class(session, where, [sid], now)
    fresh = _fresh(session, read, sid)
    name = read.years[sid].student_name
    _refresh(
        uow, transcript, fresh, student=name, draft_only=False, actor=actor, now=now, details=why
    )
