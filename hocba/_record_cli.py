"""``hocba record``: a student's complete record package, exported and imported offline."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from sqlmodel import Session, select

from domain.model import Person
from domain.signatures import TrustRootsError, TrustSettings, load_trust_roots
from workflow import (
    MAX_PACKAGE_BYTES,
    Actor,
    PackageRejectedError,
    UnitOfWork,
    WorkflowError,
    create_database_engine,
    export_student_record,
    import_student_record,
    load_actor,
    load_settings,
)


def _actor(session: Session, username: str, now_at: object) -> Actor:
    person = session.exec(select(Person).where(Person.username == username)).first()
    if person is None or person.id is None:
        click.echo(f"no account {username!r}", err=True)
        sys.exit(2)
    return load_actor(session, person.id, at=now_at)  # type: ignore[arg-type]


@click.group()
def record() -> None:
    """A student's complete record as one package (zip), for another system."""


@record.command("export")
@click.option("--personal-id", required=True, help="The student's 12-digit personal ID.")
@click.option("--as", "username", required=True, help="Academic affairs or the principal.")
@click.option("--output", "-o", default=None, help="Write the zip here (default: stdout).")
def record_export(personal_id: str, username: str, output: str | None) -> None:
    """Write the package to standard output (``> record.zip``) or --output; exit 1 if refused."""
    from api import SystemClock  # noqa: PLC0415

    settings = load_settings()
    engine = create_database_engine(settings.database_url)
    now = SystemClock().now()
    with Session(engine) as session:
        actor = _actor(session, username, now)
    try:
        package = export_student_record(
            UnitOfWork(engine), personal_id=personal_id, actor=actor, now=now
        )
    except WorkflowError as error:
        click.echo(f"{error.code}: {error.message}", err=True)
        sys.exit(1)
    if output is not None:
        Path(output).write_bytes(package)
        return
    sys.stdout.buffer.write(package)
    sys.stdout.buffer.flush()


@record.command("import")
@click.argument("file")
@click.option("--as", "username", required=True, help="Academic affairs or the principal.")
@click.option("--trust-roots", default=None, help="PEM bundle (default HOCBA_TRUST_ROOTS).")
def record_import(file: str, username: str, trust_roots: str | None) -> None:
    """Verify every file of the package and store it; exit 1 listing every refused file."""
    from api import SystemClock  # noqa: PLC0415

    settings = load_settings()
    roots = Path(trust_roots) if trust_roots else settings.trust_roots
    if roots is None and settings.demo:
        roots = settings.data_dir / "pki" / "root-ca.pem"
    if roots is None:
        click.echo("no trust roots: pass --trust-roots PEM or set HOCBA_TRUST_ROOTS", err=True)
        sys.exit(2)
    try:
        trust = TrustSettings(trust_roots=load_trust_roots(roots.read_bytes()))
        with Path(file).open("rb") as stream:
            package = stream.read(MAX_PACKAGE_BYTES + 1)
    except (OSError, TrustRootsError) as error:
        click.echo(f"cannot read: {error}", err=True)
        sys.exit(2)
    engine = create_database_engine(settings.database_url)
    now = SystemClock().now()
    with Session(engine) as session:
        actor = _actor(session, username, now)
    try:
        result = import_student_record(
            UnitOfWork(engine), package=package, actor=actor, now=now, trust=trust
        )
    except PackageRejectedError as error:
        click.echo("package refused, nothing stored (gói bị từ chối):", err=True)
        for problem in error.problems:
            click.echo(f"  {problem.file}: {problem.code}: {problem.detail}", err=True)
        sys.exit(1)
    except WorkflowError as error:
        click.echo(f"{error.code}: {error.message}", err=True)
        sys.exit(1)
    click.echo(
        json.dumps(
            {
                "student": result.personal_id_masked,
                "package_sha256": result.package_sha256,
                "versions": [
                    {
                        "id": v.transcript_id,
                        "school_year": v.school_year,
                        "new": not v.already_present,
                    }
                    for v in result.versions
                ],
            },
            ensure_ascii=False,
        )
    )
