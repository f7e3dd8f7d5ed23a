"""The Litestar application factory."""

from __future__ import annotations

from litestar import Litestar
from litestar.datastructures import State
from sqlalchemy.engine import Engine

from api._clock import SystemClock
from api._health import health
from workflow import Clock, Settings


def create_app(*, settings: Settings, engine: Engine, clock: Clock | None = None) -> Litestar:
    """The HTTP application over ``engine`` (schema already migrated)."""
    return Litestar(
        route_handlers=[health],
        state=State({"engine": engine, "settings": settings, "clock": clock or SystemClock()}),
        debug=False,
    )
