"""Entry windows (REQ-18) and building a class's transcripts from its tracking book.

The principal decides to open or close a period's entry, the administrator carries the
decision out; academic affairs (or the class's homeroom teacher, or the principal) builds the
class's annual transcripts once its year is entered.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec
from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import JSONBody, PathParameter

from api._openapi import PROBLEMS
from domain.model import EntryPeriod, WindowAction
from workflow import (
    Actor,
    UnitOfWork,
    build_class_transcripts,
    carry_out_window_decision,
    decide_entry_window,
    window_overview,
)

RowId = Annotated[int, PathParameter(ge=1, le=2**31 - 1, description="The row's id.")]


def _d(text: str) -> msgspec.Meta:
    return msgspec.Meta(description=text)


class WindowOut(msgspec.Struct):
    """A period's entry window."""

    period: Annotated[str, _d("`hk1`, `hk2` or `supplementary`.")]
    is_open: Annotated[bool, _d("Whether teachers may enter the period's data now.")]
    carried_out_at: Annotated[datetime | None, _d("When the last decision was carried out.")]


class PendingDecisionOut(msgspec.Struct):
    """A principal's decision waiting for the administrator."""

    id: Annotated[int, _d("The decision's id (for `carry-out`).")]
    period: Annotated[str, _d("`hk1`, `hk2` or `supplementary`.")]
    action: Annotated[str, _d("`open` or `close`.")]
    decision: Annotated[str, _d("The decision as issued (number or wording).")]
    decided_by: Annotated[str, _d("The principal's name.")]
    decided_at: Annotated[datetime, _d("When the principal decided.")]
    effective_at: Annotated[datetime, _d("The earliest instant it may be carried out.")]


class YearWindowsOut(msgspec.Struct):
    """One school's windows for one school year."""

    school_id: Annotated[int, _d("The school's id.")]
    school_name: Annotated[str, _d("The school's name.")]
    school_year_id: Annotated[int, _d("The school year's id.")]
    school_year: Annotated[str, _d("The school year, e.g. `2026-2027`.")]
    windows: Annotated[list[WindowOut], _d("One per entry period.")]
    pending: Annotated[list[PendingDecisionOut], _d("Decisions not carried out yet.")]
    may_decide: Annotated[bool, _d("The caller is this school's principal for the year.")]
    may_carry_out: Annotated[bool, _d("The caller is this school's administrator.")]


class YearWindowsList(msgspec.Struct):
    """Every year not yet past its supplementary lock, at the caller's schools."""

    items: Annotated[list[YearWindowsOut], _d("One per school and year.")]


class WindowDecisionIn(msgspec.Struct, forbid_unknown_fields=True):
    """The principal's decision to open or close a period's entry."""

    school_id: Annotated[int, msgspec.Meta(ge=1, le=2**31 - 1, description="The school's id.")]
    school_year_id: Annotated[
        int, msgspec.Meta(ge=1, le=2**31 - 1, description="The school year's id.")
    ]
    period: Annotated[
        Literal["hk1", "hk2", "supplementary"], _d("The entry period the decision is about.")
    ]
    action: Annotated[Literal["open", "close"], _d("Open or close the period's entry.")]
    decision: Annotated[
        str, msgspec.Meta(min_length=1, max_length=1000, description="Its number or wording.")
    ]


class CreatedId(msgspec.Struct):
    """The id of what was created."""

    id: Annotated[int, _d("The new row's id.")]


class BuiltTranscripts(msgspec.Struct):
    """The class's annual transcripts, built or refreshed, in class-list order."""

    transcript_ids: Annotated[list[str], _d("The transcripts' ids, in class-list order.")]


class WindowController(Controller):
    """``/entry-windows`` and ``/entry-window-decisions``."""

    path = "/"
    tags = ["tracking book"]  # noqa: RUF012  (Litestar's class attribute)

    @get("/entry-windows", sync_to_thread=True, responses=PROBLEMS, summary="Entry windows")
    def windows(
        self,
        *,
        uow: NamedDependency[UnitOfWork],
        actor: NamedDependency[Actor],
        now: NamedDependency[datetime],
    ) -> YearWindowsList:
        """For the principal, the administrator and academic affairs of a school."""
        years = window_overview(uow, actor=actor, now=now)
        return YearWindowsList(
            items=[
                YearWindowsOut(
                    school_id=y.school_id,
                    school_name=y.school_name,
                    school_year_id=y.school_year_id,
                    school_year=y.school_year,
                    windows=[
                        WindowOut(
                            period=w.period.value,
                            is_open=w.is_open,
                            carried_out_at=w.carried_out_at,
                        )
                        for w in y.windows
                    ],
                    pending=[
                        PendingDecisionOut(
                            id=d.id,
                            period=d.period,
                            action=d.action,
                            decision=d.decision,
                            decided_by=d.decided_by,
                            decided_at=d.decided_at,
                            effective_at=d.effective_at,
                        )
                        for d in y.pending
                    ],
                    may_decide=y.may_decide,
                    may_carry_out=y.may_carry_out,
                )
                for y in years
            ]
        )

    @post(
        "/entry-window-decisions",
        status_code=201,
        sync_to_thread=True,
        responses=PROBLEMS,
        summary="Decide to open or close a period's entry (principal)",
    )
    def decide(
        self,
        *,
        data: JSONBody[WindowDecisionIn],
        uow: NamedDependency[UnitOfWork],
        actor: NamedDependency[Actor],
        now: NamedDependency[datetime],
    ) -> CreatedId:
        """The decision waits for the administrator; a pending one for the period is replaced."""
        decision_id = decide_entry_window(
            uow,
            school_id=data.school_id,
            school_year_id=data.school_year_id,
            period=EntryPeriod(data.period),
            action=WindowAction(data.action),
            decision=data.decision,
            actor=actor,
            now=now,
        )
        return CreatedId(id=decision_id)

    @post(
        "/entry-window-decisions/{decision_id:int}/carry-out",
        status_code=204,
        sync_to_thread=True,
        responses=PROBLEMS,
        summary="Carry out a principal's decision (administrator)",
    )
    def carry_out(
        self,
        *,
        decision_id: RowId,
        uow: NamedDependency[UnitOfWork],
        actor: NamedDependency[Actor],
        now: NamedDependency[datetime],
    ) -> None:
        """The window opens or closes now."""
        carry_out_window_decision(uow, decision_id=decision_id, actor=actor, now=now)

    @post(
        "/classes/{class_id:int}/build-transcripts",
        status_code=200,
        sync_to_thread=True,
        responses=PROBLEMS,
        summary="Build a class's annual transcripts from its tracking book",
        tags=["transcripts"],
    )
    def build(
        self,
        *,
        class_id: RowId,
        uow: NamedDependency[UnitOfWork],
        actor: NamedDependency[Actor],
        now: NamedDependency[datetime],
    ) -> BuiltTranscripts:
        """Every student's transcript is built (or refreshed), or none."""
        built = build_class_transcripts(uow, class_id=class_id, actor=actor, now=now)
        return BuiltTranscripts(transcript_ids=list(built))
