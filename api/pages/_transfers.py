"""The academic affairs officer's transfer page (REQ-25, REQ-26): ask for a student by
personal ID into a class of the school (before the school year starts, or during it), see
the requests into and out of the school, and accept, refuse (saying why) or, mid-year,
take over the sealed record. Plain forms: every step works without JavaScript."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated

from litestar import Response, post
from litestar import get as get_page
from litestar.datastructures import FormMultiDict
from litestar.di import NamedDependency
from litestar.params import PathParameter

from api.pages._core import PageError, Visit
from workflow import (
    accept_transfer_request,
    complete_transfer,
    refuse_transfer,
    request_new_year_transfer,
    request_transfer,
    transfer_overview,
)

TRANSFERS = "/chuyen-truong"
RowId = Annotated[int, PathParameter(ge=1, le=2**31 - 1)]
_PERSONAL_ID = re.compile(r"\d{12}")
BEFORE_YEAR, MID_YEAR = "truoc-nam-hoc", "trong-nam-hoc"
"""The form's values for when the student moves."""
STAGE_VI = {
    "requested": "Chờ trường kia trả lời",
    "accepted": "Đã đồng ý, chờ trường chuyển đi ký hồ sơ",
    "completed": "Đã hoàn tất",
    "refused": "Đã bị từ chối",
}


def _class_id(form: FormMultiDict, *, required: bool) -> int | None:
    value = str(form.get("class_id") or "").strip()
    if not value and not required:
        return None
    if not value.isdigit() or not 1 <= int(value) < 2**31:
        raise PageError(422, "Hãy chọn lớp tiếp nhận.")
    return int(value)


def _class_and_school(form: FormMultiDict) -> tuple[int, str]:
    # The request form's options carry the class and its school's code: ``<id>@<MaTruong>``.
    class_id, _, school_code = str(form.get("class") or "").partition("@")
    if not class_id.isdigit() or not 1 <= int(class_id) < 2**31 or not school_code:
        raise PageError(422, "Hãy chọn lớp tiếp nhận.")
    return int(class_id), school_code


@get_page(TRANSFERS, include_in_schema=False)
async def transfers_page(*, visit: NamedDependency[Visit]) -> Response[str]:
    """The requests into and out of the officer's school, and the form to ask for one."""
    actor = visit.staff()
    uow = visit.uow()
    seen = await visit.run(lambda: transfer_overview(uow, actor=actor, now=visit.now))
    return visit.render(
        "transfers.html.j2",
        incoming=[line for line in seen.lines if line.incoming],
        outgoing=[line for line in seen.lines if not line.incoming],
        classes=seen.classes,
        today=visit.now.date().isoformat(),
        before_year=BEFORE_YEAR,
        mid_year=MID_YEAR,
        stage_vi=STAGE_VI,
    )


@post(TRANSFERS + "/de-nghi", include_in_schema=False)
async def ask_transfer(*, visit: NamedDependency[Visit]) -> Response[str]:
    """Ask for a student (by personal ID) into a class of the officer's school."""
    actor = visit.staff()
    form = await visit.form()
    personal_id = str(form.get("personal_id") or "").strip()
    if not _PERSONAL_ID.fullmatch(personal_id):
        raise PageError(422, "Mã định danh cá nhân gồm đúng 12 chữ số.")
    class_id, school_code = _class_and_school(form)
    when = str(form.get("when") or "")
    reason = str(form.get("reason") or "")[:500]
    uow = visit.uow()
    if when == BEFORE_YEAR:
        await visit.run(
            lambda: request_new_year_transfer(
                uow,
                personal_id=personal_id,
                to_class_id=class_id,
                reason=reason,
                actor=actor,
                now=visit.now,
            )
        )
    elif when == MID_YEAR:
        await visit.run(
            lambda: request_transfer(
                uow,
                personal_id=personal_id,
                to_school_code=school_code,
                to_class_id=class_id,
                reason=reason,
                actor=actor,
                now=visit.now,
            )
        )
    else:
        raise PageError(422, "Hãy chọn thời điểm chuyển trường.")
    return visit.redirect(TRANSFERS)


@post(TRANSFERS + "/{transfer_id:int}/tiep-nhan", include_in_schema=False)
async def accept_transfer_page(
    *, transfer_id: RowId, visit: NamedDependency[Visit]
) -> Response[str]:
    """Accept a request (naming the receiving class when the leaving school asked)."""
    actor = visit.staff()
    form = await visit.form()
    class_id = _class_id(form, required=False)
    uow = visit.uow()
    await visit.run(
        lambda: accept_transfer_request(
            uow, transfer_id=transfer_id, to_class_id=class_id, actor=actor, now=visit.now
        )
    )
    return visit.redirect(TRANSFERS)


@post(TRANSFERS + "/{transfer_id:int}/tu-choi", include_in_schema=False)
async def refuse_transfer_page(
    *, transfer_id: RowId, visit: NamedDependency[Visit]
) -> Response[str]:
    """Refuse a request, saying why."""
    actor = visit.staff()
    form = await visit.form()
    reason = str(form.get("reason") or "")[:500]
    if not reason.strip():
        raise PageError(422, "Hãy ghi lý do từ chối.")
    uow = visit.uow()
    await visit.run(
        lambda: refuse_transfer(
            uow, transfer_id=transfer_id, reason=reason, actor=actor, now=visit.now
        )
    )
    return visit.redirect(TRANSFERS)


@post(TRANSFERS + "/{transfer_id:int}/hoan-tat", include_in_schema=False)
async def complete_transfer_page(
    *, transfer_id: RowId, visit: NamedDependency[Visit]
) -> Response[str]:
    """Mid-year: the receiving school takes the student over once the record is sealed."""
    actor = visit.staff()
    form = await visit.form()
    try:
        effective_on = date.fromisoformat(str(form.get("effective_on") or ""))
    except ValueError:
        raise PageError(422, "Hãy chọn ngày học sinh vào lớp mới.") from None
    uow = visit.uow()
    await visit.run(
        lambda: complete_transfer(
            uow, transfer_id=transfer_id, effective_on=effective_on, actor=actor, now=visit.now
        )
    )
    return visit.redirect(TRANSFERS)
