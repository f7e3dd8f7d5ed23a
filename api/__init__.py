"""HTTP only: the Litestar app, its handlers, auth, problem details, and the real clock."""

from api._app import API_PREFIX, create_app
from api._clock import SystemClock
from api._keys import SecretKeyError
from api._problems import PROBLEM_MEDIA_TYPE, problem_type
from workflow import Clock

__all__ = [
    "API_PREFIX",
    "PROBLEM_MEDIA_TYPE",
    "Clock",
    "SecretKeyError",
    "SystemClock",
    "create_app",
    "problem_type",
]
