"""The encrypted envelope of a backup: a random data key wrapped by the operator's key, and the
content in authenticated chunks (AES-256-GCM), so a backup copy on another site reveals nothing
and any change to it, a cut-off end included, is refused.

Layout: ``MAGIC``, a 4-byte header length, the header (JSON: the key derivation's parameters and
the wrapped data key), then chunks ``[flag][4-byte length][ciphertext]``. Chunk ``i`` is
encrypted under the nonce ``i`` (11 bytes) ``‖ flag`` and the header's SHA-256 as associated
data; the last chunk's flag is 1. The data key is new for every archive, so counter nonces never
repeat under one key.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from workflow._backup_errors import ArchiveDamagedError, BackupKeyError

MAGIC = b"HOCBA-BACKUP\n"
CHUNK_SIZE = 1 << 20
"""Plaintext bytes per chunk."""
_TAG = 16
_MAX_HEADER = 4096
_FRAME = struct.Struct(">BI")  # flag, ciphertext length
_WRAP_AAD = MAGIC + b"data-key"
# scrypt at 2**15 × 8 (32 MiB, ~0.1 s): a passphrase is as hard to guess as its entropy allows.
_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 1 << 15, 8, 1
MIN_KEY_CHARACTERS = 20


@dataclass(frozen=True, slots=True)
class BackupKey:
    """The operator's backup key (a random key from ``hocba backup new-key``, or a passphrase).

    ``source`` names where it came from, for messages; the secret never appears in a repr.
    """

    secret: bytes = field(repr=False)
    source: str

    @classmethod
    def from_text(cls, text: str, *, source: str) -> BackupKey:
        """The key written in ``text`` (surrounding whitespace ignored); refuses a short one."""
        cleaned = text.strip()
        if len(cleaned) < MIN_KEY_CHARACTERS:
            raise BackupKeyError(
                f"the backup key from {source} is too short ({len(cleaned)} characters, at "
                f"least {MIN_KEY_CHARACTERS}); make one with `hocba backup new-key`",
                f"khoá sao lưu từ {source} quá ngắn (cần ít nhất {MIN_KEY_CHARACTERS} ký tự)",
            )
        return cls(secret=cleaned.encode("utf-8"), source=source)


def new_key_text() -> str:
    """A fresh random backup key: 32 bytes, base64url (43 characters)."""
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode("ascii").rstrip("=")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _kek(key: BackupKey, salt: bytes, n: int, r: int, p: int) -> bytes:
    return Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(key.secret)


def _nonce(index: int, final: bool) -> bytes:
    return index.to_bytes(11, "big") + (b"\x01" if final else b"\x00")


class EncryptingWriter:
    """A write-only stream that encrypts what it is given into ``sink``; ``close`` seals it."""

    def __init__(self, sink: BinaryIO, key: BackupKey) -> None:
        data_key = AESGCM.generate_key(bit_length=256)
        salt, wrap_nonce = os.urandom(16), os.urandom(12)
        kek = _kek(key, salt, _SCRYPT_N, _SCRYPT_R, _SCRYPT_P)
        header = json.dumps(
            {
                "format": 1,
                "cipher": "AES-256-GCM",
                "chunk_size": CHUNK_SIZE,
                "kdf": {
                    "name": "scrypt",
                    "salt": _b64(salt),
                    "n": _SCRYPT_N,
                    "r": _SCRYPT_R,
                    "p": _SCRYPT_P,
                },
                "wrap_nonce": _b64(wrap_nonce),
                "wrapped_key": _b64(AESGCM(kek).encrypt(wrap_nonce, data_key, _WRAP_AAD)),
            },
            sort_keys=True,
        ).encode("ascii")
        sink.write(MAGIC + struct.pack(">I", len(header)) + header)
        self._sink = sink
        self._aead = AESGCM(data_key)
        self._aad = hashlib.sha256(header).digest()
        self._buffer = bytearray()
        self._index = 0
        self.closed = False

    def write(self, data: bytes) -> int:
        """Take ``data``; full chunks are encrypted and written at once."""
        if self.closed:
            raise ValueError("write to a sealed backup stream")
        self._buffer += data
        while len(self._buffer) > CHUNK_SIZE:
            self._emit(bytes(self._buffer[:CHUNK_SIZE]), final=False)
            del self._buffer[:CHUNK_SIZE]
        return len(data)

    def _emit(self, plain: bytes, *, final: bool) -> None:
        sealed = self._aead.encrypt(_nonce(self._index, final), plain, self._aad)
        self._sink.write(_FRAME.pack(1 if final else 0, len(sealed)) + sealed)
        self._index += 1

    def close(self) -> None:
        """Write the last chunk (marked final, possibly empty); the sink stays open."""
        if not self.closed:
            self._emit(bytes(self._buffer), final=True)
            self._buffer.clear()
            self.closed = True


def _header(source: BinaryIO) -> tuple[bytes, dict[str, Any]]:
    start = source.read(len(MAGIC) + 4)
    if len(start) < len(MAGIC) + 4 or not start.startswith(MAGIC):
        raise ArchiveDamagedError("it is not a hocba backup (no backup header)")
    (length,) = struct.unpack(">I", start[len(MAGIC) :])
    raw = source.read(length) if 0 < length <= _MAX_HEADER else b""
    try:
        parsed = json.loads(raw) if len(raw) == length else None
    except ValueError:
        parsed = None
    if not isinstance(parsed, dict) or parsed.get("format") != 1:
        raise ArchiveDamagedError("its header is unreadable or of an unknown format")
    return raw, parsed


def _data_key(header: dict[str, Any], key: BackupKey) -> bytes:
    try:
        kdf = header["kdf"]
        if kdf["name"] != "scrypt" or header["cipher"] != "AES-256-GCM":
            raise ArchiveDamagedError("its header names an unknown cipher")
        kek = _kek(
            key,
            base64.b64decode(kdf["salt"], validate=True),
            int(kdf["n"]),
            int(kdf["r"]),
            int(kdf["p"]),
        )
        wrap_nonce = base64.b64decode(header["wrap_nonce"], validate=True)
        wrapped = base64.b64decode(header["wrapped_key"], validate=True)
    except (KeyError, TypeError, ValueError) as error:
        raise ArchiveDamagedError("its header is incomplete") from error
    try:
        return AESGCM(kek).decrypt(wrap_nonce, wrapped, _WRAP_AAD)
    except (InvalidTag, ValueError) as error:
        raise BackupKeyError(
            f"the backup key from {key.source} does not open this archive (a different key "
            "made it, or its header was altered)",
            f"khoá sao lưu từ {key.source} không mở được bản sao lưu này",
        ) from error


class DecryptingReader:
    """A read-only stream of the plaintext of an archive; every chunk is authenticated before
    its bytes are handed out, and the end must be the sealed last chunk."""

    def __init__(self, source: BinaryIO, key: BackupKey) -> None:
        raw, header = _header(source)
        self._aead = AESGCM(_data_key(header, key))
        self._aad = hashlib.sha256(raw).digest()
        self._source = source
        self._offset = len(MAGIC) + 4 + len(raw)
        self._buffer = bytearray()
        self._index = 0
        self._finished = False

    def _next_chunk(self) -> None:
        frame = self._source.read(_FRAME.size)
        if len(frame) < _FRAME.size:
            raise ArchiveDamagedError(f"it ends early, at byte {self._offset} (cut off)")
        flag, length = _FRAME.unpack(frame)
        if flag not in (0, 1) or not _TAG <= length <= CHUNK_SIZE + _TAG:
            raise ArchiveDamagedError(f"a chunk header at byte {self._offset} is malformed")
        sealed = self._source.read(length)
        if len(sealed) < length:
            raise ArchiveDamagedError(f"it ends early, at byte {self._offset} (cut off)")
        try:
            plain = self._aead.decrypt(_nonce(self._index, flag == 1), sealed, self._aad)
        except InvalidTag as error:
            raise ArchiveDamagedError(
                f"the chunk at byte {self._offset} does not authenticate (altered or damaged)"
            ) from error
        self._offset += _FRAME.size + length
        self._index += 1
        self._buffer += plain
        if flag == 1:
            self._finished = True
            if self._source.read(1):
                raise ArchiveDamagedError(f"bytes follow its sealed end at byte {self._offset}")

    def read(self, size: int = -1) -> bytes:
        """Up to ``size`` bytes of plaintext (all of the rest for ``size < 0``)."""
        while not self._finished and (size < 0 or len(self._buffer) < size):
            self._next_chunk()
        count = len(self._buffer) if size < 0 else min(size, len(self._buffer))
        out = bytes(self._buffer[:count])
        del self._buffer[:count]
        return out

    def drain(self) -> int:
        """Read to the sealed end (authenticating what is left); the plaintext bytes skipped."""
        skipped = 0
        while True:
            data = self.read(CHUNK_SIZE)
            if not data:
                return skipped
            skipped += len(data)


def load_backup_key(
    *, text: str | None, file: Path | None, option_file: Path | None = None
) -> BackupKey:
    """The backup key: ``option_file`` (``--key-file``) if given, else ``HOCBA_BACKUP_KEY``
    (``text``) or ``HOCBA_BACKUP_KEY_FILE`` (``file``), never both; BackupKeyError otherwise."""
    if option_file is None and text is not None and file is not None:
        raise BackupKeyError(
            "both HOCBA_BACKUP_KEY and HOCBA_BACKUP_KEY_FILE are set; keep one",
            "đặt cả HOCBA_BACKUP_KEY và HOCBA_BACKUP_KEY_FILE; chỉ giữ một",
        )
    path = option_file or (file if text is None else None)
    if path is not None:
        try:
            return BackupKey.from_text(path.read_text(encoding="utf-8"), source=str(path))
        except (OSError, UnicodeDecodeError) as error:
            raise BackupKeyError(
                f"cannot read the backup key file {path}: {error}",
                f"không đọc được tệp khoá sao lưu {path}",
            ) from error
    if text is not None:
        return BackupKey.from_text(text, source="HOCBA_BACKUP_KEY")
    raise BackupKeyError(
        "no backup key: set HOCBA_BACKUP_KEY_FILE (or HOCBA_BACKUP_KEY); "
        "make a key with `hocba backup new-key`",
        "chưa có khoá sao lưu (HOCBA_BACKUP_KEY_FILE hoặc HOCBA_BACKUP_KEY)",
    )
