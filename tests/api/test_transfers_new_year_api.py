"""Transfers before the school year over HTTP: the receiving school asks, both officers see
the request in ``GET /transfers`` and the queue, the leaving school refuses (saying why) or
accepts."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from domain.model import Student
from tests.api.conftest import Api, assert_problem
from tests.support.signing import register_personal_ids
from tests.support.transfers import AN, ASKED, DECIDED, STARTED, new_year_school, own_world
from tests.support.world import World


@pytest.fixture
def world(engine: Engine) -> World:
    world = own_world(engine)
    world = replace(world, people=dict(world.people), class_ids=dict(world.class_ids))
    register_personal_ids(world)
    new_year_school(world)
    return world


def test_a_transfer_before_the_year_is_asked_refused_asked_again_and_accepted(api: Api) -> None:
    world = api.world
    with Session(world.engine) as session:
        binh = session.get(Student, world.student_ids[1])
        assert binh is not None
    api.clock.at = ASKED
    body = {"personal_id": binh.personal_id, "to_class_id": world.class_ids["7B1"]}
    assert_problem(api.post("/transfers/new-year", as_="hocvu", json=body), 403, "not_assigned")
    asked = api.post("/transfers/new-year", as_="hocvu.b", json={**body, "reason": "Chuyển nhà"})
    assert asked.status_code == 201, asked.text
    transfer_id = asked.json()["id"]
    (mine,) = api.get("/transfers", as_="hocvu.b").json()["items"]
    assert (mine["kind"], mine["stage"], mine["incoming"], mine["actions"]) == (
        "before_year",
        "requested",
        True,
        [],
    )
    assert mine["personal_id_masked"] != binh.personal_id
    (theirs,) = api.get("/transfers", as_="hocvu").json()["items"]
    assert (theirs["incoming"], theirs["actions"]) == (False, ["accept", "refuse"])
    items = api.get("/tasks", as_="hocvu").json()["items"]
    assert [(i["action"], i["step"]) for i in items if i["action"] == "accept_transfer"] == [
        ("accept_transfer", "request")
    ]

    api.clock.at = DECIDED
    empty = api.post(f"/transfers/{transfer_id}/refuse", as_="hocvu", json={"reason": ""})
    assert_problem(empty, 422, "invalid_input")
    refused = api.post(
        f"/transfers/{transfer_id}/refuse", as_="hocvu", json={"reason": "Chưa đủ hồ sơ"}
    )
    assert refused.status_code == 204, refused.text
    (mine,) = api.get("/transfers", as_="hocvu.b").json()["items"]
    assert (mine["stage"], mine["refusal_reason"]) == ("refused", "Chưa đủ hồ sơ")

    again = api.post("/transfers/new-year", as_="hocvu.b", json={**body, "personal_id": AN})
    assert again.status_code == 201, again.text
    accepted = api.post(f"/transfers/{again.json()['id']}/accept", as_="hocvu", json={})
    assert accepted.status_code == 200, accepted.text
    assert accepted.json() == {"transcript_id": None, "kind": "before_year"}
    assert_problem(
        api.post(f"/transfers/{again.json()['id']}/accept", as_="hocvu", json={}),
        409,
        "transfer_state",
    )

    api.clock.at = STARTED
    late = api.post("/transfers/new-year", as_="hocvu.b", json=body)
    assert_problem(late, 409, "year_started")
