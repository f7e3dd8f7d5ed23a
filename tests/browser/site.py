"""The demo school served for page tests: seeded once per test process, on SQLite."""

from __future__ import annotations

import os
import re
import socket
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from api import create_app
from domain.model import Person, SchoolClass, SchoolYear
from domain.signatures import Pkcs12Signer
from tests.support.clock import vn
from tests.support.demo_pki import demo_pki
from tests.support.demo_snapshot import seeded_demo
from workflow import (
    DEMO_PASSWORD,
    Actor,
    Settings,
    SignedFileKind,
    SigningStep,
    TranscriptSummary,
    UnitOfWork,
    create_database_engine,
    load_actor,
    my_tasks,
    my_transcripts,
    pdf_signing_options,
    read_signed_file,
    sign_with,
)
from workflow._migrations import upgrade

NOW = vn(2026, 11, 29, 9, 0)
"""The app's clock for every page test (the demo is seeded for this instant)."""
SECRET = "browser-test-secret-" + "s" * 40
ARTIFACTS = Path(
    os.environ.get("HOCBA_SCREENSHOTS")
    or Path(__file__).resolve().parents[2] / "var" / "test-artifacts" / "screenshots"
)
"""Screenshots of each page and axe's findings (kept after the run, for people to look at);
``HOCBA_SCREENSHOTS`` puts them elsewhere."""
CURRENT, PREVIOUS = "2026-2027", "2025-2026"
OTHER_SUBJECT_TEACHERS = tuple(
    f"gvbm.{code.lower()}"
    for code in (
        "NGUVAN", "NGOAINGU1", "GDCD", "LSDL", "KHTN", "CONGNGHE", "TINHOC", "GDTC",
        "NGHETHUAT", "HDTNHN", "GDDP",
    )
)  # fmt: skip
"""Last year's 6A1 teachers besides Toán's (gvbm.toan2)."""


class FixedClock:
    """The app's clock in page tests: stopped at NOW."""

    def now(self) -> datetime:
        return NOW


@dataclass(frozen=True)
class DemoSite:
    """The seeded demo database and the settings the app runs with."""

    engine: Engine
    settings: Settings

    def app(self) -> Litestar:
        """A new app over the seeded database (demo mode, fixed clock)."""
        return create_app(settings=self.settings, engine=self.engine, clock=FixedClock())

    def person(self, username: str) -> int:
        with Session(self.engine) as session:
            found = session.exec(select(Person.id).where(Person.username == username)).one()
            assert found is not None
            return found

    def actor(self, username: str) -> Actor:
        with Session(self.engine) as session:
            return load_actor(session, self.person(username), at=NOW)

    def class_id(self, year: str, name: str) -> int:
        with Session(self.engine) as session:
            found = session.exec(
                select(SchoolClass.id)
                .join(SchoolYear, col(SchoolYear.id) == SchoolClass.school_year_id)
                .where(SchoolYear.name == year, SchoolClass.name == name)
            ).one()
            assert found is not None
            return found

    def own_transcripts(self, username: str) -> list[TranscriptSummary]:
        return my_transcripts(UnitOfWork(self.engine), actor=self.actor(username), now=NOW)

    def sign_as_the_other_teachers(self, transcript_id: str) -> None:
        """Last year's other subject teachers and the homeroom teacher sign ``transcript_id``
        with their demo keys (what the browser test does for Toán, done directly)."""
        pki = self.settings.data_dir / "pki"
        options = pdf_signing_options(self.settings)
        for login in (*OTHER_SUBJECT_TEACHERS, "gvcn.7a1"):
            actor = self.actor(login)
            signer = Pkcs12Signer.from_file(pki / f"{login}.p12", DEMO_PASSWORD.encode())
            for task in my_tasks(UnitOfWork(self.engine), actor=actor, now=NOW):
                if transcript_id in task.transcript_ids and task.step is not None:
                    results = sign_with(
                        UnitOfWork(self.engine),
                        signer=signer,
                        actor=actor,
                        transcript_ids=[transcript_id],
                        step=SigningStep(task.step),
                        subject_code=task.subject_code,
                        now=NOW,
                        pdf=options,
                    )
                    assert all(r.ok for r in results), results

    def finalized_xml(self) -> bytes:
        """The demo student's finalized XML of last year, as they would download it."""
        found = next(
            t
            for t in self.own_transcripts("hs.demo")
            if t.school_year == PREVIOUS and t.status == "finalized"
        )
        return read_signed_file(
            UnitOfWork(self.engine),
            transcript_id=found.id,
            kind=SignedFileKind.XML,
            actor=self.actor("hs.demo"),
            now=NOW,
        ).content


@cache
def demo_site() -> DemoSite:
    """The demo school on a fresh SQLite database (seeding is slow: once per process)."""
    directory = Path(tempfile.mkdtemp(prefix="hocba-pages-"))
    url = f"sqlite:///{directory / 'demo.db'}"
    engine = create_database_engine(url)
    upgrade(engine)
    pki = demo_pki()
    seeded_demo(engine, now=NOW)
    settings = Settings(
        secret_key=SECRET, demo=True, data_dir=pki.directory.parent, database_url=url
    )
    return DemoSite(engine=engine, settings=settings)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def served(app: Litestar) -> Iterator[str]:
    """``app`` served by uvicorn on 127.0.0.1 in a background thread; yields its base URL."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    ready = threading.Event()
    for _ in range(1000):  # up to ten seconds for the server to start listening
        if server.started:
            break
        ready.wait(0.01)
    assert server.started, "uvicorn did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


_CSRF = re.compile(r'name="_csrf" value="([^"]+)"')


def csrf_of(html: str) -> str:
    """The form token a page carries."""
    found = _CSRF.search(html)
    assert found, "the page has no form token"
    return found.group(1)


def log_in(client: TestClient[Any], username: str) -> httpx.Response:
    """Log ``client`` in through the login form; the redirect's response."""
    token = csrf_of(client.get("/dang-nhap").text)
    return client.post(
        "/dang-nhap",
        data={"_csrf": token, "username": username, "password": DEMO_PASSWORD},
        follow_redirects=False,
    )
