"""``/chia-se/{token}``: the page a share link opens, for anyone holding it (no login).

The transcript's identity, its signed XML and PDF, and a check of the XML's signatures on
the spot. A link that expired, was revoked or whose version was replaced gets a page saying
so (410). Every opening is audited by the workflow.
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Response, get, post
from litestar.di import NamedDependency
from litestar.params import PathParameter

from api._own_copies import file_response
from api._trust import TrustRoots
from api.pages._core import Visit
from domain.signatures import describe_vi, role_vi, verdict_vi, verify_transcript_file
from workflow import (
    AccessGoneError,
    ShareLinkExpiredError,
    ShareLinkRevokedError,
    SignedFileKind,
    open_share_link,
    read_shared_file,
)

Token = Annotated[str, PathParameter(pattern="^[A-Za-z0-9_-]{16,64}$")]
NO_REFERRER = {"Referrer-Policy": "no-referrer", "Cache-Control": "no-store"}
"""The token is in the address: no page of the link hands it on or leaves it in a cache."""


def _gone(visit: Visit, error: AccessGoneError) -> Response[str]:
    if isinstance(error, ShareLinkExpiredError):
        title = "Liên kết đã hết hạn"
    elif isinstance(error, ShareLinkRevokedError):
        title = "Liên kết đã bị thu hồi"
    else:
        title = "Học bạ đã được thay thế"
    return _private(
        visit.render("share_gone.html.j2", status=410, title=title, message=error.message_vi)
    )


def _private(response: Response[Any]) -> Response[Any]:
    response.headers.update(NO_REFERRER)
    return response


@get("/chia-se/{token:str}", include_in_schema=False)
async def shared_page(*, token: Token, visit: NamedDependency[Visit]) -> Response[str]:
    """The shared transcript: who, which year and school, the downloads, a check button."""
    uow = visit.uow()
    try:
        shared = await visit.run(lambda: open_share_link(uow, token=token, now=visit.now))
    except AccessGoneError as error:
        return _gone(visit, error)
    return _private(visit.render("share.html.j2", shared=shared, token=token))


@get("/chia-se/{token:str}/{kind:str}", include_in_schema=False)
async def shared_file(
    *,
    token: Token,
    kind: Annotated[str, PathParameter(pattern="^(xml|pdf)$")],
    visit: NamedDependency[Visit],
) -> Response[Any]:
    """The shared version's signed XML or PDF."""
    uow = visit.uow()
    file_kind = SignedFileKind(kind)
    try:
        found = await visit.run(
            lambda: read_shared_file(uow, token=token, kind=file_kind, now=visit.now)
        )
    except AccessGoneError as error:
        return _gone(visit, error)
    return file_response(found)


@post("/chia-se/{token:str}/xac-thuc", include_in_schema=False)
async def shared_verify(*, token: Token, visit: NamedDependency[Visit]) -> Response[str]:
    """Check the shared XML's signatures here (as /xac-thuc would) and show the report."""
    await visit.form()
    uow = visit.uow()
    try:
        found = await visit.run(
            lambda: read_shared_file(uow, token=token, kind=SignedFileKind.XML, now=visit.now)
        )
    except AccessGoneError as error:
        return _gone(visit, error)
    roots: TrustRoots = visit.request.app.state.trust_roots
    trust = roots.settings()
    report = await visit.run(
        lambda: verify_transcript_file(found.content, trust=trust, now=visit.now)
    )
    return _private(
        visit.render(
            "verify.html.j2",
            report=report,
            file_name=f"hocba-{found.transcript_id}-v{found.version}.xml",
            verdict_vi=verdict_vi,
            describe_vi=describe_vi,
            role_vi=role_vi,
            checked_at=visit.now,
        )
    )
