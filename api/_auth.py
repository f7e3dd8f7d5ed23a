"""Bearer tokens (JWT, HS256) and the middleware that turns one into the workflow's Actor.

Tokens carry the person's id (``sub``), ``iat`` and ``exp``. Expiry is judged against the
app's clock, like everything else time-dependent, not the machine's (Litestar's own JWT
``Token`` reads the machine clock, so it is not used). On every request the account is
judged again: a token of a closed account is refused at once. The account and its
assignments come from the process's ``ReadCache`` while no write has changed any data since
(a closed account or a removed assignment is a write: the next request reads again).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

import anyio.to_thread
import jwt
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult
from litestar.middleware.base import DefineMiddleware

from workflow import Clock, ReadCache, UnitOfWork

ALGORITHM = "HS256"
SCHEME = "BearerToken"
"""The name of the security scheme in the OpenAPI document."""


@dataclass(frozen=True, slots=True)
class TokenIssuer:
    """Issues and reads the API's bearer tokens."""

    secret: str
    ttl: timedelta

    def issue(self, *, person_id: int, now: datetime) -> str:
        """A token for ``person_id`` valid from ``now`` for ``ttl``."""
        claims = {
            "sub": str(person_id),
            "iat": int(now.timestamp()),
            "exp": int((now + self.ttl).timestamp()),
        }
        return jwt.encode(claims, self.secret, algorithm=ALGORITHM)

    def person_of(self, token: str, *, now: datetime) -> int:
        """The person id a valid, unexpired token names; NotAuthorizedException otherwise."""
        person_id, expires = _claims(self.secret, token)
        if expires <= now.timestamp():
            raise NotAuthorizedException("the bearer token has expired; log in again")
        return person_id


@lru_cache(maxsize=4096)
def _claims(secret: str, token: str) -> tuple[int, int]:
    # A client sends the same token with every request: its signature is checked once (the
    # cache is keyed by the whole token, so a changed byte is a new, unchecked entry). The
    # expiry is not cached: it is judged against ``now`` on every call.
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            options={"verify_exp": False, "verify_iat": False, "require": ["sub", "exp"]},
        )
        return int(claims["sub"]), int(claims["exp"])
    except (jwt.PyJWTError, TypeError, ValueError) as error:
        raise NotAuthorizedException("the bearer token is not valid") from error


def _authorization(scope: Any) -> str:
    # Read from the raw ASGI headers: building Litestar's Headers for one value cost more
    # than the rest of the authentication.
    for name, value in scope["headers"]:
        if name == b"authorization":
            return str(value.decode("latin-1"))
    return ""


class BearerAuthMiddleware(AbstractAuthenticationMiddleware):
    """Sets ``request.user`` to the Actor of the bearer token's person."""

    async def authenticate_request(self, connection: ASGIConnection[Any, Any, Any, Any]) -> Any:
        header = _authorization(connection.scope)
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise NotAuthorizedException("a bearer token is required (POST /api/v1/auth/login)")
        state = connection.app.state
        clock: Clock = state.clock
        now = clock.now()
        issuer: TokenIssuer = state.tokens
        person_id = issuer.person_of(token.strip(), now=now)
        cache: ReadCache = state.read_cache
        # A cached account needs no thread: the hop cost more than the lookup.
        actor = cache.cached_actor(person_id=person_id, now=now)
        if actor is None:
            uow = UnitOfWork(state.engine)
            actor = await anyio.to_thread.run_sync(
                lambda: cache.actor(uow, person_id=person_id, now=now)
            )
        return AuthenticationResult(user=actor, auth=person_id)


def bearer_auth() -> DefineMiddleware:
    """The middleware for the routes that need a login (``exclude_from_auth`` opts out)."""
    return DefineMiddleware(BearerAuthMiddleware)
