"""Who may open which page, over plain HTTP (Litestar's TestClient) on the seeded demo."""

from __future__ import annotations

import re
from typing import Any

import pytest
from litestar.testing import TestClient

from api.pages import COOKIE
from tests.browser.site import CURRENT, PREVIOUS, DemoSite, csrf_of, log_in
from workflow import DEMO_PASSWORD

LOGIN_PAGES = ["/", "/lop/1", "/hoc-ba/abc", "/hoc-ba/abc/xml", "/ky/1", "/cua-toi",
               "/so/yeu-cau-dinh-chinh"]  # fmt: skip


@pytest.mark.parametrize("path", LOGIN_PAGES)
def test_a_page_behind_the_login_sends_a_visitor_to_the_login_page(
    client: TestClient[Any], path: str
) -> None:
    response = client.get(path, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/dang-nhap"


def test_the_login_page_and_the_portal_are_public_in_vietnamese_with_the_stylesheet(
    client: TestClient[Any],
) -> None:
    for path in ("/dang-nhap", "/xac-thuc"):
        response = client.get(path)
        assert response.status_code == 200
        assert '<html lang="vi">' in response.text
        assert 'href="/tinh/hocba.css"' in response.text
        assert '<script src="/tinh/htmx.min.js" defer></script>' in response.text
        assert not re.search(r"<script(?![^>]*\bsrc=)", response.text), "an inline script"
        assert " style=" not in response.text
    css = client.get("/tinh/hocba.css")
    assert css.status_code == 200 and "text/css" in css.headers["content-type"]
    script = client.get("/tinh/htmx.min.js")
    assert script.status_code == 200 and "javascript" in script.headers["content-type"]


def test_the_session_cookie_is_http_only_and_same_site_lax(client: TestClient[Any]) -> None:
    response = log_in(client, "hieutruong")
    assert response.status_code == 303 and response.headers["location"] == "/"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie


def test_a_wrong_password_is_refused_with_a_vietnamese_message(client: TestClient[Any]) -> None:
    token = csrf_of(client.get("/dang-nhap").text)
    response = client.post(
        "/dang-nhap", data={"_csrf": token, "username": "hieutruong", "password": "sai"}
    )
    assert response.status_code == 401
    assert "Sai tên đăng nhập hoặc mật khẩu." in response.text


def test_a_form_without_its_token_or_with_another_sessions_token_is_refused(
    client: TestClient[Any], site: DemoSite
) -> None:
    form = {"username": "hieutruong", "password": DEMO_PASSWORD}
    client.get("/dang-nhap")
    assert client.post("/dang-nhap", data=form).status_code == 403
    with TestClient(app=site.app()) as other:
        foreign = csrf_of(other.get("/dang-nhap").text)
    refused = client.post("/dang-nhap", data={**form, "_csrf": foreign})
    assert refused.status_code == 403 and "mã bảo vệ" in refused.text
    log_in(client, "so.gddt")
    decision = client.post("/so/yeu-cau-dinh-chinh/1", data={"decision": "reject"})
    assert decision.status_code == 403


def test_a_forged_session_cookie_counts_as_no_login(client: TestClient[Any]) -> None:
    log_in(client, "hieutruong")
    value = client.cookies[COOKIE]
    payload, mac = value.split(".")
    client.cookies.set(COOKIE, f"{payload}.{mac[::-1]}")
    assert client.get("/", follow_redirects=False).headers["location"] == "/dang-nhap"


def test_the_json_api_keeps_working_with_bearer_tokens_and_no_form_token(
    client: TestClient[Any],
) -> None:
    response = client.post(
        "/api/v1/auth/login", json={"username": "hieutruong", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 200
    token = response.json()["access_token"]
    tasks = client.get("/api/v1/tasks", headers={"Authorization": f"Bearer {token}"})
    assert tasks.status_code == 200


def test_logout_ends_the_session(client: TestClient[Any]) -> None:
    log_in(client, "hieutruong")
    token = csrf_of(client.get("/").text)
    response = client.post("/dang-xuat", data={"_csrf": token}, follow_redirects=False)
    assert response.status_code == 303
    assert client.get("/", follow_redirects=False).headers["location"] == "/dang-nhap"


def test_the_administrator_sees_no_academic_data(client: TestClient[Any], site: DemoSite) -> None:
    log_in(client, "admin")
    start = client.get("/")
    assert start.status_code == 200
    assert "không được xem hay thao tác trên dữ liệu học tập" in start.text
    assert "Thực hiện quyết định về cửa sổ nhập điểm" in start.text  # the principal's decision
    class_page = client.get(f"/lop/{site.class_id(CURRENT, '7A1')}")
    assert class_page.status_code == 403
    assert client.get("/cua-toi").status_code == 403


def test_a_student_is_sent_to_their_own_page_and_sees_no_class_or_queue(
    client: TestClient[Any], site: DemoSite
) -> None:
    log_in(client, "hs.demo")
    start = client.get("/", follow_redirects=False)
    assert start.headers["location"] == "/cua-toi"
    own = client.get("/cua-toi")
    assert own.status_code == 200
    for item in site.own_transcripts("hs.demo"):
        issued = item.status == "finalized"
        assert (f"/hoc-ba/{item.id}/xml" in own.text) is issued, item
    assert client.get(f"/lop/{site.class_id(CURRENT, '7A1')}").status_code in (403, 404)
    assert client.get("/so/yeu-cau-dinh-chinh").status_code == 403
    assert client.get(f"/ky/{site.class_id(CURRENT, '7A1')}").status_code == 403


def test_a_student_downloads_their_own_signed_xml(client: TestClient[Any], site: DemoSite) -> None:
    log_in(client, "hs.demo")
    finalized = next(
        t
        for t in site.own_transcripts("hs.demo")
        if t.school_year == PREVIOUS and t.status == "finalized"
    )
    response = client.get(f"/hoc-ba/{finalized.id}/xml")
    assert response.status_code == 200
    assert response.content == site.finalized_xml()
    assert "attachment" in response.headers["content-disposition"]


def test_a_teacher_does_not_see_a_transcript_of_a_class_they_do_not_teach(
    client: TestClient[Any], site: DemoSite
) -> None:
    log_in(client, "gvbm.toan")
    other = site.own_transcripts("hs.demo")[0]  # a 7A1 / last year's 6A1 student
    response = client.get(f"/hoc-ba/{other.id}")
    assert response.status_code == 404
    assert "Không tìm thấy" in response.text
    assert client.get(f"/lop/{site.class_id(CURRENT, '7A1')}").status_code == 404


def test_only_the_department_opens_the_correction_queue(
    client: TestClient[Any],
) -> None:
    log_in(client, "hieutruong")
    assert client.get("/so/yeu-cau-dinh-chinh").status_code == 403
    log_in(client, "so.gddt")
    queue = client.get("/so/yeu-cau-dinh-chinh")
    assert queue.status_code == 200
    assert "Yêu cầu đính chính học bạ đang chờ duyệt" in queue.text


def test_a_teacher_reads_a_transcript_of_their_class_with_its_signatures(
    client: TestClient[Any], site: DemoSite
) -> None:
    log_in(client, "gvcn.6a1")
    class_page = client.get(f"/lop/{site.class_id(CURRENT, '6A1')}")
    assert class_page.status_code == 200
    assert "Bản nháp" in class_page.text or "Giáo viên bộ môn đã ký" in class_page.text
    first = class_page.text.split('href="/hoc-ba/')[1].split('"')[0]
    transcript = client.get(f"/hoc-ba/{first}")
    assert transcript.status_code == 200
    assert "Chữ ký số" in transcript.text and "Kết quả học tập" in transcript.text


def test_the_portal_refuses_an_empty_upload_and_answers_a_garbage_file_with_a_verdict(
    client: TestClient[Any],
) -> None:
    token = csrf_of(client.get("/xac-thuc").text)
    missing = client.post("/xac-thuc", data={"_csrf": token})
    assert missing.status_code == 422
    garbage = client.post(
        "/xac-thuc", data={"_csrf": token}, files={"file": ("x.xml", b"<not a transcript")}
    )
    assert garbage.status_code == 200
    assert "không hợp lệ" in garbage.text or "chưa xác định" in garbage.text


def test_outside_demo_mode_the_signing_page_explains_the_client_and_signs_nothing(
    site: DemoSite,
) -> None:
    from api import create_app  # noqa: PLC0415
    from tests.browser.site import FixedClock  # noqa: PLC0415

    production = site.settings.model_copy(update={"demo": False})
    app = create_app(settings=production, engine=site.engine, clock=FixedClock())
    with TestClient(app=app) as client:
        log_in(client, "gvbm.toan")
        page = client.get(f"/ky/{site.class_id(CURRENT, '6A1')}")
        assert page.status_code == 200
        assert "hocba sign-client" in page.text
        assert "Chế độ thử nghiệm" not in page.text
        assert "bằng chữ ký số thử nghiệm" not in page.text
        token = csrf_of(page.text)
        refused = client.post(
            f"/ky/{site.class_id(CURRENT, '6A1')}", data={"_csrf": token, "task": "x"}
        )
        assert refused.status_code == 403


def test_a_malformed_address_under_the_pages_answers_with_a_page(
    client: TestClient[Any],
) -> None:
    log_in(client, "hieutruong")
    response = client.get("/hoc-ba/not*an*id")
    assert response.status_code in (400, 422)
    assert "text/html" in response.headers["content-type"]
    assert "không hợp lệ" in response.text


def _sheet_fields(html: str) -> dict[str, str]:
    return dict(re.findall(r'name="(s\d+_(?:r\d+|gk|ck|nx))" value="([^"]*)"', html))


def test_a_subject_teacher_enters_scores_and_invalid_ones_are_named_and_not_stored(
    client: TestClient[Any], site: DemoSite
) -> None:
    log_in(client, "gvbm.toan")
    path = f"/diem/{site.class_id(CURRENT, '6A2')}/TOAN/1"
    sheet = client.get(path)
    assert sheet.status_code == 200 and "Sổ điểm môn Toán – lớp 6A2" in sheet.text
    fields = _sheet_fields(sheet.text)
    first = sorted(name for name in fields if name.endswith("_r0"))[0]
    token = csrf_of(sheet.text)

    refused = client.post(path, data={**fields, first: "11", "_csrf": token})
    assert refused.status_code == 422
    assert "Chưa lưu gì" in refused.text and 'value="11"' in refused.text
    assert _sheet_fields(client.get(path).text) == fields

    saved = client.post(path, data={**fields, first: "9,5", "_csrf": token})
    assert saved.status_code == 200
    assert "Đã lưu. 1 dòng có thay đổi." in saved.text
    assert _sheet_fields(client.get(path).text)[first] == "9.5"


def test_the_score_sheet_is_not_for_a_student_or_the_administrator(
    client: TestClient[Any], site: DemoSite
) -> None:
    path = f"/diem/{site.class_id(CURRENT, '6A2')}/TOAN/1"
    log_in(client, "hs.demo")
    assert client.get(path).status_code in (403, 404)
    log_in(client, "admin")
    assert client.get(path).status_code == 403
