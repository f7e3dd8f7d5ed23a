"""The Department's correction requests: the queue and the decision."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import JSONBody, PathParameter, QueryParameter

from api._openapi import PROBLEMS
from api._schemas_in import DecisionRequest
from api._schemas_out import CorrectionOutcomeOut, CorrectionRequestList, CorrectionRequestOut
from workflow import (
    MAX_OFFSET,
    MAX_PAGE,
    Actor,
    UnitOfWork,
    decide_correction_request,
    list_correction_requests,
)


class CorrectionController(Controller):
    """``/correction-requests``: for Department officers, over their department's schools."""

    path = "/correction-requests"
    tags = ["corrections"]  # noqa: RUF012  (Litestar's class attribute)

    @get("/", sync_to_thread=True, responses=PROBLEMS, summary="List correction requests")
    def index(
        self,
        *,
        uow: NamedDependency[UnitOfWork],
        actor: NamedDependency[Actor],
        now: NamedDependency[datetime],
        status: Annotated[
            Literal["pending", "approved", "rejected"] | None,
            QueryParameter(description="Only requests with this status."),
        ] = None,
        limit: Annotated[
            int, QueryParameter(ge=1, le=MAX_PAGE, description=f"Page size (1–{MAX_PAGE}).")
        ] = 100,
        offset: Annotated[
            int, QueryParameter(ge=0, le=MAX_OFFSET, description="How many to skip.")
        ] = 0,
    ) -> CorrectionRequestList:
        """The requests of the officer's department's schools, oldest first (audited)."""
        views = list_correction_requests(
            uow, actor=actor, now=now, status=status, limit=limit, offset=offset
        )
        return CorrectionRequestList(
            items=[
                CorrectionRequestOut(
                    id=v.id,
                    transcript_id=v.transcript_id,
                    school_name=v.school_name,
                    class_name=v.class_name,
                    student_name=v.student_name,
                    reason=v.reason,
                    details=v.details,
                    status=v.status,
                    created_at=v.created_at,
                    decided_at=v.decided_at,
                    decision_note=v.decision_note,
                    new_transcript_id=v.new_transcript_id,
                )
                for v in views
            ]
        )

    @post(
        "/{request_id:int}/decision",
        status_code=200,
        sync_to_thread=True,
        responses=PROBLEMS,
        summary="Approve or reject a correction request",
    )
    def decide(
        self,
        *,
        request_id: Annotated[
            int, PathParameter(ge=1, le=2**31 - 1, description="The request's id.")
        ],
        data: JSONBody[DecisionRequest],
        uow: NamedDependency[UnitOfWork],
        actor: NamedDependency[Actor],
        now: NamedDependency[datetime],
    ) -> CorrectionOutcomeOut:
        """Approve: a new version of the transcript starts in draft (the old one is kept,
        superseded). Reject: the transcript goes back to finalized."""
        outcome = decide_correction_request(
            uow,
            request_id=request_id,
            actor=actor,
            approve=data.decision == "approve",
            note=data.note,
            now=now,
        )
        return CorrectionOutcomeOut(
            id=outcome.request_id,
            transcript_id=outcome.transcript_id,
            status=outcome.status,
            new_transcript_id=outcome.new_transcript_id,
        )
