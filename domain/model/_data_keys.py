"""Keys for personal data at rest: the AES-256-GCM envelope and the keyed blind index.

Keys live outside the database (settings); the process installs its keyring once with
``use_data_keys`` and the encrypted column types read it. An envelope names the key that
sealed it, so old keys keep decrypting until ``hocba keys rotate`` re-seals everything with
the first key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
from dataclasses import dataclass, field
from functools import cached_property

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from domain.model._errors import DomainError

ENVELOPE_VERSION = 1
"""First byte of every envelope; a new format gets a new number."""
_NONCE_BYTES = 12
_KEY_BYTES = 32
_KEY_ID = re.compile(r"[A-Za-z0-9_-]{1,32}")
_MIN_INDEX_KEY_BYTES = 32


class DataKeyError(DomainError):
    """The data keys are missing or malformed, or a value cannot be decrypted with them."""

    code = "data_keys"


class DataKeysMissingError(DataKeyError):
    """No keyring is installed: ``HOCBA_DATA_KEYS`` / ``HOCBA_INDEX_KEY`` are not configured."""

    code = "data_keys_missing"


class UndecryptableValueError(DataKeyError):
    """A stored value that does not open: tampered, moved from another column, or sealed by a
    key that is not in the keyring. Carries the column (``table.column``) and the key id."""

    code = "undecryptable_value"

    def __init__(self, column: str, reason: str, key_id: str | None = None) -> None:
        super().__init__(f"{column}: cannot decrypt the stored value: {reason}")
        self.column = column
        self.reason = reason
        self.key_id = key_id


@dataclass(frozen=True)
class DataKey:
    """One AES-256 key and the id envelopes name it by."""

    key_id: str
    """Letters, digits, ``_`` and ``-``, at most 32; written into every envelope."""
    secret: bytes = field(repr=False)
    """32 random bytes."""

    def __post_init__(self) -> None:
        if not _KEY_ID.fullmatch(self.key_id):
            raise DataKeyError(f"data key id {self.key_id!r}: use 1-32 letters, digits, _ or -")
        if len(self.secret) != _KEY_BYTES:
            raise DataKeyError(f"data key {self.key_id!r}: must be {_KEY_BYTES} bytes")


@dataclass(frozen=True)
class DataKeys:
    """The keyring: the first key seals, every key opens what it sealed; one blind-index key."""

    keys: tuple[DataKey, ...]
    """The first one encrypts new values; the others only decrypt (until rotated away)."""
    index_key: bytes = field(repr=False)
    """HMAC-SHA256 key of the blind indexes (never rotated without re-indexing)."""

    def __post_init__(self) -> None:
        if not self.keys:
            raise DataKeyError("the data keyring holds no key")
        ids = [key.key_id for key in self.keys]
        if len(set(ids)) != len(ids):
            raise DataKeyError(f"data key ids must be unique: {', '.join(ids)}")
        if len(self.index_key) < _MIN_INDEX_KEY_BYTES:
            raise DataKeyError(f"the index key must be at least {_MIN_INDEX_KEY_BYTES} bytes")

    @property
    def current_id(self) -> str:
        """The id of the key that seals new values."""
        return self.keys[0].key_id

    @cached_property
    def _ciphers(self) -> dict[str, AESGCM]:
        # One AESGCM object per key, built once: its key schedule is the costly part.
        return {key.key_id: AESGCM(key.secret) for key in self.keys}

    def seal(self, plaintext: bytes, *, column: str) -> bytes:
        """The envelope of ``plaintext`` for ``column`` (``table.column``), under the first key.

        Layout: version (1 byte), key id length (1 byte), key id, nonce (12 bytes), ciphertext
        with its tag. The associated data binds the version, the key id and the column.
        """
        key_id = self.current_id
        header = bytes([ENVELOPE_VERSION, len(key_id)]) + key_id.encode("ascii")
        nonce = os.urandom(_NONCE_BYTES)
        sealed = self._ciphers[key_id].encrypt(nonce, plaintext, header + column.encode())
        return header + nonce + sealed

    def open(self, envelope: bytes, *, column: str) -> bytes:
        """The plaintext an envelope of ``column`` holds; UndecryptableValueError otherwise."""
        key_id = envelope_key_id(envelope, column=column)
        cipher = self._ciphers.get(key_id)
        if cipher is None:
            raise UndecryptableValueError(
                column, f"sealed with key {key_id!r}, not in HOCBA_DATA_KEYS", key_id
            )
        start = 2 + len(key_id)
        nonce = envelope[start : start + _NONCE_BYTES]
        try:
            return cipher.decrypt(
                nonce, envelope[start + _NONCE_BYTES :], envelope[:start] + column.encode()
            )
        except InvalidTag:
            raise UndecryptableValueError(
                column, f"authentication failed under key {key_id!r} (tampered or moved)", key_id
            ) from None

    def blind_index(self, purpose: str, normalised: str) -> str:
        """The keyed look-up value (hex HMAC-SHA256) of a normalised value for one purpose."""
        message = f"{purpose}\x00{normalised}".encode()
        return hmac.new(self.index_key, message, hashlib.sha256).hexdigest()


def envelope_key_id(envelope: bytes, *, column: str) -> str:
    """The id of the key an envelope names; UndecryptableValueError if it is no envelope."""
    if len(envelope) < 2 or envelope[0] != ENVELOPE_VERSION:
        raise UndecryptableValueError(column, "not an envelope of a known version")
    end = 2 + envelope[1]
    if len(envelope) < end + _NONCE_BYTES + 16:
        raise UndecryptableValueError(column, "truncated envelope")
    try:
        return envelope[2:end].decode("ascii")
    except UnicodeDecodeError:
        raise UndecryptableValueError(column, "malformed key id") from None


def parse_data_keys(entries: str, index_key: str) -> DataKeys:
    """A keyring from ``id:base64key,id:base64key`` entries and a base64 index key."""
    keys: list[DataKey] = []
    for raw in entries.replace("\n", ",").split(","):
        entry = raw.strip()
        if not entry or entry.startswith("#"):
            continue
        key_id, separator, encoded = entry.partition(":")
        if not separator:
            raise DataKeyError(f"data key entry for {key_id[:8]!r}…: expected id:base64key")
        keys.append(DataKey(key_id.strip(), _decode(encoded, f"data key {key_id.strip()!r}")))
    return DataKeys(tuple(keys), _decode(index_key, "the index key"))


def _decode(encoded: str, what: str) -> bytes:
    try:
        return base64.b64decode(encoded.strip(), validate=True)
    except ValueError:
        raise DataKeyError(f"{what}: not valid base64") from None


def new_data_key_entry(key_id: str) -> str:
    """A fresh ``id:base64key`` entry for HOCBA_DATA_KEYS (or a base64 index key: id ``""``)."""
    secret = base64.b64encode(os.urandom(_KEY_BYTES)).decode("ascii")
    if not key_id:
        return secret
    DataKey(key_id, base64.b64decode(secret))
    return f"{key_id}:{secret}"


def _demo_secret(label: str) -> bytes:
    return hashlib.sha256(f"hocba demo {label} (public, never for real data)".encode()).digest()


DEMO_DATA_KEYS = DataKeys((DataKey("demo1", _demo_secret("data key 1")),), _demo_secret("index"))
"""Published keys for demo mode and tests only: they protect nothing."""

_installed: list[DataKeys] = []


def use_data_keys(keys: DataKeys) -> None:
    """Install the keyring of this process (replaces any earlier one)."""
    _installed[:] = [keys]


def data_keys() -> DataKeys:
    """The installed keyring; DataKeysMissingError if none is."""
    if not _installed:
        raise DataKeysMissingError(
            "no data keys installed: set HOCBA_DATA_KEYS (or HOCBA_DATA_KEYS_FILE) and "
            "HOCBA_INDEX_KEY (see `hocba keys new`)"
        )
    return _installed[0]


def has_data_keys() -> bool:
    """Whether a keyring is installed."""
    return bool(_installed)


def personal_id_index(personal_id: str) -> str:
    """The blind index of a (valid) personal ID under the installed keyring."""
    return data_keys().blind_index("personal_id", personal_id)


def phone_index(phone: str) -> str:
    """The blind index of a normalised phone number under the installed keyring."""
    return data_keys().blind_index("phone", phone)
