"""Entry windows over the API: the principal decides, the administrator carries out (REQ-18)."""

from __future__ import annotations

from tests.api.conftest import Api, assert_problem


def _decide(api: Api, *, as_: str, action: str = "open") -> int:
    response = api.post(
        "/entry-window-decisions",
        as_=as_,
        json={
            "school_id": api.world.school_id,
            "school_year_id": api.world.year_id,
            "period": "hk2",
            "action": action,
            "decision": "Quyết định số 12/QĐ-PCT",
        },
    )
    assert response.status_code == 201, response.text
    decision_id: int = response.json()["id"]
    return decision_id


def test_a_principals_decision_waits_in_the_administrators_queue_until_carried_out(
    api: Api,
) -> None:
    decision_id = _decide(api, as_="hieutruong")
    queue = api.get("/tasks", as_="admin").json()["items"]
    assert [(i["action"], i["step"]) for i in queue] == [("carry_out_window", "hk2")]
    year = api.get("/entry-windows", as_="admin").json()["items"][0]
    assert [d["id"] for d in year["pending"]] == [decision_id]
    assert year["may_carry_out"] and not year["may_decide"]

    done = api.post(f"/entry-window-decisions/{decision_id}/carry-out", as_="admin")
    assert done.status_code == 204, done.text

    year = api.get("/entry-windows", as_="hocvu").json()["items"][0]
    assert year["pending"] == []
    assert {w["period"]: w["is_open"] for w in year["windows"]}["hk2"] is True
    assert api.get("/tasks", as_="admin").json()["items"] == []


def test_the_administrator_never_decides_and_the_principal_never_carries_out(api: Api) -> None:
    refused = api.post(
        "/entry-window-decisions",
        as_="admin",
        json={
            "school_id": api.world.school_id,
            "school_year_id": api.world.year_id,
            "period": "hk1",
            "action": "close",
            "decision": "Quyết định số 13",
        },
    )
    assert refused.status_code == 403
    decision_id = _decide(api, as_="hieutruong")
    assert_problem(
        api.post(f"/entry-window-decisions/{decision_id}/carry-out", as_="hieutruong"),
        403,
        "not_assigned",
    )


def test_a_teacher_does_not_see_the_windows(api: Api) -> None:
    assert api.get("/entry-windows", as_="gvcn.6a1").status_code == 403


def test_a_decision_with_an_unknown_period_is_refused_naming_the_field(api: Api) -> None:
    response = api.post(
        "/entry-window-decisions",
        as_="hieutruong",
        json={
            "school_id": api.world.school_id,
            "school_year_id": api.world.year_id,
            "period": "hk3",
            "action": "open",
            "decision": "x",
        },
    )
    assert response.status_code == 422
    assert "period" in response.text


def test_carrying_out_an_unknown_decision_is_not_found(api: Api) -> None:
    assert api.post("/entry-window-decisions/999999/carry-out", as_="admin").status_code == 404


def test_the_administrator_may_not_build_transcripts(api: Api) -> None:
    class_id = api.world.class_ids["6A1"]
    response = api.post(f"/classes/{class_id}/build-transcripts", as_="admin")
    assert response.status_code == 403
