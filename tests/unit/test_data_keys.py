"""The envelope personal data is stored in: sealed under the first key, opened by any key it
names, refused with the column named when tampered, moved or sealed by an unknown key."""

from __future__ import annotations

import base64

import pytest

from domain.model import (
    DEMO_DATA_KEYS,
    DataKey,
    DataKeyError,
    DataKeys,
    UndecryptableValueError,
    envelope_key_id,
    new_data_key_entry,
    parse_data_keys,
)

INDEX = base64.b64encode(bytes(range(32))).decode()
OLD = DataKey("old", bytes([1]) * 32)
NEW = DataKey("new", bytes([2]) * 32)


def keyring(*keys: DataKey) -> DataKeys:
    return DataKeys(keys, bytes(range(32)))


def test_a_sealed_value_opens_to_itself_and_holds_no_plaintext() -> None:
    envelope = DEMO_DATA_KEYS.seal(b"079123456789", column="students.personal_id")
    assert b"079123456789" not in envelope
    assert envelope_key_id(envelope, column="students.personal_id") == "demo1"
    assert DEMO_DATA_KEYS.open(envelope, column="students.personal_id") == b"079123456789"


def test_the_same_value_sealed_twice_gives_two_different_envelopes() -> None:
    first = DEMO_DATA_KEYS.seal(b"0901234567", column="people.phone")
    assert first != DEMO_DATA_KEYS.seal(b"0901234567", column="people.phone")


def test_a_tampered_envelope_is_refused_naming_the_column() -> None:
    envelope = bytearray(DEMO_DATA_KEYS.seal(b"079123456789", column="students.personal_id"))
    envelope[-1] ^= 1
    with pytest.raises(UndecryptableValueError) as refused:
        DEMO_DATA_KEYS.open(bytes(envelope), column="students.personal_id")
    assert refused.value.column == "students.personal_id"
    assert "students.personal_id" in str(refused.value)
    assert "tampered" in str(refused.value)


def test_a_value_moved_to_another_column_does_not_open_there() -> None:
    envelope = DEMO_DATA_KEYS.seal(b"079123456789", column="students.personal_id")
    with pytest.raises(UndecryptableValueError) as refused:
        DEMO_DATA_KEYS.open(envelope, column="outbox_messages.personal_id")
    assert refused.value.column == "outbox_messages.personal_id"


def test_a_value_sealed_by_a_key_not_in_the_keyring_names_that_key() -> None:
    envelope = keyring(OLD).seal(b"079123456789", column="people.personal_id")
    with pytest.raises(UndecryptableValueError) as refused:
        keyring(NEW).open(envelope, column="people.personal_id")
    assert refused.value.key_id == "old"
    assert "'old'" in str(refused.value)
    assert "HOCBA_DATA_KEYS" in str(refused.value)


def test_after_a_new_first_key_old_values_still_open_and_new_ones_use_the_new_key() -> None:
    old_envelope = keyring(OLD).seal(b"0901234567", column="people.phone")
    rotated = keyring(NEW, OLD)
    assert rotated.open(old_envelope, column="people.phone") == b"0901234567"
    new_envelope = rotated.seal(b"0901234567", column="people.phone")
    assert envelope_key_id(new_envelope, column="people.phone") == "new"
    assert keyring(NEW).open(new_envelope, column="people.phone") == b"0901234567"


def test_something_that_is_no_envelope_is_refused_naming_the_column() -> None:
    with pytest.raises(UndecryptableValueError, match=r"transcripts\.data: .*not an envelope"):
        DEMO_DATA_KEYS.open(b'{"HocSinh": {}}', column="transcripts.data")
    with pytest.raises(UndecryptableValueError, match="truncated"):
        DEMO_DATA_KEYS.open(bytes([1, 3]) + b"abc", column="transcripts.data")


def test_the_blind_index_is_stable_per_purpose_and_depends_on_the_index_key() -> None:
    index = DEMO_DATA_KEYS.blind_index("personal_id", "079123456789")
    assert index == DEMO_DATA_KEYS.blind_index("personal_id", "079123456789")
    assert index != DEMO_DATA_KEYS.blind_index("phone", "079123456789")
    assert index != keyring(NEW).blind_index("personal_id", "079123456789")
    assert "079123456789" not in index and len(index) == 64


def test_keys_are_read_from_entries_and_the_first_one_encrypts() -> None:
    entries = f"{new_data_key_entry('k2')}, {new_data_key_entry('k1')}"
    keys = parse_data_keys(entries, INDEX)
    assert [key.key_id for key in keys.keys] == ["k2", "k1"]
    assert keys.current_id == "k2"


@pytest.mark.parametrize(
    ("entries", "index", "problem"),
    [
        ("", INDEX, "holds no key"),
        ("k1", INDEX, "expected id:base64key"),
        ("k1:not base64!", INDEX, "not valid base64"),
        ("k1:" + base64.b64encode(b"short").decode(), INDEX, "must be 32 bytes"),
        ("bad id:" + base64.b64encode(bytes(32)).decode(), INDEX, "letters, digits"),
        (
            ",".join(["k1:" + base64.b64encode(bytes(32)).decode()] * 2),
            INDEX,
            "must be unique",
        ),
        ("k1:" + base64.b64encode(bytes(32)).decode(), base64.b64encode(b"x").decode(), "index"),
    ],
)
def test_malformed_keys_are_refused_with_what_is_wrong(
    entries: str, index: str, problem: str
) -> None:
    with pytest.raises(DataKeyError, match=problem):
        parse_data_keys(entries, index)


def test_a_key_is_never_shown_in_its_representation() -> None:
    assert "secret" not in repr(NEW)
    assert str(bytes([2]) * 32) not in repr(keyring(NEW))
