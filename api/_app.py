"""The Litestar application factory."""

from __future__ import annotations

import gc
from datetime import timedelta
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as package_version

from litestar import Litestar, Router
from litestar.datastructures import State
from sqlalchemy.engine import Engine

from api._auth import SCHEME, TokenIssuer, bearer_auth
from api._cert_login import cert_challenge, cert_login
from api._certified_copies import HANDLERS as CERTIFIED_COPIES
from api._clock import SystemClock
from api._corrections import CorrectionController
from api._demo_signer import demo_keys, demo_sign
from api._deps import DEPENDENCIES
from api._digitisation import HANDLERS as DIGITISATION
from api._headers import security_headers
from api._health import health
from api._keys import token_secret
from api._login import login, login_rate_limit
from api._metrics import PROMETHEUS, metrics
from api._openapi import assets_router, openapi_config
from api._outbox import OutboxController
from api._own_copies import PROTECTED_HANDLERS as OWN_COPIES
from api._own_copies import PUBLIC_HANDLERS as SHARED_AND_LOST_FILES
from api._privacy import HANDLERS as PRIVACY
from api._problems import EXCEPTION_HANDLERS
from api._record_package import HANDLERS as RECORD_PACKAGES
from api._signing import SigningSessionController
from api._tasks import own_transcripts, tasks
from api._transcripts import TranscriptController
from api._transfers import TransferController
from api._trust import TrustRoots, trust_roots_file
from api._verify import verify, verify_rate_limit
from api._windows import WindowController
from api.pages import PAGE_SESSION_TTL, pages_router, pages_static_router, session_codec
from workflow import (
    Clock,
    LogNotifier,
    Notifier,
    ReadCache,
    Settings,
    pdf_signing_options,
    recovery_policy,
)

API_PREFIX = "/api/v1"


def _freeze_startup_objects() -> None:
    # The modules, the app and its routes are some 250,000 objects that live as long as the
    # process: a full pass of the garbage collector scanned them all (~150 ms on the
    # benchmark machine, the p99 of GET /tasks). Frozen, they are no longer scanned. (No
    # collection first: it would cost that pass again at every start, in tests hundreds.)
    gc.freeze()


def _unfreeze() -> None:
    # An app that stops inside a longer-lived process (tests) gives its objects back.
    gc.unfreeze()


def _version() -> str:
    try:
        return package_version("hocba")
    except PackageNotFoundError:
        return "0"


def create_app(
    *,
    settings: Settings,
    engine: Engine,
    clock: Clock | None = None,
    notifier: Notifier | None = None,
) -> Litestar:
    """The HTTP application over ``engine`` (schema already migrated); ``notifier`` sends the
    lost-files codes (default: the log, as in demo mode).

    Raises ``SecretKeyError`` when no token secret is configured outside demo mode.
    """
    secret = token_secret(settings)
    https = settings.public_url.lower().startswith("https://")
    tokens = TokenIssuer(secret=secret, ttl=timedelta(seconds=settings.token_ttl_seconds))
    logins = Router(
        path="/",
        route_handlers=[login, cert_challenge, cert_login],
        middleware=[login_rate_limit(settings).middleware],
    )
    verifying = Router(
        path="/", route_handlers=[verify], middleware=[verify_rate_limit(settings).middleware]
    )
    protected = Router(
        path="/",
        route_handlers=[
            tasks,
            own_transcripts,
            TranscriptController,
            CorrectionController,
            WindowController,
            OutboxController,
            SigningSessionController,
            *OWN_COPIES,
            TransferController,
            *RECORD_PACKAGES,
            *DIGITISATION,
            *CERTIFIED_COPIES,
            *PRIVACY,
            *([demo_sign] if settings.demo else []),
        ],
        middleware=[bearer_auth()],
        security=[{SCHEME: []}],
    )
    api = Router(
        path=API_PREFIX,
        route_handlers=[logins, verifying, protected, *SHARED_AND_LOST_FILES],
        dependencies=DEPENDENCIES,
    )
    read_cache = ReadCache(engine)
    # Listen for other processes' changes from the start: until then nothing is cached.
    read_cache.feed.start()
    return Litestar(
        route_handlers=[
            health,
            metrics,
            api,
            assets_router(),
            pages_router(settings),
            pages_static_router(),
        ],
        state=State(
            {
                "engine": engine,
                "settings": settings,
                "clock": clock or SystemClock(),
                "tokens": tokens,
                "page_sessions": session_codec(secret, ttl=PAGE_SESSION_TTL, secure=https),
                "demo_keys": demo_keys(settings) if settings.demo else None,
                "trust_roots": TrustRoots(trust_roots_file(settings)),
                # Read once: the PDF's trust roots, timestamp authority and public address.
                "pdf_signing": pdf_signing_options(settings),
                "notifier": notifier or LogNotifier(),
                "recovery_policy": recovery_policy(settings),
                "read_cache": read_cache,
            }
        ),
        on_startup=[_freeze_startup_objects],
        on_shutdown=[_unfreeze],
        exception_handlers=EXCEPTION_HANDLERS,
        middleware=[PROMETHEUS.middleware],
        before_send=[security_headers(https=https)],
        openapi_config=openapi_config(_version()),
        # Logging is the process's (hocba._logging: redacted, text or JSON), not Litestar's.
        logging_config=None,
        debug=False,
    )
