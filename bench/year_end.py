"""Benchmark: the year-end close of a 2,000-student school on PostgreSQL, with 1, 2 and 4 workers.

The school (``bench._year_end_school``: 50 classes of 40 over grades 6–9, the demo's twelve
subjects, a demo-PKI soft key for every signer) and its complete tracking book are written once
into ``<database>_book`` through the use cases; every measured run starts from a fresh copy of
it (``CREATE DATABASE … TEMPLATE``). The close (``bench._year_end_close``) is the real one:
year-end review, transcripts built from the book, the twelve subject signatures, the homeroom
teacher's, the principal's and the school seal's (XML and PDF, B-T, the seal B-LT), finalize —
split by class over N worker processes, each with its own engine.

Printed for each worker count: the wall time, the cost per transcript, each phase (summed over
the workers), and the baseline measured in the same run: the RSA private-key operations the
close needs (client signatures and timestamp tokens) × the unit cost of one RSA-2048 signature,
spread over min(N, cores) cores — the floor no implementation can go under — with the ratio.

    .venv/bin/python -m bench.year_end [--students 2000] [--workers 1 2 4]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import psycopg
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from sqlalchemy.engine import make_url
from sqlmodel import Session, col, func, select

from bench._year_end_close import Job, WorkerFigures, close_classes
from bench._year_end_school import PRINCIPAL, Shape, fill_tracking_book, school_pki, set_up
from domain.model import DEMO_DATA_KEYS, SchoolClass, Transcript, TranscriptStatus, use_data_keys
from workflow import create_database_engine
from workflow._migrations import upgrade

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/hocba_bench_yearend"
DEFAULT_PKI = Path("var/bench-year-end-pki")
TARGET_SECONDS = 600.0


@dataclass(frozen=True)
class CloseFigures:
    """One measured close."""

    workers: int
    transcripts: int
    wall: float
    per_worker: tuple[WorkerFigures, ...]
    server_cpu: float | None = None
    """PostgreSQL's CPU seconds during the close, when it runs on this machine (else None)."""

    def seconds(self, name: str) -> float:
        return sum(w.seconds.get(name, 0.0) for w in self.per_worker)

    def count(self, name: str) -> int:
        return sum(w.counts.get(name, 0) for w in self.per_worker)

    @property
    def rsa_operations(self) -> int:
        return sum(self.count(n) for n in ("rsa_client_xml", "rsa_client_pdf", "rsa_tsa"))

    @property
    def phases(self) -> dict[str, float]:
        """Seconds by phase, summed over the workers; PDF work separated from the sessions."""
        render = self.seconds("pdf_render")
        pdf_server = self.seconds("pdf_prepare") - render + self.seconds("pdf_complete")
        pdf_client = self.seconds("rsa_client_pdf")
        return {
            "review": self.seconds("review"),
            "build": self.seconds("build"),
            "XML signatures": self.seconds("xml_sessions")
            + self.seconds("pdf_sessions")
            - render
            - pdf_server
            - pdf_client,
            "PDF render": render,
            "PDF signatures": pdf_server + pdf_client,
            "finalize": self.seconds("finalize"),
        }


def build_school(url: str, shape: Shape, pki_dir: Path, *, log: Callable[[str], None]) -> None:
    """Migrate the empty database at ``url``, write the school and fill its tracking book."""
    start = time.perf_counter()
    school_pki(pki_dir, shape)
    log(f"  demo PKI ready in {time.perf_counter() - start:.1f} s")
    engine = create_database_engine(url)
    upgrade(engine)
    roster, years = set_up(engine, shape)
    log(f"  school written in {time.perf_counter() - start:.1f} s")
    fill_tracking_book(engine, roster, years, progress=lambda what: log(f"  {what}"))
    engine.dispose()
    log(f"  tracking book filled in {time.perf_counter() - start:.1f} s")


def close_school(url: str, shape: Shape, pki_dir: Path, *, workers: int) -> CloseFigures:
    """The close of every class of the school at ``url``, split by class over ``workers``
    processes; checks that every transcript ends finalized."""
    engine = create_database_engine(url)
    with Session(engine) as session:
        classes = [
            (name, class_id)
            for name, class_id in session.exec(
                select(SchoolClass.name, SchoolClass.id).order_by(col(SchoolClass.id))
            ).all()
            if class_id is not None
        ]
    jobs = [Job(url, pki_dir, shape, tuple(classes[n::workers])) for n in range(workers)]
    jobs = [job for job in jobs if job.classes]
    context = multiprocessing.get_context("spawn")
    server_before = postgres_cpu_seconds() if engine.dialect.name == "postgresql" else None
    start = time.perf_counter()
    with context.Pool(len(jobs)) as pool:
        results = tuple(pool.map(close_classes, jobs))
    wall = time.perf_counter() - start
    server_after = postgres_cpu_seconds() if server_before is not None else None
    with Session(engine) as session:
        statuses = dict(
            session.exec(
                select(Transcript.status, func.count()).group_by(col(Transcript.status))
            ).all()
        )
    engine.dispose()
    if set(statuses) != {TranscriptStatus.FINALIZED.value} or statuses[
        TranscriptStatus.FINALIZED.value
    ] != sum(r.transcripts for r in results):
        raise RuntimeError(f"the close left transcripts in {statuses}")
    # A school with fewer classes than ``workers`` runs one process per class.
    server = None if server_before is None or server_after is None else server_after - server_before
    return CloseFigures(len(jobs), sum(r.transcripts for r in results), wall, results, server)


def postgres_cpu_seconds() -> float | None:
    """The CPU seconds of every ``postgres`` process on this machine, the exited backends
    included (the postmaster's reaped children), or None when /proc shows none."""
    ticks = os.sysconf("SC_CLK_TCK")
    total, seen = 0, False
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # the process ended meanwhile
        name, fields = stat[stat.index("(") + 1 : stat.rindex(")")], stat[stat.rindex(")") + 2 :]
        if name != "postgres":
            continue
        # Fields 14–17 of proc(5): utime, stime, cutime, cstime (counted from field 3 here).
        utime, stime, cutime, cstime = (int(v) for v in fields.split()[11:15])
        total += utime + stime + cutime + cstime
        seen = True
    return total / ticks if seen else None


def rsa_unit_ms(key: rsa.RSAPrivateKey, repeat: int) -> float:
    """Median time of one RSA PKCS#1 v1.5 SHA-256 signature with ``key`` (a signer's key)."""
    data = os.urandom(200)
    for _ in range(5):
        key.sign(data, padding.PKCS1v15(), hashes.SHA256())
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        key.sign(data, padding.PKCS1v15(), hashes.SHA256())
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def _admin(url: str) -> str:
    parsed = make_url(url).set(drivername="postgresql", database="postgres")
    return parsed.render_as_string(hide_password=False)


def _database(url: str) -> str:
    name = make_url(url).database
    assert name is not None
    return name


def _sql(url: str, *statements: str) -> None:
    with psycopg.connect(_admin(url), autocommit=True) as connection:
        for statement in statements:
            connection.execute(statement.encode())


def _book_shape(book_url: str) -> str | None:
    dsn = make_url(book_url).set(drivername="postgresql").render_as_string(hide_password=False)
    try:
        with psycopg.connect(dsn) as connection:
            row = connection.execute(
                "SELECT shape FROM bench_year_end WHERE to_regclass('bench_year_end') IS NOT NULL"
            ).fetchone()
            return None if row is None else str(row[0])
    except psycopg.Error:
        return None


def ensure_book(book_url: str, shape: Shape, pki_dir: Path, *, log: Callable[[str], None]) -> None:
    """The school with its tracking book at ``book_url``, written unless it is there already."""
    if _book_shape(book_url) == shape.marker:
        log(f"reusing the school in {_database(book_url)} ({shape.marker})")
        school_pki(pki_dir, shape)
        return
    name = _database(book_url)
    log(f"writing the school into {name} ({shape.marker})")
    _sql(book_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"')
    build_school(book_url, shape, pki_dir, log=log)
    dsn = make_url(book_url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute("CREATE TABLE bench_year_end (shape text NOT NULL)")
        connection.execute("INSERT INTO bench_year_end VALUES (%s)", (shape.marker,))
        connection.execute("VACUUM ANALYZE")


def _load() -> str:
    return " ".join(f"{v:.2f}" for v in os.getloadavg())


def report(figures: CloseFigures, unit_ms: float, cores: int) -> list[str]:
    """The lines printed for one close."""
    used = min(figures.workers, cores)
    floor = figures.rsa_operations * unit_ms / 1000 / used
    per = figures.wall / figures.transcripts * 1000
    target = "met" if figures.wall < TARGET_SECONDS else "MISSED"
    cpu = sum(w.cpu for w in figures.per_worker)
    client = figures.seconds("rsa_client_xml") + figures.seconds("rsa_client_pdf")
    lines = [
        f"{figures.workers} worker(s): {figures.transcripts} transcripts, "
        f"wall {figures.wall:.1f} s (target {TARGET_SECONDS:.0f} s: {target}), "
        f"{per:.1f} ms per transcript; the workers' CPU {cpu:.1f} s "
        f"({cpu / figures.transcripts * 1000:.1f} ms per transcript, PostgreSQL's not counted)",
        *(
            []
            if figures.server_cpu is None
            else [
                f"  PostgreSQL's CPU on this machine: {figures.server_cpu:.1f} s "
                f"({figures.server_cpu / figures.transcripts * 1000:.1f} ms per transcript); "
                f"workers + PostgreSQL = {(cpu + figures.server_cpu) / figures.wall:.2f} "
                f"of the {cores} cores busy over the wall time"
            ]
        ),
        f"  baseline: {figures.rsa_operations} RSA private-key operations "
        f"({figures.count('rsa_client_xml')} XML, {figures.count('rsa_client_pdf')} PDF, "
        f"{figures.count('rsa_tsa')} timestamp tokens) × {unit_ms:.3f} ms / {used} core(s) "
        f"= {floor:.1f} s; wall / floor = {figures.wall / floor:.1f}×; "
        f"RSA share of the cores' time {100 * floor / figures.wall:.2f} %",
        f"  measured RSA in the run: client {client:.1f} s, "
        f"timestamp tokens {figures.seconds('rsa_tsa'):.1f} s (summed over the workers)",
        "  phase                 s (Σ workers)   ms / transcript   share",
    ]
    phases = figures.phases
    total = sum(phases.values())
    for name, seconds in phases.items():
        lines.append(
            f"  {name:<20} {seconds:>14.1f} {seconds / figures.transcripts * 1000:>17.1f}"
            f" {100 * seconds / total:>7.1f} %"
        )
    lines.append(f"  {'all phases':<20} {total:>14.1f} {total / figures.transcripts * 1000:>17.1f}")
    return lines


def main(argv: Sequence[str] | None = None) -> None:
    """Write (or reuse) the school, then close it with each worker count from a fresh copy."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--students", type=int, default=2000)
    parser.add_argument("--class-size", type=int, default=40)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--pki-dir", type=Path, default=DEFAULT_PKI)
    parser.add_argument("--rsa-repeat", type=int, default=500)
    parser.add_argument("--keep", action="store_true", help="keep the last run's database")
    args = parser.parse_args(argv)
    use_data_keys(DEMO_DATA_KEYS)  # a synthetic school: the published demo keys, as in demo mode
    if os.nice(0) > 0:
        print(f"warning: running at niceness {os.nice(0)}: the figures count other work's share")
    shape = Shape(args.students, args.class_size)
    url = args.database_url
    book_url = make_url(url).set(database=f"{_database(url)}_book").render_as_string(False)
    cores = os.cpu_count() or 1
    print(f"year-end close: {shape.students} students, {len(shape.class_names)} classes, "
          f"{cores} cores; load average before: {_load()}")  # fmt: skip
    ensure_book(book_url, shape, args.pki_dir, log=print)
    pki = school_pki(args.pki_dir, shape)
    unit_ms = rsa_unit_ms(pki.staff[PRINCIPAL].key, args.rsa_repeat)
    print(f"RSA-2048 sign (PKCS#1 v1.5, SHA-256), one signer's key: {unit_ms:.3f} ms "
          f"(median of {args.rsa_repeat})")  # fmt: skip
    run, book = _database(url), _database(book_url)
    for workers in args.workers:
        _sql(url, f'DROP DATABASE IF EXISTS "{run}" WITH (FORCE)',
             f'CREATE DATABASE "{run}" TEMPLATE "{book}"')  # fmt: skip
        before = _load()
        figures = close_school(url, shape, args.pki_dir, workers=workers)
        print(f"load average before / after: {before} / {_load()}")
        print("\n".join(report(figures, unit_ms, cores)), flush=True)
    if not args.keep:
        _sql(url, f'DROP DATABASE IF EXISTS "{run}" WITH (FORCE)')


if __name__ == "__main__":
    main()
