"""The pages: the access report for the principal, the consent card and the personal-data
download on /cua-toi (session cookie and form token, as a browser sends them)."""

from __future__ import annotations

import re
from typing import Any

import httpx
from litestar.testing import TestClient

from tests.api.conftest import GUARDIAN, PASSWORD, STUDENT, Api, set_password
from tests.integration.test_share_links import NOW, finalized

_CSRF = re.compile(r'name="_csrf" value="([^"]+)"')


def _log_in(api: Api, username: str) -> TestClient[Any]:
    set_password(api.world, username)
    client = api.client
    client.cookies.clear()
    token = _CSRF.search(client.get("/dang-nhap").text)
    assert token is not None
    client.post(
        "/dang-nhap",
        data={"_csrf": token.group(1), "username": username, "password": PASSWORD},
        follow_redirects=False,
    )
    return client


def _post(client: TestClient[Any], path: str, page: str, data: dict[str, str]) -> httpx.Response:
    token = _CSRF.search(client.get(page).text)
    assert token is not None
    return client.post(path, data={"_csrf": token.group(1), **data}, follow_redirects=False)


def test_the_principal_opens_the_access_report_and_a_teacher_is_refused(api: Api) -> None:
    api.clock.at = NOW
    page = _log_in(api, "hieutruong").get("/bao-cao-truy-cap?tu=2025-08-01&den=2025-08-31")
    assert page.status_code == 200, page.text
    assert "Báo cáo truy cập bất thường" in page.text
    assert "Không có truy cập bất thường" in page.text
    refused = _log_in(api, "gvcn.6a1").get("/bao-cao-truy-cap")
    assert refused.status_code == 403
    assert "hiệu trưởng hoặc cán bộ Sở" in refused.text


def test_the_guardian_consents_on_the_page_then_the_student_shares(api: Api) -> None:
    transcript_id = finalized(api.world)
    api.clock.at = NOW
    student = _log_in(api, STUDENT)
    refused = _post(
        student,
        "/cua-toi/chia-se",
        "/cua-toi",
        {"transcript_id": transcript_id, "recipient": "Trường THPT", "days": "30"},
    )
    assert refused.status_code == 409
    assert "chưa đủ 16 tuổi" in refused.text
    guardian = _log_in(api, GUARDIAN)
    assert "Tôi đồng ý" in guardian.get("/cua-toi").text
    student_id = str(api.world.student_ids[0])
    granted = _post(
        guardian, "/cua-toi/dong-y", "/cua-toi", {"student_id": student_id, "decision": "grant"}
    )
    assert granted.status_code == 303
    assert "Rút lại sự đồng ý" in guardian.get("/cua-toi").text
    student = _log_in(api, STUDENT)
    made = _post(
        student,
        "/cua-toi/chia-se",
        "/cua-toi",
        {"transcript_id": transcript_id, "recipient": "Trường THPT", "days": "30"},
    )
    assert made.status_code == 201, made.text


def test_the_personal_data_download_link_gives_the_json_file(api: Api) -> None:
    finalized(api.world)
    api.clock.at = NOW
    client = _log_in(api, STUDENT)
    student_id = api.world.student_ids[0]
    assert f"/cua-toi/du-lieu-ca-nhan?hs={student_id}" in client.get("/cua-toi").text
    download = client.get(f"/cua-toi/du-lieu-ca-nhan?hs={student_id}")
    assert download.status_code == 200
    assert download.json()["format"] == "hocba.personal-data"
    assert client.get(f"/cua-toi/du-lieu-ca-nhan?hs={api.world.student_ids[1]}").status_code == 404
