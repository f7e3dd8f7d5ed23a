"""``GET /tasks`` and the bearer login answer from the process's cache, and only while true."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, select

from domain.model import RoleAssignment
from tests.api.conftest import Api, close_account
from tests.support.world import evidence
from workflow import ReadCache, SigningStep, sign

LISTENER_TIMEOUT = 10.0
"""The longest a test waits for the PostgreSQL listener to connect (a bound, not a pause)."""


def _cache(api: Api) -> ReadCache:
    cache: ReadCache = api.client.app.state.read_cache
    assert cache.feed.wait_until_listening(LISTENER_TIMEOUT)
    return cache


def test_a_repeated_queue_is_the_same_bytes_from_the_cache(api: Api) -> None:
    cache = _cache(api)
    api.world.new_transcript()
    first = api.get("/tasks", as_="gvbm.toan")
    second = api.get("/tasks", as_="gvbm.toan")
    assert first.status_code == 200 and first.json()["items"]
    assert second.content == first.content
    assert cache.stats()[("tasks", "hit")] >= 1
    assert cache.stats()[("actor", "hit")] >= 1


def test_a_signature_empties_the_cached_queue_at_once(api: Api) -> None:
    _cache(api)
    tid = api.world.new_transcript()
    assert api.get("/tasks", as_="gvbm.toan").json()["items"]
    sign(
        api.world.uow(),
        transcript_id=tid,
        step=SigningStep.SUBJECT,
        subject_code="TOAN",
        actor=api.world.actor("gvbm.toan"),
        evidence=evidence("gvbm.toan"),
        now=api.clock.now(),
    )
    assert api.get("/tasks", as_="gvbm.toan").json()["items"] == []


def test_a_token_of_an_account_closed_after_a_cached_request_is_refused(api: Api) -> None:
    _cache(api)
    assert api.get("/tasks", as_="vanthu").status_code == 200
    assert api.get("/tasks", as_="vanthu").status_code == 200
    close_account(api.world, "vanthu")
    assert api.get("/tasks", as_="vanthu").status_code == 401


def test_a_removed_assignment_is_refused_at_once(api: Api) -> None:
    _cache(api)
    assert api.get("/tasks", as_="vanthu").status_code == 200
    with Session(api.world.engine) as session:
        person_id = api.world.people["vanthu"]
        for assignment in session.exec(
            select(RoleAssignment).where(RoleAssignment.person_id == person_id)
        ):
            session.delete(assignment)
        session.commit()
    assert api.get("/tasks", as_="vanthu").status_code == 403


def test_an_assignment_ending_by_the_clock_is_judged_at_each_request(api: Api) -> None:
    _cache(api)
    with Session(api.world.engine) as session:
        assignment = session.get(RoleAssignment, api.world.assignment_ids["vanthu"])
        assert assignment is not None
        assignment.valid_until = api.clock.now() + timedelta(seconds=1)
        session.add(assignment)
        session.commit()
    assert api.get("/tasks", as_="vanthu").status_code == 200
    api.clock.at += timedelta(seconds=1)
    assert api.get("/tasks", as_="vanthu").status_code == 403


def test_the_metrics_count_the_caches_hits_and_misses(api: Api) -> None:
    _cache(api)
    api.get("/tasks", as_="vanthu")
    api.get("/tasks", as_="vanthu")
    body = api.client.get("/metrics").text
    assert 'hocba_read_cache_lookups_total{cache="tasks",outcome="hit"}' in body
    assert 'hocba_read_cache_lookups_total{cache="actor",outcome="miss"}' in body
