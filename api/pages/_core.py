"""What every page handler works with: the visit (session, actor, clock) and the renderer.

Errors become pages: a workflow refusal is shown in Vietnamese with the status the JSON
API would answer; a missing login redirects to ``/dang-nhap``.

htmx requests (header ``HX-Request``) get a fragment instead of the whole page: a handler
asks ``visit.htmx`` and renders a fragment template (one that extends no layout); an error
becomes an alert swapped into the page's message area (``#thong-bao``), and a missing login
a full redirect.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import anyio.to_thread
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from litestar import Request, Response
from litestar.datastructures import FormMultiDict, State
from litestar.exceptions import HTTPException, ValidationException
from litestar.response import Redirect
from litestar.types import ExceptionHandlersMap

import templates
from api._problems import status_of
from api.pages import _words as words
from api.pages._session import COOKIE, CSRF_FIELD, PageSession, SessionCodec, new_session
from domain.model import ACADEMIC_ROLES, Role
from workflow import (
    WINDOW_ROLES,
    Actor,
    Clock,
    NotAuthenticatedError,
    NotFoundError,
    Settings,
    UnitOfWork,
    WorkflowError,
    resolve_actor,
)

TEMPLATES = Path(templates.__file__).parent / "pages"
LOGIN_PATH = "/dang-nhap"
MESSAGES = "#thong-bao"
"""The page's message area (a live region) that htmx errors are swapped into."""
CSRF_HEADER = "X-CSRF-Token"
"""The form token as htmx sends it (``hx-headers`` of the page's body)."""
ADMINISTRATOR_REFUSAL = (
    "Tài khoản quản trị không được xem hay thao tác trên dữ liệu học tập của học sinh."
)

_ENV = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(default=True, default_for_string=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_ENV.filters |= {
    "status_vi": words.status_vi,
    "step_vi": words.step_vi,
    "kind_vi": words.kind_vi,
    "action_vi": words.action_vi,
    "subject_vi": words.subject_vi,
    "slot_vi": words.slot_vi,
    "mark_vi": words.mark_vi,
    "correction_status_vi": lambda s: words.CORRECTION_STATUS_VI.get(s, s),
    "period_vi": lambda s: words.PERIOD_VI.get(s, s),
    "window_action_vi": lambda s: words.WINDOW_ACTION_VI.get(s, s),
}

T = TypeVar("T")


class PageError(Exception):
    """A refusal shown as a page: ``status_code`` and a Vietnamese ``message``."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status_code = status
        self.message = message


class LoginRequiredError(Exception):
    """The page needs a logged-in person; the browser is sent to the login page."""


@dataclass(frozen=True, slots=True)
class Visit:
    """One request to a page: the session, the actor (when logged in) and the app's now."""

    request: Request[Any, Any, Any]
    session: PageSession
    fresh: bool
    """The session was made for this request (its cookie must be set on the response)."""
    actor: Actor | None
    now: datetime
    settings: Settings
    codec: SessionCodec
    engine: Any

    def uow(self) -> UnitOfWork:
        """A unit of work over the app's database."""
        return UnitOfWork(self.engine)

    @property
    def kind(self) -> str:
        """``admin``, ``department``, ``staff``, ``own`` (student, guardian) or ``visitor``."""
        return kind_of(self.actor)

    def staff(self) -> Actor:
        """The logged-in actor; LoginRequiredError otherwise, and a 403 page for the
        administrator (REQ-07: no academic data at all)."""
        if self.actor is None:
            raise LoginRequiredError
        if self.actor.is_administrator:
            raise PageError(403, ADMINISTRATOR_REFUSAL)
        return self.actor

    async def run(self, call: Callable[[], T]) -> T:
        """Run a (blocking) workflow call in a worker thread."""
        return await anyio.to_thread.run_sync(call)

    @property
    def htmx(self) -> bool:
        """The request comes from htmx and wants a fragment, not a whole page."""
        return is_htmx(self.request)

    async def form(self) -> FormMultiDict:
        """The posted form, after its token (the form's field, else htmx's header) was
        checked against the session's (CSRF)."""
        form = await self.request.form()
        token = form.get(CSRF_FIELD) or self.request.headers.get(CSRF_HEADER)
        if (
            self.fresh
            or not isinstance(token, str)
            or not hmac.compare_digest(token.encode(), self.session.csrf.encode())
        ):
            raise PageError(
                403,
                "Biểu mẫu không hợp lệ hoặc đã hết hạn (thiếu mã bảo vệ). "
                "Hãy tải lại trang rồi gửi lại.",
            )
        return form

    def render(self, template: str, *, status: int = 200, **context: Any) -> Response[str]:
        """The page ``template`` (a fragment when the template extends no layout)."""
        html = _ENV.get_template(template).render(page=self._layout(), **context)
        response: Response[str] = Response(
            html,
            status_code=status,
            media_type="text/html; charset=utf-8",
            # The same address answers a page or an htmx fragment.
            headers={"Vary": "HX-Request"},
        )
        self._keep(response)
        return response

    def redirect(self, path: str, *, session: PageSession | None = None) -> Redirect:
        """A 303 to ``path`` (after a form), saving ``session`` when given."""
        response = Redirect(path, status_code=303)
        if session is not None:
            self.codec.set_cookie(response, session, self.request)
        else:
            self._keep(response)
        return response

    def when(self, moment: datetime | None) -> str:
        """A moment in the school's zone, as pages print it."""
        return words.when_vi(moment, self.settings.timezone)

    def _keep(self, response: Response[Any]) -> None:
        if self.fresh:
            self.codec.set_cookie(response, self.session, self.request)

    def _layout(self) -> dict[str, Any]:
        return {
            "demo": self.settings.demo,
            "csrf": self.session.csrf,
            "csrf_field": CSRF_FIELD,
            # An error page does not resolve the actor; the signed session still names them.
            "username": self.session.username if self.session.logged_in else None,
            "kind": self.kind,
            "access_report": self.actor is not None
            and any(g.role in (Role.PRINCIPAL, Role.DEPARTMENT_OFFICER) for g in self.actor.grants),
            "windows": self.actor is not None
            and any(g.role in WINDOW_ROLES for g in self.actor.grants),
            "transfers": self.actor is not None
            and any(g.role is Role.ACADEMIC_AFFAIRS for g in self.actor.grants),
            "copies": self.actor is not None
            and any(g.role is Role.CLERK for g in self.actor.grants),
            "digitise": self.actor is not None
            and any(g.role is Role.ACADEMIC_AFFAIRS for g in self.actor.grants),
            "when": self.when,
        }


def kind_of(actor: Actor | None) -> str:
    """Which kind of page user ``actor`` is."""
    if actor is None:
        return "visitor"
    if actor.is_administrator:
        return "admin"
    roles = {g.role for g in actor.grants}
    if Role.DEPARTMENT_OFFICER in roles:
        return "department"
    if roles & (ACADEMIC_ROLES - {Role.DEPARTMENT_OFFICER}):
        return "staff"
    return "own"


def _now(state: State) -> datetime:
    clock: Clock = state.clock
    return clock.now()


def _session_of(request: Request[Any, Any, Any], now: datetime) -> tuple[PageSession, bool]:
    codec: SessionCodec = request.app.state.page_sessions
    found = codec.decode(request.cookies.get(COOKIE), now=now)
    return (found, False) if found is not None else (new_session(now), True)


async def provide_visit(request: Request[Any, Any, Any], state: State) -> Visit:
    """The ``visit`` dependency of every page handler."""
    now = _now(state)
    session, fresh = _session_of(request, now)
    actor: Actor | None = None
    if session.person_id is not None:
        person_id = session.person_id
        uow = UnitOfWork(state.engine)
        try:
            actor = await anyio.to_thread.run_sync(
                lambda: resolve_actor(uow, person_id=person_id, now=now)
            )
        except NotAuthenticatedError:
            session, fresh = new_session(now), True
    return Visit(
        request=request,
        session=session,
        fresh=fresh,
        actor=actor,
        now=now,
        settings=state.settings,
        codec=state.page_sessions,
        engine=state.engine,
    )


def is_htmx(request: Request[Any, Any, Any]) -> bool:
    """Whether ``request`` was sent by htmx (not a history restore, which wants a page)."""
    headers = request.headers
    return headers.get("HX-Request") == "true" and headers.get("HX-History-Restore-Request") != (
        "true"
    )


def _error_page(request: Request[Any, Any, Any], status: int, message: str) -> Response[str]:
    state = request.app.state
    now = _now(state)
    session, fresh = _session_of(request, now)
    visit = Visit(
        request=request,
        session=session,
        fresh=fresh,
        actor=None,
        now=now,
        settings=state.settings,
        codec=state.page_sessions,
        engine=state.engine,
    )
    if is_htmx(request):
        response = visit.render("error_alert.html.j2", status=status, message=message)
        response.headers.update({"HX-Retarget": MESSAGES, "HX-Reswap": "innerHTML"})
        return response
    return visit.render("error.html.j2", status=status, status_code=status, message=message)


def _page_error(request: Request[Any, Any, Any], error: PageError) -> Response[str]:
    return _error_page(request, error.status_code, error.message)


NOT_FOUND_VI = "Không tìm thấy nội dung này, hoặc nó nằm ngoài phạm vi bạn được xem."
"""A page's "not found": the workflow's message names the object in English (``transcript``)."""


def _workflow_error(request: Request[Any, Any, Any], error: WorkflowError) -> Response[str]:
    message = NOT_FOUND_VI if isinstance(error, NotFoundError) else error.message_vi
    return _error_page(request, status_of(error), message)


_HTTP_VI = {
    400: "Yêu cầu không hợp lệ.",
    404: "Không tìm thấy trang này.",
    405: "Trang này không nhận kiểu yêu cầu đó.",
    413: "Tệp quá lớn.",
    422: "Địa chỉ hoặc dữ liệu gửi lên không hợp lệ.",
    429: "Có quá nhiều yêu cầu trong thời gian ngắn; hãy thử lại sau ít phút.",
}


def _http_error(request: Request[Any, Any, Any], error: HTTPException) -> Response[str]:
    status = error.status_code
    return _error_page(request, status, _HTTP_VI.get(status, "Không thực hiện được yêu cầu."))


def _login_required(request: Request[Any, Any, Any], _: LoginRequiredError) -> Response[Any]:
    if is_htmx(request):
        # A redirect would be followed inside the request and the login page swapped into
        # a part of this one: htmx is told to load the login page instead.
        return Response(b"", status_code=204, headers={"HX-Redirect": LOGIN_PATH})
    return Redirect(LOGIN_PATH, status_code=303)


PAGE_EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    PageError: _page_error,
    WorkflowError: _workflow_error,
    LoginRequiredError: _login_required,
    HTTPException: _http_error,
    ValidationException: _http_error,
}
