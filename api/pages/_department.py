"""``/so/yeu-cau-dinh-chinh``: the Department's correction queue and its decisions.

A decision sent by htmx answers the decided request's card (it replaces the form); without
JavaScript the queue page follows.
"""

from __future__ import annotations

from typing import Annotated

from litestar import Response, get, post
from litestar.di import NamedDependency
from litestar.params import PathParameter

from api.pages._core import PageError, Visit
from workflow import decide_correction_request, list_correction_requests

QUEUE = "/so/yeu-cau-dinh-chinh"


@get(QUEUE, include_in_schema=False)
async def correction_queue(*, visit: NamedDependency[Visit]) -> Response[str]:
    """The pending requests of the officer's department's schools (audited)."""
    actor = visit.staff()
    if visit.kind != "department":
        raise PageError(403, "Trang này dành cho cán bộ Sở Giáo dục và Đào tạo.")
    uow = visit.uow()
    items = await visit.run(
        lambda: list_correction_requests(uow, actor=actor, now=visit.now, status="pending")
    )
    return visit.render("corrections.html.j2", items=items)


@post(QUEUE + "/{request_id:int}", include_in_schema=False)
async def decide(
    *,
    request_id: Annotated[int, PathParameter(ge=1, le=2**31 - 1)],
    visit: NamedDependency[Visit],
) -> Response[str]:
    """Approve or reject one request, with a note."""
    actor = visit.staff()
    form = await visit.form()
    decision = form.get("decision")
    if decision not in ("approve", "reject"):
        raise PageError(422, "Hãy chọn duyệt hoặc từ chối.")
    note = str(form.get("note") or "").strip()
    uow = visit.uow()
    outcome = await visit.run(
        lambda: decide_correction_request(
            uow,
            request_id=request_id,
            actor=actor,
            approve=decision == "approve",
            note=note,
            now=visit.now,
        )
    )
    if visit.htmx:
        return visit.render("correction_decided.html.j2", outcome=outcome)
    return visit.redirect(QUEUE)
