"""Security headers on every response, the session cookie's flags, and how the pages answer
htmx (fragments, errors in the message area, a full redirect to the login page)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient

from api import create_app
from api._headers import STRICT_CSP
from api.pages import COOKIE
from tests.browser.site import CURRENT, DemoSite, FixedClock, csrf_of, log_in

TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "pages"
EVERY_RESPONSE = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}


@pytest.mark.parametrize(
    "path",
    [
        "/dang-nhap",
        "/xac-thuc",
        "/",  # a redirect
        "/tinh/hocba.css",
        "/tinh/htmx.min.js",
        "/health",
        "/api/v1/tasks",  # 401 problem details
        "/khong-co-trang-nay",  # no route at all
        "/schema/openapi.json",
    ],
)
def test_every_response_carries_the_security_headers(client: TestClient[Any], path: str) -> None:
    response = client.get(path, follow_redirects=False)
    for name, value in EVERY_RESPONSE.items():
        assert response.headers[name] == value, (path, name)
    assert "camera=()" in response.headers["Permissions-Policy"]
    policy = response.headers["Content-Security-Policy"]
    if path.startswith("/schema"):
        assert "frame-ancestors 'none'" in policy
    else:
        assert policy == STRICT_CSP
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "Strict-Transport-Security" not in response.headers  # served over http


def test_the_pages_policy_allows_only_the_sites_own_scripts_and_styles(
    client: TestClient[Any],
) -> None:
    directives = dict(
        part.strip().split(" ", 1)
        for part in client.get("/dang-nhap").headers["Content-Security-Policy"].split(";")
    )
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["base-uri"] == "'none'"
    assert directives["form-action"] == "'self'"


def test_only_the_api_documentation_may_run_its_inline_start_script(
    client: TestClient[Any],
) -> None:
    schema = client.get("/schema")
    assert schema.status_code == 200
    assert "script-src 'self' 'unsafe-inline'" in schema.headers["Content-Security-Policy"]
    page = client.get("/xac-thuc")
    assert "unsafe-inline" not in page.headers["Content-Security-Policy"]


def test_a_page_is_not_kept_in_any_cache(client: TestClient[Any]) -> None:
    log_in(client, "hieutruong")
    inbox = client.get("/")
    assert inbox.headers["Cache-Control"] == "no-store"
    assert "HX-Request" in inbox.headers["Vary"]
    assert "no-store" not in client.get("/tinh/hocba.css").headers.get("Cache-Control", "")


def test_no_template_has_an_inline_script_style_or_event_handler() -> None:
    for template in TEMPLATES.glob("*.j2"):
        text = template.read_text(encoding="utf-8")
        assert not re.search(r"<script(?![^>]*\bsrc=)", text), template.name
        assert not re.search(r"<style\b|\sstyle=", text), template.name
        assert not re.search(r"\son[a-z]+=|javascript:|hx-on", text), template.name


def test_with_an_https_public_address_the_cookie_is_secure_and_hsts_is_sent(
    site: DemoSite,
) -> None:
    settings = site.settings.model_copy(update={"public_url": "https://hocba.truong.edu.vn"})
    app = create_app(settings=settings, engine=site.engine, clock=FixedClock())
    # The TLS proxy in front speaks plain http to the app: the public address decides.
    with TestClient(app=app, base_url="http://testserver.local") as client:
        response = log_in(client, "hieutruong")
        cookie = response.headers["set-cookie"]
        assert cookie.startswith(f"{COOKIE}=")
        for flag in ("Secure", "HttpOnly", "SameSite=lax", "Path=/"):
            assert flag in cookie
        assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_over_plain_http_the_cookie_is_not_marked_secure(client: TestClient[Any]) -> None:
    cookie = log_in(client, "hieutruong").headers["set-cookie"]
    assert "HttpOnly" in cookie and "Secure" not in cookie


HX = {"HX-Request": "true"}


def test_htmx_gets_the_inbox_list_and_not_the_whole_page(client: TestClient[Any]) -> None:
    log_in(client, "gvbm.toan")
    whole = client.get("/")
    part = client.get("/", headers=HX)
    assert whole.text.startswith("<!doctype html>")
    assert part.status_code == 200 and part.text.startswith('<div id="viec">')
    assert "<html" not in part.text and "Lớp 6A1" in part.text


def test_htmx_without_a_login_is_told_to_open_the_login_page(client: TestClient[Any]) -> None:
    response = client.get("/", headers=HX, follow_redirects=False)
    assert response.status_code == 204
    assert response.headers["HX-Redirect"] == "/dang-nhap"


def test_an_htmx_refusal_is_an_alert_for_the_pages_message_area(
    client: TestClient[Any], site: DemoSite
) -> None:
    log_in(client, "gvbm.toan")
    path = f"/diem/{site.class_id(CURRENT, '6A1')}/TOAN/1"
    response = client.post(path, data={"dong": "1"}, headers=HX)
    assert response.status_code == 403
    assert response.headers["HX-Retarget"] == "#thong-bao"
    assert response.text.startswith('<p class="alert" role="alert">')
    assert "mã bảo vệ" in response.text


def test_htmx_may_send_the_form_token_as_a_header(client: TestClient[Any]) -> None:
    log_in(client, "gvbm.toan")
    token = csrf_of(client.get("/").text)
    assert f'hx-headers=\'{{"X-CSRF-Token": "{token}"}}\'' in client.get("/").text
    wrong = client.post("/dang-xuat", headers={**HX, "X-CSRF-Token": token[::-1]})
    assert wrong.status_code == 403
    right = client.post("/dang-xuat", headers={**HX, "X-CSRF-Token": token}, follow_redirects=False)
    assert right.status_code == 303


def test_one_line_of_the_score_sheet_is_saved_alone_and_answered_as_a_table_row(
    client: TestClient[Any], site: DemoSite
) -> None:
    log_in(client, "gvbm.toan")
    path = f"/diem/{site.class_id(CURRENT, '6A2')}/TOAN/2"
    sheet = client.get(path).text
    token = csrf_of(sheet)
    first, second = re.findall(r'name="dong" value="(\d+)"', sheet)[:2]
    form = {"_csrf": token, "dong": first, f"s{first}_gk": "12", f"s{second}_gk": "abc"}
    refused = client.post(path, data=form, headers=HX)
    assert refused.status_code == 422
    assert refused.text.startswith(f'<tr id="s{first}" class="invalid">')
    assert f'aria-describedby="s{first}_gk-loi" autofocus' in refused.text
    assert f'<span class="field-error" id="s{first}_gk-loi">ĐĐGgk phải từ 0 đến 10</span>' in (
        refused.text
    )
    assert 'hx-swap-oob="innerHTML"' in refused.text

    saved = client.post(path, data={**form, f"s{first}_gk": "6.5"}, headers=HX)
    assert saved.status_code == 200, saved.text  # the other line's "abc" was not sent in
    assert 'value="6.5"' in saved.text and "Đã lưu dòng của" in saved.text
    page = client.get(path).text
    assert f'name="s{first}_gk" value="6.5"' in page
    assert f'name="s{second}_gk" value="abc"' not in page
