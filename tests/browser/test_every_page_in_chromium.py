"""Every page, as each kind of user reaches it, checked in Chromium and saved as screenshots.

``quality.check_page``: no Content-Security-Policy violation or console error, no serious or
critical axe-core finding, nothing wider than a 360 px phone; a PNG at 1280 px and at 360 px
under ``var/test-artifacts/screenshots/`` (``HOCBA_SCREENSHOTS``). These tests only read.
"""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.quality import check_page
from tests.browser.site import CURRENT, PREVIOUS, DemoSite
from workflow import DEMO_PASSWORD


def log_in(page: Page, username: str) -> None:
    page.goto("/dang-nhap")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page).not_to_have_url(re.compile(r"/dang-nhap$"))


def finalized_of_last_year(site: DemoSite) -> str:
    return next(
        t.id
        for t in site.own_transcripts("hs.demo")
        if t.school_year == PREVIOUS and t.status == "finalized"
    )


def test_the_login_page_and_its_refusal(page: Page) -> None:
    page.goto("/dang-nhap")
    check_page(page, "dang-nhap")
    page.get_by_label("Tên đăng nhập").fill("hieutruong")
    page.get_by_label("Mật khẩu").fill("sai-mat-khau")
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_label("Tên đăng nhập")).to_have_attribute(
        "aria-describedby", "loi-dang-nhap"
    )
    check_page(page, "dang-nhap-sai")


def test_the_staff_pages(page: Page, site: DemoSite) -> None:
    log_in(page, "gvbm.toan")
    expect(page.get_by_role("heading", name="Việc của tôi")).to_be_visible()
    check_page(page, "viec-cua-toi")
    page.goto(f"/ky/{site.class_id(CURRENT, '6A1')}")
    expect(page.get_by_role("heading", name=re.compile("^Ký học bạ theo lớp"))).to_be_visible()
    check_page(page, "ky-lop-6a1")
    page.goto(f"/diem/{site.class_id(CURRENT, '6A1')}/TOAN/1")
    expect(page.get_by_role("heading", name="Sổ điểm môn Toán – lớp 6A1")).to_be_visible()
    check_page(page, "so-diem")


def test_the_homeroom_teachers_sheet_of_a_comment_subject(page: Page, site: DemoSite) -> None:
    log_in(page, "gvcn.6a1")
    page.goto(f"/diem/{site.class_id(CURRENT, '6A1')}/GDTC/1")
    heading = page.get_by_role("heading", name=re.compile("^Sổ điểm môn Giáo dục thể chất"))
    expect(heading).to_be_visible()
    check_page(page, "so-diem-nhan-xet")


def test_the_principals_class_and_transcript_pages(page: Page, site: DemoSite) -> None:
    log_in(page, "hieutruong")
    page.goto(f"/lop/{site.class_id(PREVIOUS, '6A1')}")
    expect(page.get_by_role("heading", name=re.compile("^Lớp 6A1"))).to_be_visible()
    check_page(page, "lop")
    page.goto(f"/hoc-ba/{finalized_of_last_year(site)}")
    expect(page.get_by_role("heading", name="Chữ ký số")).to_be_visible()
    check_page(page, "hoc-ba")


def test_the_departments_queue(page: Page) -> None:
    log_in(page, "so.gddt")
    page.goto("/so/yeu-cau-dinh-chinh")
    check_page(page, "so-hang-doi")


def test_the_portal_before_an_upload(page: Page) -> None:
    page.goto("/xac-thuc")
    check_page(page, "xac-thuc")


def test_the_students_page(page: Page) -> None:
    log_in(page, "hs.demo")
    expect(page.get_by_role("heading", name="Học bạ của tôi")).to_be_visible()
    check_page(page, "cua-toi")


def test_the_administrators_page(page: Page) -> None:
    page.goto("/dang-nhap")
    log_in(page, "admin")
    expect(page.get_by_text("không được xem hay thao tác trên dữ liệu học tập")).to_be_visible()
    check_page(page, "quan-tri")


def test_an_error_page(page: Page) -> None:
    log_in(page, "hieutruong")
    response = page.goto("/hoc-ba/khong-co-hoc-ba-nay")
    assert response is not None and response.status == 404
    expect(page.get_by_role("alert")).to_contain_text("Không tìm thấy")
    check_page(page, "loi")


def test_the_api_documentation_loads_under_its_own_policy(page: Page) -> None:
    page.goto("/schema")
    expect(page.get_by_text("hocba — Học bạ số").first).to_be_visible()
    # No CSP violation or console error: checked by the page fixture when the test ends.
