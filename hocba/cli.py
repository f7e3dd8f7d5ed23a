"""The ``hocba`` console command (contracts.md)."""

from __future__ import annotations

import sys

import click
from sqlmodel import Session

from api import SystemClock, create_app
from workflow import Settings, create_database_engine, load_settings, verify_audit_chain
from workflow._migrations import upgrade


def _settings() -> Settings:
    return load_settings()


@click.group()
def main() -> None:
    """hocba: digital school transcripts (học bạ số) and the tracking book behind them."""


@main.group()
def db() -> None:
    """The database schema."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Apply every pending migration."""
    settings = _settings()
    engine = create_database_engine(settings.database_url)
    upgrade(engine)
    click.echo(f"database at {engine.url.render_as_string(hide_password=True)} is up to date")


@main.group()
def audit() -> None:
    """The audit log."""


@audit.command("verify")
def audit_verify() -> None:
    """Check the audit log's hash chain; exit 1 naming the first altered entry."""
    settings = _settings()
    engine = create_database_engine(settings.database_url)
    with Session(engine) as session:
        report = verify_audit_chain(session)
    if report.ok:
        click.echo(f"audit log intact: {report.entries} entries")
        return
    click.echo(f"audit log BROKEN at {report.first_break}", err=True)
    sys.exit(1)


@main.command()
@click.option("--host", default=None, help="Address to listen on (default HOCBA_HOST).")
@click.option("--port", default=None, type=int, help="Port to listen on (default HOCBA_PORT).")
def serve(host: str | None, port: int | None) -> None:
    """Migrate, then serve the API and web pages."""
    import uvicorn  # noqa: PLC0415  (only the server needs it)

    settings = _settings()
    engine = create_database_engine(settings.database_url)
    upgrade(engine)
    app = create_app(settings=settings, engine=engine, clock=SystemClock())
    uvicorn.run(app, host=host or settings.host, port=port or settings.port, log_level="info")
