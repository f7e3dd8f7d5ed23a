"""The process's cache of actors and queues serves only what is still true."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
import threading
from datetime import timedelta

import psycopg
import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from domain.model import LoginFailure, Person
from tests.support.cli import DEMO_KEY_SETTINGS
from tests.support.world import BEFORE_LOCK, STAFF, SUBJECTS_6A1, World, evidence
from workflow import (
    InvalidCredentialsError,
    NotAuthenticatedError,
    ReadCache,
    SigningStep,
    TaskItem,
    authenticate,
    end_assignment,
    my_tasks,
    sign,
)
from workflow._change_feed import (
    ACCOUNT,
    ACCOUNTS,
    DATA,
    GENERATION,
    LOG_TABLES,
    change_scope,
    changes_data,
)
from workflow._change_listener import ChangeFeed, change_feed
from workflow._read_cache import _Cache

LISTENER_TIMEOUT = 10.0
"""The longest a test waits for the PostgreSQL listener (it normally answers in
milliseconds): a bound on a wait for an event, not a pause."""


def _items(items: list[TaskItem]) -> tuple[TaskItem, ...]:
    return tuple(items)


@pytest.fixture
def cache(world: World) -> ReadCache:
    read_cache = ReadCache(world.engine)
    assert read_cache.feed.wait_until_listening(LISTENER_TIMEOUT)
    return read_cache


def _queue(cache: ReadCache, world: World, username: str) -> tuple[TaskItem, ...]:
    actor = cache.actor(world.uow(), person_id=world.people[username], now=BEFORE_LOCK)
    return cache.tasks(world.uow(), actor=actor, now=BEFORE_LOCK, render=_items)


def test_a_repeated_queue_is_served_from_the_cache(cache: ReadCache, world: World) -> None:
    world.new_transcript()
    first = _queue(cache, world, "gvbm.toan")
    again = _queue(cache, world, "gvbm.toan")
    assert again is first
    assert cache.stats()[("tasks", "hit")] >= 1
    actor = world.actor("gvbm.toan")
    assert first == tuple(my_tasks(world.uow(), actor=actor, now=BEFORE_LOCK))


def test_a_signature_in_this_process_changes_the_cached_queue_at_once(
    cache: ReadCache, world: World
) -> None:
    tid = world.new_transcript()
    before = _queue(cache, world, "gvbm.toan")
    assert [item.transcript_ids for item in before] == [(tid,)]
    sign(
        world.uow(),
        transcript_id=tid,
        step=SigningStep.SUBJECT,
        subject_code="TOAN",
        actor=world.actor("gvbm.toan"),
        evidence=evidence("gvbm.toan"),
        now=BEFORE_LOCK,
    )
    assert _queue(cache, world, "gvbm.toan") == ()


def test_the_cache_never_serves_another_accounts_queue(cache: ReadCache, world: World) -> None:
    world.new_transcript()
    for code in SUBJECTS_6A1:
        username = f"gvbm.{code.lower()}"
        queue = _queue(cache, world, username)
        assert queue == tuple(my_tasks(world.uow(), actor=world.actor(username), now=BEFORE_LOCK))
        assert {item.subject_code for item in queue} == {code}


def test_a_closed_account_is_refused_at_once(cache: ReadCache, world: World) -> None:
    person_id = world.people["gvbm.toan"]
    cache.actor(world.uow(), person_id=person_id, now=BEFORE_LOCK)
    assert cache.cached_actor(person_id=person_id, now=BEFORE_LOCK) is not None
    with Session(world.engine) as session:
        person = session.get(Person, person_id)
        assert person is not None
        person.is_active = False
        session.add(person)
        session.commit()
    with pytest.raises(NotAuthenticatedError):
        cache.actor(world.uow(), person_id=person_id, now=BEFORE_LOCK)


def test_an_ended_assignment_is_reflected_at_once(cache: ReadCache, world: World) -> None:
    person_id = world.people["gvbm.toan"]
    assert cache.actor(world.uow(), person_id=person_id, now=BEFORE_LOCK).grants
    end_assignment(
        world.uow(),
        assignment_id=world.assignment_ids["gvbm.toan"],
        valid_until=BEFORE_LOCK - timedelta(days=1),
        handover_note="chuyển công tác",
        actor=world.actor("admin"),
        now=BEFORE_LOCK - timedelta(days=1),
    )
    assert cache.actor(world.uow(), person_id=person_id, now=BEFORE_LOCK).grants == ()


def test_an_assignment_ends_by_the_clock_without_a_write(cache: ReadCache, world: World) -> None:
    person_id = world.people["gvbm.toan"]
    end_assignment(
        world.uow(),
        assignment_id=world.assignment_ids["gvbm.toan"],
        valid_until=BEFORE_LOCK + timedelta(seconds=1),
        handover_note="chuyển công tác",
        actor=world.actor("admin"),
        now=BEFORE_LOCK,
    )
    assert cache.actor(world.uow(), person_id=person_id, now=BEFORE_LOCK).grants
    later = BEFORE_LOCK + timedelta(seconds=1)
    assert cache.cached_actor(person_id=person_id, now=later) is not None
    assert cache.actor(world.uow(), person_id=person_id, now=later).grants == ()


def test_a_failed_login_alone_keeps_the_cache(cache: ReadCache, world: World) -> None:
    _queue(cache, world, "gvbm.toan")
    generation = GENERATION.value
    with pytest.raises(InvalidCredentialsError):
        authenticate(world.uow(), username="gvbm.toan", password="sai", now=BEFORE_LOCK)
    with Session(world.engine) as session:
        assert len(session.exec(select(LoginFailure)).all()) == 1
    assert GENERATION.value == generation


def _close_in_another_process(world: World, person_id: int) -> None:
    url = world.engine.url.render_as_string(hide_password=False)
    script = (
        "import sys, sqlalchemy as sa\n"
        "from workflow import create_database_engine\n"
        "engine = create_database_engine(sys.argv[1])\n"
        "with engine.begin() as connection:\n"
        "    connection.execute(sa.text('UPDATE people SET is_active = false WHERE id = :id'),"
        " {'id': int(sys.argv[2])})\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOCBA_")}
    subprocess.run(
        [sys.executable, "-c", script, url, str(person_id)],
        env={**env, **DEMO_KEY_SETTINGS},
        check=True,
        timeout=120,
    )


def test_another_processs_write_reaches_the_cache(cache: ReadCache, world: World) -> None:
    person_id = world.people["gvbm.toan"]
    cache.actor(world.uow(), person_id=person_id, now=BEFORE_LOCK)
    generation = GENERATION.value
    _close_in_another_process(world, person_id)
    if world.engine.dialect.name == "postgresql":
        # The notification arrives on the listener's own connection, a moment after the commit.
        assert GENERATION.wait_past(generation, LISTENER_TIMEOUT)
    # SQLite: the extra connection's data_version has changed with the other commit.
    with pytest.raises(NotAuthenticatedError):
        cache.actor(world.uow(), person_id=person_id, now=BEFORE_LOCK)


def test_a_write_outside_any_unit_of_work_advances_the_generation(world: World) -> None:
    change_feed(world.engine)
    generation = GENERATION.value
    with world.engine.begin() as connection:
        connection.execute(sa.text("UPDATE schools SET name = name"))
    assert GENERATION.value > generation


def test_a_feed_that_cannot_listen_gives_no_stamp() -> None:
    # Port 9 (discard) has no PostgreSQL: the listener never connects, nothing is cached.
    unreachable = sa.create_engine("postgresql+psycopg://postgres@127.0.0.1:9/nothing")
    feed = ChangeFeed(unreachable)
    try:
        assert feed.stamp() is None
        assert not feed.wait_until_listening(0.2)
        assert feed.stamp() is None
    finally:
        feed.close()


@pytest.mark.parametrize(
    ("statement", "changes"),
    [
        ("SELECT * FROM transcripts", False),
        ("BEGIN IMMEDIATE", False),
        ("PRAGMA foreign_keys=ON", False),
        ("INSERT INTO audit_events (id) VALUES (1)", False),
        ('DELETE FROM "login_failures" WHERE username = ?', False),
        ("UPDATE transcripts SET status = 'x'", True),
        ("insert into people (username) values ('a')", True),
        ("DELETE FROM role_assignments", True),
        ('UPDATE "public"."people" SET is_active = false', True),
        ("WITH x AS (SELECT 1) UPDATE transcripts SET status = 'x'", True),
        ("TRUNCATE transcripts", True),
        ("ALTER TABLE people ADD COLUMN x int", True),
    ],
)
def test_which_statements_count_as_a_change(statement: str, changes: bool) -> None:
    assert changes_data(statement) is changes


def test_no_cached_read_touches_a_table_whose_writes_are_not_counted(world: World) -> None:
    world.new_transcript()
    statements: list[str] = []

    def seen(_conn: object, _cursor: object, statement: str, *_rest: object) -> None:
        statements.append(statement.lower())

    sa.event.listen(world.engine, "before_cursor_execute", seen)
    try:
        cache = ReadCache(world.engine)
        for username in STAFF:
            actor = cache.actor(world.uow(), person_id=world.people[username], now=BEFORE_LOCK)
            my_tasks(world.uow(), actor=actor, now=BEFORE_LOCK)
    finally:
        sa.event.remove(world.engine, "before_cursor_execute", seen)
    assert statements
    for table in LOG_TABLES:
        assert not [s for s in statements if re.search(rf"\b{table}\b", s)], table


def test_concurrent_misses_of_one_key_share_one_read() -> None:
    cache: _Cache[str] = _Cache(10)
    inside, release = threading.Event(), threading.Event()
    reads: list[str] = []

    def read() -> str:
        reads.append("read")
        inside.set()
        assert release.wait(LISTENER_TIMEOUT)
        return "queue"

    leader = threading.Thread(target=cache.get, args=("key", read))
    leader.start()
    assert inside.wait(LISTENER_TIMEOUT)
    answers: list[str] = []
    followers = [
        threading.Thread(target=lambda: answers.append(cache.get("key", read))) for _ in range(8)
    ]
    for follower in followers:
        follower.start()
    release.set()
    for thread in (leader, *followers):
        thread.join(LISTENER_TIMEOUT)
    assert reads == ["read"]
    assert answers == ["queue"] * 8


@pytest.mark.parametrize(
    ("statement", "scope"),
    [
        ("UPDATE transcripts SET status = 'x'", DATA),
        ("INSERT INTO transcript_signatures (id) VALUES (1)", DATA),
        ("UPDATE people SET is_active = false", ACCOUNT),
        ('INSERT INTO "role_assignments" (id) VALUES (1)', ACCOUNT),
        ("DELETE FROM role_assignments", ACCOUNT),
        ("UPDATE public.transcripts SET status = 'x'", ACCOUNT),
        ("TRUNCATE people", ACCOUNT),
        ("INSERT INTO audit_events (id) VALUES (1)", 0),
    ],
)
def test_only_people_and_assignments_change_who_someone_is(statement: str, scope: int) -> None:
    assert change_scope(statement) == scope


def test_a_signature_keeps_the_cached_account_and_drops_the_cached_queue(
    cache: ReadCache, world: World
) -> None:
    tid = world.new_transcript()
    person_id = world.people["gvbm.toan"]
    assert _queue(cache, world, "gvbm.toan")
    actor = cache.actor(world.uow(), person_id=person_id, now=BEFORE_LOCK)
    sign(
        world.uow(),
        transcript_id=tid,
        step=SigningStep.SUBJECT,
        subject_code="TOAN",
        actor=world.actor("gvbm.toan"),
        evidence=evidence("gvbm.toan"),
        now=BEFORE_LOCK,
    )
    assert cache.cached_tasks(actor=actor, now=BEFORE_LOCK, render=_items) is None
    if world.engine.dialect.name == "postgresql":
        assert cache.cached_actor(person_id=person_id, now=BEFORE_LOCK) == actor
    else:  # SQLite's data_version cannot tell which table changed: read again
        assert cache.cached_actor(person_id=person_id, now=BEFORE_LOCK) is None
    assert _queue(cache, world, "gvbm.toan") == ()


def test_another_processs_notification_says_whether_accounts_changed(
    cache: ReadCache, world: World
) -> None:
    if world.engine.dialect.name != "postgresql":
        # SQLite has no notifications: any other connection's commit changes both stamps.
        before = (cache.feed.stamp(), cache.feed.account_stamp())
        database = world.engine.url.database
        assert database is not None
        writer = sqlite3.connect(database)
        try:
            writer.execute("UPDATE schools SET name = name || '.'")
            writer.commit()
        finally:
            writer.close()
        assert cache.feed.stamp() != before[0] and cache.feed.account_stamp() != before[1]
        return
    url = world.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(url, autocommit=True) as other:
        data, accounts = GENERATION.value, ACCOUNTS.value
        other.execute("SELECT pg_notify('hocba_changes', '1 data')")
        assert GENERATION.wait_past(data, LISTENER_TIMEOUT)
        assert ACCOUNTS.value == accounts
        other.execute("NOTIFY hocba_changes")  # typed by hand: assume the worst
        assert ACCOUNTS.wait_past(accounts, LISTENER_TIMEOUT)
