"""Sending messages to people: a pluggable sender; in demo mode the log is the channel."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Message:
    """A message for one person (already recorded in the database when it is sent)."""

    person_id: int
    username: str
    subject: str
    body: str
    due_at: datetime | None = None


class Notifier(Protocol):
    """Delivers messages (e-mail, SMS, the city's messaging service …)."""

    def send(self, message: Message) -> None:
        """Deliver ``message``; raise if it could not be handed over."""
        ...


class LogNotifier:
    """Writes each message to the log: the demo's sender, and a safe default."""

    def __init__(self, logger: logging.Logger | None = None) -> None:
        self._log = logger or logging.getLogger("hocba.notifications")

    def send(self, message: Message) -> None:
        """Log the message."""
        self._log.info(
            "notification to %s: %s — %s", message.username, message.subject, message.body
        )


class CollectingNotifier:
    """Keeps the messages it is given (operations scripts and tests read them back)."""

    def __init__(self) -> None:
        self.sent: list[Message] = []

    def send(self, message: Message) -> None:
        """Keep the message."""
        self.sent.append(message)
