"""Reading the outbox in tests, and a delivery client and policy pointed at a fake city."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from domain.model import OutboxMessage
from tests.support.city_server import TOKEN, FakeCity
from workflow import CityClient, DeliveryPolicy

FAST = DeliveryPolicy(max_attempts=5, backoff_seconds=30, backoff_max_seconds=3600, batch_size=20)
"""The tests' policy: the delays are the production ones in kind, the counts smaller."""


def messages(engine: Engine) -> list[OutboxMessage]:
    """Every outbox message, in id order."""
    with Session(engine) as session:
        return list(session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))).all())


def kinds_of(engine: Engine, transcript_id: str) -> list[str]:
    """The kinds queued for one transcript version, in delivery order."""
    return [str(m.kind) for m in messages(engine) if m.transcript_id == transcript_id]


def client_for(city: FakeCity, *, timeout: float = 10.0) -> CityClient:
    """A client of ``city`` with its token (``timeout``: how long an answer may take)."""
    return CityClient(base_url=city.url, token=TOKEN, connect_timeout=timeout, timeout=timeout)
