"""The clerk's certified-copy page (REQ-28) ``/sao-y``: find a student by personal ID, choose
their issued versions, seal a "Sao y bản chính" copy with the school's seal, and download
the copies the school has made. In demo mode the server seals with the demo PKI's school
seal (the API's demo signer keys); outside demo mode the page explains how the signing
client seals with the school's token through the API. Plain forms: no JavaScript needed.
"""

from __future__ import annotations

import re
from typing import Annotated

from litestar import Response, post
from litestar import get as get_page
from litestar.di import NamedDependency
from litestar.params import PathParameter, QueryParameter

from api.pages._core import PageError, Visit
from api.pages._signing import demo_signer
from workflow import (
    MAX_COPIED,
    CopyCandidates,
    NotFoundError,
    SigningStep,
    certified_copy_pdf,
    certify_copy_with,
    copy_candidates,
    school_copies,
)

COPIES = "/sao-y"
CopyId = Annotated[int, PathParameter(ge=1, le=2**31 - 1)]
_PERSONAL_ID = re.compile(r"\d{12}")
_TRANSCRIPT_ID = re.compile(r"[0-9a-f-]{36}")


async def _page(
    visit: Visit,
    *,
    candidates: CopyCandidates | None = None,
    searched: str = "",
    not_found: str | None = None,
    made: int | None = None,
    status: int = 200,
) -> Response[str]:
    actor = visit.staff()
    uow = visit.uow()
    copies = await visit.run(lambda: school_copies(uow, actor=actor, now=visit.now))
    return visit.render(
        "copies.html.j2",
        status=status,
        candidates=candidates,
        searched=searched,
        not_found=not_found,
        made=made,
        copies=copies,
        max_copied=MAX_COPIED,
    )


@get_page(COPIES, include_in_schema=False)
async def copies_page(
    *,
    visit: NamedDependency[Visit],
    ma: Annotated[str, QueryParameter(max_length=32)] = "",
    ban: Annotated[int, QueryParameter(ge=0, le=2**31 - 1)] = 0,
) -> Response[str]:
    """The search form, a found student's issued versions, and the school's copies."""
    actor = visit.staff()
    personal_id = ma.strip()
    if not personal_id:
        return await _page(visit, made=ban or None)
    if not _PERSONAL_ID.fullmatch(personal_id):
        raise PageError(422, "Mã định danh cá nhân gồm đúng 12 chữ số.")
    uow = visit.uow()
    try:
        found = await visit.run(
            lambda: copy_candidates(uow, actor=actor, personal_id=personal_id, now=visit.now)
        )
    except NotFoundError as error:
        return await _page(visit, searched=personal_id, not_found=error.message_vi, status=404)
    return await _page(visit, candidates=found, searched=personal_id)


@post(COPIES, include_in_schema=False)
async def make_copy(*, visit: NamedDependency[Visit]) -> Response[str]:
    """Seal a copy of the chosen versions with the demo school seal (demo mode only)."""
    actor = visit.staff()
    form = await visit.form()
    if not visit.settings.demo:
        raise PageError(
            403, "Đóng dấu trên máy chủ chỉ bật ở chế độ thử nghiệm (demo); hãy dùng công cụ ký."
        )
    chosen = [str(value) for value in form.getall("transcript_id", [])]
    if not chosen:
        raise PageError(422, "Hãy chọn ít nhất một học bạ để sao y.")
    if len(chosen) > MAX_COPIED or not all(_TRANSCRIPT_ID.fullmatch(v) for v in chosen):
        raise PageError(422, f"Hãy chọn từ 1 đến {MAX_COPIED} học bạ trong danh sách.")
    signer = await visit.run(lambda: demo_signer(visit, actor.label, SigningStep.SCHOOL))
    uow = visit.uow()
    copy_id = await visit.run(
        lambda: certify_copy_with(
            uow,
            signer=signer,
            transcript_ids=chosen,
            actor=actor,
            now=visit.now,
            pdf=visit.request.app.state.pdf_signing,
        )
    )
    return visit.redirect(f"{COPIES}?ban={copy_id}")


@get_page(COPIES + "/{copy_id:int}/pdf", include_in_schema=False)
async def copy_file(*, copy_id: CopyId, visit: NamedDependency[Visit]) -> Response[bytes]:
    """A sealed copy, for the school's staff (audited by the workflow)."""
    actor = visit.staff()
    uow = visit.uow()
    content = await visit.run(
        lambda: certified_copy_pdf(uow, copy_id=copy_id, actor=actor, now=visit.now)
    )
    return Response(
        content,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="ban-sao-hoc-ba-{copy_id}.pdf"'},
    )
