"""Password hashing for accounts that log in with a password: argon2id, salted per hash."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# argon2-cffi's defaults follow RFC 9106's second recommended profile (argon2id, 64 MiB, t=3).
_HASHER = PasswordHasher()


def hash_password(password: str) -> str:
    """An argon2id hash of ``password`` (PHC string with its own random salt)."""
    return _HASHER.hash(password)


def verify_password(*, password_hash: str, password: str) -> bool:
    """Whether ``password`` matches ``password_hash``; False for a wrong or malformed hash."""
    try:
        return _HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def password_needs_rehash(password_hash: str) -> bool:
    """Whether the hash was made with weaker parameters than today's (rehash at next login)."""
    try:
        return _HASHER.check_needs_rehash(password_hash)
    except InvalidHashError:
        return True
