"""What every handler is given: a unit of work, the app clock's ``now``, the caller's Actor."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from litestar import Request
from litestar.datastructures import State
from litestar.di import Provide

from workflow import Actor, Clock, UnitOfWork


def _uow(state: State) -> UnitOfWork:
    return UnitOfWork(state.engine)


def _now(state: State) -> datetime:
    clock: Clock = state.clock
    return clock.now()


def _actor(request: Request[Actor, Any, Any]) -> Actor:
    return request.user


DEPENDENCIES = {
    "uow": Provide(_uow, sync_to_thread=False),
    "now": Provide(_now, sync_to_thread=False),
    "actor": Provide(_actor, sync_to_thread=False),
}
"""Registered on the API router; ``actor`` only where the bearer middleware ran."""
