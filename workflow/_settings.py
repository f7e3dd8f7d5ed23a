"""Settings, read from ``HOCBA_*`` environment variables (and a ``.env`` file if present)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Literal

from pydantic import SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


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
    recovery_code_minutes: int = 10
    """How long a lost-files one-time code may be entered (REQ-33)."""
    recovery_max_attempts: int = 5
    """Wrong lost-files codes after which the code is void."""
    recovery_codes_per_hour: int = 3
    """Lost-files requests for one personal ID per hour, matched or not."""
    recovery_requests_per_hour_per_address: int = 10
    """Lost-files requests from one client address per hour."""
    recovery_download_minutes: int = 30
    """How long the download page opened by a right lost-files code lasts."""
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
    log_format: Literal["text", "json"] = "text"
    """``json``: one JSON object per log line (for a log collector); ``text``: for people.
    Either way secrets, share-link tokens, personal IDs and phone numbers are redacted."""
    metrics_token: str | None = None
    """If set, ``GET /metrics`` (Prometheus) needs ``Authorization: Bearer <token>``; unset, it
    is open (restrict it at the reverse proxy). Metrics hold counts, never personal data."""
    backup_dirs: Annotated[tuple[Path, ...], NoDecode] = ()
    """Directories ``hocba backup`` writes each archive to (comma- or colon-separated), ideally
    on different disks and sites (REQ-17, REQ-30). ``--to`` replaces them for one run."""
    backup_key: SecretStr | None = None
    """The key backups are encrypted with (from ``hocba backup new-key``, or a passphrase of at
    least 20 characters). Prefer ``backup_key_file``: the environment is easier to leak."""
    backup_key_file: Path | None = None
    """A file holding the backup key (used when ``backup_key`` is unset)."""
    backup_keep: int = 30
    """Archives kept in each destination; older ones are removed after a successful write."""
    data_keys: SecretStr | None = None
    """The keys personal data is encrypted with at rest: ``id:base64key`` entries separated by
    commas (``hocba keys new``). The first one encrypts; every one decrypts what names its id.
    Required outside demo mode (demo mode: published demo keys)."""
    data_keys_file: Path | None = None
    """A file holding the ``data_keys`` entries, one or several per line (used when
    ``data_keys`` is unset)."""
    index_key: SecretStr | None = None
    """The HMAC key (base64, 32 bytes) of the blind indexes personal IDs and phone numbers are
    looked up by. Required with ``data_keys``; changing it needs a re-index."""
    index_key_file: Path | None = None
    """A file holding ``index_key`` (used when ``index_key`` is unset)."""

    access_read_multiple: float = 1.5
    """Access report (REQ-17): an account is flagged when the distinct students it read in the
    period exceed this multiple of the students its duties cover at the period's end."""
    access_reads_without_duty: int = 20
    """Access report: distinct students an account with no duty at the period's end may read
    in the period before it is flagged."""
    access_working_days: tuple[int, ...] = (1, 2, 3, 4, 5, 6)
    """Access report: ISO weekdays that are working days (1 = Monday … 7 = Sunday); reads on
    other days are outside working hours."""
    access_working_hours: tuple[int, int] = (6, 19)
    """Access report: working hours ``[start, end)`` in the school's ``timezone``; reads
    outside them are flagged."""

    @field_validator("backup_dirs", mode="before")
    @classmethod
    def _split_backup_dirs(cls, value: object) -> object:
        """``/a,/b`` or ``/a:/b`` from the environment; a list as is."""
        if isinstance(value, str):
            parts = value.replace(os.pathsep, ",").split(",")
            return tuple(Path(part.strip()) for part in parts if part.strip())
        return value

    city_url: str | None = None
    """Base address of the city transcript system's exchange API (docs/city-exchange.md).
    Unset: the connector is off; messages are still queued in the outbox and go out once
    it is set."""
    city_token: str | None = None
    """The bearer token the city issued to this system (sent as ``Authorization``)."""
    city_connect_timeout_seconds: float = 5.0
    """How long to wait for a connection to the city system."""
    city_timeout_seconds: float = 30.0
    """How long to wait for the city to answer one request (then it is retried later)."""
    outbox_max_attempts: int = 12
    """Attempts after which an undelivered message is dead (the Department may retry it)."""
    outbox_backoff_seconds: int = 30
    """The first retry's delay; each further one doubles, with jitter, up to the maximum."""
    outbox_backoff_max_seconds: int = 6 * 3600
    """The longest delay between two attempts of one message."""
    outbox_batch_size: int = 50
    """How many messages one worker claims at a time."""


def load_settings() -> Settings:
    """The settings of this process, from the environment."""
    return Settings()
