"""``/cua-toi``: a student's or guardian's own transcripts by school year, their downloads,
and the share links they give to whom they choose (REQ-32)."""

from __future__ import annotations

from typing import Annotated

from litestar import Response, get, post
from litestar.di import NamedDependency
from litestar.params import PathParameter

from api._own_copies import share_page_url
from api.pages._core import PageError, Visit
from workflow import (
    SHARE_LINK_DAYS,
    ConsentRequiredError,
    ConsentStatus,
    CreatedShareLink,
    InvalidInputError,
    ShareLinkView,
    TranscriptSummary,
    create_share_link,
    list_share_links,
    my_consents,
    my_transcripts,
    revoke_share_link,
)

LinkId = Annotated[int, PathParameter(ge=1, le=2**31 - 1)]
SHAREABLE_STATES = ("finalized", "correction_requested")
"""The states a version may be shared in (workflow.SHAREABLE, as the page compares text)."""
STATE_VI = {
    "active": "Còn hiệu lực",
    "expired": "Đã hết hạn",
    "revoked": "Đã thu hồi",
    "withdrawn": "Phiên bản đã bị thay thế",
}


async def _render(
    visit: Visit,
    *,
    status: int = 200,
    created: CreatedShareLink | None = None,
    error: str | None = None,
    recipient: str = "",
) -> Response[str]:
    actor = visit.staff()
    uow = visit.uow()
    items = await visit.run(lambda: my_transcripts(uow, actor=actor, now=visit.now, limit=500))
    if not items and visit.kind != "own":
        raise PageError(404, "Tài khoản này không có học bạ của riêng mình.")
    links: list[ShareLinkView] = (
        await visit.run(lambda: list_share_links(visit.uow(), actor=actor, now=visit.now))
        if items
        else []
    )
    consents: list[ConsentStatus] = await visit.run(
        lambda: my_consents(visit.uow(), actor=actor, now=visit.now)
    )
    years: dict[str, list[TranscriptSummary]] = {}
    for item in items:
        years.setdefault(item.school_year, []).append(item)
    return visit.render(
        "own.html.j2",
        status=status,
        years=years,
        links=links,
        consents=consents,
        shareable=SHAREABLE_STATES,
        days=SHARE_LINK_DAYS,
        state_vi=STATE_VI,
        created=created,
        created_url=share_page_url(visit.request.app.state, created.token) if created else None,
        error=error,
        recipient=recipient,
    )


@get("/cua-toi", include_in_schema=False)
async def own_page(*, visit: NamedDependency[Visit]) -> Response[str]:
    """Own transcripts grouped by school year, newest first, with download links, a share
    form on each finalized version, and the share links made so far."""
    return await _render(visit)


@post("/cua-toi/chia-se", include_in_schema=False)
async def share_action(*, visit: NamedDependency[Visit]) -> Response[str]:
    """Create a share link; the page shows its address this once (only its hash is kept)."""
    actor = visit.staff()
    form = await visit.form()
    transcript_id = str(form.get("transcript_id") or "")[:36]
    recipient = str(form.get("recipient") or "")
    try:
        days = int(str(form.get("days") or "0"))
    except ValueError:
        days = 0
    uow = visit.uow()
    try:
        created = await visit.run(
            lambda: create_share_link(
                uow,
                transcript_id=transcript_id,
                recipient=recipient,
                days=days,
                actor=actor,
                now=visit.now,
            )
        )
    except InvalidInputError as error:
        message = (
            "Hãy ghi rõ liên kết dành cho ai (tối đa 120 ký tự)."
            if error.field == "recipient"
            else "Hãy chọn thời hạn của liên kết trong danh sách."
        )
        return await _render(visit, status=422, error=message, recipient=recipient[:120])
    except ConsentRequiredError as error:
        return await _render(visit, status=409, error=error.message_vi, recipient=recipient[:120])
    return await _render(visit, status=201, created=created)


@post("/cua-toi/chia-se/{link_id:int}/thu-hoi", include_in_schema=False)
async def revoke_link_action(*, link_id: LinkId, visit: NamedDependency[Visit]) -> Response[str]:
    """Revoke one of my links at once, then back to the page."""
    actor = visit.staff()
    await visit.form()
    uow = visit.uow()
    await visit.run(lambda: revoke_share_link(uow, link_id=link_id, actor=actor, now=visit.now))
    return visit.redirect("/cua-toi")
