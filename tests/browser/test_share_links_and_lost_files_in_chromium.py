"""The student's own copies in Chromium: hs.demo shares last year's transcript and a visitor
opens the link and downloads the XML; a visitor gets lost files back with the code the
notifier sent. Also, over plain HTTP: the pages a dead link or a wrong code lead to."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient
from playwright.sync_api import Browser, Page, expect
from sqlmodel import Session, select

from api import create_app
from domain.model import Person, Student
from tests.browser.site import ARTIFACTS, PREVIOUS, DemoSite, FixedClock, csrf_of, log_in, served
from workflow import (
    DEMO_PASSWORD,
    SHARE_LINKS,
    CollectingNotifier,
    UnitOfWork,
    grant_consent,
    load_actor,
)
from workflow._demo_data import DEMO_PHONES, GUARDIAN_LOGIN, STUDENT_LOGIN


@dataclass(frozen=True)
class OwnCopiesSite:
    """The demo served by an app whose lost-files codes go to ``notifier``."""

    url: str
    notifier: CollectingNotifier
    site: DemoSite

    def personal_id(self) -> str:
        """hs.demo's personal ID (the student record behind the login)."""
        with Session(self.site.engine) as session:
            return session.exec(
                select(Student.personal_id).where(
                    Student.person_id == self.site.person(STUDENT_LOGIN)
                )
            ).one()


def give_the_demo_accounts_their_phones(site: DemoSite) -> None:
    """The phones the demo seed registers (set here too while the seed does not yet)."""
    with Session(site.engine) as session:
        for login in (STUDENT_LOGIN, GUARDIAN_LOGIN):
            person = session.exec(select(Person).where(Person.username == login)).one()
            if person.phone is None:
                person.phone = DEMO_PHONES[login]
                session.add(person)
        session.commit()


def give_the_guardians_consent(site: DemoSite) -> None:
    """ph.demo consents to hs.demo (a child under 16) sharing himself (Decree 13/2023 Art. 20)."""
    now = FixedClock().now()
    with Session(site.engine) as session:
        student_id = session.exec(
            select(Student.id).where(Student.person_id == site.person(STUDENT_LOGIN))
        ).one()
        guardian = load_actor(session, site.person(GUARDIAN_LOGIN), at=now)
    assert student_id is not None
    grant_consent(
        UnitOfWork(site.engine), student_id=student_id, purpose=SHARE_LINKS, actor=guardian, now=now
    )


@pytest.fixture(scope="module")
def own_copies(site: DemoSite) -> Iterator[OwnCopiesSite]:
    give_the_demo_accounts_their_phones(site)
    give_the_guardians_consent(site)
    notifier = CollectingNotifier()
    app = create_app(
        settings=site.settings, engine=site.engine, clock=FixedClock(), notifier=notifier
    )
    with served(app) as url:
        yield OwnCopiesSite(url=url, notifier=notifier, site=site)


@pytest.fixture
def visitor(browser: Browser, own_copies: OwnCopiesSite) -> Iterator[Page]:
    """A fresh browser context (no cookies) on the own-copies app."""
    context = browser.new_context(base_url=own_copies.url, locale="vi-VN", accept_downloads=True)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    yield context.new_page()
    context.close()


def shot(page: Page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_a_student_shares_last_years_transcript_and_a_visitor_downloads_the_xml(
    visitor: Page, own_copies: OwnCopiesSite, tmp_path: Path
) -> None:
    page = visitor
    page.goto("/dang-nhap")
    page.get_by_label("Tên đăng nhập").fill(STUDENT_LOGIN)
    page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("heading", name="Học bạ của tôi")).to_be_visible()
    year = page.locator("section", has=page.get_by_role("heading", name=f"Năm học {PREVIOUS}"))
    year.get_by_text("Chia sẻ học bạ này").first.click()
    year.get_by_label(re.compile("^Chia sẻ cho")).first.fill("Trường THPT Chuyên Lê Hồng Phong")
    year.get_by_label("Thời hạn của liên kết").first.select_option("7")
    year.get_by_role("button", name="Tạo liên kết chia sẻ").first.click()
    expect(page.get_by_role("heading", name="Đã tạo liên kết chia sẻ")).to_be_visible()
    expect(
        page.get_by_role("cell", name="Trường THPT Chuyên Lê Hồng Phong", exact=True)
    ).to_be_visible()
    shot(page, "30-cua-toi-chia-se")
    address = page.get_by_label("Địa chỉ liên kết").input_value()
    path = "/chia-se/" + address.split("/chia-se/", 1)[1]
    page.get_by_role("button", name="Đăng xuất").click()

    page.goto(path)
    expect(page.get_by_role("heading", name="Học bạ được chia sẻ")).to_be_visible()
    expect(page.get_by_text("Trường THPT Chuyên Lê Hồng Phong")).to_be_visible()
    shot(page, "31-chia-se")
    with page.expect_download() as download:
        page.get_by_role("link", name="Tải tệp XML").click()
    saved = tmp_path / "hocba.xml"
    download.value.save_as(saved)
    assert saved.read_bytes() == own_copies.site.finalized_xml()
    page.get_by_role("button", name="Xác thực học bạ này").click()
    expect(page.get_by_role("status")).to_contain_text("hợp lệ")
    shot(page, "32-chia-se-xac-thuc")


def test_a_visitor_recovers_lost_files_with_the_code_sent_to_the_registered_phone(
    visitor: Page, own_copies: OwnCopiesSite, tmp_path: Path
) -> None:
    page = visitor
    page.goto("/lay-lai-hoc-ba")
    expect(page.get_by_role("heading", name="Lấy lại học bạ đã mất")).to_be_visible()
    page.get_by_label(re.compile("^Mã định danh cá nhân")).fill(own_copies.personal_id())
    page.get_by_label("Số điện thoại đã đăng ký").fill(DEMO_PHONES[GUARDIAN_LOGIN])
    shot(page, "33-lay-lai-hoc-ba")
    sent_before = len(own_copies.notifier.sent)
    page.get_by_role("button", name="Gửi mã xác nhận").click()
    expect(page.get_by_role("heading", name="Nhập mã xác nhận")).to_be_visible()
    [message] = own_copies.notifier.sent[sent_before:]
    assert message.username == GUARDIAN_LOGIN
    code = re.search(r"\b(\d{6})\b", message.body)
    assert code is not None
    page.get_by_label("Mã xác nhận (6 chữ số)").fill(code.group(1))
    shot(page, "34-nhap-ma")
    page.get_by_role("button", name="Xác nhận").click()
    expect(page.get_by_role("heading", name="Tải lại học bạ")).to_be_visible()
    shot(page, "35-tai-lai-hoc-ba")
    with page.expect_download() as download:
        page.get_by_role("link", name="Tải tệp PDF").first.click()
    saved = tmp_path / "hocba.pdf"
    download.value.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF")


def _post(client: TestClient[Any], path: str, form_page: str, data: dict[str, str]) -> Any:
    token = csrf_of(client.get(form_page).text)
    return client.post(path, data={"_csrf": token, **data}, follow_redirects=False)


def test_the_first_step_answers_the_same_page_whether_the_personal_id_exists(
    client: TestClient[Any], own_copies: OwnCopiesSite
) -> None:
    pages = [
        _post(
            client,
            "/lay-lai-hoc-ba",
            "/lay-lai-hoc-ba",
            {"personal_id": pid, "phone": "0987654321"},
        )
        for pid in (own_copies.personal_id(), "079299999998")
    ]
    assert [p.status_code for p in pages] == [200, 200]
    strip = re.compile(r'name="(request_id|_csrf)" value="[^"]+"')
    assert strip.sub("", pages[0].text) == strip.sub("", pages[1].text)


def test_a_wrong_code_asks_again_in_vietnamese(client: TestClient[Any]) -> None:
    started = _post(
        client,
        "/lay-lai-hoc-ba",
        "/lay-lai-hoc-ba",
        {"personal_id": "079299999997", "phone": "0987654321"},
    )
    request_id = re.search(r'name="request_id" value="([^"]+)"', started.text)
    assert request_id is not None
    wrong = _post(
        client,
        "/lay-lai-hoc-ba/xac-nhan",
        "/lay-lai-hoc-ba",
        {"request_id": request_id.group(1), "code": "123456"},
    )
    assert wrong.status_code == 422
    assert "Mã xác nhận không đúng; còn 4 lần thử." in wrong.text


def test_a_malformed_personal_id_is_named_on_the_form(client: TestClient[Any]) -> None:
    refused = _post(
        client, "/lay-lai-hoc-ba", "/lay-lai-hoc-ba", {"personal_id": "123", "phone": "0987654321"}
    )
    assert refused.status_code == 422
    assert "Mã định danh cá nhân phải gồm đúng 12 chữ số." in refused.text


def test_a_revoked_link_shows_a_vietnamese_page_with_410(
    client: TestClient[Any], own_copies: OwnCopiesSite
) -> None:
    log_in(client, GUARDIAN_LOGIN)
    own = client.get("/cua-toi")
    transcript_id = re.search(r'name="transcript_id" value="([^"]+)"', own.text)
    assert transcript_id is not None
    made = _post(
        client,
        "/cua-toi/chia-se",
        "/cua-toi",
        {"transcript_id": transcript_id.group(1), "recipient": "Công ty Ví Dụ", "days": "30"},
    )
    assert made.status_code == 201
    address = re.search(r'id="dia-chi-chia-se" type="text" readonly value="([^"]+)"', made.text)
    assert address is not None
    path = "/chia-se/" + address.group(1).split("/chia-se/", 1)[1]
    assert client.get(path).status_code == 200
    link_id = re.findall(r'action="/cua-toi/chia-se/(\d+)/thu-hoi"', made.text)[0]
    revoked = _post(client, f"/cua-toi/chia-se/{link_id}/thu-hoi", "/cua-toi", {})
    assert revoked.status_code == 303
    gone = client.get(path)
    assert gone.status_code == 410
    assert "Liên kết đã bị thu hồi" in gone.text
    assert gone.headers["referrer-policy"] == "no-referrer"
    assert client.get(f"{path}/xml").status_code == 410
