"""``/cua-toi``: a student's or guardian's own transcripts, by school year."""

from __future__ import annotations

from litestar import Response, get
from litestar.di import NamedDependency

from api.pages._core import PageError, Visit
from workflow import TranscriptSummary, my_transcripts


@get("/cua-toi", include_in_schema=False)
async def own_page(*, visit: NamedDependency[Visit]) -> Response[str]:
    """Own transcripts grouped by school year, newest first, with download links."""
    actor = visit.staff()
    uow = visit.uow()
    items = await visit.run(lambda: my_transcripts(uow, actor=actor, now=visit.now, limit=500))
    if not items and visit.kind != "own":
        raise PageError(404, "Tài khoản này không có học bạ của riêng mình.")
    years: dict[str, list[TranscriptSummary]] = {}
    for item in items:
        years.setdefault(item.school_year, []).append(item)
    return visit.render("own.html.j2", years=years)
