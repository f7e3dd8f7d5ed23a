"""The web pages: server-rendered Jinja2, Vietnamese, no external assets. Every form works
without JavaScript; the vendored htmx (``/tinh/htmx.min.js``) only spares a reload for small
interactions, and the handlers answer its requests (``HX-Request``) with fragments.

A session cookie (``_session``) carries the login and a per-session form token checked on
every POST (CSRF); the JSON API under ``/api/v1`` keeps its bearer tokens and is untouched.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from litestar import Router
from litestar.di import Provide
from litestar.static_files import create_static_files_router

from api._login import login_rate_limit
from api.pages._copies import copies_page, copy_file, make_copy
from api.pages._core import PAGE_EXCEPTION_HANDLERS, provide_visit
from api.pages._department import correction_queue, decide
from api.pages._digitisation import digitise, digitise_page
from api.pages._login import login_form, login_submit, logout
from api.pages._outbox import outbox_page, retry_message
from api.pages._own import own_page, revoke_link_action, share_action
from api.pages._portal import portal, verify_upload
from api.pages._privacy import access_report_page, consent_action, personal_data_download
from api.pages._recovery import (
    recovery_confirm,
    recovery_downloads,
    recovery_file,
    recovery_form,
    recovery_request,
)
from api.pages._scores import save_scores, score_sheet
from api.pages._session import COOKIE, CSRF_FIELD, PageSession, SessionCodec
from api.pages._shared import shared_file, shared_page, shared_verify
from api.pages._signing import sign_class, signing_page
from api.pages._staff import (
    class_page,
    correction_action,
    inbox,
    return_action,
    revoke_action,
    transcript_file,
    transcript_page,
)
from api.pages._transfers import (
    accept_transfer_page,
    ask_transfer,
    complete_transfer_page,
    refuse_transfer_page,
    transfers_page,
)
from api.pages._windows import build_class, carry_out_window, decide_window, windows_page
from workflow import Settings

STATIC_PATH = "/tinh"
PAGE_SESSION_TTL = timedelta(hours=8)
"""How long a page login lasts (a school working day)."""
STATIC = Path(__file__).parent.parent / "static" / "pages"


def pages_router(settings: Settings) -> Router:
    """Every page, with the ``visit`` dependency and errors rendered as pages; the login
    form's POST shares the JSON login's per-address rate limit."""
    logins = Router(
        path="/",
        route_handlers=[login_submit],
        middleware=[login_rate_limit(settings).middleware],
    )
    return Router(
        path="/",
        route_handlers=[
            logins,
            login_form,
            logout,
            inbox,
            class_page,
            transcript_page,
            transcript_file,
            copies_page,
            make_copy,
            copy_file,
            return_action,
            revoke_action,
            correction_action,
            signing_page,
            sign_class,
            correction_queue,
            decide,
            outbox_page,
            retry_message,
            portal,
            verify_upload,
            own_page,
            share_action,
            revoke_link_action,
            consent_action,
            personal_data_download,
            access_report_page,
            shared_page,
            shared_file,
            shared_verify,
            recovery_form,
            recovery_request,
            recovery_confirm,
            recovery_downloads,
            recovery_file,
            score_sheet,
            save_scores,
            windows_page,
            decide_window,
            carry_out_window,
            build_class,
            transfers_page,
            ask_transfer,
            accept_transfer_page,
            refuse_transfer_page,
            complete_transfer_page,
            digitise_page,
            digitise,
        ],
        dependencies={"visit": Provide(provide_visit)},
        exception_handlers=PAGE_EXCEPTION_HANDLERS,
        include_in_schema=False,
    )


def pages_static_router() -> Router:
    """The pages' stylesheet and htmx (served locally: no CDN)."""
    return create_static_files_router(
        path=STATIC_PATH, directories=[STATIC], include_in_schema=False, name="pages-static"
    )


def session_codec(secret: str, *, ttl: timedelta, secure: bool = False) -> SessionCodec:
    """The codec of the pages' session cookie (``secure``: always mark it Secure)."""
    return SessionCodec.for_secret(secret, ttl=ttl, secure=secure)


__all__ = [
    "COOKIE",
    "CSRF_FIELD",
    "PAGE_SESSION_TTL",
    "STATIC_PATH",
    "PageSession",
    "SessionCodec",
    "pages_router",
    "pages_static_router",
    "session_codec",
]
