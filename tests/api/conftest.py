"""The API over the test school: a Litestar TestClient, a settable clock, logins by name."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar.testing import TestClient
from sqlmodel import Session

from api import create_app
from api._auth import TokenIssuer
from domain.model import (
    GuardianLink,
    Person,
    School,
    SchoolClass,
    Student,
    TranscriptKind,
)
from tests.support.signing import authority
from tests.support.world import BEFORE_LOCK, YEAR_START, World
from workflow import SYSTEM, Settings, create_transcript, hash_password

SECRET = "test-secret-" + "k" * 40
PASSWORD = "mat-khau-thu-nghiem"
STUDENT, GUARDIAN = "hs.an", "ph.an"
"""The login of student 0 of 6A1 (Nguyễn Văn An) and of his father."""
PREFIX = "/api/v1"


class SettableClock:
    """The app's clock in tests: stopped, moved by the test, never the machine's."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at


@cache
def password_hash() -> str:
    """One argon2 hash of PASSWORD for the whole run (hashing is slow on purpose)."""
    return hash_password(PASSWORD)


@cache
def test_roots_file() -> Path:
    """The test CA of ``tests.support.signing`` as a PEM bundle (written once per process)."""
    directory = Path(tempfile.mkdtemp(prefix="hocba-test-roots-"))
    atexit.register(shutil.rmtree, directory, True)
    return authority().write_root(directory)


def settings(**overrides: Any) -> Settings:
    """Settings of a test app: a fixed secret, trusting the test CA (``HOCBA_TRUST_ROOTS``;
    ``trust_roots=None`` for an app without; demo mode trusts the demo PKI instead), the rest
    default unless given."""
    if not overrides.get("demo"):
        overrides.setdefault("trust_roots", test_roots_file())
    return Settings(secret_key=SECRET, **overrides)


@dataclass
class Api:
    """A test client of the app and the world behind it; requests made as a named login."""

    client: TestClient[Any]
    world: World
    clock: SettableClock
    ttl: timedelta = field(default=timedelta(hours=1))

    def token(self, username: str) -> str:
        """A bearer token for ``username``, issued now by the app's own issuer."""
        issuer = TokenIssuer(secret=SECRET, ttl=self.ttl)
        return issuer.issue(person_id=self.world.people[username], now=self.clock.now())

    def headers(self, username: str | None) -> dict[str, str]:
        return {} if username is None else {"Authorization": f"Bearer {self.token(username)}"}

    def get(self, path: str, *, as_: str | None, **kwargs: Any) -> httpx.Response:
        return self.client.get(PREFIX + path, headers=self.headers(as_), **kwargs)

    def post(self, path: str, *, as_: str | None, **kwargs: Any) -> httpx.Response:
        return self.client.post(PREFIX + path, headers=self.headers(as_), **kwargs)


def add_own_readers(world: World) -> None:
    """The logins of student 0 and of his guardian, with the test password."""
    with Session(world.engine) as session:
        student = Person(username=STUDENT, full_name="Nguyễn Văn An", password_hash=None)
        parent = Person(username=GUARDIAN, full_name="Nguyễn Văn Cha")
        session.add_all([student, parent])
        session.flush()
        assert student.id is not None and parent.id is not None
        row = session.get(Student, world.student_ids[0])
        assert row is not None
        row.person_id = student.id
        session.add(row)
        session.add(
            GuardianLink(student_id=world.student_ids[0], person_id=parent.id, relationship="cha")
        )
        session.commit()
        world.people.update({STUDENT: student.id, GUARDIAN: parent.id})


def set_password(world: World, username: str) -> None:
    """Give ``username`` the test password."""
    with Session(world.engine) as session:
        person = session.get(Person, world.people[username])
        assert person is not None
        person.password_hash = password_hash()
        session.add(person)
        session.commit()


def close_account(world: World, username: str) -> None:
    """Close ``username``'s account."""
    with Session(world.engine) as session:
        person = session.get(Person, world.people[username])
        assert person is not None
        person.is_active = False
        session.add(person)
        session.commit()


@pytest.fixture
def clock() -> SettableClock:
    return SettableClock(BEFORE_LOCK)


@pytest.fixture
def api(world: World, clock: SettableClock) -> Iterator[Api]:
    """The app over the test school (with a student's and a guardian's login), trusting the
    test CA of ``tests.support.signing``."""
    add_own_readers(world)
    app = create_app(settings=settings(), engine=world.engine, clock=clock)
    with TestClient(app) as client:
        yield Api(client=client, world=world, clock=clock)


def assert_problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """The response is a problem details document with ``status`` and ``code``."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["code"] == code
    assert body["type"] == "urn:hocba:problem:" + code.replace("_", "-")
    assert body["title"] and body["detail"]
    return body


def other_school_transcript(world: World) -> str:
    """A draft transcript at a second school of the same Department (79), same year."""
    with Session(world.engine) as session:
        school = School(code="79000002", name="Trường THCS Bên Cạnh", department_code="79")
        session.add(school)
        session.flush()
        assert school.id is not None
        klass = SchoolClass(school_id=school.id, school_year_id=world.year_id, name="6B1", grade=6)
        student = Student(
            personal_id="079212000999",
            full_name="Lê Văn Khác",
            date_of_birth=date(2013, 5, 5),
            gender="Nam",
        )
        session.add_all([klass, student])
        session.commit()
        assert klass.id is not None and student.id is not None
        class_id, student_id = klass.id, student.id
    return create_transcript(
        world.uow(),
        student_id=student_id,
        class_id=class_id,
        kind=TranscriptKind.CA_NAM,
        data={"note": "other school"},
        actor=SYSTEM,
        now=YEAR_START,
    )


def class_6a2_transcript(world: World) -> str:
    """A draft transcript of a new student of 6A2."""
    with Session(world.engine) as session:
        student = Student(
            personal_id="079212000777",
            full_name="Phạm Thị Hai",
            date_of_birth=date(2013, 7, 7),
            gender="Nữ",
        )
        session.add(student)
        session.commit()
        assert student.id is not None
        world.student_ids.append(student.id)
    return world.new_transcript(student=len(world.student_ids) - 1, klass="6A2")
