"""``/so/hang-doi-gui``: the Department's view of what is stuck on the way to the city system."""

from __future__ import annotations

from typing import Annotated, Literal

from litestar import Response, get, post
from litestar.di import NamedDependency
from litestar.params import PathParameter, QueryParameter

from api.pages._core import PageError, Visit
from workflow import list_outbox, retry_outbox_message

QUEUE = "/so/hang-doi-gui"

KIND_VI = {
    "register_create": "Đăng ký học bạ",
    "send_transcript": "Gửi tệp học bạ đã ký",
    "register_verify": "Đối chiếu đăng ký",
    "relay_ministry": "Chuyển lên Bộ GDĐT",
    "register_cancel": "Huỷ đăng ký",
}
"""What each kind of message does, as the Department reads it."""
STATE_VI = {"dead": "Đã dừng gửi", "pending": "Đang chờ gửi", "delivered": "Đã gửi"}


@get(QUEUE, include_in_schema=False)
async def outbox_page(
    *,
    visit: NamedDependency[Visit],
    shown: Annotated[
        Literal["dead", "pending", "delivered"], QueryParameter(name="trang-thai")
    ] = "dead",
) -> Response[str]:
    """The department's messages in one state (by default the dead ones), oldest first."""
    actor = visit.staff()
    if visit.kind != "department":
        raise PageError(403, "Trang này dành cho cán bộ Sở Giáo dục và Đào tạo.")
    uow = visit.uow()
    items = await visit.run(
        lambda: list_outbox(uow, actor=actor, now=visit.now, state=shown, limit=200)
    )
    return visit.render("outbox.html.j2", items=items, state=shown, kinds=KIND_VI, states=STATE_VI)


@post(QUEUE + "/{message_id:int}/gui-lai", include_in_schema=False)
async def retry_message(
    *,
    message_id: Annotated[int, PathParameter(ge=1, le=2**31 - 1)],
    visit: NamedDependency[Visit],
) -> Response[str]:
    """Give one dead message a fresh set of attempts; back to the list."""
    actor = visit.staff()
    await visit.form()  # checks the form token
    uow = visit.uow()
    await visit.run(
        lambda: retry_outbox_message(uow, message_id=message_id, actor=actor, now=visit.now)
    )
    return visit.redirect(QUEUE)
