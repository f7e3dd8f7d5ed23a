"""The Department's view of the city exchange: what is stuck (dead letters), and a retry."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import col

from domain.model import (
    OutboxMessage,
    OutboxState,
    Role,
    School,
    Student,
    Transcript,
    mask_personal_id,
)
from workflow._actor import Actor
from workflow._errors import (
    AdministratorForbiddenError,
    InvalidInputError,
    NotAssignedError,
    NotFoundError,
    WorkflowError,
)
from workflow._listing import check_page
from workflow._uow import UnitOfWork


class OutboxNotDeadError(WorkflowError):
    """Only a dead message is retried by hand; a pending one is retried on its own."""

    code = "outbox_not_dead"

    def __init__(self, message_id: int, state: str) -> None:
        super().__init__(
            f"message {message_id} is {state}, not dead: only a dead message can be retried",
            f"Tin {message_id} đang ở trạng thái {state}: chỉ gửi lại được tin đã dừng gửi",
        )


@dataclass(frozen=True, slots=True)
class OutboxView:
    """One message as the Department sees it."""

    id: int
    kind: str
    state: str
    transcript_id: str
    school_name: str
    student_name: str
    personal_id_masked: str
    attempts: int
    next_attempt_at: datetime
    last_status: int | None
    last_error: str | None
    created_at: datetime
    delivered_at: datetime | None


def _departments(actor: Actor) -> set[str]:
    if actor.is_administrator:
        raise AdministratorForbiddenError
    departments = {
        g.department_code
        for g in actor.grants
        if g.role is Role.DEPARTMENT_OFFICER and g.department_code is not None
    }
    if not departments:
        raise NotAssignedError("a Department officer", "cán bộ Sở GDĐT")
    return departments


_VIEW = (
    sa.select(OutboxMessage, col(School.name), col(Student.id), col(Student.full_name))
    .join(Transcript, col(Transcript.id) == col(OutboxMessage.transcript_id))
    .join(School, col(School.id) == col(Transcript.school_id))
    .join(Student, col(Student.id) == col(Transcript.student_id))
)


def _view(message: OutboxMessage, school_name: str, student_name: str) -> OutboxView:
    assert message.id is not None  # a stored row
    return OutboxView(
        id=message.id,
        kind=str(message.kind),
        state=str(message.state),
        transcript_id=message.transcript_id,
        school_name=school_name,
        student_name=student_name,
        personal_id_masked=mask_personal_id(message.personal_id),
        attempts=message.attempts,
        next_attempt_at=message.next_attempt_at,
        last_status=message.last_status,
        last_error=message.last_error,
        created_at=message.created_at,
        delivered_at=message.delivered_at,
    )


def list_outbox(
    uow: UnitOfWork,
    *,
    actor: Actor,
    now: datetime,
    state: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[OutboxView]:
    """The messages of the officer's department's schools, oldest first; audited per student."""
    departments = _departments(actor)
    check_page(limit, offset)
    statement = (
        _VIEW.where(col(OutboxMessage.department_code).in_(departments))
        .order_by(col(OutboxMessage.created_at), col(OutboxMessage.id))
        .limit(limit)
        .offset(offset)
    )
    if state is not None:
        if state not in {s.value for s in OutboxState}:
            raise InvalidInputError("state", "unknown state", "trạng thái không hợp lệ")
        statement = statement.where(col(OutboxMessage.state) == OutboxState(state))
    with uow:
        views = []
        for message, school_name, student_id, student_name in uow.session.execute(statement):
            views.append(_view(message, school_name, student_name))
            uow.audit.record(
                actor=actor,
                action="student.read",
                object_type="student",
                object_id=str(student_id),
                now=now,
                details={"via": "outbox", "message_id": message.id},
            )
        uow.commit("the outbox")
        return views


def retry_outbox_message(
    uow: UnitOfWork, *, message_id: int, actor: Actor, now: datetime
) -> OutboxView:
    """Give a dead message a fresh set of attempts, due at once (the Department's retry)."""
    departments = _departments(actor)
    with uow:
        session = uow.session
        found = session.execute(_VIEW.where(col(OutboxMessage.id) == message_id)).first()
        if found is None or found[0].department_code not in departments:
            raise NotFoundError("outbox message", message_id)
        message, school_name, _student_id, student_name = found
        if message.state != OutboxState.DEAD:
            raise OutboxNotDeadError(message_id, str(message.state))
        before = {"attempts": message.attempts, "last_error": message.last_error}
        message.state = OutboxState.PENDING
        message.attempts = 0
        message.next_attempt_at = now
        message.claimed_until = None
        message.claim_token = None
        message.updated_at = now
        session.add(message)
        uow.audit.record(
            actor=actor,
            action="outbox.retry",
            object_type="outbox",
            object_id=str(message_id),
            now=now,
            details={"kind": str(message.kind), "before": before},
        )
        uow.commit("the outbox message")
        return _view(message, school_name, student_name)
