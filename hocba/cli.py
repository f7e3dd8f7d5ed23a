"""The ``hocba`` console command (contracts.md)."""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click
import sqlalchemy as sa
from cryptography.x509 import load_pem_x509_certificates
from sqlalchemy.engine import Engine
from sqlmodel import Session

from domain.assessment import (
    InvalidAssessmentInputError,
    assess_year,
    parse_year_input,
    result_to_json,
)
from domain.model import DataKeyError
from domain.signatures import (
    MAX_PDF_BYTES,
    Pkcs11Signer,
    Pkcs12Signer,
    ReportFormat,
    Signer,
    SignerError,
    TrustRootsError,
    TrustSettings,
    VerificationReport,
    describe_vi,
    load_trust_roots,
    role_vi,
    verdict_vi,
    verify_transcript_file,
)
from hocba._logging import configure_logging, uvicorn_log_config
from hocba._record_cli import record
from hocba.backup_commands import backup, restore
from hocba.keys_commands import keys
from hocba.sign_client import Selection, SignClientError, seal_certified_copy, sign_selection
from scheduler import SchedulerService, run_due
from workflow import (
    CityExchange,
    DemoPki,
    DemoPkiError,
    DemoSummary,
    Settings,
    WorkflowError,
    create_database_engine,
    demo_staff_identities,
    ensure_demo_pki,
    load_settings,
    seed_demo,
    verify_audit_chain,
)
from workflow._migrations import upgrade
from workflow._notifier import LogNotifier

if TYPE_CHECKING:
    from workflow import Clock

# ``api`` (Litestar and the real clock) is imported inside the commands that need it: the
# other commands start in a fraction of the time.

_DEMO_BANNER = """\
============================================================================
  DEMO MODE (HOCBA_DEMO=true): a demo school with well-known passwords.
  Chế độ trình diễn: dữ liệu mẫu, mật khẩu công khai. Never use in production.
============================================================================"""


def _settings() -> Settings:
    return load_settings()


def _seed(settings: Settings, engine: Engine, clock: Clock, pki: DemoPki) -> DemoSummary:
    """Seed the demo (idempotent); a refusal exits 1 with its message."""
    try:
        return seed_demo(
            engine,
            now=clock.now(),
            pki=pki,
            timezone=settings.timezone,
            public_url=settings.public_url,
        )
    except WorkflowError as error:
        click.echo(f"demo seed refused: {error.message}", err=True)
        sys.exit(1)


def _demo_pki(settings: Settings, clock: Clock) -> DemoPki:
    """Create (or load) the demo PKI and print where it is; a refusal exits 1 with its message."""
    try:
        pki = ensure_demo_pki(
            settings.data_dir / "pki", logins=demo_staff_identities(), now=clock.now()
        )
    except DemoPkiError as error:
        click.echo(f"demo PKI refused: {error}", err=True)
        sys.exit(1)
    state = f"created {len(pki.created)} files" if pki.created else "already present, unchanged"
    click.echo(f"Demo PKI in {pki.directory} ({state}); trust anchor {pki.root_path}")
    return pki


def _print_demo(summary: DemoSummary) -> None:
    state = "created" if summary.created else "already present, unchanged"
    click.echo(f"Demo school {summary.school_name} ({summary.school_code}): {state}")
    click.echo(f"Every login's password: {summary.password}")
    rows = [("username", "role", "full name", "duty")] + [
        (login.username, login.role.value, login.full_name, login.duty) for login in summary.logins
    ]
    widths = [max(len(row[column]) for row in rows) for column in range(3)]
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        click.echo("  " + "  ".join([*cells, row[3]]))
    click.echo("Classes:")
    for klass in summary.classes:
        statuses = ", ".join(f"{status.value} {count}" for status, count in klass.statuses)
        click.echo(
            f"  {klass.school_year} {klass.class_name}: {klass.students} students; "
            f"transcripts: {statuses or 'none'}"
        )


class _Main(click.Group):
    """The command group: a missing or wrong data key ends any command with its message."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except DataKeyError as error:
            click.echo(f"data keys: {error}", err=True)
            sys.exit(2)


@click.group(cls=_Main)
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
    try:
        with Session(engine) as session:
            report = verify_audit_chain(session)
    except sa.exc.SQLAlchemyError as error:
        # Exit 1 means "altered"; a database that cannot be read is unusable input.
        click.echo(
            f"cannot read the audit log: {error.__class__.__name__}: {str(error).splitlines()[0]}",
            err=True,
        )
        sys.exit(2)
    if report.ok:
        click.echo(f"audit log intact: {report.entries} entries")
        return
    click.echo(f"audit log BROKEN at {report.first_break}", err=True)
    sys.exit(1)


@main.group()
def demo() -> None:
    """The demo school of contracts.md."""


@demo.command("seed")
def demo_seed() -> None:
    """Migrate, create the demo school unless it exists, and print its logins."""
    from api import SystemClock  # noqa: PLC0415

    settings = _settings()
    engine = create_database_engine(settings.database_url)
    upgrade(engine)
    clock = SystemClock()
    _print_demo(_seed(settings, engine, clock, _demo_pki(settings, clock)))


def _scheduler_service(settings: Settings, engine: Engine, clock: Clock) -> SchedulerService:
    return SchedulerService(
        engine=engine,
        clock=clock,
        notifier=LogNotifier(),
        reminder_days=settings.reminder_days,
        timezone=settings.timezone,
        tick_seconds=settings.scheduler_tick_seconds,
        exchange=CityExchange.from_settings(settings),
    )


@main.group(invoke_without_command=True)
@click.pass_context
def scheduler(context: click.Context) -> None:
    """Run the scheduler alone (when HOCBA_SCHEDULER=off on the API instances)."""
    if context.invoked_subcommand is not None:
        return
    from api import SystemClock  # noqa: PLC0415

    settings = _settings()
    configure_logging(settings.log_format)
    engine = create_database_engine(settings.database_url)
    upgrade(engine)
    service = _scheduler_service(settings, engine, SystemClock())
    leading = service.start()
    click.echo("scheduler: active" if leading else "scheduler: standing by for the active one")
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    stop.wait()
    service.shutdown()


@scheduler.command("run-due")
@click.option("--at", "at", default=None, help="ISO-8601 instant with offset (default: now).")
def scheduler_run_due(at: str | None) -> None:
    """Run every job due at that instant once (idempotent) and print what changed."""
    from api import SystemClock  # noqa: PLC0415

    try:
        instant = datetime.fromisoformat(at) if at else SystemClock().now()
    except ValueError:
        click.echo(f"--at: {at!r} is not an ISO-8601 instant", err=True)
        sys.exit(2)
    if instant.tzinfo is None:
        click.echo(f"--at: {at!r} needs an offset, e.g. 2025-07-01T00:00:00+07:00", err=True)
        sys.exit(2)
    settings = _settings()
    engine = create_database_engine(settings.database_url)
    report = run_due(
        engine,
        at=instant,
        notifier=LogNotifier(),
        reminder_days=settings.reminder_days,
        timezone=settings.timezone,
        exchange=CityExchange.from_settings(settings),
    )
    for line in report.lines():
        click.echo(line)


@main.command()
@click.option("--host", default=None, help="Address to listen on (default HOCBA_HOST).")
@click.option("--port", default=None, type=int, help="Port to listen on (default HOCBA_PORT).")
def serve(host: str | None, port: int | None) -> None:
    """Migrate (in demo mode: seed the demo school and print its logins), then serve."""
    import uvicorn  # noqa: PLC0415  (only the server needs it)

    from api import SecretKeyError, SystemClock, create_app  # noqa: PLC0415

    settings = _settings()
    configure_logging(settings.log_format)
    engine = create_database_engine(settings.database_url)
    upgrade(engine)
    clock = SystemClock()
    if settings.demo:
        click.echo(_DEMO_BANNER)
        click.echo("Preparing the demo school (the first start takes a little while)…")
        _print_demo(_seed(settings, engine, clock, _demo_pki(settings, clock)))
        click.echo(_DEMO_BANNER)
    try:
        app = create_app(settings=settings, engine=engine, clock=clock)
    except SecretKeyError as error:
        click.echo(error.message, err=True)
        sys.exit(2)
    service = None
    if settings.scheduler == "in-process":
        service = _scheduler_service(settings, engine, clock)
        service.start()
    try:
        uvicorn.run(
            app,
            host=host or settings.host,
            port=port or settings.port,
            log_level="info",
            log_config=uvicorn_log_config(),
        )
    finally:
        if service is not None:
            service.shutdown()


@main.command()
@click.argument("file")
def assess(file: str) -> None:
    """Assess one student's year (JSON of contracts.md; FILE or - for stdin); print the results."""
    try:
        raw = sys.stdin.buffer.read() if file == "-" else Path(file).read_bytes()
        # Decimal, not float: a score such as 8.25 must stay exactly two decimals to be refused.
        data = json.loads(raw.decode("utf-8"), parse_float=Decimal)
    except (OSError, UnicodeDecodeError, ValueError) as error:
        click.echo(f"cannot read {file} as JSON: {error}", err=True)
        sys.exit(2)
    try:
        result = assess_year(parse_year_input(data))
    except InvalidAssessmentInputError as error:
        click.echo(f"invalid input: {error}", err=True)
        sys.exit(2)
    click.echo(json.dumps(result_to_json(result), ensure_ascii=False).encode("utf-8"))


def _trust_roots_file(settings: Settings, option: str | None) -> Path | None:
    """--trust-roots, else HOCBA_TRUST_ROOTS, else (demo mode) the demo PKI's root."""
    if option is not None:
        return Path(option)
    if settings.trust_roots is not None:
        return settings.trust_roots
    return settings.data_dir / "pki" / "root-ca.pem" if settings.demo else None


def _print_report(report: VerificationReport, file: str) -> None:
    """The report in Vietnamese, for people."""
    click.echo(f"Tệp: {file} ({report.format.value.upper()})")
    click.echo(f"Kết quả: {verdict_vi(report.indication)} ({report.indication.value})")
    if report.transcript is not None:
        t = report.transcript
        click.echo(
            f"Học bạ: {t.student_name} ({t.personal_id_masked}), năm học {t.school_year}, "
            f"{t.school}, phiên bản {t.version}"
        )
    for number, signature in enumerate(report.signatures, start=1):
        who = signature.signer.common_name if signature.signer else None
        when = signature.signing_time.isoformat(sep=" ") if signature.signing_time else "không rõ"
        role = role_vi(signature.role.value) if signature.role else signature.slot
        verdict = verdict_vi(signature.indication)
        if signature.sub_indication is not None:
            verdict += f" ({signature.sub_indication.value})"
        click.echo(
            f"  {number}. {role} [{signature.slot}]: {who or 'không rõ người ký'}, "
            f"ký lúc {when}: {verdict}"
        )
        for finding in signature.errors:
            click.echo(f"     - {describe_vi(finding)}")
    if report.missing_signatures:
        click.echo(f"Thiếu chữ ký: {', '.join(report.missing_signatures)}")
    for finding in report.errors:
        click.echo(f"  - {describe_vi(finding)}")


@main.command()
@click.argument("file")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option(
    "--trust-roots",
    "trust_roots",
    default=None,
    help="PEM bundle of trusted CAs (default HOCBA_TRUST_ROOTS; in demo mode the demo root).",
)
def verify(file: str, as_json: bool, trust_roots: str | None) -> None:
    """Verify an XML or PDF transcript (FILE or - for stdin); exit 0 valid, 1 not, 2 unusable."""
    from api import SystemClock  # noqa: PLC0415

    settings = _settings()
    roots_file = _trust_roots_file(settings, trust_roots)
    if roots_file is None:
        click.echo(
            "no trust roots: pass --trust-roots PEM or set HOCBA_TRUST_ROOTS "
            "(chưa cấu hình chứng thư gốc tin cậy)",
            err=True,
        )
        sys.exit(2)
    try:
        trust = TrustSettings(trust_roots=load_trust_roots(roots_file.read_bytes()))
    except (OSError, TrustRootsError) as error:
        click.echo(f"cannot use the trust roots {roots_file}: {error}", err=True)
        sys.exit(2)
    try:
        if file == "-":
            data = sys.stdin.buffer.read(MAX_PDF_BYTES + 1)
        else:
            with Path(file).open("rb") as stream:
                # One byte over the largest cap is enough to refuse a huge file unread.
                data = stream.read(MAX_PDF_BYTES + 1)
    except OSError as error:
        click.echo(f"cannot read {file}: {error}", err=True)
        sys.exit(2)
    report = verify_transcript_file(data, trust=trust, now=SystemClock().now())
    if as_json:
        click.echo(json.dumps(report.to_json(), ensure_ascii=False).encode("utf-8"))
    else:
        _print_report(report, file)
    if report.valid:
        return
    sys.exit(2 if report.format is ReportFormat.UNKNOWN else 1)


def _secret(*, file: str | None, env: str, prompt: str) -> str:
    """A password or PIN: from ``file``, else the environment variable ``env``, else asked."""
    if file is not None:
        try:
            return Path(file).read_text(encoding="utf-8").rstrip("\r\n")
        except (OSError, UnicodeDecodeError) as error:
            click.echo(f"không đọc được {file}: {error}", err=True)
            sys.exit(2)
    value = os.environ.get(env)
    if value is not None:
        return value
    return str(click.prompt(prompt, hide_input=True))


def _client_signer(
    *,
    p12: str | None,
    pkcs11_module: str | None,
    token_label: str | None,
    key_label: str | None,
    chain: str | None,
) -> Signer:
    """The local key: a PKCS#12 file or a PKCS#11 token; exit 2 when it cannot be opened."""
    try:
        if p12 is not None:
            password = _secret(file=None, env="HOCBA_P12_PASSWORD", prompt="Mật khẩu tệp PKCS#12")
            return Pkcs12Signer.from_file(Path(p12), password.encode())
        if pkcs11_module is None or token_label is None or key_label is None:
            click.echo(
                "cần --p12 FILE, hoặc --pkcs11-module, --token-label và --key-label", err=True
            )
            sys.exit(2)
        intermediates = load_pem_x509_certificates(Path(chain).read_bytes()) if chain else []
        pin = _secret(file=None, env="HOCBA_PKCS11_PIN", prompt="Mã PIN của token")
        return Pkcs11Signer(
            module=Path(pkcs11_module),
            token_label=token_label,
            pin=pin,
            key_label=key_label,
            intermediates=intermediates,
        )
    except SignerError as error:
        click.echo(f"không mở được khoá ký: {error}", err=True)
    except (OSError, ValueError) as error:
        click.echo(f"không đọc được chuỗi chứng thư {chain}: {error}", err=True)
    sys.exit(2)


F = TypeVar("F", bound=Callable[..., Any])


def _client_key_options(command: F) -> F:
    """The options of the signing clients' password and local key (PKCS#12 or PKCS#11)."""
    options = [
        click.option(
            "--password-file",
            default=None,
            help="File with your password (else HOCBA_PASSWORD or asked).",
        ),
        click.option(
            "--p12", default=None, help="PKCS#12 key file (password: HOCBA_P12_PASSWORD or asked)."
        ),
        click.option("--pkcs11-module", default=None, help="PKCS#11 library of the token (.so)."),
        click.option("--token-label", default=None, help="The token's label."),
        click.option(
            "--key-label",
            default=None,
            help="The key's (and its certificate's) label on the token.",
        ),
        click.option("--chain", default=None, help="PEM file of intermediate CAs (PKCS#11 only)."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


@main.command("sign-client")
@click.option("--server", required=True, help="The hocba server, e.g. http://127.0.0.1:8000.")
@click.option("--username", required=True, help="Your login.")
@_client_key_options
@click.option(
    "--step",
    required=True,
    type=click.Choice(["subject", "homeroom", "principal", "school"]),
    help="The signing step.",
)
@click.option("--subject", "subject_code", default=None, help="Subject code for the subject step.")
@click.option("--class-id", default=None, type=int, help="Sign this class's batch from your queue.")
@click.option("--transcript", "transcripts", multiple=True, help="A transcript id (repeatable).")
@click.option("--from-tasks", is_flag=True, help="Sign every batch of your queue for the step.")
def sign_client(
    *,
    server: str,
    username: str,
    password_file: str | None,
    p12: str | None,
    pkcs11_module: str | None,
    token_label: str | None,
    key_label: str | None,
    chain: str | None,
    step: str,
    subject_code: str | None,
    class_id: int | None,
    transcripts: tuple[str, ...],
    from_tasks: bool,
) -> None:
    """Sign transcripts with your own key over the API (the key never leaves this machine).

    Exit 0 when every transcript was signed, 1 when any was not, 2 for unusable arguments.
    """
    chosen = sum([class_id is not None, bool(transcripts), from_tasks])
    if chosen != 1:
        click.echo("chọn đúng một trong --class-id, --transcript, --from-tasks", err=True)
        sys.exit(2)
    signer = _client_signer(
        p12=p12,
        pkcs11_module=pkcs11_module,
        token_label=token_label,
        key_label=key_label,
        chain=chain,
    )
    password = _secret(file=password_file, env="HOCBA_PASSWORD", prompt="Mật khẩu đăng nhập")
    selection = Selection(
        step=step,
        subject_code=subject_code,
        class_id=class_id,
        transcript_ids=transcripts,
        from_tasks=from_tasks,
    )
    try:
        results = sign_selection(
            server=server, username=username, password=password, signer=signer, selection=selection
        )
    except SignClientError as error:
        click.echo(error.message, err=True)
        sys.exit(1)
    signed = total = 0
    for batch, items in results:
        click.echo(f"Lô {batch.label}:")
        for item in items:
            total += 1
            if item.ok:
                signed += 1
                click.echo(f"  ✓ {item.transcript_id}: đã ký ({item.status})")
            else:
                click.echo(f"  ✗ {item.transcript_id}: không ký được ({item.error})")
    click.echo(f"Đã ký {signed}/{total} học bạ")
    if signed != total:
        sys.exit(1)


@main.command("seal-copy")
@click.option("--server", required=True, help="The hocba server, e.g. http://127.0.0.1:8000.")
@click.option("--username", required=True, help="Your login (the school's clerk).")
@_client_key_options
@click.option(
    "--transcript",
    "transcripts",
    multiple=True,
    required=True,
    help="An issued transcript id to copy (repeatable, in the order printed).",
)
@click.option(
    "--output",
    required=True,
    type=click.Path(dir_okay=False, writable=True),
    help="Where to save the sealed PDF.",
)
def seal_copy(
    *,
    server: str,
    username: str,
    password_file: str | None,
    p12: str | None,
    pkcs11_module: str | None,
    token_label: str | None,
    key_label: str | None,
    chain: str | None,
    transcripts: tuple[str, ...],
    output: str,
) -> None:
    """Seal a certified paper copy (SAO Y BẢN CHÍNH) of a student's issued transcripts with
    the school's organisation certificate, over the API (the key never leaves this machine).

    Exit 0 with the sealed PDF saved, 1 when the server refused, 2 for unusable arguments.
    """
    signer = _client_signer(
        p12=p12,
        pkcs11_module=pkcs11_module,
        token_label=token_label,
        key_label=key_label,
        chain=chain,
    )
    password = _secret(file=password_file, env="HOCBA_PASSWORD", prompt="Mật khẩu đăng nhập")
    try:
        copy_id, pdf = seal_certified_copy(
            server=server,
            username=username,
            password=password,
            signer=signer,
            transcript_ids=transcripts,
        )
    except SignClientError as error:
        click.echo(error.message, err=True)
        sys.exit(1)
    try:
        Path(output).write_bytes(pdf)
    except OSError as error:
        click.echo(f"không ghi được {output}: {error}", err=True)
        sys.exit(2)
    click.echo(f"Đã đóng dấu bản sao số {copy_id}/SY-HB, lưu tại {output}")


main.add_command(backup)
main.add_command(restore)
main.add_command(record)
main.add_command(keys)
