"""The transfer page in Chromium: the receiving school's officer asks for a student by
personal ID before the next school year, the leaving school's officer finds the request
from the inbox and refuses it with a reason, and the receiving officer reads the reason.
Each page stopped at is checked with axe, for CSP violations and at 360 px."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.quality import check_page
from tests.browser.site import DemoSite
from tests.browser.transfer_school import OFFICER, SCHOOL_NAME, moving_student, receiving_school
from workflow import DEMO_PASSWORD


def log_in(page: Page, username: str) -> None:
    page.goto("/dang-nhap")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_text(f"Đăng nhập: {username}")).to_be_visible()


def log_out(page: Page) -> None:
    page.get_by_role("button", name="Đăng xuất").click()
    expect(page).to_have_url(re.compile(r"/dang-nhap$"))


def test_a_transfer_request_is_asked_refused_with_a_reason_and_read_back(
    page: Page, site: DemoSite
) -> None:
    receiving_school(site)
    personal_id, name = moving_student(site)

    log_in(page, OFFICER)
    page.get_by_role("link", name="Chuyển trường").click()
    expect(page.get_by_role("heading", name="Chuyển trường", level=1)).to_be_visible()
    page.get_by_label("Mã định danh cá nhân của học sinh (12 chữ số)").fill(personal_id)
    page.get_by_label("Lớp tiếp nhận").select_option(label="6B1 – năm học 2027-2028")
    page.get_by_label(re.compile("^Trước khi năm học bắt đầu")).check()
    page.get_by_label("Lý do (không bắt buộc)").fill("Gia đình chuyển nơi ở")
    page.get_by_role("button", name="Gửi đề nghị").click()
    incoming = page.locator(
        "section", has=page.get_by_role("heading", name="Học sinh chuyển đến trường")
    )
    request = incoming.locator("article", has=page.get_by_role("heading", name=re.compile(name)))
    expect(request).to_contain_text("Chờ trường kia trả lời")
    expect(request).not_to_contain_text(personal_id)  # masked
    check_page(page, "chuyen-truong-de-nghi")
    log_out(page)

    log_in(page, "hocvu")
    inbox = page.locator("section", has_text="Tiếp nhận học sinh chuyển trường")
    inbox.get_by_role("link", name="Xem hồ sơ chuyển trường").click()
    outgoing = page.locator("section", has=page.get_by_role("heading", name="Học sinh chuyển đi"))
    request = outgoing.locator("article", has=page.get_by_role("heading", name=re.compile(name)))
    expect(request).to_contain_text(SCHOOL_NAME)
    check_page(page, "chuyen-truong-tra-loi")
    # The student's year here is not over: accepting now is refused, saying why.
    request.get_by_role("button", name="Đồng ý chuyển trường").click()
    expect(
        page.get_by_text(re.compile("Năm học 2026-2027 tại trường chuyển đi chưa kết thúc"))
    ).to_be_visible()
    check_page(page, "chuyen-truong-chua-ket-thuc")
    page.goto("/chuyen-truong")
    request.get_by_label("Lý do từ chối").fill("Học sinh đã đăng ký học tiếp tại trường")
    request.get_by_role("button", name="Từ chối").click()
    expect(request).to_contain_text("Đã bị từ chối")
    expect(request.get_by_role("button", name="Đồng ý chuyển trường")).to_have_count(0)
    log_out(page)

    log_in(page, OFFICER)
    page.goto("/chuyen-truong")
    expect(page.get_by_text("Học sinh đã đăng ký học tiếp tại trường")).to_be_visible()


def test_a_wrong_personal_id_is_refused_with_a_vietnamese_message(
    page: Page, site: DemoSite
) -> None:
    receiving_school(site)
    log_in(page, OFFICER)
    page.goto("/chuyen-truong")
    field = page.get_by_label("Mã định danh cá nhân của học sinh (12 chữ số)")
    field.fill("079999999999")
    page.get_by_role("button", name="Gửi đề nghị").click()
    expect(page.get_by_text(re.compile("Không tìm thấy"))).to_be_visible()
