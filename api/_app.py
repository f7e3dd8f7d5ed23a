"""The Litestar application factory."""

from __future__ import annotations

from datetime import timedelta
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as package_version

from litestar import Litestar, Router
from litestar.datastructures import State
from sqlalchemy.engine import Engine

from api._auth import SCHEME, TokenIssuer, bearer_auth
from api._cert_login import cert_challenge, cert_login
from api._clock import SystemClock
from api._corrections import CorrectionController
from api._demo_signer import demo_keys, demo_sign
from api._deps import DEPENDENCIES
from api._health import health
from api._keys import token_secret
from api._login import login, login_rate_limit
from api._openapi import assets_router, openapi_config
from api._problems import EXCEPTION_HANDLERS
from api._signing import SigningSessionController
from api._tasks import own_transcripts, tasks
from api._transcripts import TranscriptController
from api._trust import TrustRoots, trust_roots_file
from api._verify import verify, verify_rate_limit
from workflow import Clock, Settings

API_PREFIX = "/api/v1"


def _version() -> str:
    try:
        return package_version("hocba")
    except PackageNotFoundError:
        return "0"


def create_app(*, settings: Settings, engine: Engine, clock: Clock | None = None) -> Litestar:
    """The HTTP application over ``engine`` (schema already migrated).

    Raises ``SecretKeyError`` when no token secret is configured outside demo mode.
    """
    tokens = TokenIssuer(
        secret=token_secret(settings), ttl=timedelta(seconds=settings.token_ttl_seconds)
    )
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
            SigningSessionController,
            *([demo_sign] if settings.demo else []),
        ],
        middleware=[bearer_auth()],
        security=[{SCHEME: []}],
    )
    api = Router(
        path=API_PREFIX, route_handlers=[logins, verifying, protected], dependencies=DEPENDENCIES
    )
    return Litestar(
        route_handlers=[health, api, assets_router()],
        state=State(
            {
                "engine": engine,
                "settings": settings,
                "clock": clock or SystemClock(),
                "tokens": tokens,
                "demo_keys": demo_keys(settings) if settings.demo else None,
                "trust_roots": TrustRoots(trust_roots_file(settings)),
            }
        ),
        exception_handlers=EXCEPTION_HANDLERS,
        openapi_config=openapi_config(_version()),
        debug=False,
    )
