"""A student moving between two schools of the system during the year (REQ-25, REQ-26).

``request_transfer`` (academic affairs of either school) → ``accept_transfer`` (academic
affairs of the other school; the leaving school's ChuyenTruong draft is built from its
tracking book, semester I included) → the leaving school's principal signs and its clerk
seals it through the ordinary signing sessions (the state machine lets ChuyenTruong go from
draft to the principal) → ``complete_transfer`` (the receiving school's academic affairs):
the enrolment moves and the receiving school inherits the record. The leaving school keeps
every row it had; the student's record as the receiving school sees it is
``student_record_chain``. Each use case is one transaction, audited.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlmodel import Session, col, select

from domain.model import (
    Enrollment,
    Role,
    School,
    SchoolClass,
    SchoolYear,
    Student,
    Transcript,
    TranscriptKind,
    Transfer,
    TransferKind,
    TransferStage,
    mask_personal_id,
    state_hash,
)
from workflow._actor import Actor
from workflow._errors import (
    AdministratorForbiddenError,
    InvalidInputError,
    NotAssignedError,
    NotFoundError,
)
from workflow._record_package import ISSUED
from workflow._tracking_scope import ClassYear, class_subjects
from workflow._transcript_build import subject_teachers
from workflow._transfer_data import transfer_data
from workflow._transfer_errors import (
    NotEnrolledError,
    TransferNotSignedError,
    TransferPendingError,
    TransferStateError,
)
from workflow._transfer_students import find_student
from workflow._transitions import snapshot
from workflow._uow import UnitOfWork

OPEN = (TransferStage.REQUESTED, TransferStage.ACCEPTED)


def officer_of(actor: Actor, school_id: int, year_id: int) -> bool:
    return actor.holds(Role.ACADEMIC_AFFAIRS, school_id=school_id, school_year_id=year_id)


def refuse_unless_officer(actor: Actor, school_ids: tuple[int, ...], year_id: int) -> None:
    if actor.is_administrator:
        raise AdministratorForbiddenError
    if not any(officer_of(actor, school, year_id) for school in school_ids):
        raise NotAssignedError(
            "academic affairs of the school concerned", "giáo vụ của trường liên quan"
        )


def current_enrollment(session: Session, student_id: int) -> tuple[Enrollment, SchoolClass]:
    rows = session.exec(
        select(Enrollment, SchoolClass, SchoolYear)
        .join(SchoolClass, col(SchoolClass.id) == Enrollment.class_id)
        .join(SchoolYear, col(SchoolYear.id) == Enrollment.school_year_id)
        .where(Enrollment.student_id == student_id, col(Enrollment.left_on).is_(None))
        .order_by(col(SchoolYear.starts_on).desc())
    ).first()
    if rows is None:
        raise NotEnrolledError
    enrollment, klass, _ = rows
    return enrollment, klass


def receiving_class(session: Session, transfer: Transfer, class_id: int | None) -> int:
    chosen = class_id if class_id is not None else transfer.to_class_id
    if chosen is None:
        raise InvalidInputError(
            "to_class_id",
            "the receiving school names the class the student joins",
            "trường tiếp nhận cần chọn lớp cho học sinh",
        )
    klass = session.get(SchoolClass, chosen)
    if (
        klass is None
        or klass.school_id != transfer.to_school_id
        or klass.school_year_id != transfer.school_year_id
    ):
        raise InvalidInputError(
            "to_class_id",
            "not a class of the receiving school in the transfer's school year",
            "không phải lớp của trường tiếp nhận trong năm học này",
        )
    return chosen


def load_transfer(session: Session, transfer_id: int) -> Transfer:
    transfer = session.get(Transfer, transfer_id)
    if transfer is None:
        raise NotFoundError("transfer", transfer_id)
    return transfer


def record_transfer_event(
    uow: UnitOfWork, actor: Actor, action: str, transfer: Transfer, now: datetime
) -> None:
    uow.audit.record(
        actor=actor,
        action=action,
        object_type="transfer",
        object_id=str(transfer.id),
        now=now,
        details={
            "student_id": transfer.student_id,
            "from_school_id": transfer.from_school_id,
            "to_school_id": transfer.to_school_id,
            "transcript_id": transfer.transcript_id,
        },
    )


def request_transfer(
    uow: UnitOfWork,
    *,
    personal_id: str,
    to_school_code: str,
    actor: Actor,
    now: datetime,
    to_class_id: int | None = None,
    reason: str = "",
) -> int:
    """Ask for the student's transfer from the school they attend to ``to_school_code``.

    Academic affairs of either school asks; the other school's accepts. The receiving school
    may name the class (``to_class_id``) now or when it accepts. Returns the transfer's id.
    """
    with uow:
        session = uow.session
        student = find_student(session, personal_id)
        if student is None:
            raise NotFoundError("student", mask_personal_id(personal_id))
        assert student.id is not None
        enrollment, klass = current_enrollment(session, student.id)
        target = session.exec(select(School).where(School.code == to_school_code)).first()
        if target is None or target.id is None:
            raise NotFoundError("school", to_school_code)
        if target.id == klass.school_id:
            raise InvalidInputError(
                "to_school_code", "the student already attends it", "học sinh đang học ở trường này"
            )
        year_id = enrollment.school_year_id
        refuse_unless_officer(actor, (klass.school_id, target.id), year_id)
        pending = session.exec(
            select(Transfer.id).where(
                Transfer.student_id == student.id, col(Transfer.stage).in_(OPEN)
            )
        ).first()
        if pending is not None:
            raise TransferPendingError(pending)
        requester = target.id if officer_of(actor, target.id, year_id) else klass.school_id
        assert actor.person_id is not None and klass.id is not None
        transfer = Transfer(
            student_id=student.id,
            school_year_id=year_id,
            from_school_id=klass.school_id,
            from_class_id=klass.id,
            to_school_id=target.id,
            requested_by_id=actor.person_id,
            requested_by_school_id=requester,
            requested_at=now,
            reason=reason.strip()[:500],
        )
        if to_class_id is not None:
            if requester != target.id:
                raise InvalidInputError(
                    "to_class_id",
                    "only the receiving school chooses the class",
                    "chỉ trường tiếp nhận chọn lớp",
                )
            transfer.to_class_id = receiving_class(session, transfer, to_class_id)
        session.add(transfer)
        uow.flush("the transfer")
        record_transfer_event(uow, actor, "transfer.request", transfer, now)
        uow.commit("the transfer")
        assert transfer.id is not None
        return transfer.id


def _transfer_transcript(
    session: Session, transfer: Transfer, student: Student, now: datetime
) -> Transcript:
    klass = session.get(SchoolClass, transfer.from_class_id)
    year = session.get(SchoolYear, transfer.school_year_id)
    school = session.get(School, transfer.from_school_id)
    assert klass is not None and year is not None and school is not None
    where = ClassYear(klass, year)
    data = transfer_data(
        session,
        where=where,
        school=school,
        student=student,
        subjects=tuple(class_subjects(session, where)),
        teachers=subject_teachers(session, where, now),
    )
    assert student.id is not None and school.id is not None and year.id is not None
    return Transcript(
        id=str(uuid.uuid4()),
        student_id=student.id,
        school_id=school.id,
        school_year_id=year.id,
        class_id=where.class_id,
        kind=TranscriptKind.CHUYEN_TRUONG,
        data=data,
        created_at=now,
        updated_at=now,
    )


def accept_transfer(
    uow: UnitOfWork,
    *,
    transfer_id: int,
    actor: Actor,
    now: datetime,
    to_class_id: int | None = None,
) -> str:
    """The other school's academic affairs accepts a requested transfer.

    The leaving school's ChuyenTruong transcript is opened in draft from its tracking book
    (semester I complete, else IncompleteTrackingError naming each gap); its principal and
    clerk then sign it. The receiving school names the class if it had not. Returns the
    ChuyenTruong transcript's id.
    """
    with uow:
        transfer = load_transfer(uow.session, transfer_id)
        if transfer.kind is not TransferKind.MID_YEAR:
            raise TransferStateError("accept as mid-year", transfer.kind.value)
        record_id = accept_mid_year(uow, transfer, actor=actor, now=now, to_class_id=to_class_id)
        uow.commit("the transfer")
        return record_id


def accept_mid_year(
    uow: UnitOfWork, transfer: Transfer, *, actor: Actor, now: datetime, to_class_id: int | None
) -> str:
    """``accept_transfer`` inside the caller's unit of work (which commits)."""
    session = uow.session
    other = (
        transfer.from_school_id
        if transfer.requested_by_school_id == transfer.to_school_id
        else transfer.to_school_id
    )
    refuse_unless_officer(actor, (other,), transfer.school_year_id)
    if transfer.stage is not TransferStage.REQUESTED:
        raise TransferStateError("accept", transfer.stage.value)
    if to_class_id is not None and other != transfer.to_school_id:
        raise InvalidInputError(
            "to_class_id",
            "only the receiving school chooses the class",
            "chỉ trường tiếp nhận chọn lớp",
        )
    transfer.to_class_id = receiving_class(session, transfer, to_class_id)
    student = session.get(Student, transfer.student_id)
    assert student is not None
    row = _transfer_transcript(session, transfer, student, now)
    session.add(row)
    uow.flush("the transfer record")
    transfer.stage = TransferStage.ACCEPTED
    transfer.accepted_by_id = actor.person_id
    transfer.accepted_at = now
    transfer.transcript_id = row.id
    session.add(transfer)
    uow.audit.record(
        actor=actor,
        action="transcript.create",
        object_type="transcript",
        object_id=row.id,
        now=now,
        after_sha256=state_hash(snapshot(row)),
    )
    record_transfer_event(uow, actor, "transfer.accept", transfer, now)
    return row.id


def move_student(
    session: Session, transfer: Transfer, *, effective_on: date, now: datetime
) -> None:
    """The student joins the receiving class on ``effective_on``; the transfer is completed.

    The caller has ended the student's place at the leaving school.
    """
    assert transfer.to_class_id is not None  # set when asked or accepted
    session.add(
        Enrollment(
            student_id=transfer.student_id,
            class_id=transfer.to_class_id,
            school_year_id=transfer.school_year_id,
            enrolled_on=effective_on,
        )
    )
    transfer.stage = TransferStage.COMPLETED
    transfer.completed_at = now
    transfer.effective_on = effective_on
    session.add(transfer)


def complete_transfer(
    uow: UnitOfWork, *, transfer_id: int, actor: Actor, now: datetime, effective_on: date
) -> None:
    """The receiving school inherits the student once the ChuyenTruong record is sealed.

    The student leaves the old class (``left_on``) and joins the receiving class on
    ``effective_on``; the leaving school keeps its rows, no longer the student's school.
    """
    with uow:
        session = uow.session
        transfer = load_transfer(session, transfer_id)
        refuse_unless_officer(actor, (transfer.to_school_id,), transfer.school_year_id)
        if transfer.stage is not TransferStage.ACCEPTED:
            raise TransferStateError("complete", transfer.stage.value)
        record = session.get(Transcript, transfer.transcript_id) if transfer.transcript_id else None
        if record is None or record.status not in ISSUED:
            raise TransferNotSignedError(transfer.transcript_id)
        assert transfer.to_class_id is not None
        leaving = session.exec(
            select(Enrollment).where(
                Enrollment.student_id == transfer.student_id,
                Enrollment.class_id == transfer.from_class_id,
                col(Enrollment.left_on).is_(None),
            )
        ).first()
        if leaving is not None:
            leaving.left_on = effective_on
            session.add(leaving)
        move_student(session, transfer, effective_on=effective_on, now=now)
        record_transfer_event(uow, actor, "transfer.complete", transfer, now)
        uow.commit("the transfer")
