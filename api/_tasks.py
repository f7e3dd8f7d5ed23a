"""``GET /tasks`` and ``GET /me/transcripts``: what is the caller's own."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import anyio.to_thread
from litestar import get
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.params import QueryParameter

from api._openapi import PROBLEMS
from api._schemas_out import TaskItemOut, TaskList, TranscriptList
from api._transcripts import summary_out
from workflow import (
    MAX_OFFSET,
    MAX_PAGE,
    Actor,
    ReadCache,
    TaskItem,
    UnitOfWork,
    my_transcripts,
)


def _task_list(items: list[TaskItem]) -> TaskList:
    return TaskList(
        items=[
            TaskItemOut(
                id=t.id,
                action=t.action,
                step=t.step,
                school_year=t.school_year,
                class_id=t.class_id,
                class_name=t.class_name,
                subject_code=t.subject_code,
                transcript_ids=list(t.transcript_ids),
                count=t.count,
                due_at=t.due_at,
            )
            for t in items
        ]
    )


@get("/tasks", responses=PROBLEMS, tags=["tasks"], summary="The caller's queue")
async def tasks(
    *,
    state: State,
    uow: NamedDependency[UnitOfWork],
    actor: NamedDependency[Actor],
    now: NamedDependency[datetime],
) -> TaskList:
    """What waits for the caller's signature or decision, grouped so a class signs in one
    batch. Staff and Department officers only."""
    cache: ReadCache = state.read_cache
    # The process's cache answers without a thread; a miss reads in one (never in the loop).
    cached = cache.cached_tasks(actor=actor, now=now, render=_task_list)
    if cached is not None:
        return cached
    return await anyio.to_thread.run_sync(
        lambda: cache.tasks(uow, actor=actor, now=now, render=_task_list)
    )


@get(
    "/me/transcripts",
    sync_to_thread=True,
    responses=PROBLEMS,
    tags=["me"],
    summary="My own transcripts",
)
def own_transcripts(
    *,
    uow: NamedDependency[UnitOfWork],
    actor: NamedDependency[Actor],
    now: NamedDependency[datetime],
    limit: Annotated[
        int, QueryParameter(ge=1, le=MAX_PAGE, description=f"Page size (1–{MAX_PAGE}).")
    ] = 100,
    offset: Annotated[
        int, QueryParameter(ge=0, le=MAX_OFFSET, description="How many to skip.")
    ] = 0,
) -> TranscriptList:
    """A student's own transcripts, or a guardian's children's; nobody else's (REQ-35)."""
    items = my_transcripts(uow, actor=actor, now=now, limit=limit, offset=offset)
    return TranscriptList(items=[summary_out(i) for i in items], limit=limit, offset=offset)
