"""Benchmark: the HTTP API under 50 concurrent clients on a city-sized PostgreSQL database.

Generates (once) the city of ``bench._city`` — by default 500 schools and 1,020,000
transcripts — then serves the real app (``api.create_app``, uvicorn, one process unless
``--workers N``, on 127.0.0.1 and a free port, in a child process) with a trivial Litestar
endpoint registered beside it as the ceiling, and drives it from this process (so the
clients' CPU is not the server's):

- ``GET /bench/trivial`` — no login, no database: the baseline;
- ``GET /api/v1/tasks`` for subject teachers, homeroom teachers, principals, clerks, Department
  officers, and a mix of them weighted like a school's staff;
- ``GET /api/v1/transcripts/{id}`` — principals reading transcripts of their school;
- a signing round: a subject teacher prepares a session for their class's pending transcripts,
  signs every ``to_sign`` with their key (RSA-2048, certificate under a benchmark CA the server
  trusts), and completes it.

Each endpoint runs ``--requests`` requests (signing: ``--rounds`` rounds) at ``--concurrency``
clients after a warm-up, and the table shows throughput, p50/p95/p99 and the ratio of p95 to
the trivial endpoint's::

    .venv/bin/python -m bench.api_load                                # full size (first run
                                                                      # generates ~3 minutes)
    .venv/bin/python -m bench.api_load --schools 5 --per-school 2000  # quick, small city
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import sqlalchemy as sa
import uvicorn
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import Encoding
from litestar import Litestar, get
from sqlmodel import col

from api import create_app
from bench._city import (
    NOW,
    PASSWORD,
    SUBJECTS,
    CityShape,
    ensure_city,
    reset_signing_classes,
)
from domain.certificates import Validity, ca_certificate, ca_name, personal_name, signer_certificate
from domain.model import Person
from workflow import (
    ReadCache,
    Settings,
    UnitOfWork,
    create_database_engine,
    my_tasks,
    resolve_actor,
)

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/hocba_bench_city"
PREFIX = "/api/v1"
SECRET = "bench-secret-" + "k" * 40
VALID = Validity(datetime(2024, 1, 1, tzinfo=UTC), datetime(2034, 1, 1, tzinfo=UTC))


class FixedClock:
    """The server's clock: stopped at the benchmark's instant (the city's statuses fit it)."""

    def now(self) -> datetime:
        """Always :data:`bench._city.NOW`."""
        return NOW


# --- the server (a child process) -----------------------------------------------------------


@get("/bench/trivial")
async def trivial() -> dict[str, str]:
    """The ceiling: routing and serialisation, nothing else."""
    return {"status": "ok"}


def bench_app() -> Litestar:
    """The app a server process runs (uvicorn's factory: each worker builds its own), from
    ``BENCH_DATABASE_URL`` and ``BENCH_TRUST_ROOTS``."""
    url, trust_roots = os.environ["BENCH_DATABASE_URL"], Path(os.environ["BENCH_TRUST_ROOTS"])
    settings = Settings(
        database_url=url,
        secret_key=SECRET,
        data_dir=trust_roots.parent,
        trust_roots=trust_roots,
        scheduler="off",
        login_rate_limit_per_minute=1_000_000,
        token_ttl_seconds=24 * 3600,
    )
    engine = create_database_engine(url)
    app = create_app(settings=settings, engine=engine, clock=FixedClock())
    app.register(trivial)
    return app


def serve(url: str, port: int, trust_roots: Path, workers: int = 1) -> None:
    """Run the app and the trivial endpoint on 127.0.0.1:``port`` until killed."""
    os.environ.update(BENCH_DATABASE_URL=url, BENCH_TRUST_ROOTS=str(trust_roots))
    uvicorn.run(
        "bench.api_load:bench_app",
        factory=True,
        workers=workers,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        access_log=False,
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


# --- the benchmark PKI ----------------------------------------------------------------------


@dataclass(frozen=True)
class Pki:
    """One CA and one RSA key; every signer gets a certificate naming their personal ID."""

    root: x509.Certificate
    root_key: rsa.RSAPrivateKey
    key: rsa.RSAPrivateKey

    def chain_for(self, full_name: str, personal_id: str) -> list[str]:
        """The signer's certificate and the root, base64 DER as the API takes them."""
        certificate = signer_certificate(
            personal_name(full_name, personal_id, "Hocba Bench"),
            self.key.public_key(),
            self.root.subject,
            self.root_key,
            serial=x509.random_serial_number(),
            validity=VALID,
            organisation=False,
        )
        return [_b64(c.public_bytes(Encoding.DER)) for c in (certificate, self.root)]

    def sign(self, data: bytes) -> bytes:
        """RSA PKCS#1 v1.5 over SHA-256, as a USB token does."""
        return self.key.sign(data, padding.PKCS1v15(), hashes.SHA256())


def _pki() -> Pki:
    root_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = ca_name("Hocba Bench CA", "Hocba Bench")
    root = ca_certificate(name, root_key.public_key(), name, root_key, serial=1, validity=VALID)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return Pki(root, root_key, key)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


# --- measuring ------------------------------------------------------------------------------


@dataclass
class Run:
    """The latencies of one endpoint's measured requests."""

    label: str
    latencies: list[float] = field(default_factory=list)
    seconds: float = 0.0
    errors: int = 0

    def percentile(self, p: float) -> float:
        """The ``p``-th percentile in milliseconds (nearest rank)."""
        ordered = sorted(self.latencies)
        rank = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
        return ordered[rank] * 1000

    @property
    def throughput(self) -> float:
        """Requests (or rounds) per second over the measured period."""
        return len(self.latencies) / self.seconds if self.seconds else 0.0


Job = Callable[[aiohttp.ClientSession, int], Awaitable[None]]


async def drive(
    base: str, label: str, job: Job, *, total: int, warmup: int, concurrency: int
) -> Run:
    """Run ``job`` ``warmup`` times, then ``total`` times timed, on ``concurrency`` clients.

    The timed requests start once every warm-up request has been answered: a warm-up request
    still in flight (a cache filling, a pool opening) is not charged to the measured ones."""
    run = Run(label)
    connector = aiohttp.TCPConnector(limit=concurrency, force_close=False)

    async def client(session: aiohttp.ClientSession, counter: Iterator[int], timed: bool) -> None:
        for n in counter:
            t0 = time.perf_counter()
            try:
                await job(session, n)
            except AssertionError as error:
                run.errors += 1
                if run.errors <= 3:
                    print(f"  {label}: {error}", file=sys.stderr)
                continue
            if timed:
                run.latencies.append(time.perf_counter() - t0)

    async with aiohttp.ClientSession(base, connector=connector) as session:
        warming = iter(range(warmup))
        await asyncio.gather(*(client(session, warming, False) for _ in range(concurrency)))
        measured = iter(range(warmup, warmup + total))
        started = time.perf_counter()
        await asyncio.gather(*(client(session, measured, True) for _ in range(concurrency)))
    run.seconds = time.perf_counter() - started
    return run


async def _get(session: aiohttp.ClientSession, path: str, token: str | None = None) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with session.get(path, headers=headers) as response:
        body = await response.read()
        assert response.status == 200, f"GET {path}: {response.status} {body[:200]!r}"
        return body


async def _post(session: aiohttp.ClientSession, path: str, token: str, body: Any) -> Any:
    headers = {"Authorization": f"Bearer {token}"}
    async with session.post(path, json=body, headers=headers) as response:
        answer = await response.json()
        assert response.status in (200, 201), f"POST {path}: {response.status} {answer}"
        return answer


async def login_all(base: str, usernames: Sequence[str]) -> dict[str, str]:
    """A bearer token per username (POST /auth/login, a few at a time: argon2 is slow)."""
    tokens: dict[str, str] = {}
    gate = asyncio.Semaphore(4)
    async with aiohttp.ClientSession(base) as session:

        async def one(name: str) -> None:
            async with (
                gate,
                session.post(
                    f"{PREFIX}/auth/login", json={"username": name, "password": PASSWORD}
                ) as response,
            ):
                body = await response.json()
                assert response.status == 200, f"login {name}: {response.status} {body}"
                tokens[name] = body["access_token"]

        await asyncio.gather(*(one(n) for n in usernames))
    return tokens


# --- the scenario ---------------------------------------------------------------------------


@dataclass
class Cast:
    """Who calls what: usernames per role, transcripts to read, signing work."""

    by_role: dict[str, list[str]]
    reads: list[tuple[str, str]]
    """(principal, transcript id of their school)."""
    rounds: list[tuple[str, str, str, list[str]]]
    """(teacher username, subject code, teacher full name, the class's transcript ids)."""
    personal: dict[str, tuple[str, str]] = field(default_factory=dict)


def cast(engine: sa.Engine, *, users: int, rounds: int, seed: int) -> Cast:
    """Pick the callers at random (seeded) from the generated staff."""
    rng = random.Random(seed)
    with engine.connect() as c:

        def sample(role: str, extra: str = "") -> list[str]:
            names = list(
                c.execute(
                    sa.text(
                        "SELECT DISTINCT p.username FROM people p JOIN role_assignments r "
                        "ON r.person_id = p.id WHERE r.role = :role AND p.username NOT LIKE "
                        f"'%.ky.%' {extra} ORDER BY p.username"
                    ),
                    {"role": role},
                ).scalars()
            )
            return rng.sample(names, min(users, len(names)))

        by_role = {
            "subject teacher": sample("subject_teacher"),
            "homeroom teacher": sample("homeroom_teacher"),
            "principal": sample("principal"),
            "clerk": sample("clerk"),
            "Department officer": sample("department_officer"),
        }
        current = c.execute(sa.text("SELECT max(id) FROM school_years")).scalar_one()
        reads: list[tuple[str, str]] = []
        for name in by_role["principal"]:
            school = int(name.split(".")[0][1:])
            found = c.execute(
                sa.text(
                    "SELECT id FROM transcripts WHERE school_id = :s AND school_year_id = :y "
                    "ORDER BY id LIMIT 20"
                ),
                {"s": school, "y": current},
            ).scalars()
            reads.extend((name, str(i)) for i in found)
        rng.shuffle(reads)
        # Signing: the concurrent clients work on different classes (one class's teachers
        # signing the same transcripts at once would measure conflicts, not throughput).
        classes = list(
            c.execute(
                sa.text(
                    "SELECT c.id, c.school_id FROM classes c WHERE c.name = '9S1' ORDER BY c.id"
                )
            )
        )
        work: list[tuple[str, str, str, list[str]]] = []
        personal: dict[str, tuple[str, str]] = {}
        per_class = max(1, -(-rounds // max(1, len(classes))))
        for position in range(per_class):
            for class_id, school in classes:
                if len(work) >= rounds or position >= len(SUBJECTS):
                    break
                code = SUBJECTS[position][0]
                username = f"s{school}.ky.{code.lower()}"
                full_name, personal_id = c.execute(
                    sa.select(col(Person.full_name), col(Person.personal_id)).where(
                        col(Person.username) == username
                    ),
                ).one()
                assert personal_id is not None  # the city's staff all have one
                personal[username] = (full_name, personal_id)
                ids = [
                    str(i)
                    for i in c.execute(
                        sa.text("SELECT id FROM transcripts WHERE class_id = :c ORDER BY id"),
                        {"c": class_id},
                    ).scalars()
                ]
                work.append((username, code, full_name, ids))
    weights = {"subject teacher": 60, "homeroom teacher": 15, "principal": 10, "clerk": 10}
    mix = [n for role, w in weights.items() for n in by_role[role][: max(1, users * w // 100)]]
    mix += by_role["Department officer"][:1]
    rng.shuffle(mix)
    by_role = {**by_role, "staff mix": mix}
    return Cast(by_role=by_role, reads=reads, rounds=work, personal=personal)


async def cache_lookups(base: str) -> str:
    """The server's read-cache counts (``GET /metrics``), e.g. ``tasks 990 hit / 10 miss``."""
    async with aiohttp.ClientSession(base) as session:
        text = (await _get(session, "/metrics")).decode()
    counts: dict[str, dict[str, int]] = {}
    for line in text.splitlines():
        if line.startswith("hocba_read_cache_lookups_total{"):
            labels, value = line.rsplit(" ", 1)
            cache = labels.split('cache="', 1)[1].split('"', 1)[0]
            outcome = labels.split('outcome="', 1)[1].split('"', 1)[0]
            counts.setdefault(cache, {})[outcome] = int(float(value))
    return ", ".join(
        f"{cache} {c.get('hit', 0):,} hit / {c.get('miss', 0):,} miss"
        f" ({c.get('hit', 0) / max(1, c.get('hit', 0) + c.get('miss', 0)):.1%})"
        for cache, c in sorted(counts.items())
    )


async def measure(
    base: str,
    the_cast: Cast,
    pki: Pki,
    *,
    requests: int,
    concurrency: int,
    tasks_only: bool = False,
) -> tuple[list[Run], Run, Run]:
    """Every endpoint in turn; the signing round's prepare and complete also on their own.

    ``tasks_only``: the trivial endpoint and ``GET /tasks`` only."""
    names = sorted(
        {n for ns in the_cast.by_role.values() for n in ns}
        | {r[0] for r in the_cast.reads}
        | {w[0] for w in the_cast.rounds}
    )
    started = time.perf_counter()
    tokens = await login_all(base, names)
    print(f"{len(tokens)} logins in {time.perf_counter() - started:.1f} s", flush=True)
    warmup = max(concurrency, requests // 10)
    runs: list[Run] = []

    async def trivial(session: aiohttp.ClientSession, _n: int) -> None:
        await _get(session, "/bench/trivial")

    runs.append(
        await drive(base, "GET /bench/trivial", trivial, total=requests, warmup=warmup,
                    concurrency=concurrency)
    )  # fmt: skip
    for role in ("staff mix", *[r for r in the_cast.by_role if r != "staff mix"]):
        callers = the_cast.by_role[role]

        async def tasks(
            session: aiohttp.ClientSession, n: int, callers: list[str] = callers
        ) -> None:
            await _get(session, f"{PREFIX}/tasks", tokens[callers[n % len(callers)]])

        runs.append(
            await drive(base, f"GET /tasks ({role})", tasks, total=requests, warmup=warmup,
                        concurrency=concurrency)
        )  # fmt: skip
    # Warm-up requests included: the share of callers' actors and queues served from cache.
    print(f"read cache after GET /tasks: {await cache_lookups(base)}", flush=True)
    prepare_run, complete_run = Run("  POST /signing-sessions"), Run("  POST …/complete")
    if tasks_only:
        return runs, prepare_run, complete_run

    async def read(session: aiohttp.ClientSession, n: int) -> None:
        who, transcript = the_cast.reads[n % len(the_cast.reads)]
        await _get(session, f"{PREFIX}/transcripts/{transcript}", tokens[who])

    runs.append(
        await drive(base, "GET /transcripts/{id}", read, total=requests, warmup=warmup,
                    concurrency=concurrency)
    )  # fmt: skip

    async def sign(session: aiohttp.ClientSession, n: int) -> None:
        username, code, full_name, ids = the_cast.rounds[n]
        token = tokens[username]
        t0 = time.perf_counter()
        prepared = await _post(
            session,
            f"{PREFIX}/signing-sessions",
            token,
            {
                "transcript_ids": ids,
                "step": "subject",
                "subject_code": code,
                "certificate": pki.chain_for(full_name, the_cast.personal[username][1]),
            },
        )
        prepare_run.latencies.append(time.perf_counter() - t0)
        items = [
            {
                "transcript_id": item["transcript_id"],
                "xml_signature": _b64(pki.sign(base64.b64decode(item["xml"]["to_sign"]))),
            }
            for item in prepared["items"]
        ]
        t1 = time.perf_counter()
        done = await _post(
            session,
            f"{PREFIX}/signing-sessions/{prepared['session_id']}/complete",
            token,
            {"items": items},
        )
        complete_run.latencies.append(time.perf_counter() - t1)
        failed = [i for i in done["items"] if not i["ok"]]
        assert not failed, f"complete: {failed[:2]}"

    rounds = len(the_cast.rounds)
    signing = await drive(base, "signing round (class)", sign, total=rounds, warmup=0,
                          concurrency=min(concurrency, rounds))  # fmt: skip
    prepare_run.seconds = complete_run.seconds = signing.seconds
    runs.append(signing)
    return runs, prepare_run, complete_run


def table(runs: list[Run], extra: list[Run], baseline: Run) -> str:
    """The figures, one line per endpoint, p95 against the baseline's."""
    base95 = baseline.percentile(95)
    lines = [
        f"{'endpoint':<34} {'requests':>8} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} "
        f"{'p99 ms':>8} {'p95 ratio':>9} {'errors':>6}"
    ]
    for run in [*runs, *extra]:
        if not run.latencies:
            lines.append(f"{run.label:<34} {'—':>8}")
            continue
        lines.append(
            f"{run.label:<34} {len(run.latencies):>8} {run.throughput:>8.1f} "
            f"{run.percentile(50):>8.1f} {run.percentile(95):>8.1f} {run.percentile(99):>8.1f} "
            f"{run.percentile(95) / base95:>8.1f}× {run.errors:>6}"
        )
    return "\n".join(lines)


def one_at_a_time(engine: sa.Engine, the_cast: Cast, repeat: int = 200) -> str:
    """What one ``GET /tasks`` costs the server alone: the use cases, in this process, one
    call at a time (no HTTP, no concurrency), medians over the staff mix."""
    with engine.connect() as c:
        ids: dict[str, int] = {
            str(name): int(person)
            for name, person in c.execute(
                sa.text("SELECT username, id FROM people WHERE username = ANY(:names)"),
                {"names": the_cast.by_role["staff mix"]},
            )
        }
    callers = [ids[n] for n in the_cast.by_role["staff mix"]]
    auth, queue = [], []
    for n in range(repeat):
        person_id = callers[n % len(callers)]
        t0 = time.perf_counter()
        actor = resolve_actor(UnitOfWork(engine), person_id=person_id, now=NOW)
        t1 = time.perf_counter()
        my_tasks(UnitOfWork(engine), actor=actor, now=NOW)
        t2 = time.perf_counter()
        auth.append(t1 - t0)
        queue.append(t2 - t1)
    cache = ReadCache(engine)
    cache.feed.wait_until_listening(30)
    hits = []
    try:
        for person_id in callers:  # fill the cache, as the server's first requests do
            actor = cache.actor(UnitOfWork(engine), person_id=person_id, now=NOW)
            cache.tasks(UnitOfWork(engine), actor=actor, now=NOW, render=list)
        for n in range(repeat):
            t0 = time.perf_counter()
            cached = cache.cached_actor(person_id=callers[n % len(callers)], now=NOW)
            assert cached is not None
            assert cache.cached_tasks(actor=cached, now=NOW, render=list) is not None
            hits.append(time.perf_counter() - t0)
    finally:
        cache.feed.close()
    return (
        f"one GET /tasks alone (in process, median of {repeat}): the caller's actor "
        f"{statistics.median(auth) * 1000:.1f} ms, the queue "
        f"{statistics.median(queue) * 1000:.1f} ms; both from the read cache "
        f"{statistics.median(hits) * 1e6:.0f} µs"
    )


_TOUCH = sa.text("UPDATE schools SET name = name WHERE id = (SELECT min(id) FROM schools)")


class Writer:
    """A steady stream of small committed changes (``--writes-per-second``), from this
    process through the app's own engine hooks: each one reaches the server as a change
    notification, as a teacher's signature elsewhere in the city would."""

    def __init__(self, url: str, per_second: float) -> None:
        self._url, self._interval = url, 1 / per_second
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="bench-writer", daemon=True)
        self.commits = 0

    def __enter__(self) -> Writer:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    def _run(self) -> None:
        engine = create_database_engine(self._url)
        due = time.perf_counter()
        try:
            while not self._stop.is_set():
                with engine.begin() as connection:
                    connection.execute(_TOUCH)
                self.commits += 1
                due += self._interval
                self._stop.wait(max(0.0, due - time.perf_counter()))
        finally:
            engine.dispose()


def _wait_until_up(base: str, server: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server exited with {server.returncode}")
        try:
            with urllib.request.urlopen(f"{base}/bench/trivial", timeout=1) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("the server did not answer within a minute")


def _measure_served(
    args: argparse.Namespace, base: str, the_cast: Cast, pki: Pki
) -> tuple[list[Run], Run, Run]:
    writing = (
        Writer(args.database_url, args.writes_per_second)
        if args.writes_per_second
        else contextlib.nullcontext()
    )
    with writing:
        measured = asyncio.run(
            measure(
                base,
                the_cast,
                pki,
                requests=args.requests,
                concurrency=args.concurrency,
                tasks_only=args.tasks_only,
            )
        )
    if isinstance(writing, Writer):
        print(f"{writing.commits} changes committed while measuring", flush=True)
    return measured


def main(argv: Sequence[str] | None = None) -> None:
    """Generate (once), serve, measure, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    full = CityShape()
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--schools", type=int, default=full.schools)
    parser.add_argument("--per-school", type=int, default=full.per_school)
    parser.add_argument("--signing-classes", type=int, default=full.signing_classes)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--requests", type=int, default=1000, help="measured, per endpoint")
    parser.add_argument("--rounds", type=int, default=50, help="signing rounds")
    parser.add_argument("--users", type=int, default=40, help="callers per role")
    parser.add_argument("--generate-only", action="store_true")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    parser.add_argument(
        "--tasks-only", action="store_true", help="the trivial endpoint and GET /tasks only"
    )
    parser.add_argument(
        "--writes-per-second",
        type=float,
        default=0.0,
        help="commit this many small changes a second while measuring (cache invalidations)",
    )
    parser.add_argument("--serve", nargs=2, metavar=("PORT", "TRUST_ROOTS"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        serve(args.database_url, int(args.serve[0]), Path(args.serve[1]), args.workers)
        return
    shape = CityShape(
        schools=args.schools,
        per_school=args.per_school,
        signing_classes=min(args.signing_classes, args.schools),
    )
    city = ensure_city(args.database_url, shape)
    print(
        f"city: {city.transcripts:,} transcripts, {shape.schools} schools; "
        + (f"generated in {city.seconds:.1f} s" if city.seconds else "reused (already generated)")
    )
    if args.generate_only:
        return
    engine = create_database_engine(args.database_url)
    reset_signing_classes(engine)
    the_cast = cast(engine, users=args.users, rounds=args.rounds, seed=11)
    alone = one_at_a_time(engine, the_cast)
    engine.dispose()
    pki = _pki()
    workdir = Path(tempfile.mkdtemp(prefix="hocba-bench-"))
    roots = workdir / "roots.pem"
    roots.write_bytes(pki.root.public_bytes(Encoding.PEM))
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "bench.api_load", "--database-url", args.database_url,
         "--workers", str(args.workers), "--serve", str(port), str(roots)],
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )  # fmt: skip
    try:
        _wait_until_up(base, server)
        runs, prepare_run, complete_run = _measure_served(args, base, the_cast, pki)
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(
        f"\n{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, PostgreSQL, "
        f"{city.transcripts:,} transcripts, {args.concurrency} concurrent clients, "
        f"{args.workers} uvicorn worker process{'es' if args.workers > 1 else ''}"
    )
    print(table(runs, [prepare_run, complete_run], runs[0]))
    print(alone)
    signing = runs[-1]
    if signing.latencies and not args.tasks_only:
        per = statistics.mean(len(w[3]) for w in the_cast.rounds)
        print(f"(a signing round signs one subject for a class of {per:.0f} transcripts)")


if __name__ == "__main__":
    main()
