"""The process's logging: text for people or JSON for a collector, always redacted.

Every record, the server's access log included, goes through ``Redactor``: bearer tokens
in paths (share links, lost-files downloads), personal ID numbers (12 digits) and phone
numbers (10 digits starting with 0) are masked before any handler sees them (REQ-17,
Decree 13/2023). Passwords and Authorization headers are never logged in the first place.
"""

from __future__ import annotations

import logging
import re
import sys
from typing import Any, TextIO

from pythonjsonlogger.json import JsonFormatter

_SECRET_PATHS = re.compile(
    r"(?P<head>/(?:chia-se|shared|lay-lai-hoc-ba/tai|lost-files/downloads)/)[^/\s?\"']+"
)
_PERSONAL_ID = re.compile(r"(?<!\d)(\d{3})\d{7}(\d{2})(?!\d)")
_PHONE = re.compile(r"(?<!\d)(0\d{2})\d{4}(\d{3})(?!\d)")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def redact(text: str) -> str:
    """``text`` with path tokens, personal IDs and phone numbers masked."""
    text = _SECRET_PATHS.sub(r"\g<head>[redacted]", text)
    text = _PERSONAL_ID.sub(r"\1*******\2", text)
    return _PHONE.sub(r"\1****\2", text)


class Redactor(logging.Filter):
    """Masks secrets and personal data in a record's message (arguments merged first)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a malformed record: log it as it came
            return True
        record.msg, record.args = redact(message), ()
        return True


def configure_logging(
    log_format: str, *, level: int = logging.INFO, stream: TextIO | None = None
) -> None:
    """Send every logger (uvicorn's, APScheduler's, ours) to ``stream`` (default stderr) in
    ``log_format``."""
    handler = logging.StreamHandler(stream or sys.stderr)
    formatter: logging.Formatter
    if log_format == "json":
        formatter = JsonFormatter(
            "%(asctime)s %(levelname)s %(name)s %(message)s",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
        )
    else:
        formatter = logging.Formatter(TEXT_FORMAT)
    handler.setFormatter(formatter)
    handler.addFilter(Redactor())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        named = logging.getLogger(name)
        named.handlers[:] = []
        named.propagate = True


def uvicorn_log_config() -> dict[str, Any]:
    """A uvicorn ``log_config`` that leaves uvicorn's loggers to ``configure_logging``."""
    return {"version": 1, "disable_existing_loggers": False}
