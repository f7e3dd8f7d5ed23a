"""Settings, read from ``HOCBA_*`` environment variables (and a ``.env`` file if present)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Everything an operator may configure. Every field maps to ``HOCBA_<FIELD>``."""

    model_config = SettingsConfigDict(env_prefix="HOCBA_", env_file=".env", frozen=True)

    database_url: str = "sqlite:///var/hocba.db"
    """SQLAlchemy URL; ``postgresql+psycopg://user@host/db`` for PostgreSQL in production."""
    data_dir: Path = Path("var")
    """Where the embedded database, the demo PKI and runtime files live."""
    timezone: str = "Asia/Ho_Chi_Minh"
    """The zone lock dates and due dates are expressed in."""
    demo: bool = False
    """Demo mode: seeds the demo school, prints demo logins. Never on in production."""
    host: str = "127.0.0.1"
    """Address ``hocba serve`` listens on."""
    port: int = 8000
    """Port ``hocba serve`` listens on."""
    database_echo: bool = False
    """Log every SQL statement (debugging only)."""
    scheduler: Literal["in-process", "off"] = "in-process"
    """``in-process``: ``hocba serve`` runs the scheduler too (one machine); ``off``: a separate
    ``hocba scheduler`` process runs it (several API instances; one of them leads at a time)."""
    reminder_days: tuple[int, ...] = (7, 3, 1)
    """Days before each lock date on which signers with pending work are reminded."""
    scheduler_tick_seconds: int = 300
    """How often the active scheduler checks for due work (lock times also get exact triggers)."""
    signing_session_minutes: int = 15
    """How long a prepared signing session may be completed (two-step signing)."""
    secret_key: str | None = None
    """Signs the API's bearer tokens (HS256), at least 32 characters. Required outside demo
    mode; in demo mode one is generated once and kept in ``<data_dir>/secret_key``."""
    token_ttl_seconds: int = 3600
    """How long a bearer token from ``POST /api/v1/auth/login`` stays valid."""
    login_max_failures: int = 5
    """Failed logins for one username within the window after which it is locked."""
    login_failure_window_seconds: int = 900
    """The window failed logins are counted in; the lock lifts when the oldest leaves it."""
    login_rate_limit_per_minute: int = 20
    """Login requests one client address may make per minute (429 beyond)."""
    verify_rate_limit_per_minute: int = 30
    """Uploads to ``POST /api/v1/verify`` one client address may make per minute (429 beyond)."""
    certificate_challenge_seconds: int = 300
    """How long a certificate login challenge may be answered."""
    trust_roots: Path | None = None
    """PEM bundle of the certification authorities whose certificates are trusted for
    signatures (``hocba verify``, the verification page, the seal's B-LT validation data, and
    every signer's certificate when signing). Unset in demo mode: the demo PKI's
    ``<data_dir>/pki/root-ca.pem``; unset otherwise: nothing is trusted and nothing is signed
    (``trust_roots_missing``) until it is set, and the server warns so at start-up."""
    public_url: str = "http://127.0.0.1:8000"
    """The site's public address: the QR code of a transcript's PDF opens
    ``<public_url>/xac-thuc?ma=<transcript id>``."""
    tsa_url: str | None = None
    """An RFC 3161 timestamp authority: PDF signatures are then B-T (the school seal B-LT).
    Unset: B-B (in demo mode the demo PKI's TSA stamps instead)."""


def load_settings() -> Settings:
    """The settings of this process, from the environment."""
    return Settings()
