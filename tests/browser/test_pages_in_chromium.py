"""The pages in Debian's Chromium, driven by Playwright, over the seeded demo school.

Each test saves screenshots of the pages it visits under ``var/test-artifacts/browser/``.
"""

from __future__ import annotations

import re

from playwright.sync_api import Browser, FilePayload, Page, expect

from tests.browser.site import ARTIFACTS, CURRENT, NOW, PREVIOUS, DemoSite
from tests.support.tampering import edit, set_text
from workflow import DEMO_PASSWORD, TranscriptSummary, UnitOfWork, list_transcripts


def shot(page: Page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


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


def test_a_subject_teacher_sees_their_classes_in_the_inbox_and_opens_a_score_sheet(
    page: Page, site: DemoSite
) -> None:
    page.goto("/dang-nhap")
    shot(page, "01-dang-nhap")
    log_in(page, "gvbm.toan")
    expect(page.get_by_role("heading", name="Việc của tôi")).to_be_visible()
    # 6A2 is not in the queue yet: academic affairs has not built its transcripts.
    expect(page.get_by_role("heading", name=re.compile("Lớp 6A1"))).to_be_visible()
    expect(page.get_by_text("Chế độ thử nghiệm")).to_be_visible()
    shot(page, "02-viec-cua-toi")
    page.goto(f"/diem/{site.class_id(CURRENT, '6A1')}/TOAN/1")
    expect(page.get_by_role("heading", name="Sổ điểm môn Toán – lớp 6A1")).to_be_visible()
    expect(page.get_by_label(re.compile(", ĐĐGtx1$")).first).to_be_visible()
    shot(page, "18-so-diem")


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
    shot(page, "03-so-yeu-cau-dinh-chinh")
    request = page.locator("section.card").first
    request.get_by_label("Ghi chú quyết định").fill("Đồng ý đính chính điểm Ngữ văn.")
    request.get_by_role("button", name="Duyệt đính chính").click()
    expect(page.get_by_text("Không có yêu cầu nào đang chờ.")).to_be_visible()
    log_out(page)

    log_in(page, "gvbm.toan2")
    group = page.locator("section", has=page.get_by_role("heading", name=re.compile(PREVIOUS)))
    expect(group.get_by_role("heading", name=re.compile("Lớp 6A1"))).to_be_visible()
    group.get_by_role("link", name="Ký lớp 6A1").click()
    expect(page.get_by_role("heading", name="Giáo viên bộ môn ký – môn Toán")).to_be_visible()
    shot(page, "04-ky-theo-lop")
    sign_step(page, "Giáo viên bộ môn ký – môn Toán")
    expect(page.get_by_text("Đã ký 1 / 1 học bạ.")).to_be_visible()
    expect(page.get_by_text("Lớp này không còn học bạ nào chờ bạn ký.")).to_be_visible()
    shot(page, "05-ky-xong")
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
    shot(page, "06-lop")
    page.goto(f"/hoc-ba/{new_version}")
    expect(page.get_by_text("Đã ký số của nhà trường").first).to_be_visible()
    signatures = page.locator("section", has=page.get_by_role("heading", name="Chữ ký số"))
    for slot in ("Giáo viên bộ môn Toán", "Giáo viên chủ nhiệm", "Hiệu trưởng", "Nhà trường"):
        expect(signatures.get_by_role("cell", name=slot, exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Tải tệp XML")).to_be_visible()
    expect(page.get_by_role("link", name="Tải tệp PDF")).to_be_visible()
    shot(page, "07-hoc-ba")


def upload(page: Page, name: str, content: bytes) -> None:
    page.goto("/xac-thuc")
    page.get_by_label("Tệp học bạ (XML hoặc PDF)").set_input_files(
        files=FilePayload(name=name, mimeType="application/xml", buffer=content)
    )
    page.get_by_role("button", name="Xác thực").click()


def test_a_visitor_uploads_a_finalized_xml_to_the_portal_and_reads_that_it_is_valid(
    page: Page, site: DemoSite
) -> None:
    upload(page, "hocba.xml", site.finalized_xml())
    verdict = page.get_by_role("status")
    expect(verdict).to_have_text(re.compile(r"^\s*Học bạ hợp lệ\s*$"))
    expect(page.get_by_text(PREVIOUS, exact=True)).to_be_visible()
    expect(page.locator("ol.signatures > li")).to_have_count(15)
    shot(page, "08-xac-thuc-hop-le")
    page.emulate_media(media="print")
    expect(page.get_by_role("button", name="Xác thực")).to_be_hidden()
    shot(page, "09-xac-thuc-ban-in")


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
    shot(page, "10-xac-thuc-khong-hop-le")


def test_a_student_sees_only_their_own_transcripts_and_not_a_classmates(
    page: Page, site: DemoSite
) -> None:
    log_in(page, "hs.demo")
    expect(page).to_have_url(re.compile(r"/cua-toi$"))
    own = site.own_transcripts("hs.demo")
    names = {t.student_name for t in own}
    assert len(names) == 1
    expect(page.get_by_role("heading", name=f"Năm học {PREVIOUS}")).to_be_visible()
    expect(page.get_by_role("listitem").filter(has_text=names.pop())).to_have_count(len(own))
    expect(page.get_by_role("link", name="Tải tệp XML")).not_to_have_count(0)
    shot(page, "11-cua-toi")

    classmate = next(
        t
        for t in site.own_transcripts("hs.demo")
        if t.school_year == PREVIOUS  # the student's own; below, someone else's
    )
    others = [
        t.id for t in _class_list(site, classmate.class_id) if t.student_id != classmate.student_id
    ]
    response = page.goto(f"/hoc-ba/{others[0]}")
    assert response is not None and response.status == 404
    expect(page.get_by_role("alert")).to_contain_text("Không tìm thấy")


def _class_list(site: DemoSite, class_id: int) -> list[TranscriptSummary]:
    return list_transcripts(
        UnitOfWork(site.engine), actor=site.actor("hieutruong"), now=NOW, class_id=class_id
    )


def test_the_administrator_is_told_that_academic_data_is_not_theirs_to_see(page: Page) -> None:
    log_in(page, "admin")
    expect(page.get_by_text("không được xem hay thao tác trên dữ liệu học tập")).to_be_visible()
    shot(page, "13-quan-tri")


def test_a_form_posted_without_its_token_is_refused(page: Page) -> None:
    page.goto("/dang-nhap")
    page.eval_on_selector("input[name=_csrf]", "element => element.remove()")
    page.get_by_label("Tên đăng nhập").fill("gvbm.toan")
    page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("alert")).to_contain_text("thiếu mã bảo vệ")
    shot(page, "14-thieu-ma-bao-ve")
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/dang-nhap$"))


def test_the_pages_fit_a_360_pixel_phone_screen(browser: Browser, base_url: str) -> None:
    context = browser.new_context(
        base_url=base_url, viewport={"width": 360, "height": 740}, locale="vi-VN"
    )
    phone = context.new_page()
    try:
        for path, name in (
            ("/dang-nhap", "15-dien-thoai-dang-nhap"),
            ("/xac-thuc", "16-dien-thoai-xac-thuc"),
        ):
            phone.goto(path)
            width = phone.evaluate("document.documentElement.scrollWidth")
            assert width <= 360, f"{path} is {width}px wide"
            shot(phone, name)
        log_in(phone, "gvcn.6a1")
        expect(phone.get_by_role("heading", name="Việc của tôi")).to_be_visible()
        assert phone.evaluate("document.documentElement.scrollWidth") <= 360
        shot(phone, "17-dien-thoai-viec-cua-toi")
    finally:
        context.close()
