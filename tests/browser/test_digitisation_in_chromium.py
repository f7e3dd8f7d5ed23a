"""The page for digitising a paper record (REQ-27) in Chromium: academic affairs types one
paper year of a student who arrived this year from a school on paper, uploads the scan and
sees the SoHoa record in draft, waiting for the principal; a wrong field comes back named in
Vietnamese with everything typed kept. Each page stopped at is checked with axe, for CSP
violations and at 360 px; other roles are refused."""

from __future__ import annotations

import re
from typing import Any

from litestar.testing import TestClient
from playwright.sync_api import FilePayload, Page, expect
from sqlmodel import Session, col, select
from weasyprint import HTML

from domain.model import Enrollment, SchoolClass, SchoolYear, Student
from tests.browser.quality import check_page
from tests.browser.site import CURRENT, NOW, DemoSite, csrf_of
from tests.browser.site import log_in as log_in_over_http
from tests.browser.test_transfers_in_chromium import log_in
from workflow import MAX_SCAN_BYTES, UnitOfWork, my_tasks

PAPER_SCHOOL = "Trường THCS Bình Chánh (học bạ giấy)"
SCORES = {
    "Toán": ("4,0", "4.5", "4,3"),
    "Ngữ văn": ("6", "6.5", "6.3"),
    "Ngoại ngữ 1": ("5.0", "5.5", "5.3"),
    "Giáo dục công dân": ("7.0", "7.5", "7.3"),
    "Lịch sử và Địa lí": ("5.5", "6.0", "5.8"),
    "Khoa học tự nhiên": ("4.5", "4.0", "4.2"),
    "Công nghệ": ("6.0", "6.0", "6.0"),
    "Tin học": ("7.0", "6.5", "6.7"),
}
COMMENT_SUBJECTS = (
    "Giáo dục thể chất",
    "Nghệ thuật",
    "Hoạt động trải nghiệm, hướng nghiệp",
    "Nội dung giáo dục của địa phương",
)


def arriving_student(site: DemoSite) -> tuple[str, str]:
    """The last student of this year's 6A2, new at the demo school this year: (personal ID,
    full name). Their grade 6 of last year was kept on paper elsewhere (they repeat it)."""
    with Session(site.engine) as session:
        found = session.exec(
            select(Student.personal_id, Student.full_name)
            .join(Enrollment, col(Enrollment.student_id) == Student.id)
            .join(SchoolClass, col(SchoolClass.id) == Enrollment.class_id)
            .join(SchoolYear, col(SchoolYear.id) == SchoolClass.school_year_id)
            .where(SchoolYear.name == CURRENT, SchoolClass.name == "6A2")
            .order_by(col(Student.id).desc())
        ).first()
        assert found is not None
        return found


def scan() -> FilePayload:
    """A scanned paper original (a real PDF)."""
    html = "<h1>HỌC BẠ</h1><p>Trường THCS Bình Chánh — năm học 2025-2026 — lớp 6/2</p>"
    pdf: bytes = HTML(string=html).write_pdf()
    return FilePayload(name="hoc-ba-giay-2025-2026.pdf", mimeType="application/pdf", buffer=pdf)


def fill_whole_year(page: Page, personal_id: str, school_year: str) -> None:
    """A whole paper year of grade 6, not promoted, every subject of the 2018 curriculum."""
    page.get_by_label("Mã định danh cá nhân của học sinh (12 chữ số)").fill(personal_id)
    page.get_by_label("Trường đã lập học bạ giấy").fill(PAPER_SCHOOL)
    page.get_by_label("Năm học (ví dụ 2024-2025)").fill(school_year)
    page.get_by_label("Khối lớp").select_option(label="Khối 6")
    page.get_by_label("Lớp (như ghi trên học bạ giấy)").fill("6/2")
    page.get_by_label(re.compile("^Bản quét học bạ giấy")).set_input_files(scan())
    for subject, (hk1, hk2, year) in SCORES.items():
        page.get_by_label(f"{subject}, học kì I", exact=True).fill(hk1)
        page.get_by_label(f"{subject}, học kì II", exact=True).fill(hk2)
        page.get_by_label(f"{subject}, cả năm", exact=True).fill(year)
        page.get_by_label(f"{subject}, giáo viên bộ môn").fill("Nguyễn Thị Hoa")
    for subject in COMMENT_SUBJECTS:
        for part in ("học kì I", "học kì II", "cả năm"):
            page.get_by_label(f"{subject}, {part}", exact=True).select_option(label="Đ")
        page.get_by_label(f"{subject}, giáo viên bộ môn").fill("Trần Văn Long")
    page.get_by_label("Toán, nhận xét").fill("Cần cố gắng nhiều hơn.")
    for part in ("học kì I", "học kì II", "cả năm"):
        page.get_by_label(f"Học tập, {part}", exact=True).select_option(label="Chưa đạt")
        page.get_by_label(f"Rèn luyện, {part}", exact=True).select_option(label="Khá")
    page.get_by_label("Số buổi nghỉ").fill("12")
    page.get_by_label("Lên lớp").select_option(label="Không được lên lớp (ở lại lớp)")
    page.get_by_label("Nhận xét của giáo viên chủ nhiệm").fill("Cần chăm chỉ hơn trong học tập.")


def test_academic_affairs_digitises_a_paper_year_and_it_waits_for_the_principal(
    page: Page, site: DemoSite
) -> None:
    personal_id, name = arriving_student(site)
    log_in(page, "hocvu")
    page.get_by_role("link", name="Số hóa học bạ giấy").click()
    expect(page.get_by_role("heading", name="Số hóa học bạ giấy", level=1)).to_be_visible()
    check_page(page, "so-hoa")
    fill_whole_year(page, personal_id, "2025-2026")
    page.get_by_role("button", name="Số hóa học bạ năm học này").click()

    done = page.get_by_role("status")
    expect(done.get_by_role("heading")).to_have_text(
        f"Đã số hóa học bạ giấy năm học 2025-2026 của {name}"
    )
    expect(done).to_contain_text("Bản nháp")
    expect(done).to_contain_text("chờ hiệu trưởng ký")
    check_page(page, "so-hoa-da-so-hoa")
    transcript_id = page.url.rpartition("hoc-ba=")[2]
    waiting = my_tasks(UnitOfWork(site.engine), actor=site.actor("hieutruong"), now=NOW)
    assert any(t.step == "principal" and transcript_id in t.transcript_ids for t in waiting)

    done.get_by_role("link", name=f"Xem học bạ số hóa của {name}").click()
    expect(page.get_by_role("heading", name=f"Học bạ: {name}", level=1)).to_be_visible()
    expect(page.get_by_text("Bản nháp", exact=True)).to_be_visible()
    expect(page.get_by_role("cell", name="Khoa học tự nhiên")).to_be_visible()
    facts = page.locator("dl.facts")
    expect(facts).to_contain_text("Số hóa từ học bạ giấy")
    expect(facts).to_contain_text("Lớp, năm học trên bản giấy")
    check_page(page, "so-hoa-hoc-ba")


def test_a_wrong_score_is_named_in_vietnamese_and_nothing_typed_is_lost(
    page: Page, site: DemoSite
) -> None:
    personal_id, _ = arriving_student(site)
    log_in(page, "hocvu")
    page.goto("/so-hoa")
    fill_whole_year(page, personal_id, "2024-2025")
    page.get_by_label("Toán, học kì I", exact=True).fill("11")
    page.get_by_role("button", name="Số hóa học bạ năm học này").click()

    alert = page.get_by_role("alert")
    expect(alert).to_contain_text(
        "Môn Toán, học kì I: phải là điểm từ 0 đến 10, nhiều nhất một chữ số thập phân."
    )
    expect(alert).to_contain_text("Hãy chọn lại tệp bản quét")
    wrong = page.get_by_label("Toán, học kì I", exact=True)
    expect(wrong).to_have_value("11")
    expect(wrong).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Trường đã lập học bạ giấy")).to_have_value(PAPER_SCHOOL)
    expect(page.get_by_label("Ngữ văn, học kì I", exact=True)).to_have_value("6")
    expect(page.get_by_label("Nghệ thuật, cả năm", exact=True)).to_have_value("D")
    expect(page.get_by_label("Lên lớp")).to_have_value("khong")
    expect(page.get_by_label("Nhận xét của giáo viên chủ nhiệm")).to_have_value(
        "Cần chăm chỉ hơn trong học tập."
    )
    check_page(page, "so-hoa-loi")


def test_a_scan_over_the_limit_is_refused_when_chosen_and_the_form_keeps_what_was_typed(
    page: Page, site: DemoSite
) -> None:
    personal_id, _ = arriving_student(site)
    log_in(page, "hocvu")
    page.goto("/so-hoa")
    fill_whole_year(page, personal_id, "2024-2025")
    scan_input = page.get_by_label(re.compile("^Bản quét học bạ giấy"))
    too_large = FilePayload(
        name="hoc-ba-giay.pdf",
        mimeType="application/pdf",
        buffer=b"%PDF-1.7\n" + bytes(MAX_SCAN_BYTES),
    )

    scan_input.set_input_files(too_large)
    page.get_by_role("button", name="Số hóa học bạ năm học này").click()

    assert scan_input.evaluate("input => input.validationMessage") == (
        "Tệp bản quét lớn hơn 20 MB: hãy quét lại với độ phân giải thấp hơn hoặc chia nhỏ tệp."
    )
    expect(page).to_have_url(re.compile(r"\/so-hoa$"))
    expect(page.get_by_label("Toán, học kì I", exact=True)).to_have_value("4,0")
    expect(page.get_by_label("Trường đã lập học bạ giấy")).to_have_value(PAPER_SCHOOL)
    scan_input.set_input_files(scan())
    assert scan_input.evaluate("input => input.checkValidity()") is True
    check_page(page, "so-hoa-tep-qua-lon")


def test_only_academic_affairs_opens_the_digitising_page_and_sees_it_in_the_menu(
    client: TestClient[Any],
) -> None:
    visitor = client.get("/so-hoa", follow_redirects=False)
    assert visitor.status_code == 303 and visitor.headers["location"] == "/dang-nhap"
    for username in ("gvbm.toan", "hieutruong", "vanthu", "admin"):
        log_in_over_http(client, username)
        assert 'href="/so-hoa"' not in client.get("/", follow_redirects=True).text
        assert client.get("/so-hoa").status_code == 403
        client.cookies.clear()
    log_in_over_http(client, "hocvu")
    assert 'href="/so-hoa"' in client.get("/").text
    form = client.get("/so-hoa")
    assert form.status_code == 200
    refused = client.post(
        "/so-hoa",
        data={"_csrf": csrf_of(form.text), "personal_id": "12345", "paper_school": "X"},
        files={"scan": ("a.pdf", b"%PDF-1.7", "application/pdf")},
    )
    assert refused.status_code == 422
    assert "Mã định danh cá nhân gồm đúng 12 chữ số." in refused.text
    assert 'value="X"' in refused.text
    no_token = client.post("/so-hoa", data={"personal_id": "079999999999"})
    assert no_token.status_code == 403
