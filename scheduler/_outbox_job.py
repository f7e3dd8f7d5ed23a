"""The city exchange's delivery job: run on every tick and by ``hocba scheduler run-due``."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from workflow import CityExchange, DeliveryReport, UnitOfWork, WorkflowError, deliver_outbox

log = logging.getLogger("hocba.scheduler")


def deliver_city_exchange(
    engine: Engine, *, exchange: CityExchange | None, at: datetime
) -> DeliveryReport | None:
    """Send the outbox messages due at ``at``; None when the connector is off.

    A database failure is logged, not raised: the messages stay queued and the next tick
    sends them (the other jobs of the tick are not held up).
    """
    if exchange is None:
        return None
    try:
        return deliver_outbox(
            UnitOfWork(engine), client=exchange.client, now=at, policy=exchange.policy
        )
    except (WorkflowError, SQLAlchemyError):
        log.exception("city exchange: delivery failed this run; the next tick retries")
        return DeliveryReport()
