"""The entry-window page (REQ-18) and building a class's transcripts from the tracking book.

The principal decides to open or close a period's entry; the administrator carries the
decision out (the only work the administrator has in the pages: no academic data, REQ-07);
academic affairs builds a class's annual transcripts once its year is entered.
"""

from __future__ import annotations

from typing import Annotated

from litestar import Response, post
from litestar import get as get_page
from litestar.di import NamedDependency
from litestar.params import PathParameter

from api.pages._core import LoginRequiredError, PageError, Visit
from domain.model import EntryPeriod, WindowAction
from workflow import (
    Actor,
    build_class_transcripts,
    carry_out_window_decision,
    decide_entry_window,
    window_overview,
)

WINDOWS = "/cua-so-nhap-diem"
RowId = Annotated[int, PathParameter(ge=1, le=2**31 - 1)]


def _reader(visit: Visit) -> Actor:
    if visit.actor is None:
        raise LoginRequiredError
    return visit.actor


def _number(form_value: object, field: str) -> int:
    try:
        return int(str(form_value))
    except ValueError:
        raise PageError(422, f"Thiếu hoặc sai trường “{field}”.") from None


@get_page(WINDOWS, include_in_schema=False)
async def windows_page(*, visit: NamedDependency[Visit]) -> Response[str]:
    """Each open year's windows, the principal's form and the administrator's buttons."""
    actor = _reader(visit)
    uow = visit.uow()
    years = await visit.run(lambda: window_overview(uow, actor=actor, now=visit.now))
    return visit.render(
        "windows.html.j2", years=years, periods=list(EntryPeriod), actions=list(WindowAction)
    )


@post(WINDOWS + "/quyet-dinh", include_in_schema=False)
async def decide_window(*, visit: NamedDependency[Visit]) -> Response[str]:
    """The principal's decision to open or close a period's entry."""
    actor = visit.staff()
    form = await visit.form()
    school_id = _number(form.get("school_id"), "trường")
    school_year_id = _number(form.get("school_year_id"), "năm học")
    try:
        period = EntryPeriod(str(form.get("period")))
        action = WindowAction(str(form.get("action")))
    except ValueError:
        raise PageError(422, "Hãy chọn học kỳ và việc mở hay khoá nhập điểm.") from None
    wording = str(form.get("decision") or "")
    uow = visit.uow()
    await visit.run(
        lambda: decide_entry_window(
            uow,
            school_id=school_id,
            school_year_id=school_year_id,
            period=period,
            action=action,
            decision=wording,
            actor=actor,
            now=visit.now,
        )
    )
    return visit.redirect(WINDOWS)


@post(WINDOWS + "/{decision_id:int}/thuc-hien", include_in_schema=False)
async def carry_out_window(*, decision_id: RowId, visit: NamedDependency[Visit]) -> Response[str]:
    """The administrator carries out a pending decision."""
    actor = _reader(visit)
    await visit.form()
    uow = visit.uow()
    await visit.run(
        lambda: carry_out_window_decision(uow, decision_id=decision_id, actor=actor, now=visit.now)
    )
    return visit.redirect(WINDOWS)


@post("/lop/{class_id:int}/lap-hoc-ba", include_in_schema=False)
async def build_class(*, class_id: RowId, visit: NamedDependency[Visit]) -> Response[str]:
    """Build (or refresh) the class's annual transcripts from its tracking book."""
    actor = visit.staff()
    await visit.form()
    uow = visit.uow()
    await visit.run(
        lambda: build_class_transcripts(uow, class_id=class_id, actor=actor, now=visit.now)
    )
    return visit.redirect(f"/lop/{class_id}")
