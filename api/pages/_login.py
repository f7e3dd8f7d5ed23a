"""``/dang-nhap`` and ``/dang-xuat``: password login into a page session, and logout."""

from __future__ import annotations

from datetime import timedelta

from litestar import Response, get, post
from litestar.di import NamedDependency

from api.pages._core import Visit
from api.pages._session import new_session
from workflow import (
    InvalidCredentialsError,
    LockoutPolicy,
    LoginLockedError,
    authenticate,
)


@get("/dang-nhap", include_in_schema=False)
async def login_form(*, visit: NamedDependency[Visit]) -> Response[str]:
    """The login form (a logged-in visitor goes to their start page)."""
    if visit.actor is not None:
        return visit.redirect("/")
    return visit.render("login.html.j2", error=None, username="")


@post("/dang-nhap", include_in_schema=False)
async def login_submit(*, visit: NamedDependency[Visit]) -> Response[str]:
    """Check the password; on success a new session for the person, then the start page."""
    form = await visit.form()
    username = str(form.get("username") or "").strip()
    password = str(form.get("password") or "")
    settings = visit.settings
    policy = LockoutPolicy(
        max_failures=settings.login_max_failures,
        window=timedelta(seconds=settings.login_failure_window_seconds),
    )
    uow = visit.uow()
    try:
        who = await visit.run(
            lambda: authenticate(
                uow, username=username, password=password, now=visit.now, lockout=policy
            )
        )
    except InvalidCredentialsError:
        message = "Sai tên đăng nhập hoặc mật khẩu."
        return visit.render("login.html.j2", status=401, error=message, username=username)
    except LoginLockedError as error:
        minutes = max(1, -(-error.retry_after // 60))
        message = (
            f"Tài khoản bị khóa tạm thời vì đăng nhập sai nhiều lần. "
            f"Hãy thử lại sau khoảng {minutes} phút."
        )
        return visit.render("login.html.j2", status=429, error=message, username=username)
    session = visit.session.login(person_id=who.person_id, username=who.username, now=visit.now)
    return visit.redirect("/", session=session)


@post("/dang-xuat", include_in_schema=False)
async def logout(*, visit: NamedDependency[Visit]) -> Response[str]:
    """End the session (a fresh anonymous one replaces it)."""
    await visit.form()
    return visit.redirect("/dang-nhap", session=new_session(visit.now))
