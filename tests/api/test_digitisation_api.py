"""Digitising a paper record over HTTP: the same use case, its refusals as problem details."""

from __future__ import annotations

import json

import httpx
import pytest
from sqlalchemy.engine import Engine

from tests.api.conftest import Api, assert_problem
from tests.support.digitisation import PAPER_SCHOOL, SCAN_NAME, paper_world, scan, whole_year
from tests.support.signing import sign_session
from tests.support.transfers import AN, MID_YEAR, SIGNED
from tests.support.world import World
from workflow import SigningStep


@pytest.fixture
def world(engine: Engine) -> World:
    return paper_world(engine)


def upload(
    api: Api, record: object, *, as_: str = "hocvu", content: bytes | None = None
) -> httpx.Response:
    return api.post(
        "/digitised-records",
        as_=as_,
        files={"scan": (SCAN_NAME, scan() if content is None else content, "application/pdf")},
        data={
            "personal_id": AN,
            "paper_school": PAPER_SCHOOL,
            "record": record if isinstance(record, str) else json.dumps(record),
        },
    )


def test_a_paper_year_is_digitised_through_the_api_and_its_scan_read_back(api: Api) -> None:
    api.clock.at = MID_YEAR
    response = upload(api, whole_year())
    assert response.status_code == 201, response.text
    body = response.json()
    record_id = body["transcript_id"]
    items = api.get("/tasks", as_="hieutruong").json()["items"]
    assert any(i["step"] == "principal" and record_id in i["transcript_ids"] for i in items)

    scanned = api.get(f"/digitised-records/{record_id}/scan", as_="hieutruong")
    assert scanned.status_code == 200 and scanned.content == scan()
    assert SCAN_NAME in scanned.headers["content-disposition"]
    assert_problem(
        api.get(f"/digitised-records/{record_id}/scan", as_="gvcn.6a1"), 404, "not_found"
    )
    for who, step in (("hieutruong", SigningStep.PRINCIPAL), ("vanthu", SigningStep.SCHOOL)):
        (result,) = sign_session(api.world, who, [record_id], step, SIGNED)
        assert result.ok, result


def test_refusals_are_problem_details(api: Api) -> None:
    api.clock.at = MID_YEAR
    assert_problem(upload(api, "{not json"), 422, "invalid_input")
    assert_problem(upload(api, whole_year(), content=b"GIF89a"), 422, "invalid_input")
    assert_problem(upload(api, whole_year(), as_="gvcn.6a1"), 403, "not_assigned")
    assert upload(api, whole_year()).status_code == 201
    assert_problem(upload(api, whole_year()), 409, "already_digitised")
