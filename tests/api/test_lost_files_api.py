"""Lost files over the API: the same answer whether or not anything matched, the code
through the app's notifier, wrong codes counted, limits in the database, then the files."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from litestar.testing import TestClient
from sqlmodel import Session

from api import create_app
from domain.model import Person
from tests.api.conftest import (
    GUARDIAN,
    PREFIX,
    Api,
    SettableClock,
    add_own_readers,
    assert_problem,
    settings,
)
from tests.integration.test_lost_files import GUARDIAN_PHONE, personal_id
from tests.integration.test_share_links import NOW, finalized
from tests.support.world import World
from workflow import CollectingNotifier


@pytest.fixture
def notifier() -> CollectingNotifier:
    return CollectingNotifier()


@pytest.fixture
def lost(world: World, notifier: CollectingNotifier, tmp_path: Path) -> Iterator[Api]:
    """The app after the year, sending codes to ``notifier``; student 0 has a finalized
    transcript and his father a registered phone."""
    add_own_readers(world)
    with Session(world.engine) as session:
        guardian = session.get(Person, world.people[GUARDIAN])
        assert guardian is not None
        guardian.phone = GUARDIAN_PHONE
        session.add(guardian)
        session.commit()
    finalized(world)
    clock = SettableClock(NOW)
    app = create_app(settings=settings(), engine=world.engine, clock=clock, notifier=notifier)
    with TestClient(app) as client:
        yield Api(client=client, world=world, clock=clock)


def _request(api: Api, pid: str, phone: str = GUARDIAN_PHONE) -> dict[str, str]:
    response = api.client.post(
        f"{PREFIX}/lost-files/requests", json={"personal_id": pid, "phone": phone}
    )
    assert response.status_code == 202, response.text
    body: dict[str, str] = response.json()
    return body


def _confirm(api: Api, request_id: str, code: str) -> httpx.Response:
    return api.client.post(
        f"{PREFIX}/lost-files/requests/{request_id}/confirm", json={"code": code}
    )


def _code(notifier: CollectingNotifier) -> str:
    words = (w.strip(".:") for w in notifier.sent[-1].body.split())
    return next(w for w in words if len(w) == 6 and w.isdigit())


def test_the_code_from_the_notifier_opens_the_files(
    lost: Api, notifier: CollectingNotifier
) -> None:
    started = _request(lost, personal_id(lost.world))
    assert "6 chữ số" in started["message"]
    confirmed = _confirm(lost, started["request_id"], _code(notifier))
    assert confirmed.status_code == 200, confirmed.text
    files = lost.client.get(confirmed.json()["files_url"]).json()
    [transcript] = files["transcripts"]
    xml = lost.client.get(transcript["xml_url"])
    assert xml.status_code == 200 and xml.content.startswith(b"<HocBa")
    assert lost.client.get(transcript["pdf_url"]).content.startswith(b"%PDF")


def test_the_answer_is_the_same_whether_the_personal_id_exists_or_not(
    lost: Api, notifier: CollectingNotifier
) -> None:
    known = _request(lost, personal_id(lost.world))
    unknown = _request(lost, "079299999999")
    wrong_phone = _request(lost, personal_id(lost.world), "0987654321")
    assert known.keys() == unknown.keys() == wrong_phone.keys()
    assert known["message"] == unknown["message"] == wrong_phone["message"]
    assert known["expires_at"] == unknown["expires_at"]
    assert len(notifier.sent) == 1
    for started in (unknown, wrong_phone):
        body = assert_problem(
            _confirm(lost, started["request_id"], "123456"), 422, "recovery_code_wrong"
        )
        assert body["field"] == "code"


def test_five_wrong_codes_make_the_code_void(lost: Api, notifier: CollectingNotifier) -> None:
    started = _request(lost, personal_id(lost.world))
    right = _code(notifier)
    wrong = "000000" if right != "000000" else "111111"
    for _ in range(4):
        assert_problem(_confirm(lost, started["request_id"], wrong), 422, "recovery_code_wrong")
    assert_problem(_confirm(lost, started["request_id"], wrong), 410, "recovery_code_void")
    assert_problem(_confirm(lost, started["request_id"], right), 410, "recovery_code_void")


def test_an_expired_code_is_410(lost: Api, notifier: CollectingNotifier) -> None:
    started = _request(lost, personal_id(lost.world))
    lost.clock.at = NOW + timedelta(minutes=11)
    assert_problem(
        _confirm(lost, started["request_id"], _code(notifier)), 410, "recovery_code_expired"
    )


def test_the_fourth_request_in_an_hour_is_429_with_retry_after(lost: Api) -> None:
    pid = personal_id(lost.world)
    for _ in range(3):
        _request(lost, pid, "0987654321")
    refused = lost.client.post(
        f"{PREFIX}/lost-files/requests", json={"personal_id": pid, "phone": GUARDIAN_PHONE}
    )
    assert_problem(refused, 429, "recovery_rate_limited")
    assert int(refused.headers["retry-after"]) == 3601


def test_a_malformed_personal_id_is_422_naming_it_without_repeating_it(lost: Api) -> None:
    refused = lost.client.post(
        f"{PREFIX}/lost-files/requests", json={"personal_id": "12345", "phone": GUARDIAN_PHONE}
    )
    body = assert_problem(refused, 422, "invalid_input")
    assert body["field"] == "personal_id"
    assert "12345" not in refused.text


def test_an_expired_download_page_is_410(lost: Api, notifier: CollectingNotifier) -> None:
    started = _request(lost, personal_id(lost.world))
    granted = _confirm(lost, started["request_id"], _code(notifier)).json()
    lost.clock.at = NOW + timedelta(minutes=31)
    assert_problem(lost.client.get(granted["files_url"]), 410, "recovery_download_expired")


def test_another_students_transcript_is_404_on_the_download_page(
    lost: Api, notifier: CollectingNotifier
) -> None:
    classmate = finalized(lost.world, student=1)
    started = _request(lost, personal_id(lost.world))
    granted = _confirm(lost, started["request_id"], _code(notifier)).json()
    refused = lost.client.get(f"{granted['files_url']}/transcripts/{classmate}/xml")
    assert_problem(refused, 404, "not_found")
