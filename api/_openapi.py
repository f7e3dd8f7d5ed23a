"""The OpenAPI 3.1 document at ``/schema`` and its Swagger UI, served from this package.

No asset comes from a CDN: school networks and these machines are offline.
"""

from __future__ import annotations

from pathlib import Path

from litestar import Router
from litestar.openapi.config import OpenAPIConfig
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.static_files import create_static_files_router

from api._auth import SCHEME
from api._problems import PROBLEM_MEDIA_TYPE
from api._schemas_out import ProblemOut

ASSETS = Path(__file__).parent / "static" / "swagger-ui"
ASSETS_PATH = "/static/swagger-ui"
"""Where the vendored Swagger UI files are served."""

_DESCRIPTION = """\
The hocba HTTP API (prefix `/api/v1`).

**Authentication**: `POST /api/v1/auth/login` with `{username, password}` returns a bearer token;
send it as `Authorization: Bearer <token>`. Failed logins lock the username for a while; logins
are rate limited per client address.

**Errors** are RFC 9457 problem details (`application/problem+json`) with a stable `type`
`urn:hocba:problem:<code>`, the `code`, an English `detail`, a Vietnamese `detail_vi`, and for
invalid input the `field` at fault. A transcript outside the caller's scope is answered 404,
exactly like one that does not exist.
"""


def problem_spec(description: str) -> ResponseSpec:
    return ResponseSpec(
        data_container=ProblemOut,
        description=description,
        media_type=PROBLEM_MEDIA_TYPE,
        generate_examples=False,
    )


PROBLEMS = {
    400: problem_spec("The body is not well-formed JSON."),
    401: problem_spec("No valid bearer token, or the account is closed."),
    403: problem_spec("The caller may not do this (not assigned, administrator, …)."),
    404: problem_spec("Not found, or outside the caller's scope."),
    409: problem_spec("Not allowed in the transcript's current state, or a concurrent change."),
    422: problem_spec("Invalid input; `field` names it."),
}
"""The error responses every protected operation documents."""

LOGIN_PROBLEMS = {
    400: problem_spec("The body is not well-formed JSON."),
    401: problem_spec("Wrong username or password (which one is not said)."),
    422: problem_spec("Invalid input; `field` names it."),
    429: problem_spec("Too many failed logins for this username, or too many requests."),
}


def openapi_config(version: str) -> OpenAPIConfig:
    """``/schema`` (Swagger UI) and ``/schema/openapi.json``."""
    favicon = f"<link rel='icon' type='image/png' href='{ASSETS_PATH}/favicon-32x32.png'>"
    return OpenAPIConfig(
        title="hocba — Học bạ số",
        version=version,
        description=_DESCRIPTION,
        path="/schema",
        render_plugins=[
            SwaggerRenderPlugin(
                path="/",
                js_url=f"{ASSETS_PATH}/swagger-ui-bundle.js",
                css_url=f"{ASSETS_PATH}/swagger-ui.css",
                standalone_preset_js_url=f"{ASSETS_PATH}/swagger-ui-standalone-preset.js",
                favicon=favicon,
            )
        ],
        components=Components(
            security_schemes={
                SCHEME: SecurityScheme(
                    type="http",
                    scheme="bearer",
                    bearer_format="JWT",
                    description="The token from `POST /api/v1/auth/login`.",
                )
            }
        ),
    )


def assets_router() -> Router:
    """Serves the vendored Swagger UI files."""
    return create_static_files_router(
        path=ASSETS_PATH, directories=[ASSETS], include_in_schema=False, name="swagger-ui"
    )
