"""The secret that signs bearer tokens: from the settings, or generated once in demo mode."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from workflow import Settings

MIN_SECRET_LENGTH = 32
"""HS256 wants a key at least as long as the hash (RFC 7518 §3.2)."""
SECRET_FILE = "secret_key"  # noqa: S105  (a file name, not a secret)


class SecretKeyError(Exception):
    """No usable token secret: ``HOCBA_SECRET_KEY`` is missing or too short outside demo mode."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def token_secret(settings: Settings) -> str:
    """``HOCBA_SECRET_KEY``; in demo mode without one, ``<data_dir>/secret_key`` (made once)."""
    if settings.secret_key is not None:
        if len(settings.secret_key) < MIN_SECRET_LENGTH:
            raise SecretKeyError(
                f"HOCBA_SECRET_KEY must be at least {MIN_SECRET_LENGTH} characters long"
            )
        return settings.secret_key
    if not settings.demo:
        raise SecretKeyError(
            "set HOCBA_SECRET_KEY (at least 32 random characters, e.g. from "
            "`python -c 'import secrets; print(secrets.token_urlsafe(48))'`)"
        )
    return _demo_secret(Path(settings.data_dir) / SECRET_FILE)


def _demo_secret(path: Path) -> str:
    if path.exists():
        kept = path.read_text(encoding="ascii").strip()
        if len(kept) >= MIN_SECRET_LENGTH:
            return kept
    path.parent.mkdir(parents=True, exist_ok=True)
    made = secrets.token_urlsafe(48)
    # Created readable by the owner only; a second process starting at once may overwrite it
    # with its own, which only logs out tokens issued in that instant.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as file:
        file.write(made + "\n")
    return made
