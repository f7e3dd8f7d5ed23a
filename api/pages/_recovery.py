"""``/lay-lai-hoc-ba``: lost files, for anyone (no login) who knows the student's personal ID
and a registered phone number (REQ-33).

Step 1 asks for both and always answers the same; step 2 takes the 6-digit code sent to the
phone; a right code opens a short-lived download page of the student's issued transcripts.
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Response, get, post
from litestar.di import NamedDependency
from litestar.params import PathParameter

from api._own_copies import REQUESTED_VI, client_address, file_response
from api.pages._core import Visit
from workflow import (
    AccessGoneError,
    InvalidInputError,
    RecoveryCodeWrongError,
    RecoveryPolicy,
    SignedFileKind,
    confirm_recovery_code,
    read_recovered_file,
    recovered_files,
    request_recovery_code,
)

START = "/lay-lai-hoc-ba"
Token = Annotated[str, PathParameter(pattern="^[A-Za-z0-9_-]{16,64}$")]
TranscriptId = Annotated[str, PathParameter(pattern="^[0-9A-Za-z-]{1,36}$")]
PRIVATE = {"Referrer-Policy": "no-referrer", "Cache-Control": "no-store"}
"""The download page's token is in its address: never handed on, never cached."""
_FIELD_VI = {
    "personal_id": "Mã định danh cá nhân phải gồm đúng 12 chữ số.",
    "phone": "Số điện thoại phải gồm 10 chữ số, bắt đầu bằng số 0.",
    "code": "Mã xác nhận gồm 6 chữ số.",
}


def _private(response: Response[Any]) -> Response[Any]:
    response.headers.update(PRIVATE)
    return response


def _gone(visit: Visit, error: AccessGoneError) -> Response[str]:
    return _private(visit.render("recovery_gone.html.j2", status=410, message=error.message_vi))


def _policy(visit: Visit) -> RecoveryPolicy:
    policy: RecoveryPolicy = visit.request.app.state.recovery_policy
    return policy


@get(START, include_in_schema=False)
async def recovery_form(*, visit: NamedDependency[Visit]) -> Response[str]:
    """Step 1: the personal ID and the registered phone."""
    return visit.render("recovery.html.j2", error=None, field=None, personal_id="", phone="")


@post(START, include_in_schema=False)
async def recovery_request(*, visit: NamedDependency[Visit]) -> Response[str]:
    """Send a code if both match; the next form (the code) whatever the outcome."""
    form = await visit.form()
    personal_id = str(form.get("personal_id") or "")[:32]
    phone = str(form.get("phone") or "")[:32]
    policy = _policy(visit)
    uow = visit.uow()
    try:
        started = await visit.run(
            lambda: request_recovery_code(
                uow,
                personal_id=personal_id,
                phone=phone,
                client=client_address(visit.request),
                notifier=visit.request.app.state.notifier,
                now=visit.now,
                policy=policy,
            )
        )
    except InvalidInputError as error:
        return visit.render(
            "recovery.html.j2",
            status=422,
            error=_FIELD_VI.get(error.field, error.message_vi),
            field=error.field,
            personal_id=personal_id,
            phone=phone,
        )
    minutes = int(policy.code_lifetime.total_seconds() // 60)
    return visit.render(
        "recovery_code.html.j2",
        request_id=started.request_id,
        notice=REQUESTED_VI.format(minutes=minutes),
        error=None,
    )


@post(f"{START}/xac-nhan", include_in_schema=False)
async def recovery_confirm(*, visit: NamedDependency[Visit]) -> Response[Any]:
    """Step 2: the right code opens the download page; a wrong one asks again."""
    form = await visit.form()
    request_id = str(form.get("request_id") or "")[:36]
    code = str(form.get("code") or "")[:16]
    uow = visit.uow()
    try:
        granted = await visit.run(
            lambda: confirm_recovery_code(
                uow, request_id=request_id, code=code, now=visit.now, policy=_policy(visit)
            )
        )
    except RecoveryCodeWrongError as error:
        return visit.render(
            "recovery_code.html.j2",
            status=422,
            request_id=request_id,
            notice=None,
            error=error.message_vi,
        )
    except InvalidInputError:
        return visit.render(
            "recovery_code.html.j2",
            status=422,
            request_id=request_id,
            notice=None,
            error=_FIELD_VI["code"],
        )
    except AccessGoneError as error:
        return _gone(visit, error)
    return visit.redirect(f"{START}/tai/{granted.download_token}")


@get(f"{START}/tai/{{token:str}}", include_in_schema=False)
async def recovery_downloads(*, token: Token, visit: NamedDependency[Visit]) -> Response[str]:
    """The download page: the student's issued transcripts, until it expires."""
    uow = visit.uow()
    try:
        found = await visit.run(lambda: recovered_files(uow, token=token, now=visit.now))
    except AccessGoneError as error:
        return _gone(visit, error)
    return _private(visit.render("recovery_files.html.j2", found=found, token=token))


@get(f"{START}/tai/{{token:str}}/{{transcript_id:str}}/{{kind:str}}", include_in_schema=False)
async def recovery_file(
    *,
    token: Token,
    transcript_id: TranscriptId,
    kind: Annotated[str, PathParameter(pattern="^(xml|pdf)$")],
    visit: NamedDependency[Visit],
) -> Response[Any]:
    """One signed file of the download page."""
    uow = visit.uow()
    file_kind = SignedFileKind(kind)
    try:
        found = await visit.run(
            lambda: read_recovered_file(
                uow, token=token, transcript_id=transcript_id, kind=file_kind, now=visit.now
            )
        )
    except AccessGoneError as error:
        return _gone(visit, error)
    return file_response(found)
