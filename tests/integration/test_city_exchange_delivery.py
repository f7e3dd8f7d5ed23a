"""Delivering the outbox to a real HTTP server on 127.0.0.1 that fails, stalls and repeats."""

from __future__ import annotations

import threading
import uuid
from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from domain.model import CityRegistration, OutboxState, TranscriptKind, TranscriptStatus
from tests.support.city_server import MINISTRY_NAMESPACE, Behaviour, running_city
from tests.support.journeys import drive_to, fire
from tests.support.outbox import FAST, client_for, messages
from tests.support.world import BEFORE_LOCK, World
from workflow import (
    CityClient,
    DeliveryPolicy,
    NotFoundError,
    OutboxNotDeadError,
    Settings,
    backoff_delay,
    deliver_outbox,
    list_outbox,
    retry_outbox_message,
)

T0 = BEFORE_LOCK + timedelta(minutes=5)


def finalized(world: World) -> str:
    return drive_to(world, TranscriptKind.CA_NAM, TranscriptStatus.FINALIZED)


def states(engine: Engine) -> list[str]:
    return [str(m.state) for m in messages(engine)]


def first_n(failing: set[int], how: Behaviour) -> object:
    """A behaviour: requests numbered in ``failing`` misbehave as ``how``, the rest are ok."""

    def behaviour(n: int, _key: str) -> Behaviour:
        return how if n in failing else "ok"

    return behaviour


def test_a_finalized_transcript_reaches_the_city_and_the_ministry_in_order(world: World) -> None:
    transcript_id = finalized(world)
    with running_city() as city:
        report = deliver_outbox(world.uow(), client=client_for(city), now=T0, policy=FAST)

    queued = messages(world.engine)
    assert len(report.delivered) == 4 and report.retrying == report.dead == ()
    assert states(world.engine) == ["delivered"] * 4
    assert all(m.delivered_at == T0 and m.attempts == 1 for m in queued)
    assert [(key, method) for key, method, _path in city.record.receipts] == [
        (m.idempotency_key, method)
        for m, method in zip(queued, ["POST", "PUT", "POST", "POST"], strict=True)
    ]
    ministry_uuid = str(uuid.uuid5(MINISTRY_NAMESPACE, transcript_id))
    with Session(world.engine) as session:
        registration = session.get(CityRegistration, transcript_id)
    assert registration is not None and registration.ministry_uuid == ministry_uuid
    assert city.record.relayed == {transcript_id: ministry_uuid}  # the relay used the UUID
    assert city.record.documents[transcript_id] == queued[0].document_sha256
    assert city.record.registrations[transcript_id]["personal_id"] == queued[0].personal_id


def test_a_failed_call_waits_for_its_backoff_and_holds_back_the_later_messages(
    world: World,
) -> None:
    finalized(world)
    with running_city(first_n({1}, "fail")) as city:  # type: ignore[arg-type]
        client = client_for(city)
        first = deliver_outbox(world.uow(), client=client, now=T0, policy=FAST)
        create = messages(world.engine)[0]
        again_too_soon = deliver_outbox(world.uow(), client=client, now=T0, policy=FAST)
        later = deliver_outbox(world.uow(), client=client, now=create.next_attempt_at, policy=FAST)

    assert first.retrying == (create.id,) and first.delivered == ()
    assert create.last_status == 500 and create.attempts == 1
    assert create.next_attempt_at == T0 + backoff_delay(create.idempotency_key, 1, policy=FAST)
    assert again_too_soon.delivered == again_too_soon.retrying == ()
    assert len(later.delivered) == 4
    assert len(city.keys_received()) == 5  # the 500, then four that went through


def test_an_answer_lost_after_the_city_applied_the_message_is_acknowledged_as_a_repeat(
    world: World,
) -> None:
    transcript_id = finalized(world)
    with running_city(first_n({1}, "fail_after")) as city:  # type: ignore[arg-type]
        client = client_for(city)
        deliver_outbox(world.uow(), client=client, now=T0, policy=FAST)
        retry_at = messages(world.engine)[0].next_attempt_at
        deliver_outbox(world.uow(), client=client, now=retry_at, policy=FAST)

    create = messages(world.engine)[0]
    received = city.keys_received()
    assert received.count(create.idempotency_key) == 2  # the city saw it twice …
    assert create.last_status == 409 and str(create.state) == "delivered"  # … applied it once
    assert set(city.record.applied) == {m.idempotency_key for m in messages(world.engine)}
    assert city.record.relayed == {
        transcript_id: str(uuid.uuid5(MINISTRY_NAMESPACE, transcript_id))
    }


def test_a_city_slower_than_the_timeout_gets_the_message_again_and_applies_it_once(
    world: World,
) -> None:
    finalized(world)
    with running_city(first_n({1}, "hang")) as city:  # type: ignore[arg-type]
        # The first answer is held until the test releases it, so the client's short
        # timeout runs out whatever the machine's speed.
        first = deliver_outbox(
            world.uow(), client=client_for(city, timeout=0.3), now=T0, policy=FAST
        )
        assert city.hanging.is_set()
        city.release.set()
        timed_out = messages(world.engine)[0]
        deliver_outbox(
            world.uow(), client=client_for(city), now=timed_out.next_attempt_at, policy=FAST
        )

    create = messages(world.engine)[0]
    assert len(first.retrying) == 1 and timed_out.last_status is None
    assert (timed_out.last_error or "").startswith("timeout")
    assert states(world.engine) == ["delivered"] * 4
    assert city.keys_received().count(create.idempotency_key) == 2
    assert len(city.record.applied) == 4


def test_a_message_the_city_refuses_is_dead_at_once_and_waits_for_the_department(
    world: World,
) -> None:
    transcript_id = finalized(world)
    with running_city(first_n({1}, "refuse")) as city:  # type: ignore[arg-type]
        client = client_for(city)
        report = deliver_outbox(world.uow(), client=client, now=T0, policy=FAST)
        stuck = deliver_outbox(world.uow(), client=client, now=T0 + timedelta(days=30), policy=FAST)

        officer = world.actor("so.gddt", T0)
        dead = list_outbox(world.uow(), actor=officer, now=T0, state="dead")
        other_city = list_outbox(world.uow(), actor=world.actor("so.khac", T0), now=T0)
        with pytest.raises(NotFoundError):
            retry_outbox_message(
                world.uow(), message_id=dead[0].id, actor=world.actor("so.khac", T0), now=T0
            )
        retried = retry_outbox_message(world.uow(), message_id=dead[0].id, actor=officer, now=T0)
        with pytest.raises(OutboxNotDeadError):
            retry_outbox_message(world.uow(), message_id=dead[0].id, actor=officer, now=T0)
        after = deliver_outbox(world.uow(), client=client, now=T0, policy=FAST)

    assert len(report.dead) == 1 and report.delivered == ()
    assert stuck.delivered == ()  # the later messages wait behind the dead one
    assert [(v.kind, v.transcript_id, v.last_status) for v in dead] == [
        ("register_create", transcript_id, 422)
    ]
    assert "refused by the test" in (dead[0].last_error or "")
    assert dead[0].personal_id_masked.count("*") == 7
    assert other_city == []
    assert retried.state == "pending" and retried.attempts == 0
    assert len(after.delivered) == 4
    assert states(world.engine) == ["delivered"] * 4


def test_a_message_that_keeps_failing_is_dead_after_the_last_attempt(world: World) -> None:
    finalized(world)
    policy = DeliveryPolicy(max_attempts=3, backoff_seconds=30, batch_size=5)
    with running_city(lambda _n, _k: "fail") as city:
        client = client_for(city)
        now = T0
        reports = []
        for _ in range(3):
            reports.append(deliver_outbox(world.uow(), client=client, now=now, policy=policy))
            now = messages(world.engine)[0].next_attempt_at

    create = messages(world.engine)[0]
    assert [(len(r.retrying), len(r.dead)) for r in reports] == [(1, 0), (1, 0), (0, 1)]
    assert create.attempts == 3 and str(create.state) == "dead"
    assert states(world.engine) == ["dead", "pending", "pending", "pending"]


def test_a_superseded_version_is_cancelled_after_its_registration_went_through(
    world: World,
) -> None:
    transcript_id = finalized(world)
    fire(world, transcript_id, "revoke", who="hieutruong", at=BEFORE_LOCK)
    with running_city() as city:
        report = deliver_outbox(world.uow(), client=client_for(city), now=T0, policy=FAST)

    assert len(report.delivered) == 5
    assert city.keys_received()[-1] == f"hocba:register_cancel:{transcript_id}"
    assert city.record.cancelled == {transcript_id}
    with Session(world.engine) as session:
        registration = session.get(CityRegistration, transcript_id)
    assert registration is not None and registration.cancelled_at == T0


def test_without_a_city_address_the_connector_is_off_and_messages_stay_queued(
    world: World,
) -> None:
    finalized(world)

    assert CityClient.from_settings(Settings(city_url=None)) is None
    assert states(world.engine) == [OutboxState.PENDING.value] * 4


def test_the_backoff_doubles_up_to_its_ceiling_with_a_repeatable_jitter() -> None:
    policy = DeliveryPolicy(backoff_seconds=30, backoff_max_seconds=600)
    delays = [backoff_delay("hocba:x:1", n, policy=policy).total_seconds() for n in range(1, 9)]

    ceilings = [30, 60, 120, 240, 480, 600, 600, 600]
    assert all(c / 2 <= d <= c for d, c in zip(delays, ceilings, strict=True))
    assert delays == [
        backoff_delay("hocba:x:1", n, policy=policy).total_seconds() for n in range(1, 9)
    ]
    assert backoff_delay("hocba:x:2", 3, policy=policy) != backoff_delay(
        "hocba:x:1", 3, policy=policy
    )


def test_two_workers_at_once_send_every_message_exactly_once(world: World) -> None:
    for _ in range(6):
        finalized(world)
    with running_city() as city:
        start = threading.Barrier(2)
        reports = []

        def worker() -> None:
            client = client_for(city)
            start.wait()
            reports.append(
                deliver_outbox(
                    world.uow(),
                    client=client,
                    now=T0,
                    policy=DeliveryPolicy(batch_size=2),
                )
            )

        threads = [threading.Thread(target=worker) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)

    keys = [m.idempotency_key for m in messages(world.engine)]
    received = city.keys_received()
    assert sorted(received) == sorted(keys)  # every message sent once: no repeat at all
    assert states(world.engine) == ["delivered"] * 24
    assert sorted(i for r in reports for i in r.delivered) == sorted(
        m.id or 0 for m in messages(world.engine)
    )


def test_a_second_worker_leaves_alone_what_the_first_holds_while_its_call_is_in_flight(
    world: World,
) -> None:
    first_id, second_id = finalized(world), finalized(world)
    with running_city(first_n({1}, "hang")) as city:  # type: ignore[arg-type]
        held: list[object] = []
        worker = threading.Thread(
            target=lambda: held.append(
                deliver_outbox(
                    world.uow(), client=client_for(city), now=T0, policy=DeliveryPolicy()
                )
            )
        )
        worker.start()
        assert city.hanging.wait(timeout=60)  # the first worker's first call is in flight
        other = deliver_outbox(world.uow(), client=client_for(city), now=T0, policy=FAST)
        city.release.set()
        worker.join(timeout=60)

    received = city.keys_received()
    assert other.delivered == ()  # both versions' first messages are claimed by the first
    assert sorted(received) == sorted(m.idempotency_key for m in messages(world.engine))
    assert received[0] in (
        f"hocba:register_create:{first_id}",
        f"hocba:register_create:{second_id}",
    )
    assert states(world.engine) == ["delivered"] * 8
