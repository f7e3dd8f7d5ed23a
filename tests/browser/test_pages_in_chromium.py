"""The pages in Debian's Chromium, driven by Playwright, over the seeded demo school.

The small interactions go through htmx (no reload) and the same forms work without
JavaScript. Every page a test stops at is checked (``quality.check_page``: no CSP violation,
no serious accessibility problem, no sideways scrolling at 360 px) and saved as screenshots
under ``var/test-artifacts/screenshots/``.
"""

from __future__ import annotations

import re

from playwright.sync_api import Browser, FilePayload, Page, expect

from tests.browser.quality import check_page, shot, watch
from tests.browser.site import CURRENT, PREVIOUS, DemoSite
from tests.support.tampering import edit, set_text
from workflow import DEMO_PASSWORD


def log_in(page: Page, username: str) -> None:
    page.goto("/dang-nhap")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()


def log_out(page: Page) -> None:
    page.get_by_role("button", name="Đăng xuất").click()
    expect(page).to_have_url(re.compile(r"/dang-nhap$"))


def sign_step(page: Page, step: str) -> None:
    section = page.locator("section", has=page.get_by_role("heading", name=step))
    section.get_by_role("button", name=re.compile("bằng chữ ký số thử nghiệm")).click()


def mark_document(page: Page) -> None:
    """Tag the loaded document, so that a test can tell a reload from an htmx swap."""
    page.evaluate("document.documentElement.dataset.same = 'yes'")


def assert_not_reloaded(page: Page) -> None:
    assert page.evaluate("document.documentElement.dataset.same") == "yes", "the page reloaded"


def test_a_teacher_saves_one_line_of_the_score_sheet_and_reads_a_refusal_next_to_the_field(
    page: Page, site: DemoSite
) -> None:
    log_in(page, "gvbm.toan")
    page.goto(f"/diem/{site.class_id(CURRENT, '6A1')}/TOAN/1")
    expect(page.get_by_role("heading", name="Sổ điểm môn Toán – lớp 6A1")).to_be_visible()
    mark_document(page)
    line = page.locator("tbody tr", has=page.locator("input")).first  # the first unsigned
    midterm = line.get_by_label(re.compile(", ĐĐGgk$"))
    midterm.fill("11")
    line.get_by_role("button", name=re.compile("^Lưu dòng của")).click()

    expect(midterm).to_have_attribute("aria-invalid", "true")
    error = page.locator(f"#{midterm.get_attribute('aria-describedby')}")
    expect(error).to_have_text("ĐĐGgk phải từ 0 đến 10")
    expect(page.get_by_role("alert")).to_contain_text("Chưa lưu dòng của")
    expect(midterm).to_be_focused()
    assert_not_reloaded(page)
    check_page(page, "so-diem-loi")

    midterm.fill("7,5")
    line.get_by_role("button", name=re.compile("^Lưu dòng của")).click()
    expect(page.get_by_role("status").filter(has_text="Đã lưu dòng của")).to_be_visible()
    expect(midterm).not_to_have_attribute("aria-invalid", "true")
    # htmx gives the focus back to the new line's button (same id): the keyboard stays put.
    expect(line.get_by_role("button", name=re.compile("^Lưu dòng của"))).to_be_focused()
    assert_not_reloaded(page)
    page.reload()
    expect(midterm).to_have_value("7.5")


def test_the_inbox_refreshes_its_list_in_place(page: Page) -> None:
    log_in(page, "gvbm.toan")
    expect(page.get_by_role("heading", name="Việc của tôi")).to_be_visible()
    # 6A2 is not in the queue yet: academic affairs has not built its transcripts.
    expect(page.get_by_role("heading", name=re.compile("Lớp 6A1"))).to_be_visible()
    expect(page.get_by_text("Chế độ thử nghiệm")).to_be_visible()
    mark_document(page)
    page.evaluate("document.querySelector('#viec').dataset.old = 'yes'")
    page.get_by_role("link", name="Cập nhật danh sách").click()
    expect(page.locator("#viec:not([data-old])")).to_have_count(1)
    expect(page.get_by_role("heading", name=re.compile("Lớp 6A1"))).to_be_visible()
    assert_not_reloaded(page)


def test_a_corrected_version_is_signed_in_the_browser_from_subject_teacher_to_clerk(
    page: Page, site: DemoSite
) -> None:
    # The chain is walked on the version the Department's approval of last year's pending
    # correction request starts (this year's classes: tests/browser/test_demo_roles.py).
    log_in(page, "so.gddt")
    page.get_by_role("link", name="Yêu cầu đính chính").first.click()
    expect(
        page.get_by_role("heading", name="Yêu cầu đính chính học bạ đang chờ duyệt")
    ).to_be_visible()
    check_page(page, "so-yeu-cau-dinh-chinh")
    mark_document(page)
    request = page.locator("section.card").first
    request.get_by_label("Ghi chú quyết định").fill("Đồng ý đính chính điểm Ngữ văn.")
    request.get_by_role("button", name="Duyệt đính chính").click()
    decided = page.get_by_role("heading", name="Đã duyệt yêu cầu đính chính")
    expect(decided).to_be_focused()
    assert_not_reloaded(page)
    check_page(page, "so-da-duyet")
    page.reload()
    expect(page.get_by_text("Không có yêu cầu nào đang chờ.")).to_be_visible()
    log_out(page)

    log_in(page, "gvbm.toan2")
    group = page.locator("section", has=page.get_by_role("heading", name=re.compile(PREVIOUS)))
    expect(group.get_by_role("heading", name=re.compile("Lớp 6A1"))).to_be_visible()
    group.get_by_role("link", name="Ký lớp 6A1").click()
    expect(page.get_by_role("heading", name="Giáo viên bộ môn ký – môn Toán")).to_be_visible()
    check_page(page, "ky-theo-lop")
    sign_step(page, "Giáo viên bộ môn ký – môn Toán")
    expect(page.get_by_text("Đã ký 1 / 1 học bạ.")).to_be_visible()
    expect(page.get_by_text("Lớp này không còn học bạ nào chờ bạn ký.")).to_be_visible()
    check_page(page, "ky-xong")
    new_version = page.get_by_role("status").get_by_role("link").inner_text()
    log_out(page)

    site.sign_as_the_other_teachers(new_version)
    class_6a1 = site.class_id(PREVIOUS, "6A1")
    for login, step in (
        ("hieutruong", "Hiệu trưởng ký"),
        ("vanthu", "Văn thư ký số của nhà trường"),
    ):
        log_in(page, login)
        page.goto(f"/ky/{class_6a1}")
        sign_step(page, step)
        expect(page.get_by_text("Đã ký 1 / 1 học bạ.")).to_be_visible()
        if login == "hieutruong":
            log_out(page)

    page.goto(f"/lop/{class_6a1}")
    expect(page.get_by_role("row", name=re.compile("Đã ký số của nhà trường"))).to_have_count(1)
    page.goto(f"/hoc-ba/{new_version}")
    expect(page.get_by_text("Đã ký số của nhà trường").first).to_be_visible()
    signatures = page.locator("section", has=page.get_by_role("heading", name="Chữ ký số"))
    for slot in ("Giáo viên bộ môn Toán", "Giáo viên chủ nhiệm", "Hiệu trưởng", "Nhà trường"):
        expect(signatures.get_by_role("cell", name=slot, exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Tải tệp XML")).to_be_visible()
    expect(page.get_by_role("link", name="Tải tệp PDF")).to_be_visible()
    check_page(page, "hoc-ba-da-dinh-chinh")


def upload(page: Page, name: str, content: bytes) -> None:
    page.goto("/xac-thuc")
    page.get_by_label("Tệp học bạ (XML hoặc PDF)").set_input_files(
        files=FilePayload(name=name, mimeType="application/xml", buffer=content)
    )
    mark_document(page)
    page.get_by_role("button", name="Xác thực").click()


def test_a_visitor_uploads_a_finalized_xml_to_the_portal_and_reads_that_it_is_valid(
    page: Page, site: DemoSite
) -> None:
    upload(page, "hocba.xml", site.finalized_xml())
    verdict = page.get_by_role("status")
    expect(verdict).to_have_text(re.compile(r"^\s*Học bạ hợp lệ\s*$"))
    assert_not_reloaded(page)
    expect(page).to_have_url(re.compile(r"/xac-thuc$"))
    expect(page.get_by_role("heading", name=re.compile("^Kết quả xác thực"))).to_be_focused()
    expect(page.get_by_text(PREVIOUS, exact=True)).to_be_visible()
    expect(page.locator("ol.signatures > li")).to_have_count(15)
    check_page(page, "xac-thuc-hop-le")


def test_the_portals_verdict_prints_on_a4_without_the_navigation_or_the_form(
    page: Page, site: DemoSite
) -> None:
    upload(page, "hocba.xml", site.finalized_xml())
    expect(page.get_by_role("status")).to_have_text(re.compile("Học bạ hợp lệ"))
    page.emulate_media(media="print")
    for hidden in (
        page.get_by_role("navigation"),
        page.get_by_role("button", name="Xác thực"),
        page.get_by_text("Chế độ thử nghiệm"),
        page.get_by_role("contentinfo"),
    ):
        expect(hidden).to_be_hidden()
    expect(page.get_by_role("status")).to_be_visible()
    expect(page.get_by_text("Chứng thư số", exact=True).first).to_be_visible()
    page.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi
    assert page.evaluate("document.documentElement.scrollWidth") <= 794
    shot(page, "xac-thuc-ban-in")
    page.pdf(path=str(shot(page, "xac-thuc-ban-in").with_suffix(".pdf")), format="A4")


def test_a_visitor_uploads_a_tampered_xml_and_reads_why_it_is_not_valid(
    page: Page, site: DemoSite
) -> None:
    tampered = edit(
        site.finalized_xml(), set_text("DLHocBa/KetQuaHocTap/MonHoc[Ma='TOAN']/CaNam", "9.9")
    )
    upload(page, "hocba-da-sua.xml", tampered)
    expect(page.get_by_role("status")).to_have_text(re.compile(r"^\s*Học bạ không hợp lệ\s*$"))
    reasons = page.locator("ul.reasons > li")
    expect(reasons.first).to_be_visible()
    assert all(text.strip() for text in reasons.all_inner_texts())
    check_page(page, "xac-thuc-khong-hop-le")


def test_without_javascript_the_forms_still_work_with_whole_pages(
    browser: Browser, base_url: str, site: DemoSite
) -> None:
    context = browser.new_context(base_url=base_url, locale="vi-VN", java_script_enabled=False)
    page = context.new_page()
    seen = watch(page)
    try:
        page.goto("/xac-thuc")
        page.get_by_label("Tệp học bạ (XML hoặc PDF)").set_input_files(
            files=FilePayload(name="a.xml", mimeType="application/xml", buffer=site.finalized_xml())
        )
        page.get_by_role("button", name="Xác thực").click()
        expect(page.get_by_role("status")).to_have_text(re.compile("Học bạ hợp lệ"))

        log_in(page, "gvbm.toan")
        page.goto(f"/diem/{site.class_id(CURRENT, '6A1')}/TOAN/1")
        second = page.locator("tbody tr", has=page.locator("input")).nth(1)
        field = second.get_by_label(re.compile(", ĐĐGtx1$"))
        field.fill("abc")
        second.get_by_role("button", name=re.compile("^Lưu dòng của")).click()
        expect(page.get_by_role("alert")).to_contain_text("Chưa lưu gì")
        expect(field).to_have_attribute("aria-invalid", "true")
        expect(page.locator(f"#{field.get_attribute('aria-describedby')}")).to_have_text(
            "ĐĐGtx1 phải là một số"
        )
        field.fill("8")
        second.get_by_role("button", name=re.compile("^Lưu dòng của")).click()
        expect(page.get_by_role("status")).to_contain_text("Đã lưu dòng của")
        shot(page, "so-diem-khong-javascript")
        assert not seen.errors, seen.errors
    finally:
        context.close()


def test_the_skip_link_is_the_first_stop_of_the_keyboard_and_shows_its_focus(page: Page) -> None:
    page.goto("/xac-thuc")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Bỏ qua, đến nội dung chính")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"
    shot(page, "ban-phim-bo-qua")
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_label("Tệp học bạ (XML hoặc PDF)")).to_be_focused()


def test_a_form_posted_without_its_token_is_refused(page: Page) -> None:
    page.goto("/dang-nhap")
    page.eval_on_selector("input[name=_csrf]", "element => element.remove()")
    page.get_by_label("Tên đăng nhập").fill("gvbm.toan")
    page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("alert")).to_contain_text("thiếu mã bảo vệ")
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/dang-nhap$"))


def test_an_htmx_request_after_the_session_ended_opens_the_login_page(
    page: Page, site: DemoSite
) -> None:
    log_in(page, "gvbm.toan")
    expect(page.get_by_role("heading", name="Việc của tôi")).to_be_visible()
    page.context.clear_cookies()
    page.get_by_role("link", name="Cập nhật danh sách").click()
    expect(page).to_have_url(re.compile(r"/dang-nhap$"))
    expect(page.get_by_role("heading", name="Đăng nhập")).to_be_visible()
