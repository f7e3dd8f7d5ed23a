"""Security headers on every response: pages, API, static files, errors and unknown paths.

A ``before_send`` hook of the app (not a route middleware) so that responses no route
produced (404 of an unknown path, 405, errors) carry them too. A header a handler set itself
is left alone.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from litestar.datastructures import MutableScopeHeaders
from litestar.types import Message, Scope

STRICT_CSP = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    )
)
"""Every page: scripts and styles only from our own files, never inline."""

SCHEMA_PATH = "/schema"
SCHEMA_CSP = "; ".join(
    (
        "default-src 'self'",
        # Litestar's Swagger UI page starts the vendored bundle with an inline script holding
        # the OpenAPI document, and the bundle sets inline styles: allowed here and only here.
        "script-src 'self' 'unsafe-inline'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    )
)
"""The API documentation under ``/schema`` (no school data is shown there)."""

PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
HSTS = "max-age=31536000"


def csp_for(path: str) -> str:
    """The Content-Security-Policy of the response to ``path``."""
    if path == SCHEMA_PATH or path.startswith(SCHEMA_PATH + "/"):
        return SCHEMA_CSP
    return STRICT_CSP


def security_headers(*, https: bool) -> Callable[[Message, Scope], Awaitable[None]]:
    """The app's ``before_send`` hook; ``https``: the site's public address is https (HSTS)."""

    async def add_headers(message: Message, scope: Scope) -> None:
        if message["type"] != "http.response.start":
            return
        headers = MutableScopeHeaders.from_message(message)
        wanted = {
            "Content-Security-Policy": csp_for(scope["path"]),
            "X-Content-Type-Options": "nosniff",
            "X-Frame-Options": "DENY",
            "Referrer-Policy": "no-referrer",
            "Permissions-Policy": PERMISSIONS_POLICY,
            "Cross-Origin-Opener-Policy": "same-origin",
        }
        if https:
            wanted["Strict-Transport-Security"] = HSTS
        if (headers.get("content-type") or "").startswith("text/html"):
            # Pages show students' data: no copy in the browser's or a proxy's cache.
            wanted["Cache-Control"] = "no-store"
        for name, value in wanted.items():
            if headers.get(name) is None:
                headers[name] = value

    return add_headers


__all__ = ["STRICT_CSP", "csp_for", "security_headers"]
