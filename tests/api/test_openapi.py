"""The OpenAPI document and its UI: complete, described, and served without the internet."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

from tests.api.conftest import Api

CONTRACT_PATHS = {
    ("post", "/api/v1/auth/login"),
    ("get", "/api/v1/tasks"),
    ("get", "/api/v1/transcripts"),
    ("get", "/api/v1/transcripts/{transcript_id}"),
    ("get", "/api/v1/transcripts/{transcript_id}/xml"),
    ("get", "/api/v1/transcripts/{transcript_id}/pdf"),
    ("post", "/api/v1/transcripts/{transcript_id}/return"),
    ("post", "/api/v1/transcripts/{transcript_id}/revoke"),
    ("post", "/api/v1/transcripts/{transcript_id}/correction-requests"),
    ("get", "/api/v1/correction-requests"),
    ("post", "/api/v1/correction-requests/{request_id}/decision"),
    ("get", "/api/v1/me/transcripts"),
    ("post", "/api/v1/auth/cert-challenge"),
    ("post", "/api/v1/auth/cert-login"),
    ("post", "/api/v1/signing-sessions"),
    ("post", "/api/v1/signing-sessions/{session_id}/complete"),
    ("post", "/api/v1/verify"),
}


PUBLIC_PATHS = {
    ("post", "/api/v1/auth/login"),
    ("post", "/api/v1/auth/cert-challenge"),
    ("post", "/api/v1/auth/cert-login"),
    ("post", "/api/v1/verify"),
}


class _Assets(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.urls += [v for k, v in attrs if k in ("src", "href") and v]


def _schema(api: Api) -> dict[str, Any]:
    response = api.client.get("/schema/openapi.json")
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


def test_the_schema_is_openapi_3_1_with_every_endpoint_of_the_contract(api: Api) -> None:
    schema = _schema(api)
    assert schema["openapi"].startswith("3.1")
    operations = {(m, p) for p, item in schema["paths"].items() for m in item}
    assert operations >= CONTRACT_PATHS


def test_every_field_and_parameter_is_described(api: Api) -> None:
    schema = _schema(api)
    undescribed = [
        f"{name}.{field}"
        for name, component in schema["components"]["schemas"].items()
        for field, spec in component.get("properties", {}).items()
        if not spec.get("description")
    ]
    undescribed += [
        f"{method.upper()} {path} ?{parameter['name']}"
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        for parameter in operation.get("parameters", [])
        if not parameter.get("description")
    ]
    assert undescribed == []


def test_protected_operations_declare_the_bearer_scheme_and_problem_responses(api: Api) -> None:
    schema = _schema(api)
    assert schema["components"]["securitySchemes"]["BearerToken"]["scheme"] == "bearer"
    for method, path in CONTRACT_PATHS - PUBLIC_PATHS:
        operation = schema["paths"][path][method]
        assert operation["security"] == [{"BearerToken": []}]
        assert "application/problem+json" in operation["responses"]["404"]["content"]
    assert "security" not in schema["paths"]["/api/v1/auth/login"]["post"]


def test_the_ui_page_loads_only_local_assets_and_they_are_served(api: Api) -> None:
    page = api.client.get("/schema")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    parser = _Assets()
    parser.feed(page.text)
    assert len(parser.urls) >= 4  # favicon, stylesheet, two scripts
    for url in parser.urls:
        assert url.startswith("/") and not url.startswith("//"), url
        asset = api.client.get(url)
        assert asset.status_code == 200, url
        assert len(asset.content) > 100, url
    assert "cdn." not in page.text


def test_the_vendored_ui_ships_its_licence(api: Api) -> None:
    licence = api.client.get("/static/swagger-ui/LICENSE")
    assert licence.status_code == 200 and "Apache License" in licence.text
