"""Password login with a lockout after repeated failures, and who a login's token stands for.

The failures are rows in the database, so the lockout holds across API processes and restarts.
A wrong password, an unknown username and a closed account all fail the same way (no hint
whether an account exists); a username that does not exist is locked like one that does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

import sqlalchemy as sa
from sqlmodel import Session, col, select

from domain.model import LoginFailure, Person
from workflow._actor import ACTOR_STATEMENT, Actor, actor_from_rows
from workflow._errors import WorkflowError
from workflow._passwords import hash_password, password_needs_rehash, verify_password
from workflow._uow import UnitOfWork

_MAX_USERNAME = 64
_MAX_PASSWORD = 1024


class InvalidCredentialsError(WorkflowError):
    """The username and password do not open an active account (which of them is wrong is
    not said)."""

    code = "invalid_credentials"

    def __init__(self) -> None:
        super().__init__(
            "the username or password is wrong", "Tên đăng nhập hoặc mật khẩu không đúng"
        )


class LoginLockedError(WorkflowError):
    """Too many failed logins for this username within the window; ``retry_after`` seconds."""

    code = "login_locked"

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            f"too many failed logins; try again in {retry_after} seconds",
            f"Đăng nhập sai quá nhiều lần; hãy thử lại sau {retry_after} giây",
        )
        self.retry_after = retry_after


class NotAuthenticatedError(WorkflowError):
    """The token names an account that no longer exists or has been closed."""

    code = "not_authenticated"

    def __init__(self) -> None:
        super().__init__(
            "the account is closed or unknown; log in again",
            "Tài khoản đã bị khoá hoặc không tồn tại; hãy đăng nhập lại",
        )


@dataclass(frozen=True, slots=True)
class LockoutPolicy:
    """When repeated failures lock a username."""

    max_failures: int = 5
    """Failures within ``window`` after which the username is locked."""
    window: timedelta = timedelta(minutes=15)
    """How far back failures count; the lock lifts when the oldest counted one leaves it."""


@dataclass(frozen=True, slots=True)
class Authenticated:
    """A successful login: whose account it opened."""

    person_id: int
    username: str


@cache
def _decoy_hash() -> str:
    # Verified when the username is unknown, so a miss costs as much time as a wrong password.
    return hash_password("hocba-decoy-password-never-valid")


def _account(session: Session, typed: str, key: str) -> Person | None:
    # Two lookups on the unique index rather than lower() over the whole people table: the
    # name as typed, then lower-cased (logins are created lower-case).
    for name in dict.fromkeys((typed, key)):
        found = session.exec(select(Person).where(Person.username == name)).first()
        if found is not None:
            return found
    return None


def _recent_failures(session: Session, username: str, since: datetime) -> list[datetime]:
    return list(
        session.exec(
            select(LoginFailure.failed_at)
            .where(LoginFailure.username == username, col(LoginFailure.failed_at) > since)
            .order_by(col(LoginFailure.failed_at))
        ).all()
    )


def authenticate(
    uow: UnitOfWork,
    *,
    username: str,
    password: str,
    now: datetime,
    lockout: LockoutPolicy = LockoutPolicy(),
) -> Authenticated:
    """Check a password login at ``now``; raises InvalidCredentialsError or LoginLockedError.

    A failure is recorded (and committed) before the error is raised; a success clears the
    username's failures and upgrades an outdated password hash.
    """
    key = username.strip().lower()[:_MAX_USERNAME]
    if not key or any(ord(c) < 32 for c in key):
        raise InvalidCredentialsError  # no account has such a name; nothing worth recording
    since = now - lockout.window
    with uow:
        session = uow.session
        session.execute(
            sa.delete(LoginFailure).where(
                col(LoginFailure.username) == key, col(LoginFailure.failed_at) <= since
            )
        )
        recent = _recent_failures(session, key, since)
        if len(recent) >= lockout.max_failures:
            oldest_counted = recent[-lockout.max_failures]
            retry = max(1, int((oldest_counted + lockout.window - now).total_seconds()) + 1)
            uow.commit("the login failures")
            raise LoginLockedError(retry)
        person = _account(session, username.strip(), key)
        candidate = password[:_MAX_PASSWORD]
        stored = person.password_hash if person is not None else None
        matches = verify_password(password_hash=stored or _decoy_hash(), password=candidate)
        if person is None or not person.is_active or stored is None or not matches:
            session.add(LoginFailure(username=key, failed_at=now))
            uow.commit("the login failures")
            raise InvalidCredentialsError
        assert person.id is not None  # a stored row
        session.execute(sa.delete(LoginFailure).where(col(LoginFailure.username) == key))
        if password_needs_rehash(stored):
            person.password_hash = hash_password(candidate)
            session.add(person)
        uow.commit("the account")
        return Authenticated(person_id=person.id, username=person.username)


def resolve_actor(uow: UnitOfWork, *, person_id: int, now: datetime) -> Actor:
    """The actor a login token stands for at ``now``; NotAuthenticatedError for an account
    that is gone or closed since the token was issued.

    One statement (the person and their assignments in force), read on its own: every
    authenticated request runs it before its use case.
    """
    rows = uow.read_once(ACTOR_STATEMENT, {"person_id": person_id, "at": now})
    actor = actor_from_rows(person_id, rows)
    if actor is None or not rows[0].is_active:
        raise NotAuthenticatedError
    return actor
