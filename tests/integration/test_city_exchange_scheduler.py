"""The scheduler's tick delivers the outbox; a city that does not answer costs one call a run."""

from __future__ import annotations

from datetime import timedelta

from domain.model import TranscriptKind, TranscriptStatus
from scheduler import run_due
from tests.support.city_server import running_city
from tests.support.journeys import drive_to
from tests.support.outbox import FAST, client_for, messages
from tests.support.world import BEFORE_LOCK, World
from workflow import CityExchange, deliver_outbox
from workflow._notifier import CollectingNotifier

T0 = BEFORE_LOCK + timedelta(minutes=5)


def test_a_scheduler_run_delivers_what_is_due_and_says_so(world: World) -> None:
    drive_to(world, TranscriptKind.CA_NAM, TranscriptStatus.FINALIZED)
    with running_city() as city:
        report = run_due(
            world.engine,
            at=T0,
            notifier=CollectingNotifier(),
            reminder_days=(),
            timezone="Asia/Ho_Chi_Minh",
            exchange=CityExchange(client=client_for(city), policy=FAST),
        )

    assert "city exchange: 4 delivered, 0 to retry, 0 dead, 0 left for the next run" in (
        report.lines()
    )
    assert len(city.record.applied) == 4


def test_a_scheduler_run_without_a_connector_leaves_the_messages_queued(world: World) -> None:
    drive_to(world, TranscriptKind.CA_NAM, TranscriptStatus.FINALIZED)

    report = run_due(
        world.engine,
        at=T0,
        notifier=CollectingNotifier(),
        reminder_days=(),
        timezone="Asia/Ho_Chi_Minh",
    )

    assert report.city_exchange is None
    assert [str(m.state) for m in messages(world.engine)] == ["pending"] * 4


def test_a_city_that_does_not_answer_costs_one_attempt_per_run(world: World) -> None:
    for _ in range(3):
        drive_to(world, TranscriptKind.CA_NAM, TranscriptStatus.FINALIZED)
    with running_city() as closed:
        pass  # once stopped, nothing listens on its port any more

    report = deliver_outbox(world.uow(), client=client_for(closed), now=T0, policy=FAST)

    assert len(report.retrying) == 1 and len(report.deferred) == 2
    attempts = sorted(m.attempts for m in messages(world.engine))
    assert attempts == [0] * 11 + [1]
    assert all(m.claim_token is None and m.claimed_until is None for m in messages(world.engine))
    failed = next(m for m in messages(world.engine) if m.attempts == 1)
    assert (failed.last_error or "").startswith("no answer")
