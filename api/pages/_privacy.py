"""``/bao-cao-truy-cap`` (the access report for the principal and the Department) and, on
``/cua-toi``, a guardian's consent to sharing and the personal-data download."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated

from litestar import Response, get, post
from litestar.di import NamedDependency
from litestar.params import QueryParameter

from api._privacy import export_response, period
from api.pages._core import PageError, Visit
from workflow import (
    SHARE_LINKS,
    access_policy,
    access_report,
    export_personal_data,
    grant_consent,
    withdraw_consent,
)

REPORT = "/bao-cao-truy-cap"
KIND_VI = {
    "volume": "Xem quá nhiều học sinh so với phân công",
    "off_hours": "Xem ngoài giờ làm việc",
    "foreign_school": "Xem học sinh của trường không được phân công",
}
WEEKDAY_VI = {
    1: "Thứ Hai",
    2: "Thứ Ba",
    3: "Thứ Tư",
    4: "Thứ Năm",
    5: "Thứ Sáu",
    6: "Thứ Bảy",
    7: "Chủ nhật",
}


def _day(value: str | None, field: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise PageError(422, f"Ngày '{field}' không hợp lệ (dạng NNNN-TT-NN).") from error


@get(REPORT, include_in_schema=False)
async def access_report_page(
    *,
    visit: NamedDependency[Visit],
    tu: Annotated[str | None, QueryParameter(max_length=10)] = None,
    den: Annotated[str | None, QueryParameter(max_length=10)] = None,
) -> Response[str]:
    """The findings of the period (default: the last 30 days); reading it is audited."""
    actor = visit.staff()
    since, until = period(visit.settings.timezone, _day(tu, "từ"), _day(den, "đến"), visit.now)
    policy = access_policy(visit.settings)
    uow = visit.uow()
    report = await visit.run(
        lambda: access_report(
            uow, actor=actor, now=visit.now, since=since, until=until, policy=policy
        )
    )
    return visit.render(
        "access_report.html.j2",
        report=report,
        kind_vi=KIND_VI,
        weekdays=", ".join(WEEKDAY_VI[d] for d in sorted(report.policy.working_days)),
        first=since.date().isoformat(),
        last=(until - timedelta(days=1)).date().isoformat(),
    )


@post("/cua-toi/dong-y", include_in_schema=False)
async def consent_action(*, visit: NamedDependency[Visit]) -> Response[str]:
    """A guardian grants or withdraws their consent to their child's sharing links."""
    actor = visit.staff()
    form = await visit.form()
    try:
        student_id = int(str(form.get("student_id") or ""))
    except ValueError as error:
        raise PageError(422, "Thiếu học sinh.") from error
    decision = form.get("decision")
    if decision not in ("grant", "withdraw"):
        raise PageError(422, "Hãy chọn đồng ý hoặc rút lại sự đồng ý.")
    use = grant_consent if decision == "grant" else withdraw_consent
    uow = visit.uow()
    await visit.run(
        lambda: use(uow, student_id=student_id, purpose=SHARE_LINKS, actor=actor, now=visit.now)
    )
    return visit.redirect("/cua-toi")


@get("/cua-toi/du-lieu-ca-nhan", include_in_schema=False)
async def personal_data_download(
    *,
    visit: NamedDependency[Visit],
    hs: Annotated[int | None, QueryParameter(ge=1, le=2**31 - 1)] = None,
) -> Response[bytes]:
    """Everything held about me (or my child) as a JSON file; audited."""
    actor = visit.staff()
    uow = visit.uow()
    document = await visit.run(
        lambda: export_personal_data(uow, actor=actor, now=visit.now, student_id=hs)
    )
    return export_response(document, document["student"]["id"])
