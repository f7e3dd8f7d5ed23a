"""The pages' session: a signed cookie holding who is logged in and the form token (CSRF).

The cookie is ``<payload>.<HMAC-SHA256>``, keyed by the app's token secret (a key derived
for this purpose only), HttpOnly, SameSite=Lax, and Secure when the site's public address
is https (behind a TLS-terminating proxy the request itself arrives over http) or the
request came over https. Its age is judged against the app's clock, like the bearer
tokens. A visitor who has not logged in still gets a session (no person), so that the
login and verification forms carry a token too.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from litestar import Request, Response

COOKIE = "hocba_phien"
CSRF_FIELD = "_csrf"


@dataclass(frozen=True, slots=True)
class PageSession:
    """One browser's session: its form token and, once logged in, whose it is."""

    csrf: str
    issued_at: int
    """When it was issued or last logged in (seconds since the epoch, the app's clock)."""
    person_id: int | None = None
    username: str | None = None

    @property
    def logged_in(self) -> bool:
        """Whether a person is logged in on this session."""
        return self.person_id is not None

    def login(self, *, person_id: int, username: str, now: datetime) -> PageSession:
        """The session after a login: a fresh form token (no fixation of the old one)."""
        return PageSession(
            csrf=secrets.token_urlsafe(32),
            issued_at=int(now.timestamp()),
            person_id=person_id,
            username=username,
        )


def new_session(now: datetime) -> PageSession:
    """An anonymous session with a fresh form token."""
    return PageSession(csrf=secrets.token_urlsafe(32), issued_at=int(now.timestamp()))


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True, slots=True)
class SessionCodec:
    """Writes and reads the session cookie."""

    key: bytes
    ttl: timedelta
    secure: bool = False
    """Always mark the cookie Secure (the site's public address is https)."""

    @classmethod
    def for_secret(cls, secret: str, *, ttl: timedelta, secure: bool = False) -> SessionCodec:
        """A codec whose key is derived from the app's token secret."""
        return cls(
            key=hashlib.sha256(b"hocba-pages-session\x00" + secret.encode()).digest(),
            ttl=ttl,
            secure=secure,
        )

    def _mac(self, payload: str) -> str:
        return _b64(hmac.new(self.key, payload.encode("ascii"), hashlib.sha256).digest())

    def encode(self, session: PageSession) -> str:
        """The cookie value of ``session``."""
        body: dict[str, Any] = {"c": session.csrf, "i": session.issued_at}
        if session.person_id is not None:
            body |= {"p": session.person_id, "u": session.username}
        payload = _b64(json.dumps(body, separators=(",", ":")).encode())
        return f"{payload}.{self._mac(payload)}"

    def decode(self, value: str | None, *, now: datetime) -> PageSession | None:
        """The session a cookie holds; None when absent, forged, malformed or expired."""
        if not value or len(value) > 1024 or value.count(".") != 1:
            return None
        payload, mac = value.split(".")
        if not hmac.compare_digest(self._mac(payload), mac):
            return None
        try:
            body = json.loads(_unb64(payload))
            session = PageSession(
                csrf=str(body["c"]),
                issued_at=int(body["i"]),
                person_id=int(body["p"]) if "p" in body else None,
                username=str(body["u"]) if "u" in body else None,
            )
        except (ValueError, KeyError, TypeError):
            return None
        age = now.timestamp() - session.issued_at
        if session.logged_in and not 0 <= age < self.ttl.total_seconds():
            return replace(session, person_id=None, username=None)
        return session

    def set_cookie(
        self, response: Response[Any], session: PageSession, request: Request[Any, Any, Any]
    ) -> None:
        """Attach ``session`` to ``response``."""
        response.set_cookie(
            COOKIE,
            self.encode(session),
            path="/",
            httponly=True,
            samesite="lax",
            secure=self.secure or request.url.scheme == "https",
        )
