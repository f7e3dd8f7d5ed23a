"""The Department's dead letters over the API (``/outbox``) and on the page /so/hang-doi-gui."""

from __future__ import annotations

import re
from datetime import timedelta

from domain.model import TranscriptKind, TranscriptStatus
from tests.api.conftest import PASSWORD, Api, assert_problem, set_password
from tests.support.city_server import running_city
from tests.support.journeys import drive_to
from tests.support.outbox import FAST, client_for, messages
from workflow import deliver_outbox


def dead_registration(api: Api) -> tuple[str, int]:
    """A finalized transcript whose registration the city refused: (its id, the message id)."""
    transcript_id = drive_to(api.world, TranscriptKind.CA_NAM, TranscriptStatus.FINALIZED)
    with running_city(lambda _n, _k: "refuse") as city:
        deliver_outbox(api.world.uow(), client=client_for(city), now=api.clock.now(), policy=FAST)
    message_id = messages(api.world.engine)[0].id
    assert message_id is not None
    return transcript_id, message_id


def test_the_department_lists_its_dead_letters_and_retries_one(api: Api) -> None:
    transcript_id, message_id = dead_registration(api)

    listed = api.get("/outbox", as_="so.gddt", params={"state": "dead"})
    retried = api.post(f"/outbox/{message_id}/retry", as_="so.gddt")
    again = api.post(f"/outbox/{message_id}/retry", as_="so.gddt")
    pending = api.get("/outbox", as_="so.gddt", params={"state": "pending"})

    assert listed.status_code == 200, listed.text
    [item] = listed.json()["items"]
    assert (item["id"], item["kind"], item["state"]) == (message_id, "register_create", "dead")
    assert item["transcript_id"] == transcript_id and item["last_status"] == 422
    assert item["personal_id_masked"].startswith("079*******")
    assert retried.status_code == 200, retried.text
    assert (retried.json()["state"], retried.json()["attempts"]) == ("pending", 0)
    assert_problem(again, 409, "outbox_not_dead")
    assert len(pending.json()["items"]) == 4


def test_another_citys_officer_neither_sees_nor_retries_the_message(api: Api) -> None:
    _transcript_id, message_id = dead_registration(api)

    listed = api.get("/outbox", as_="so.khac", params={"state": "dead"})
    retried = api.post(f"/outbox/{message_id}/retry", as_="so.khac")

    assert listed.json()["items"] == []
    assert_problem(retried, 404, "not_found")


def test_school_staff_and_the_administrator_are_refused(api: Api) -> None:
    _transcript_id, message_id = dead_registration(api)

    assert_problem(api.get("/outbox", as_="hieutruong"), 403, "not_assigned")
    assert_problem(api.post(f"/outbox/{message_id}/retry", as_="vanthu"), 403, "not_assigned")
    assert_problem(api.get("/outbox", as_="admin"), 403, "administrator_forbidden")
    assert api.get("/outbox", as_=None).status_code == 401


def test_an_unknown_state_is_a_422_naming_the_state(api: Api) -> None:
    response = api.get("/outbox", as_="so.gddt", params={"state": "lost"})

    assert response.status_code == 422


def _csrf(html: str) -> str:
    found = re.search(r'name="_csrf" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


def _page_login(api: Api, username: str) -> None:
    set_password(api.world, username)
    form = api.client.get("/dang-nhap")
    answer = api.client.post(
        "/dang-nhap",
        data={"username": username, "password": PASSWORD, "_csrf": _csrf(form.text)},
        follow_redirects=False,
    )
    assert answer.status_code in (302, 303), answer.text


def test_the_department_page_shows_the_dead_letter_in_vietnamese_and_retries_it(
    api: Api,
) -> None:
    _transcript_id, message_id = dead_registration(api)
    _page_login(api, "so.gddt")

    page = api.client.get("/so/hang-doi-gui")
    retried = api.client.post(
        f"/so/hang-doi-gui/{message_id}/gui-lai",
        data={"_csrf": _csrf(page.text)},
        follow_redirects=False,
    )
    after = api.client.get("/so/hang-doi-gui")
    waiting = api.client.get("/so/hang-doi-gui", params={"trang-thai": "pending"})

    assert page.status_code == 200
    assert "Đăng ký học bạ" in page.text and "HTTP 422" in page.text
    assert f"/so/hang-doi-gui/{message_id}/gui-lai" in page.text
    assert retried.status_code in (302, 303)
    assert "Không có tin nào ở trạng thái “Đã dừng gửi”" in after.text
    assert waiting.text.count('class="card"') == 4


def test_the_page_is_refused_to_school_staff_and_a_retry_needs_the_form_token(
    api: Api,
) -> None:
    _transcript_id, message_id = dead_registration(api)
    _page_login(api, "hieutruong")
    refused = api.client.get("/so/hang-doi-gui")
    api.clock.at += timedelta(seconds=1)
    _page_login(api, "so.gddt")
    forged = api.client.post(f"/so/hang-doi-gui/{message_id}/gui-lai", data={"_csrf": "x"})

    assert refused.status_code == 403
    assert forged.status_code == 403
    assert str(messages(api.world.engine)[0].state) == "dead"
