"""Share links over the API: the student or guardian makes, lists and revokes them; anyone
holding one opens it without a login until it expires or is revoked (410 after)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, col, select

from domain.model import AuditEvent, TranscriptKind
from tests.api.conftest import GUARDIAN, PREFIX, STUDENT, Api, assert_problem
from tests.integration.test_share_links import NOW, finalized
from workflow import SHARE_LINKS, grant_consent


@pytest.fixture
def shared(api: Api) -> str:
    """Student 0's finalized transcript, with the app's clock after the year."""
    transcript_id = finalized(api.world)
    api.clock.at = NOW
    # Student 0 is 12: the guardian's consent lets him share himself (Decree 13/2023 Art. 20).
    grant_consent(
        api.world.uow(),
        student_id=api.world.student_ids[0],
        purpose=SHARE_LINKS,
        actor=api.world.actor(GUARDIAN, NOW),
        now=NOW,
    )
    return transcript_id


def _create(
    api: Api, transcript_id: str, *, as_: str = STUDENT, days: int = 30
) -> dict[str, object]:
    response = api.post(
        "/me/share-links",
        as_=as_,
        json={
            "transcript_id": transcript_id,
            "recipient": "Công ty TNHH Ví Dụ",
            "expires_in_days": days,
        },
    )
    assert response.status_code == 201, response.text
    body: dict[str, object] = response.json()
    return body


def test_a_student_creates_a_link_and_a_visitor_opens_it_and_downloads_both_files(
    api: Api, shared: str
) -> None:
    made = _create(api, shared)
    assert made["state"] == "active" and made["transcript_id"] == shared
    assert str(made["url"]).endswith(f"/chia-se/{made['token']}")
    opened = api.client.get(f"{PREFIX}/shared/{made['token']}")
    assert opened.status_code == 200, opened.text
    body = opened.json()
    assert body["student_name"] == "Nguyễn Văn An"
    assert body["recipient"] == "Công ty TNHH Ví Dụ"
    xml = api.client.get(body["xml_url"])
    assert xml.status_code == 200 and xml.content.startswith(b"<HocBa")
    assert xml.headers["cache-control"] == "no-store"
    pdf = api.client.get(body["pdf_url"])
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_the_list_shows_my_links_without_their_tokens(api: Api, shared: str) -> None:
    made = _create(api, shared, as_=GUARDIAN)
    listed = api.get("/me/share-links", as_=GUARDIAN).json()["items"]
    assert [i["id"] for i in listed] == [made["id"]]
    assert "token" not in listed[0]
    assert api.get("/me/share-links", as_=STUDENT).json()["items"] == []


def test_a_revoked_link_answers_410(api: Api, shared: str) -> None:
    made = _create(api, shared)
    revoked = api.client.delete(
        f"{PREFIX}/me/share-links/{made['id']}", headers=api.headers(STUDENT)
    )
    assert revoked.status_code == 200 and revoked.json()["state"] == "revoked"
    for suffix in ("", "/xml", "/pdf"):
        assert_problem(
            api.client.get(f"{PREFIX}/shared/{made['token']}{suffix}"), 410, "share_link_revoked"
        )


def test_an_expired_link_answers_410(api: Api, shared: str) -> None:
    made = _create(api, shared, days=7)
    api.clock.at = NOW + timedelta(days=7)
    body = assert_problem(
        api.client.get(f"{PREFIX}/shared/{made['token']}"), 410, "share_link_expired"
    )
    assert "hết hạn" in body["detail_vi"]


def test_an_unknown_token_is_404_and_a_malformed_one_422(api: Api, shared: str) -> None:
    assert_problem(api.client.get(f"{PREFIX}/shared/{'A' * 43}"), 404, "not_found")
    assert api.client.get(f"{PREFIX}/shared/abc").status_code in (404, 422)


def test_another_persons_link_cannot_be_revoked(api: Api, shared: str) -> None:
    made = _create(api, shared, as_=GUARDIAN)
    refused = api.client.delete(
        f"{PREFIX}/me/share-links/{made['id']}", headers=api.headers(STUDENT)
    )
    assert_problem(refused, 404, "not_found")


def test_a_classmates_transcript_cannot_be_shared(api: Api, shared: str) -> None:
    classmate = finalized(api.world, student=1)
    refused = api.post(
        "/me/share-links",
        as_=STUDENT,
        json={"transcript_id": classmate, "recipient": "Ai đó", "expires_in_days": 30},
    )
    assert_problem(refused, 404, "not_found")


def test_a_draft_cannot_be_shared(api: Api, shared: str) -> None:
    draft = api.world.new_transcript(student=0, kind=TranscriptKind.SO_HOA)
    refused = api.post(
        "/me/share-links",
        as_=STUDENT,
        json={"transcript_id": draft, "recipient": "Ai đó", "expires_in_days": 30},
    )
    assert_problem(refused, 409, "not_shareable")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"recipient": "Ai đó", "expires_in_days": 120}, "expires_in_days"),
        ({"recipient": "   ", "expires_in_days": 30}, "recipient"),
        ({"recipient": "x" * 121, "expires_in_days": 30}, "recipient"),
        ({"expires_in_days": 30}, "recipient"),
    ],
)
def test_bad_input_is_a_422_naming_the_field(
    api: Api, shared: str, body: dict[str, object], field: str
) -> None:
    refused = api.post("/me/share-links", as_=STUDENT, json={"transcript_id": shared, **body})
    assert assert_problem(refused, 422, "invalid_input")["field"] == field


def test_links_need_a_login_and_the_administrator_is_refused(api: Api, shared: str) -> None:
    assert api.get("/me/share-links", as_=None).status_code == 401
    assert_problem(api.get("/me/share-links", as_="admin"), 403, "administrator_forbidden")


def test_each_opening_over_the_api_is_audited(api: Api, shared: str) -> None:
    made = _create(api, shared)
    api.client.get(f"{PREFIX}/shared/{made['token']}")
    api.client.get(f"{PREFIX}/shared/{made['token']}/xml")
    with Session(api.world.engine) as session:
        actions = session.exec(
            select(AuditEvent.action).where(col(AuditEvent.action).startswith("share_link."))
        ).all()
    assert sorted(actions) == ["share_link.create", "share_link.open", "share_link.open"]


def test_the_endpoints_are_in_the_openapi_document(api: Api) -> None:
    paths = api.client.get("/schema/openapi.json").json()["paths"]
    for path in (
        "/api/v1/me/share-links",
        "/api/v1/me/share-links/{link_id}",
        "/api/v1/shared/{token}",
        "/api/v1/shared/{token}/xml",
        "/api/v1/lost-files/requests",
        "/api/v1/lost-files/requests/{request_id}/confirm",
        "/api/v1/lost-files/downloads/{token}",
    ):
        assert path in paths, path
    assert "410" in paths["/api/v1/shared/{token}"]["get"]["responses"]
