"""Every demo login does its role's work in Chromium, on a demo of its own (issue 5's
acceptance: "a person can log in as each demo login and do that role's work in the browser;
the portal verifies the demo's finalized files").

One walk through the school's day, in order, on a freshly seeded demo that no other test
touches (so the order of the steps is the test's, not the scheduler's of pytest-xdist), on
SQLite and, when the run has one, on PostgreSQL.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, FilePayload, Page, expect

from tests.browser.quality import check_page
from tests.browser.site import ARTIFACTS, CURRENT, NOW, PREVIOUS, SECRET, DemoSite, served
from tests.support.databases import backends, drop_postgres_database, fresh_database_url
from tests.support.demo_pki import demo_pki
from tests.support.demo_snapshot import seeded_demo
from workflow import (
    DEMO_PASSWORD,
    Settings,
    SignedFileKind,
    UnitOfWork,
    create_database_engine,
    read_signed_file,
)
from workflow._migrations import upgrade

SIGNING = 120_000
"""Milliseconds a batch of signatures may take on a loaded CI machine (PDFs, the seal's B-LT)."""


@pytest.fixture(scope="module", params=backends())
def own_demo(request: pytest.FixtureRequest) -> Iterator[DemoSite]:
    """A demo seeded for this module alone, on each configured backend."""
    directory = Path(tempfile.mkdtemp(prefix="hocba-roles-"))
    url = fresh_database_url(request.param, directory, "roles")
    engine = create_database_engine(url)
    upgrade(engine)
    pki = demo_pki()
    seeded_demo(engine, now=NOW)
    settings = Settings(
        secret_key=SECRET, demo=True, data_dir=pki.directory.parent, database_url=url
    )
    yield DemoSite(engine=engine, settings=settings)
    engine.dispose()
    if request.param == "postgresql":
        drop_postgres_database(url)


@pytest.fixture(scope="module")
def own_url(own_demo: DemoSite) -> Iterator[str]:
    with served(own_demo.app()) as url:
        yield url


@pytest.fixture
def visitor(browser: Browser, own_url: str) -> Iterator[Page]:
    context = browser.new_context(base_url=own_url, locale="vi-VN", accept_downloads=True)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    yield context.new_page()
    context.close()


def shot(page: Page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"roles-{name}.png"), full_page=True)


def log_in(page: Page, username: str) -> None:
    page.goto("/dang-nhap")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_text(f"Đăng nhập: {username}")).to_be_visible()


def log_out(page: Page) -> None:
    page.get_by_role("button", name="Đăng xuất").click()
    expect(page).to_have_url(re.compile(r"/dang-nhap$"))


def group(page: Page, class_name: str) -> Page:
    heading = page.get_by_role("heading", name=re.compile(f"Lớp {class_name} – năm học {CURRENT}"))
    return page.locator("section", has=heading)  # type: ignore[return-value]


def sign_class(page: Page, class_name: str, step: str, count: int) -> None:
    """From the inbox: open the class's signing page and sign the step's batch."""
    group(page, class_name).get_by_role("link", name=f"Ký lớp {class_name}").first.click()
    section = page.locator("section", has=page.get_by_role("heading", name=step))
    section.get_by_role("button", name=re.compile("bằng chữ ký số thử nghiệm")).click()
    expect(page.get_by_text(f"Đã ký {count} / {count} học bạ.")).to_be_visible(timeout=SIGNING)


def test_each_demo_login_does_its_work_in_the_browser_and_the_portal_verifies_the_files(
    visitor: Page, own_demo: DemoSite
) -> None:
    page = visitor

    # The administrator carries out the principal's decision to close semester I's entry.
    log_in(page, "admin")
    expect(page.get_by_role("heading", name="Việc của quản trị viên")).to_be_visible()
    expect(page.get_by_role("cell", name="Học kỳ I")).to_be_visible()
    check_page(page, "roles-01-quan-tri")
    page.get_by_role("link", name="Xem và thực hiện").click()
    expect(page.get_by_text("Quyết định số 15/QĐ-PCT", exact=False)).to_be_visible()
    check_page(page, "roles-02-cua-so-nhap-diem")
    page.get_by_role("button", name="Thực hiện quyết định").click()
    expect(page.get_by_text("Không có quyết định nào đang chờ.")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("Học kỳ I Đang khoá"))).to_be_visible()
    log_out(page)

    # Academic affairs builds 6A2's transcripts from its tracking book.
    log_in(page, "hocvu")
    expect(group(page, "6A2").get_by_text("Lập học bạ từ sổ theo dõi")).to_be_visible()
    check_page(page, "roles-03-hoc-vu")
    page.get_by_role("button", name="Lập học bạ lớp 6A2").click()
    expect(page.get_by_role("heading", name=re.compile("Lớp 6A2"))).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("Bản nháp"))).to_have_count(8)
    log_out(page)

    # The Toán teacher signs 6A1 (6 waiting) and, newly built, 6A2 (8).
    log_in(page, "gvbm.toan")
    shot(page, "04-gvbm-toan")
    sign_class(page, "6A1", "Giáo viên bộ môn ký – môn Toán", 6)
    page.goto("/")
    sign_class(page, "6A2", "Giáo viên bộ môn ký – môn Toán", 8)
    shot(page, "05-gvbm-toan-ky-xong")
    log_out(page)

    # The homeroom teacher of 6A1 signs the three transcripts every subject teacher signed.
    log_in(page, "gvcn.6a1")
    sign_class(page, "6A1", "Giáo viên chủ nhiệm ký", 3)
    shot(page, "06-gvcn-ky-xong")
    log_out(page)

    # The principal signs 7A1's three, then the clerk seals all six now waiting.
    log_in(page, "hieutruong")
    sign_class(page, "7A1", "Hiệu trưởng ký", 3)
    log_out(page)
    log_in(page, "vanthu")
    sign_class(page, "7A1", "Văn thư ký số của nhà trường", 6)
    shot(page, "07-van-thu-ky-xong")
    page.goto(f"/lop/{own_demo.class_id(CURRENT, '7A1')}")
    expect(page.get_by_role("row", name=re.compile("Đã ký số của nhà trường"))).to_have_count(6)
    log_out(page)

    # The Department approves last year's pending correction request.
    log_in(page, "so.gddt")
    page.get_by_role("link", name="Yêu cầu đính chính").first.click()
    request = page.locator("section.card").first
    request.get_by_label("Ghi chú quyết định").fill("Đồng ý đính chính điểm Ngữ văn.")
    request.get_by_role("button", name="Duyệt đính chính").click()
    expect(page.get_by_role("heading", name="Đã duyệt yêu cầu đính chính")).to_be_visible()
    page.reload()
    expect(page.get_by_text("Không có yêu cầu nào đang chờ.")).to_be_visible()
    log_out(page)

    # The student and the guardian download last year's finalized files.
    for login in ("hs.demo", "ph.demo"):
        log_in(page, login)
        expect(page.get_by_role("heading", name="Học bạ của tôi")).to_be_visible()
        year = page.locator("section", has=page.get_by_role("heading", name=f"Năm học {PREVIOUS}"))
        with page.expect_download() as download:
            year.get_by_role("link", name="Tải tệp XML").first.click()
        assert Path(download.value.path()).read_bytes().startswith(b"<?xml")
        shot(page, f"08-{login}")
        log_out(page)

    # Anyone verifies the finalized XML and PDF at the portal.
    for kind, mime in (
        (SignedFileKind.XML, "application/xml"),
        (SignedFileKind.PDF, "application/pdf"),
    ):
        content = _finalized_file(own_demo, kind)
        page.goto("/xac-thuc")
        page.get_by_label("Tệp học bạ (XML hoặc PDF)").set_input_files(
            files=FilePayload(name=f"hocba.{kind.value}", mimeType=mime, buffer=content)
        )
        page.get_by_role("button", name="Xác thực").click()
        expect(page.get_by_role("status")).to_have_text(re.compile(r"^\s*Học bạ hợp lệ\s*$"))
        shot(page, f"09-xac-thuc-{kind.value}")


def _finalized_file(site: DemoSite, kind: SignedFileKind) -> bytes:
    student = site.actor("hs.demo")
    found = next(
        t
        for t in site.own_transcripts("hs.demo")
        if t.school_year == PREVIOUS and t.status == "finalized"
    )
    return read_signed_file(
        UnitOfWork(site.engine), transcript_id=found.id, kind=kind, actor=student, now=NOW
    ).content
