"""The academic affairs officer's page for digitising a paper record (REQ-27) ``/so-hoa``:
one paper year of an arriving student's record typed from the paper original, with its scan
(a PDF), becomes a SoHoa transcript in draft that waits for the principal's signature and
the clerk's seal. A refused form comes back with everything typed and the Vietnamese reason
naming the field (the file input excepted: browsers never refill it). Plain forms.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from litestar import Response, post
from litestar import get as get_page
from litestar.datastructures import FormMultiDict, UploadFile
from litestar.di import NamedDependency
from litestar.params import QueryParameter

from api._problems import status_of
from api.pages._core import PageError, Visit
from api.pages._digitisation_form import (
    CURRENT_ROWS,
    LEGACY_ROWS,
    MARKS,
    FormError,
    form_error,
    paper_record,
)
from domain.model import Role
from workflow import (
    MAX_SCAN_BYTES,
    Actor,
    AlreadyDigitisedError,
    InvalidInputError,
    NotFoundError,
    TranscriptView,
    digitise_paper_record,
    view_transcript,
)

DIGITISE = "/so-hoa"
OFFICERS_ONLY = "Trang số hóa học bạ giấy dành cho cán bộ học vụ (giáo vụ) của trường."
_PERSONAL_ID = re.compile(r"\d{12}")
_TRANSCRIPT_ID = "^[0-9a-f-]{36}$"


def _officer(visit: Visit) -> Actor:
    """The logged-in academic affairs officer (the use case checks the school and year)."""
    actor = visit.staff()
    if not any(g.role is Role.ACADEMIC_AFFAIRS for g in actor.grants):
        raise PageError(403, OFFICERS_ONLY)
    return actor


def _form(
    visit: Visit,
    *,
    values: dict[str, str],
    error: FormError | None = None,
    done: TranscriptView | None = None,
    status: int = 200,
) -> Response[str]:
    return visit.render(
        "digitise.html.j2",
        status=status,
        v=values,
        error=error,
        done=done,
        current_rows=CURRENT_ROWS,
        legacy_rows=LEGACY_ROWS,
        marks=[part for part, _ in MARKS],
        max_mb=MAX_SCAN_BYTES // (1024 * 1024),
        max_bytes=MAX_SCAN_BYTES,
    )


@get_page(DIGITISE, include_in_schema=False)
async def digitise_page(
    *,
    visit: NamedDependency[Visit],
    hoc_ba: Annotated[
        str | None, QueryParameter(name="hoc-ba", pattern=_TRANSCRIPT_ID, max_length=36)
    ] = None,
) -> Response[str]:
    """The form; after a record was digitised (``?hoc-ba=``), what was made and what next."""
    actor = _officer(visit)
    done: TranscriptView | None = None
    if hoc_ba is not None:
        uow, transcript_id = visit.uow(), hoc_ba
        try:
            done = await visit.run(
                lambda: view_transcript(
                    uow, transcript_id=transcript_id, actor=actor, now=visit.now
                )
            )
        except NotFoundError:
            done = None  # an old or mistyped link: the form alone
    if done is not None and done.kind != "SoHoa":
        done = None
    return _form(visit, values={"thong_tu": "22/2021"}, done=done)


def _typed(form: FormMultiDict) -> dict[str, str]:
    return {
        name: str(value).strip()[:2000]
        for name, value in form.items()
        if isinstance(value, str) and name != "scan"
    }


@post(DIGITISE, include_in_schema=False, request_max_body_size=MAX_SCAN_BYTES + 256 * 1024)
async def digitise(*, visit: NamedDependency[Visit]) -> Response[Any]:
    """Digitise the typed paper year with its scan; the form again, with the reason, if
    refused."""
    actor = _officer(visit)
    form = await visit.form()
    values = _typed(form)
    personal_id = values.get("personal_id", "")
    if not _PERSONAL_ID.fullmatch(personal_id):
        wrong = FormError("Mã định danh cá nhân gồm đúng 12 chữ số.", "personal_id")
        return _form(visit, values=values, error=wrong, status=422)
    upload = form.get("scan")
    scan, scan_name = b"", ""
    if isinstance(upload, UploadFile):
        scan, scan_name = await upload.read(MAX_SCAN_BYTES + 1), upload.filename or ""
    record, uow = paper_record(values), visit.uow()
    try:
        transcript_id = await visit.run(
            lambda: digitise_paper_record(
                uow,
                personal_id=personal_id,
                record=record,
                paper_school=values.get("paper_school", ""),
                scan=scan,
                scan_name=scan_name,
                actor=actor,
                now=visit.now,
            )
        )
    except InvalidInputError as error:
        return _form(visit, values=values, error=form_error(error), status=422)
    except NotFoundError as error:
        refused = FormError(f"{error.message_vi}.", "personal_id")
        return _form(visit, values=values, error=refused, status=404)
    except AlreadyDigitisedError as error:
        taken = FormError(f"{error.message_vi}.", "nam_hoc")
        return _form(visit, values=values, error=taken, status=status_of(error))
    return visit.redirect(f"{DIGITISE}?hoc-ba={transcript_id}")
