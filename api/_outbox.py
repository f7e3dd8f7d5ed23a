"""``/outbox``: the city exchange's messages for the Department, and the retry of a dead one."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec
from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import PathParameter, QueryParameter

from api._openapi import PROBLEMS
from workflow import MAX_OFFSET, MAX_PAGE, Actor, OutboxView, UnitOfWork, list_outbox
from workflow import retry_outbox_message as retry_message


def _d(text: str) -> msgspec.Meta:
    return msgspec.Meta(description=text)


class OutboxMessageOut(msgspec.Struct):
    """One message to the city transcript system (docs/city-exchange.md)."""

    id: Annotated[int, _d("The message's id.")]
    kind: Annotated[
        str,
        _d(
            "`register_create`, `send_transcript`, `register_verify`, `relay_ministry` "
            "or `register_cancel`."
        ),
    ]
    state: Annotated[str, _d("`pending`, `delivered` or `dead`.")]
    transcript_id: Annotated[str, _d("The transcript version it is about.")]
    school_name: Annotated[str, _d("The school.")]
    student_name: Annotated[str, _d("The student's full name.")]
    personal_id_masked: Annotated[str, _d("The student's personal ID, masked.")]
    attempts: Annotated[int, _d("Attempts so far (a retry starts again from 0).")]
    next_attempt_at: Annotated[datetime, _d("When a pending message is tried next, UTC.")]
    last_status: Annotated[int | None, _d("The city's last HTTP status (null: no answer).")]
    last_error: Annotated[str | None, _d("Why the last attempt failed.")]
    created_at: Annotated[datetime, _d("When it was queued, UTC.")]
    delivered_at: Annotated[datetime | None, _d("When the city acknowledged it, UTC.")]


class OutboxList(msgspec.Struct):
    """Messages of the officer's department's schools."""

    items: Annotated[list[OutboxMessageOut], _d("The messages, oldest first.")]


def _out(view: OutboxView) -> OutboxMessageOut:
    return OutboxMessageOut(
        id=view.id,
        kind=view.kind,
        state=view.state,
        transcript_id=view.transcript_id,
        school_name=view.school_name,
        student_name=view.student_name,
        personal_id_masked=view.personal_id_masked,
        attempts=view.attempts,
        next_attempt_at=view.next_attempt_at,
        last_status=view.last_status,
        last_error=view.last_error,
        created_at=view.created_at,
        delivered_at=view.delivered_at,
    )


class OutboxController(Controller):
    """``/outbox``: for Department officers, over their department's schools."""

    path = "/outbox"
    tags = ["city exchange"]  # noqa: RUF012  (Litestar's class attribute)

    @get("/", sync_to_thread=True, responses=PROBLEMS, summary="List the city exchange's messages")
    def index(
        self,
        *,
        uow: NamedDependency[UnitOfWork],
        actor: NamedDependency[Actor],
        now: NamedDependency[datetime],
        message_state: Annotated[
            Literal["pending", "delivered", "dead"] | None,
            QueryParameter(
                name="state", description="Only messages in this state (`dead`: dead letters)."
            ),
        ] = None,
        limit: Annotated[
            int, QueryParameter(ge=1, le=MAX_PAGE, description=f"Page size (1–{MAX_PAGE}).")
        ] = 100,
        offset: Annotated[
            int, QueryParameter(ge=0, le=MAX_OFFSET, description="How many to skip.")
        ] = 0,
    ) -> OutboxList:
        """The messages of the officer's department's schools, oldest first (audited)."""
        views = list_outbox(
            uow, actor=actor, now=now, state=message_state, limit=limit, offset=offset
        )
        return OutboxList(items=[_out(v) for v in views])

    @post(
        "/{message_id:int}/retry",
        status_code=200,
        sync_to_thread=True,
        responses=PROBLEMS,
        summary="Retry a dead message",
    )
    def retry(
        self,
        *,
        message_id: Annotated[
            int, PathParameter(ge=1, le=2**31 - 1, description="The message's id.")
        ],
        uow: NamedDependency[UnitOfWork],
        actor: NamedDependency[Actor],
        now: NamedDependency[datetime],
    ) -> OutboxMessageOut:
        """A dead message gets a fresh set of attempts and is due at once (409 if not dead)."""
        return _out(retry_message(uow, message_id=message_id, actor=actor, now=now))
