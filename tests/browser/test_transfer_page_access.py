"""Who may open the transfer page and post its forms, over plain HTTP on the seeded demo."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import TestClient

from tests.browser.site import DemoSite, csrf_of, log_in
from tests.browser.transfer_school import OFFICER, receiving_school


def test_a_visitor_is_sent_to_the_login_page(client: TestClient[Any]) -> None:
    response = client.get("/chuyen-truong", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/dang-nhap"


@pytest.mark.parametrize("username", ["gvbm.toan", "hs.demo", "admin"])
def test_only_academic_affairs_opens_the_transfer_page(
    client: TestClient[Any], username: str
) -> None:
    log_in(client, username)
    response = client.get("/chuyen-truong")
    assert response.status_code == 403
    assert '<html lang="vi">' in response.text
    assert 'href="/chuyen-truong"' not in client.get("/", follow_redirects=True).text


def test_academic_affairs_finds_the_page_in_the_menu(client: TestClient[Any]) -> None:
    log_in(client, "hocvu")
    assert 'href="/chuyen-truong"' in client.get("/").text
    page = client.get("/chuyen-truong")
    assert page.status_code == 200
    assert '<label for="ma-dinh-danh">' in page.text and 'id="ma-dinh-danh"' in page.text


def test_a_form_without_its_token_is_refused(client: TestClient[Any]) -> None:
    log_in(client, "hocvu")
    response = client.post(
        "/chuyen-truong/de-nghi", data={"personal_id": "079212000101", "when": "truoc-nam-hoc"}
    )
    assert response.status_code == 403 and "mã bảo vệ" in response.text


def test_a_malformed_request_is_refused_naming_the_field(
    client: TestClient[Any], site: DemoSite
) -> None:
    class_id = receiving_school(site)
    log_in(client, OFFICER)
    token = csrf_of(client.get("/chuyen-truong").text)
    response = client.post(
        "/chuyen-truong/de-nghi",
        data={"_csrf": token, "personal_id": "12ab", "class": f"{class_id}@80000002"},
    )
    assert response.status_code == 422
    assert "Mã định danh cá nhân gồm đúng 12 chữ số." in response.text
    response = client.post("/chuyen-truong/1/tu-choi", data={"_csrf": token, "reason": "  "})
    assert response.status_code == 422 and "Hãy ghi lý do từ chối." in response.text
