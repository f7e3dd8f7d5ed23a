"""Errors are problem details with a stable type; tokens are checked on every request."""

from __future__ import annotations

from datetime import timedelta

from tests.api.conftest import Api, assert_problem, close_account


def test_a_request_without_a_token_is_refused_with_a_problem_document(api: Api) -> None:
    body = assert_problem(api.get("/tasks", as_=None), 401, "not_authenticated")
    assert body["instance"] == "/api/v1/tasks"


def test_a_forged_token_is_refused(api: Api) -> None:
    forged = api.token("hieutruong")[:-4] + "AAAA"
    response = api.client.get("/api/v1/tasks", headers={"Authorization": f"Bearer {forged}"})
    assert_problem(response, 401, "not_authenticated")


def test_a_token_expires_by_the_apps_clock(api: Api) -> None:
    headers = api.headers("hieutruong")
    assert api.client.get("/api/v1/tasks", headers=headers).status_code == 200
    api.clock.at += timedelta(hours=1, seconds=1)
    assert_problem(api.client.get("/api/v1/tasks", headers=headers), 401, "not_authenticated")


def test_the_token_of_an_account_closed_since_is_refused_at_once(api: Api) -> None:
    headers = api.headers("gvcn.6a1")
    close_account(api.world, "gvcn.6a1")
    body = assert_problem(
        api.client.get("/api/v1/tasks", headers=headers), 401, "not_authenticated"
    )
    assert body["detail_vi"]


def test_an_unknown_route_is_a_404_problem(api: Api) -> None:
    assert_problem(api.get("/no-such-thing", as_="hieutruong"), 404, "not_found")


def test_a_workflow_refusal_carries_its_code_and_vietnamese_message(api: Api) -> None:
    body = assert_problem(api.get("/correction-requests", as_="hieutruong"), 403, "not_assigned")
    assert body["detail_vi"].startswith("Bạn không phải là")


def test_an_invalid_query_parameter_is_a_422_naming_it(api: Api) -> None:
    body = assert_problem(api.get("/transcripts?limit=0", as_="hocvu"), 422, "invalid_input")
    assert body["field"] == "limit"
    assert body["errors"][0]["field"] == "limit"


def test_a_missing_body_field_is_a_422_naming_it(api: Api) -> None:
    tid = api.world.new_transcript()
    body = assert_problem(
        api.post(f"/transcripts/{tid}/return", as_="gvcn.6a1", json={}), 422, "invalid_input"
    )
    assert body["field"] == "reason"


def test_a_body_field_of_the_wrong_type_is_a_422_naming_it(api: Api) -> None:
    tid = api.world.new_transcript()
    body = assert_problem(
        api.post(f"/transcripts/{tid}/return", as_="gvcn.6a1", json={"reason": 7}),
        422,
        "invalid_input",
    )
    assert body["field"] == "reason"


def test_an_unknown_body_field_is_a_422(api: Api) -> None:
    tid = api.world.new_transcript()
    body = assert_problem(
        api.post(f"/transcripts/{tid}/return", as_="gvcn.6a1", json={"reason": "x", "extra": 1}),
        422,
        "invalid_input",
    )
    assert body["field"] == "extra"


def test_a_body_that_is_not_json_is_a_400_problem(api: Api) -> None:
    tid = api.world.new_transcript()
    response = api.post(f"/transcripts/{tid}/return", as_="gvcn.6a1", content=b"{")
    assert_problem(response, 400, "bad_request")
