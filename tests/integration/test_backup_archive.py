"""The encrypted envelope of a backup: what it seals opens only with its key, and only whole.

Each refusal is checked on real archives written to real files; the content spans several
chunks so that cutting, reordering and re-flagging chunks can be tried.
"""

from __future__ import annotations

import io
import os
import struct
from pathlib import Path

import pytest

from workflow import ArchiveDamagedError, BackupKey, BackupKeyError, load_backup_key, new_key_text
from workflow._backup_crypto import CHUNK_SIZE, MAGIC, DecryptingReader, EncryptingWriter

KEY = BackupKey.from_text("test-backup-key-0123456789abcdef", source="the test")
OTHER_KEY = BackupKey.from_text("another-backup-key-0123456789abcdef", source="the other test")
CONTENT = os.urandom(2 * CHUNK_SIZE + 12345)


def sealed(content: bytes = CONTENT, key: BackupKey = KEY) -> bytes:
    sink = io.BytesIO()
    writer = EncryptingWriter(sink, key)
    for start in range(0, len(content), 100_000):  # written in pieces, as tarfile does
        writer.write(content[start : start + 100_000])
    writer.close()
    return sink.getvalue()


def opened(archive: bytes, key: BackupKey = KEY) -> bytes:
    return DecryptingReader(io.BytesIO(archive), key).read()


def chunks(archive: bytes) -> tuple[bytes, list[bytes]]:
    """The archive's preamble (magic and header) and its framed chunks."""
    (length,) = struct.unpack(">I", archive[len(MAGIC) : len(MAGIC) + 4])
    start = len(MAGIC) + 4 + length
    frames, position = [], start
    while position < len(archive):
        size = struct.unpack(">I", archive[position + 1 : position + 5])[0]
        frames.append(archive[position : position + 5 + size])
        position += 5 + size
    return archive[:start], frames


def test_what_is_sealed_opens_with_its_key_byte_for_byte() -> None:
    assert opened(sealed()) == CONTENT


def test_empty_content_still_has_a_sealed_end() -> None:
    archive = sealed(b"")
    assert opened(archive) == b""
    with pytest.raises(ArchiveDamagedError, match="ends early"):
        opened(chunks(archive)[0])


def test_the_content_is_not_readable_in_the_archive() -> None:
    marker = b"Nguyen Van An 8.5 " * 1000
    assert marker[:64] not in sealed(marker)


def test_two_archives_of_the_same_content_differ() -> None:
    assert sealed(b"same") != sealed(b"same")


def test_another_key_does_not_open_an_archive() -> None:
    with pytest.raises(BackupKeyError, match="does not open this archive"):
        opened(sealed(), OTHER_KEY)


def test_a_changed_byte_in_any_chunk_is_refused() -> None:
    archive = bytearray(sealed())
    preamble, frames = chunks(bytes(archive))
    for index in range(len(frames)):
        position = len(preamble) + sum(len(f) for f in frames[:index]) + 5 + 1000
        altered = bytearray(archive)
        altered[position] ^= 0x01
        with pytest.raises(ArchiveDamagedError, match="does not authenticate"):
            opened(bytes(altered))


def test_a_changed_header_is_refused() -> None:
    archive = sealed()
    altered = archive.replace(b'"chunk_size": 1048576', b'"chunk_size": 1048577')
    assert altered != archive
    with pytest.raises(ArchiveDamagedError):
        opened(altered)


def test_an_archive_cut_at_a_chunk_boundary_is_refused() -> None:
    preamble, frames = chunks(sealed())
    assert len(frames) == 3
    with pytest.raises(ArchiveDamagedError, match="ends early"):
        opened(preamble + b"".join(frames[:2]))


def test_an_archive_cut_inside_a_chunk_is_refused() -> None:
    archive = sealed()
    with pytest.raises(ArchiveDamagedError, match="ends early"):
        opened(archive[:-10])


def test_reordered_chunks_are_refused() -> None:
    preamble, frames = chunks(sealed())
    with pytest.raises(ArchiveDamagedError, match="does not authenticate"):
        opened(preamble + frames[1] + frames[0] + frames[2])


def test_a_middle_chunk_flagged_as_the_last_is_refused() -> None:
    preamble, frames = chunks(sealed())
    reflagged = b"\x01" + frames[1][1:]
    with pytest.raises(ArchiveDamagedError, match="does not authenticate"):
        opened(preamble + frames[0] + reflagged)


def test_bytes_after_the_sealed_end_are_refused() -> None:
    with pytest.raises(ArchiveDamagedError, match="follow its sealed end"):
        opened(sealed() + b"x")


def test_a_file_that_is_not_a_backup_is_refused() -> None:
    with pytest.raises(ArchiveDamagedError, match="not a hocba backup"):
        opened(b"%PDF-1.7 not a backup at all")


def test_a_new_key_is_random_and_long_enough() -> None:
    first, second = new_key_text(), new_key_text()
    assert first != second
    assert len(first) == 43
    assert BackupKey.from_text(first, source="x").secret == first.encode()


def test_a_short_key_is_refused_with_its_source_named() -> None:
    with pytest.raises(BackupKeyError, match=r"HOCBA_BACKUP_KEY is too short \(5 characters"):
        load_backup_key(text="short", file=None)


def test_a_key_comes_from_its_file_without_the_trailing_newline(tmp_path: Path) -> None:
    key_file = tmp_path / "backup.key"
    key_file.write_text(KEY.secret.decode() + "\n")
    loaded = load_backup_key(text=None, file=key_file)
    assert loaded.secret == KEY.secret
    assert opened(sealed(), loaded) == CONTENT


def test_the_key_is_never_in_its_repr() -> None:
    assert KEY.secret.decode() not in repr(KEY)


def test_both_a_key_and_a_key_file_are_refused_as_ambiguous(tmp_path: Path) -> None:
    key_file = tmp_path / "backup.key"
    key_file.write_text(new_key_text())
    with pytest.raises(BackupKeyError, match="both HOCBA_BACKUP_KEY and HOCBA_BACKUP_KEY_FILE"):
        load_backup_key(text=new_key_text(), file=key_file)


def test_no_key_at_all_is_refused_with_how_to_make_one() -> None:
    with pytest.raises(BackupKeyError, match="hocba backup new-key"):
        load_backup_key(text=None, file=None)


def test_an_unreadable_key_file_is_refused_by_name(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.key"
    with pytest.raises(BackupKeyError, match=r"nowhere\.key"):
        load_backup_key(text=None, file=missing)
