"""A student moving to another school of the system before the school year starts (REQ-26).

The receiving school's academic affairs asks, naming the student's personal ID and the class
of the new year (``request_new_year_transfer``); the leaving school's academic affairs accepts
(``accept_transfer_request``, which also accepts mid-year transfers) or refuses with a reason
(``refuse_transfer``, either kind). Accepting needs every transcript the leaving school holds
of the student's earlier years to be finalized; in one transaction it then ends any place the
leaving school had opened for the student in the new year and enrols the student in the
receiving class: the new year's tracking book of that class lists the student. Nothing is
copied or re-signed: the receiving school reads the finalized transcripts as they were signed
(``workflow._transfer_reading``, ``student_record_chain``), and the leaving school keeps its
record read-only (``workflow._transfer_freeze``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, select

from domain.model import (
    Enrollment,
    SchoolClass,
    SchoolYear,
    Transfer,
    TransferKind,
    TransferStage,
    mask_personal_id,
)
from workflow._actor import Actor
from workflow._errors import (
    AdministratorForbiddenError,
    InvalidInputError,
    NotAssignedError,
    NotFoundError,
    ReasonRequiredError,
)
from workflow._transfer import (
    OPEN,
    accept_mid_year,
    load_transfer,
    move_student,
    officer_of,
    record_transfer_event,
    refuse_unless_officer,
)
from workflow._transfer_errors import (
    NotEnrolledError,
    TransferPendingError,
    TransferStateError,
    YearStartedError,
)
from workflow._transfer_new_year_checks import SCHOOL_ZONE, check_finalized, check_year_over
from workflow._transfer_students import find_student
from workflow._uow import UnitOfWork


@dataclass(frozen=True, slots=True)
class AcceptedTransfer:
    """What accepting a transfer did."""

    kind: TransferKind
    transcript_id: str | None
    """The leaving school's ChuyenTruong record (mid-year), None before the year."""


def _local_day(now: datetime) -> date:
    return now.astimezone(SCHOOL_ZONE).date()


def _latest_enrollment(session: Session, student_id: int) -> tuple[Enrollment, SchoolClass, date]:
    found = session.exec(
        select(Enrollment, SchoolClass, col(SchoolYear.starts_on))
        .join(SchoolClass, col(SchoolClass.id) == Enrollment.class_id)
        .join(SchoolYear, col(SchoolYear.id) == Enrollment.school_year_id)
        .where(Enrollment.student_id == student_id)
        .order_by(col(SchoolYear.starts_on).desc(), col(Enrollment.enrolled_on).desc())
    ).first()
    if found is None:
        raise NotEnrolledError
    return found


def request_new_year_transfer(
    uow: UnitOfWork,
    *,
    personal_id: str,
    to_class_id: int,
    actor: Actor,
    now: datetime,
    reason: str = "",
) -> int:
    """The receiving school's academic affairs asks for a student, before the school year of
    ``to_class_id`` starts, from the school of the student's latest class. Returns its id."""
    if actor.is_administrator:
        raise AdministratorForbiddenError
    with uow:
        session = uow.session
        klass = session.get(SchoolClass, to_class_id)
        year = None if klass is None else session.get(SchoolYear, klass.school_year_id)
        if klass is None or year is None or klass.id is None or year.id is None:
            raise NotFoundError("class", to_class_id)
        refuse_unless_officer(actor, (klass.school_id,), year.id)
        if _local_day(now) >= year.starts_on:
            raise YearStartedError(year.name, year.starts_on)
        student = find_student(session, personal_id)
        if student is None or student.id is None:
            raise NotFoundError("student", mask_personal_id(personal_id))
        _, last_class, last_start = _latest_enrollment(session, student.id)
        if last_start > year.starts_on:
            raise InvalidInputError(
                "to_class_id",
                "the student already studies in a later school year",
                "học sinh đã học ở năm học sau năm học này",
            )
        if last_class.school_id == klass.school_id:
            raise InvalidInputError(
                "personal_id", "the student already attends it", "học sinh đang học ở trường này"
            )
        pending = session.exec(
            select(Transfer.id).where(
                Transfer.student_id == student.id, col(Transfer.stage).in_(OPEN)
            )
        ).first()
        if pending is not None:
            raise TransferPendingError(pending)
        assert actor.person_id is not None and last_class.id is not None
        transfer = Transfer(
            student_id=student.id,
            school_year_id=year.id,
            from_school_id=last_class.school_id,
            from_class_id=last_class.id,
            to_school_id=klass.school_id,
            to_class_id=klass.id,
            kind=TransferKind.BEFORE_YEAR,
            requested_by_id=actor.person_id,
            requested_by_school_id=klass.school_id,
            requested_at=now,
            reason=reason.strip()[:500],
        )
        session.add(transfer)
        uow.flush("the transfer")
        record_transfer_event(uow, actor, "transfer.request", transfer, now)
        uow.commit("the transfer")
        assert transfer.id is not None
        return transfer.id


def deciding_school(transfer: Transfer) -> int:
    """The school that accepts or refuses: the one that did not ask."""
    if transfer.requested_by_school_id == transfer.to_school_id:
        return transfer.from_school_id
    return transfer.to_school_id


def deciding_years(session: Session, transfer: Transfer) -> tuple[int, ...]:
    """The school years an officer of the deciding school may be assigned for: the transfer's
    and, before the year, that of the student's last class at the leaving school."""
    if transfer.kind is TransferKind.MID_YEAR:
        return (transfer.school_year_id,)
    last = session.get(SchoolClass, transfer.from_class_id)
    assert last is not None  # a foreign key
    return (transfer.school_year_id, last.school_year_id)


def _refuse_unless_deciding(session: Session, actor: Actor, transfer: Transfer) -> None:
    school = deciding_school(transfer)
    if actor.is_administrator:
        raise AdministratorForbiddenError
    years = deciding_years(session, transfer)
    if not any(officer_of(actor, school, year) for year in years):
        raise NotAssignedError(
            "academic affairs of the school asked to accept", "giáo vụ của trường được đề nghị"
        )


def _accept_before_year(
    uow: UnitOfWork, transfer: Transfer, *, actor: Actor, now: datetime
) -> None:
    session = uow.session
    year = session.get(SchoolYear, transfer.school_year_id)
    assert year is not None and transfer.to_class_id is not None  # set when asked
    check_year_over(session, transfer, year, now)
    check_finalized(session, transfer, year)
    effective_on = max(year.starts_on, _local_day(now))
    placed = session.exec(
        select(Enrollment)
        .join(SchoolClass, col(SchoolClass.id) == Enrollment.class_id)
        .where(
            Enrollment.student_id == transfer.student_id,
            Enrollment.school_year_id == year.id,
            SchoolClass.school_id == transfer.from_school_id,
            col(Enrollment.left_on).is_(None),
        )
    ).all()
    for enrollment in placed:
        # The leaving school had opened the new year for the student already: that place ends
        # (kept, read-only) the day the receiving one starts.
        enrollment.left_on = effective_on
        session.add(enrollment)
    transfer.accepted_by_id = actor.person_id
    transfer.accepted_at = now
    move_student(session, transfer, effective_on=effective_on, now=now)
    record_transfer_event(uow, actor, "transfer.accept", transfer, now)
    record_transfer_event(uow, actor, "transfer.complete", transfer, now)


def accept_transfer_request(
    uow: UnitOfWork,
    *,
    transfer_id: int,
    actor: Actor,
    now: datetime,
    to_class_id: int | None = None,
) -> AcceptedTransfer:
    """The school asked accepts a transfer of either kind.

    Mid-year: as ``accept_transfer`` (the leaving school's ChuyenTruong record opens in
    draft). Before the year: the leaving school's academic affairs accepts, and the transfer
    is completed at once (the student joins the receiving class on the year's first day, or
    today if it has passed). Refused until the student's last year at the leaving school has
    passed its lock date (YearNotOverError), and while a transcript of an earlier year is not
    finalized (RecordNotFinalizedError, naming each).
    """
    with uow:
        session = uow.session
        transfer = load_transfer(session, transfer_id)
        if transfer.kind is TransferKind.MID_YEAR:
            record_id = accept_mid_year(
                uow, transfer, actor=actor, now=now, to_class_id=to_class_id
            )
            uow.commit("the transfer")
            return AcceptedTransfer(TransferKind.MID_YEAR, record_id)
        _refuse_unless_deciding(session, actor, transfer)
        if transfer.stage is not TransferStage.REQUESTED:
            raise TransferStateError("accept", transfer.stage.value)
        if to_class_id is not None:
            raise InvalidInputError(
                "to_class_id",
                "the receiving school chose the class when it asked",
                "trường tiếp nhận đã chọn lớp khi đề nghị",
            )
        _accept_before_year(uow, transfer, actor=actor, now=now)
        uow.commit("the transfer")
        return AcceptedTransfer(TransferKind.BEFORE_YEAR, None)


def refuse_transfer(
    uow: UnitOfWork, *, transfer_id: int, reason: str, actor: Actor, now: datetime
) -> None:
    """The school asked declines a requested transfer (either kind), saying why; nothing else
    changes, and the student may be asked for again."""
    if not reason.strip():
        raise ReasonRequiredError
    with uow:
        session = uow.session
        transfer = load_transfer(session, transfer_id)
        _refuse_unless_deciding(session, actor, transfer)
        if transfer.stage is not TransferStage.REQUESTED:
            raise TransferStateError("refuse", transfer.stage.value)
        transfer.stage = TransferStage.REFUSED
        transfer.refused_by_id = actor.person_id
        transfer.refused_at = now
        transfer.refusal_reason = reason.strip()[:500]
        session.add(transfer)
        record_transfer_event(uow, actor, "transfer.refuse", transfer, now)
        uow.commit("the transfer")
