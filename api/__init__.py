"""HTTP only: the Litestar app, its handlers, and the real clock."""

from api._app import create_app
from api._clock import SystemClock
from workflow import Clock

__all__ = ["Clock", "SystemClock", "create_app"]
