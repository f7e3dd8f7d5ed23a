"""Password login: a token on success, one vague 401 otherwise, a lockout, a rate limit."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from litestar.testing import TestClient

from api import create_app
from tests.api.conftest import (
    PASSWORD,
    Api,
    SettableClock,
    assert_problem,
    close_account,
    set_password,
    settings,
)
from tests.support.world import World

LOGIN = "/api/v1/auth/login"


@pytest.fixture
def client(world: World, clock: SettableClock) -> Iterator[TestClient[Any]]:
    """An app whose rate limit does not get in the way of the lockout tests."""
    set_password(world, "hieutruong")
    app = create_app(
        settings=settings(login_rate_limit_per_minute=1000, login_max_failures=3),
        engine=world.engine,
        clock=clock,
    )
    with TestClient(app) as test_client:
        yield test_client


def _login(client: TestClient[Any], username: str, password: str) -> Any:
    return client.post(LOGIN, json={"username": username, "password": password})


def test_a_correct_password_gives_a_bearer_token_that_opens_the_api(
    client: TestClient[Any],
) -> None:
    response = _login(client, "hieutruong", PASSWORD)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "bearer" and body["expires_in"] == 3600
    tasks = client.get("/api/v1/tasks", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert tasks.status_code == 200


def test_the_username_is_not_case_sensitive(client: TestClient[Any]) -> None:
    assert _login(client, "HieuTruong", PASSWORD).status_code == 200


def test_a_wrong_password_an_unknown_user_and_a_closed_account_look_the_same(
    client: TestClient[Any], world: World
) -> None:
    set_password(world, "vanthu")
    close_account(world, "vanthu")
    bodies = [
        assert_problem(_login(client, user, password), 401, "invalid_credentials")
        for user, password in (
            ("hieutruong", "sai-mat-khau"),
            ("khong.ton.tai", PASSWORD),
            ("vanthu", PASSWORD),
        )
    ]
    assert len({(b["detail"], b["detail_vi"], b["title"]) for b in bodies}) == 1


def test_an_account_without_a_password_cannot_log_in_with_one(client: TestClient[Any]) -> None:
    assert_problem(_login(client, "gvcn.6a1", ""), 422, "invalid_input")
    assert_problem(_login(client, "gvcn.6a1", "anything"), 401, "invalid_credentials")


def test_repeated_failures_lock_the_username_even_for_the_right_password(
    client: TestClient[Any],
) -> None:
    for _ in range(3):
        assert_problem(_login(client, "hieutruong", "sai"), 401, "invalid_credentials")
    locked = _login(client, "hieutruong", PASSWORD)
    body = assert_problem(locked, 429, "login_locked")
    assert int(locked.headers["retry-after"]) == 15 * 60 + 1
    assert body["detail_vi"]


def test_the_lockout_holds_in_another_process_of_the_api(
    client: TestClient[Any], world: World, clock: SettableClock
) -> None:
    for _ in range(3):
        _login(client, "hieutruong", "sai")
    other = create_app(settings=settings(login_max_failures=3), engine=world.engine, clock=clock)
    with TestClient(other) as second:
        assert_problem(_login(second, "hieutruong", PASSWORD), 429, "login_locked")


def test_the_lock_lifts_when_the_failures_leave_the_window(
    client: TestClient[Any], clock: SettableClock
) -> None:
    for _ in range(3):
        _login(client, "hieutruong", "sai")
    clock.at += timedelta(minutes=15, seconds=1)
    assert _login(client, "hieutruong", PASSWORD).status_code == 200


def test_a_success_forgets_the_earlier_failures(client: TestClient[Any]) -> None:
    for _ in range(2):
        _login(client, "hieutruong", "sai")
    assert _login(client, "hieutruong", PASSWORD).status_code == 200
    for _ in range(2):
        _login(client, "hieutruong", "sai")
    assert _login(client, "hieutruong", PASSWORD).status_code == 200


def test_an_unknown_username_is_locked_too_so_a_lock_tells_nothing(
    client: TestClient[Any],
) -> None:
    for _ in range(3):
        _login(client, "khong.ton.tai", "sai")
    assert_problem(_login(client, "khong.ton.tai", "sai"), 429, "login_locked")


def test_too_many_login_requests_from_one_address_get_429(
    world: World, clock: SettableClock
) -> None:
    app = create_app(
        settings=settings(login_rate_limit_per_minute=3), engine=world.engine, clock=clock
    )
    with TestClient(app) as client:
        for n in range(3):
            _login(client, f"ai-do-{n}", "sai")
        limited = _login(client, "hieutruong", PASSWORD)
    assert_problem(limited, 429, "too_many_requests")
    assert "ratelimit-reset" in {k.lower() for k in limited.headers}


def test_a_login_with_a_control_character_in_the_username_is_invalid_input(
    client: TestClient[Any],
) -> None:
    body = assert_problem(_login(client, "hieu\x00truong", PASSWORD), 422, "invalid_input")
    assert body["field"] == "username"


def test_login_needs_both_fields(client: TestClient[Any]) -> None:
    body = assert_problem(client.post(LOGIN, json={"username": "hieutruong"}), 422, "invalid_input")
    assert body["field"] == "password"


def test_the_api_fixture_logins_are_issued_by_the_same_issuer(api: Api) -> None:
    assert api.get("/tasks", as_="gvbm.toan").status_code == 200
