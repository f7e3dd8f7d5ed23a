"""``hocba backup`` and ``hocba restore`` (docs/operations.md, "Backups and restore")."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click

from domain.signatures import TrustRootsError, TrustSettings, load_trust_roots
from workflow import (
    BackupError,
    BackupKey,
    RestoredCheck,
    RestoreReport,
    Settings,
    check_archive,
    create_backup,
    create_database_engine,
    load_backup_key,
    load_settings,
    new_key_text,
    restore_backup,
    verify_restored,
)

# ``api`` (for the real clock) is imported inside the commands, as in hocba.cli.


def _backup_key(settings: Settings, key_file: str | None) -> BackupKey:
    """The backup key (``--key-file``, else the settings); exit 2 without a usable one."""
    try:
        return load_backup_key(
            text=None if settings.backup_key is None else settings.backup_key.get_secret_value(),
            file=settings.backup_key_file,
            option_file=None if key_file is None else Path(key_file),
        )
    except BackupError as error:
        click.echo(error.message, err=True)
        sys.exit(2)


@click.group(invoke_without_command=True)
@click.option(
    "--to",
    "destinations",
    multiple=True,
    help="A destination directory (repeatable; default HOCBA_BACKUP_DIRS).",
)
@click.option("--keep", type=int, default=None, help="Archives kept per destination.")
@click.pass_context
def backup(context: click.Context, destinations: tuple[str, ...], keep: int | None) -> None:
    """Back up the database (signed files included), encrypted, to every destination.

    Exit 0 when every destination was written, 1 when one was not or the backup failed,
    2 for unusable settings (no destination, no key).
    """
    if context.invoked_subcommand is not None:
        return
    from api import SystemClock  # noqa: PLC0415

    settings = load_settings()
    key = _backup_key(settings, None)
    targets = [Path(d) for d in destinations] or list(settings.backup_dirs)
    if not targets:
        click.echo("no backup destination: pass --to DIR or set HOCBA_BACKUP_DIRS", err=True)
        sys.exit(2)
    engine = create_database_engine(settings.database_url)
    try:
        report = create_backup(
            engine,
            destinations=targets,
            key=key,
            now=SystemClock().now(),
            keep=settings.backup_keep if keep is None else keep,
        )
    except BackupError as error:
        click.echo(f"backup failed: {error.message}", err=True)
        sys.exit(1)
    finally:
        engine.dispose()
    manifest = report.manifest
    click.echo(
        f"backup {report.name}: {report.size} bytes, SHA-256 {report.sha256}; "
        f"{manifest.database_kind} at migration {manifest.migration_head}, "
        f"{sum(manifest.row_counts.values())} rows in {len(manifest.row_counts)} tables"
    )
    for path in report.written:
        click.echo(f"  written: {path}")
    for path in report.removed:
        click.echo(f"  removed (retention): {path}")
    for path, why in report.failed:
        click.echo(f"  NOT written to {path}: {why}", err=True)
    if not report.ok:
        sys.exit(1)


@backup.command("new-key")
def backup_new_key() -> None:
    """Print a new random backup key (keep it in a file named by HOCBA_BACKUP_KEY_FILE)."""
    click.echo(new_key_text())


@backup.command("check")
@click.argument("archive")
@click.option("--key-file", default=None, help="The key file (default: the settings' key).")
def backup_check(archive: str, key_file: str | None) -> None:
    """Decrypt ARCHIVE and check every member against its manifest; restore nothing.

    Exit 0 intact, 1 refused (altered, damaged, another key), 2 no usable key.
    """
    key = _backup_key(load_settings(), key_file)
    try:
        manifest = check_archive(Path(archive), key=key)
    except BackupError as error:
        click.echo(error.message, err=True)
        sys.exit(1)
    members = ", ".join(f"{m.name} ({m.size} bytes)" for m in manifest.members)
    click.echo(
        f"{archive}: intact; made {manifest.created_at.isoformat()} by hocba "
        f"{manifest.hocba_version}, {manifest.database_kind} at migration "
        f"{manifest.migration_head}, {sum(manifest.row_counts.values())} rows; {members}"
    )


def _restore_trust(settings: Settings, option: str | None) -> TrustSettings:
    """--trust-roots, else HOCBA_TRUST_ROOTS, else (demo mode) the demo root; exit 2 without."""
    if option is not None:
        roots_file: Path | None = Path(option)
    elif settings.trust_roots is not None:
        roots_file = settings.trust_roots
    else:
        roots_file = settings.data_dir / "pki" / "root-ca.pem" if settings.demo else None
    if roots_file is None:
        click.echo(
            "the signatures are verified after the restore: pass --trust-roots PEM or set "
            "HOCBA_TRUST_ROOTS",
            err=True,
        )
        sys.exit(2)
    try:
        # Our own files, not uploads: each may take its time over its certificate checks.
        return TrustSettings(
            trust_roots=load_trust_roots(roots_file.read_bytes()), fetch_timeout=5, deadline=60
        )
    except (OSError, TrustRootsError) as error:
        click.echo(f"cannot use the trust roots {roots_file}: {error}", err=True)
        sys.exit(2)


def _print_restore(archive: str, target: str, report: RestoreReport, check: RestoredCheck) -> bool:
    """Print what was restored and verified; whether everything held."""
    manifest = report.manifest
    label = create_database_engine(target).url.render_as_string(hide_password=True)
    click.echo(
        f"restored {archive} (made {manifest.created_at.isoformat()}, "
        f"{manifest.database_kind}, migration {manifest.migration_head}) into {label}"
    )
    if report.upgraded_from is not None:
        click.echo(f"schema migrated from {report.upgraded_from} to this version's head")
    for table, (expected, found) in sorted(report.row_count_mismatches.items()):
        click.echo(f"  ROWS DIFFER in {table}: {found} restored, {expected} backed up", err=True)
    if not report.row_count_mismatches:
        click.echo(f"rows: {sum(manifest.row_counts.values())}, every table as backed up")
    if check.audit.ok:
        click.echo(f"audit log intact: {check.audit.entries} entries")
    else:
        click.echo(f"audit log BROKEN at {check.audit.first_break}", err=True)
    click.echo(
        f"signatures verified: {check.xml_verified} XML, {check.pdf_verified} PDF "
        f"({check.complete} of them the complete files of issued transcripts); "
        f"{check.other_files} other files match their digests"
    )
    if check.failures:
        click.echo(f"{len(check.failures)} stored files did NOT verify:", err=True)
        for failure in check.failures:
            click.echo(f"  {failure.kind} {failure.sha256}: {failure.reason}", err=True)
    return check.ok and not report.row_count_mismatches


def _progress(done: int, total: int) -> None:
    """Every twentieth of the way (a city's files take hours to verify)."""
    if done == total or done % max(total // 20, 1) == 0:
        click.echo(f"verifying stored files: {done}/{total}", err=True)


@click.command()
@click.argument("archive")
@click.option(
    "--database-url", default=None, help="The empty target database (default HOCBA_DATABASE_URL)."
)
@click.option("--key-file", default=None, help="The key file (default: the settings' key).")
@click.option(
    "--trust-roots",
    "trust_roots",
    default=None,
    help="PEM bundle of trusted CAs for the check (default HOCBA_TRUST_ROOTS; demo: its root).",
)
def restore(
    archive: str, database_url: str | None, key_file: str | None, trust_roots: str | None
) -> None:
    """Restore ARCHIVE into an empty database, then verify the audit chain and every stored
    signed XML and PDF.

    Exit 0 restored and verified; 1 restored but something did not verify (listed);
    2 refused with nothing written (a non-empty target, another key, an altered archive, …).
    A SQLite backup restores into SQLite only, a PostgreSQL one into PostgreSQL only.
    """
    from api import SystemClock  # noqa: PLC0415

    settings = load_settings()
    key = _backup_key(settings, key_file)
    trust = _restore_trust(settings, trust_roots)
    # pyHanko logs each certificate path it cannot build, with a traceback; the report below
    # names every file that did not verify and why, once.
    for noisy in ("pyhanko", "pyhanko_certvalidator"):
        logging.getLogger(noisy).setLevel(logging.CRITICAL)
    target = database_url or settings.database_url
    try:
        report = restore_backup(Path(archive), database_url=target, key=key)
    except BackupError as error:
        click.echo(f"restore refused: {error.message}", err=True)
        sys.exit(2)
    engine = create_database_engine(target)
    try:
        check = verify_restored(engine, trust=trust, now=SystemClock().now(), progress=_progress)
    finally:
        engine.dispose()
    if not _print_restore(archive, target, report, check):
        sys.exit(1)
