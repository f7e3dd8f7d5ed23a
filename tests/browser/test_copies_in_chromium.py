"""The clerk's certified-copy page in Chromium: find a student by personal ID, seal a copy
of their issued transcripts with the demo school seal, download it and check it with pdfsig;
a student with nothing issued at the school reads as not found. Each page stopped at is
checked with axe, for CSP violations and at 360 px; other roles are refused."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

from litestar.testing import TestClient
from playwright.sync_api import Page, expect
from sqlmodel import Session, select

from domain.model import Student
from tests.browser.quality import check_page
from tests.browser.site import DemoSite
from tests.browser.site import log_in as log_in_over_http
from tests.browser.test_transfers_in_chromium import log_in
from workflow._demo_data import STUDENT_LOGIN

SEARCH = "Mã định danh cá nhân của học sinh (12 chữ số)"


def demo_student_personal_id(site: DemoSite) -> str:
    with Session(site.engine) as session:
        return session.exec(
            select(Student.personal_id).where(Student.person_id == site.person(STUDENT_LOGIN))
        ).one()


def test_the_clerk_seals_a_certified_copy_of_a_students_transcripts_and_downloads_it(
    page: Page, site: DemoSite, tmp_path: Path
) -> None:
    personal_id = demo_student_personal_id(site)
    log_in(page, "vanthu")
    page.get_by_role("link", name="Sao y học bạ").click()
    expect(page.get_by_role("heading", name="Sao y học bạ", level=1)).to_be_visible()
    page.get_by_label(SEARCH).fill(personal_id)
    page.get_by_role("button", name="Tìm học bạ").click()
    chosen = page.get_by_role("checkbox")
    expect(chosen.first).to_be_checked()
    expect(page.get_by_role("heading", name=re.compile("^Học bạ của"))).not_to_contain_text(
        personal_id  # masked
    )
    check_page(page, "sao-y-chon")

    page.get_by_role("button", name=re.compile("^Đóng dấu sao y")).click()
    notice = page.get_by_role("heading", name=re.compile(r"^Đã đóng dấu bản sao số \d+\/SY-HB$"))
    expect(notice).to_be_visible()
    check_page(page, "sao-y-da-dong-dau")
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile(r"^Tải bản sao \d+\/SY-HB \(PDF\)$")).click()
    path = tmp_path / "ban-sao.pdf"
    download.value.save_as(path)
    poppler = subprocess.run(
        ["pdfsig", "-nocert", str(path)], check=True, capture_output=True, text=True
    ).stdout
    assert "Signature is Valid." in poppler
    listed = page.locator("section", has=page.get_by_role("heading", name="Bản sao của trường"))
    expect(
        listed.get_by_role("link", name=re.compile(r"^Tải bản sao \d+\/SY-HB$")).first
    ).to_be_visible()


def test_a_student_with_nothing_issued_here_reads_as_not_found_in_vietnamese(
    page: Page, site: DemoSite
) -> None:
    log_in(page, "vanthu")
    page.goto("/sao-y")
    page.get_by_label(SEARCH).fill("079999999999")
    page.get_by_role("button", name="Tìm học bạ").click()
    expect(page.get_by_role("alert")).to_contain_text("Không tìm thấy học bạ đã phát hành")
    expect(page.get_by_role("alert")).not_to_contain_text("079999999999")
    check_page(page, "sao-y-khong-thay")


def test_only_a_clerk_opens_the_copy_page_and_sees_it_in_the_menu(
    client: TestClient[Any],
) -> None:
    for username in ("gvbm.toan", "hieutruong", "admin"):
        log_in_over_http(client, username)
        assert 'href="/sao-y"' not in client.get("/", follow_redirects=True).text
        assert client.get("/sao-y").status_code == 403
        client.cookies.clear()
    log_in_over_http(client, "vanthu")
    assert 'href="/sao-y"' in client.get("/").text
    refused = client.get("/sao-y", params={"ma": "12345"})
    assert refused.status_code == 422
    assert "Mã định danh cá nhân gồm đúng 12 chữ số." in refused.text
    assert client.get("/sao-y/999999/pdf").status_code == 404
