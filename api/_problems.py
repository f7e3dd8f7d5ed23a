"""Every error as an RFC 9457 problem details document, mapped in this one place.

``type`` is ``urn:hocba:problem:<code>``: a stable name a client may switch on, not a web
address (the machines are offline; nothing would be there to fetch). ``code`` repeats the
workflow's error code; ``detail_vi`` is the message a school user reads.
"""

from __future__ import annotations

import logging
from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR
from litestar.types import ExceptionHandlersMap

from workflow import (
    AccessGoneError,
    AdministratorForbiddenError,
    CertificateLoginError,
    CertificateNotOwnedError,
    CertificateNotTrustedError,
    CertificateNotValidError,
    ConflictError,
    InvalidCredentialsError,
    InvalidInputError,
    LoginLockedError,
    NotAssignedError,
    NotAuthenticatedError,
    NotFoundError,
    SigningSessionNotYoursError,
    TooManyRequestsError,
    TrustRootsMissingError,
    WorkflowError,
)

PROBLEM_MEDIA_TYPE = "application/problem+json"
TYPE_PREFIX = "urn:hocba:problem:"

_log = logging.getLogger("hocba.api")

# The most specific class listed wins (checked in this order); any other WorkflowError is a
# refusal because of the transcript's state or data: 409.
_STATUS_OF_ERROR: tuple[tuple[type[WorkflowError], int], ...] = (
    (InvalidCredentialsError, 401),
    (CertificateLoginError, 401),
    (NotAuthenticatedError, 401),
    (LoginLockedError, 429),
    (TooManyRequestsError, 429),
    (AccessGoneError, 410),
    (NotFoundError, 404),
    (InvalidInputError, 422),
    (AdministratorForbiddenError, 403),
    (NotAssignedError, 403),
    (SigningSessionNotYoursError, 403),
    (CertificateNotOwnedError, 403),
    (CertificateNotTrustedError, 422),
    (CertificateNotValidError, 422),
    (TrustRootsMissingError, 503),
    (ConflictError, 409),
)

_CODE_OF_STATUS = {
    400: "bad_request",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid_input",
    429: "too_many_requests",
    500: "internal_error",
    503: "unavailable",
}

_TITLES = {
    401: "Not authenticated",
    403: "Forbidden",
    404: "Not found",
    409: "Conflict",
    410: "Gone",
    422: "Invalid input",
    429: "Too many requests",
    500: "Internal error",
}


def problem_type(code: str) -> str:
    """The stable ``type`` URI of an error code (``not_assigned`` → ``…:not-assigned``)."""
    return TYPE_PREFIX + code.replace("_", "-")


def problem(
    *,
    status: int,
    code: str,
    detail: str,
    instance: str | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> Response[dict[str, Any]]:
    """A problem details response."""
    body: dict[str, Any] = {
        "type": problem_type(code),
        "title": _TITLES.get(status, code.replace("_", " ").capitalize()),
        "status": status,
        "detail": detail,
        "code": code,
    }
    if instance is not None:
        body["instance"] = instance
    body.update(extra)
    return Response(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


def status_of(error: WorkflowError) -> int:
    """The HTTP status a workflow error is answered with."""
    for kind, status in _STATUS_OF_ERROR:
        if isinstance(error, kind):
            return status
    return 409


def _workflow_error(request: Request[Any, Any, Any], error: WorkflowError) -> Response[Any]:
    status = status_of(error)
    extra: dict[str, Any] = {"detail_vi": error.message_vi}
    headers: dict[str, str] = {}
    if isinstance(error, InvalidInputError):
        extra["field"] = error.field
        extra["errors"] = [{"field": error.field, "message": error.message}]
    transcript_id = getattr(error, "transcript_id", None)
    if isinstance(transcript_id, str):
        # Which transcript of a batch is at fault, so a client can leave it out and retry.
        extra["transcript_id"] = transcript_id
    if isinstance(error, LoginLockedError | TooManyRequestsError):
        headers["Retry-After"] = str(error.retry_after)
    if status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    return problem(
        status=status,
        code=error.code,
        detail=error.message,
        instance=request.url.path,
        headers=headers or None,
        **extra,
    )


def _field_of(item: dict[str, Any]) -> str:
    key = str(item.get("key") or "")
    message = str(item.get("message", ""))
    # A body is reported under the handler's ``data`` argument; msgspec's message names the
    # place inside it: ``… - at `$.reason` `` or ``Object missing required field `reason` ``.
    if key and key != "data":
        return key
    for marker in ("- at `$.", "missing required field `", "unknown field `"):
        if marker in message:
            return message.split(marker, 1)[1].split("`", 1)[0]
    return key or "body"


def _validation_error(request: Request[Any, Any, Any], error: ValidationException) -> Response[Any]:
    items = error.extra if isinstance(error.extra, list) else []
    errors = [
        {"field": _field_of(item), "message": str(item.get("message", ""))}
        for item in items
        if isinstance(item, dict)
    ] or [{"field": "body", "message": str(error.detail)}]
    first = errors[0]
    return problem(
        status=422,
        code="invalid_input",
        detail=f"{first['field']}: {first['message']}",
        instance=request.url.path,
        field=first["field"],
        errors=errors,
    )


def _http_error(request: Request[Any, Any, Any], error: HTTPException) -> Response[Any]:
    status = error.status_code
    code = _CODE_OF_STATUS.get(status, "http_error")
    detail = error.detail if status < 500 else "the server could not complete the request"
    headers = dict(error.headers or {})
    if status == 401:
        headers.setdefault("WWW-Authenticate", "Bearer")
    return problem(
        status=status,
        code=code,
        detail=str(detail),
        instance=request.url.path,
        headers=headers or None,
    )


def _unexpected(request: Request[Any, Any, Any], error: Exception) -> Response[Any]:
    # Logged with its traceback for the operator; the client learns nothing of the internals.
    _log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=error)
    return problem(
        status=HTTP_500_INTERNAL_SERVER_ERROR,
        code="internal_error",
        detail="the server could not complete the request",
        instance=request.url.path,
    )


EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    WorkflowError: _workflow_error,
    ValidationException: _validation_error,
    HTTPException: _http_error,
    Exception: _unexpected,
}
"""The app's exception handlers: workflow errors, request validation, HTTP errors, the rest."""
