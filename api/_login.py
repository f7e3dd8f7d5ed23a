"""``POST /api/v1/auth/login``: a password for a bearer token, rate limited per address."""

from __future__ import annotations

from datetime import datetime, timedelta

from litestar import post
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.middleware.rate_limit import RateLimitConfig
from litestar.params import JSONBody

from api._auth import TokenIssuer
from api._openapi import LOGIN_PROBLEMS
from api._schemas_in import LoginRequest
from api._schemas_out import TokenResponse
from workflow import LockoutPolicy, Settings, UnitOfWork, authenticate


def login_rate_limit(settings: Settings) -> RateLimitConfig:
    """At most ``login_rate_limit_per_minute`` login requests per client address."""
    return RateLimitConfig(
        rate_limit=("minute", settings.login_rate_limit_per_minute), store="login_rate_limit"
    )


@post(
    "/auth/login",
    status_code=200,
    sync_to_thread=True,
    responses=LOGIN_PROBLEMS,
    tags=["auth"],
    summary="Log in with a password",
)
def login(
    *,
    data: JSONBody[LoginRequest],
    state: State,
    uow: NamedDependency[UnitOfWork],
    now: NamedDependency[datetime],
) -> TokenResponse:
    """A bearer token for the account. 401 on a wrong username or password (which one is not
    said), 429 after repeated failures (the account is locked for a while) or too many
    requests from one address."""
    settings: Settings = state.settings
    policy = LockoutPolicy(
        max_failures=settings.login_max_failures,
        window=timedelta(seconds=settings.login_failure_window_seconds),
    )
    who = authenticate(uow, username=data.username, password=data.password, now=now, lockout=policy)
    issuer: TokenIssuer = state.tokens
    return TokenResponse(
        access_token=issuer.issue(person_id=who.person_id, now=now),
        token_type="bearer",  # noqa: S106  (the token type's name, not a secret)
        expires_in=int(issuer.ttl.total_seconds()),
    )
