"""The audit log's hash chain, in memory: entry_hash and find_chain_break (REQ-15, REQ-17)."""

from __future__ import annotations

from datetime import UTC, timedelta
from typing import Any

import pytest

from domain.model import (
    GENESIS_HASH,
    AuditEvent,
    AuditHead,
    ChainBreak,
    entry_hash,
    find_chain_break,
)
from tests.support.clock import vn

START = vn(2025, 5, 20, 8)


def _event(seq: int, prev_hash: str, **changes: Any) -> AuditEvent:
    fields: dict[str, Any] = {
        "seq": seq,
        "occurred_at": START + timedelta(minutes=seq),
        "actor_id": 7,
        "actor_label": "gvbm.toan",
        "action": "signature.add",
        "object_type": "transcript",
        "object_id": f"transcript-{seq}",
        "before_sha256": None,
        "after_sha256": "b" * 64,
        "details": {"slot": "GVBM:TOAN", "n": seq},
        "prev_hash": prev_hash,
        "hash": "",
    }
    fields.update(changes)
    event = AuditEvent(**fields)
    event.hash = entry_hash(event)
    return event


def _chain(length: int) -> list[AuditEvent]:
    events: list[AuditEvent] = []
    prev = GENESIS_HASH
    for seq in range(1, length + 1):
        events.append(_event(seq, prev))
        prev = events[-1].hash
    return events


def _head(events: list[AuditEvent]) -> AuditHead:
    return AuditHead(
        id=1, seq=events[-1].seq if events else 0, hash=events[-1].hash if events else GENESIS_HASH
    )


# --- entry_hash -------------------------------------------------------------------------


def test_an_entry_hash_is_a_sha256_hex_digest_and_stable() -> None:
    event = _event(1, GENESIS_HASH)
    assert len(event.hash) == 64 and set(event.hash) <= set("0123456789abcdef")
    assert entry_hash(event) == event.hash == entry_hash(_event(1, GENESIS_HASH))


def test_the_stored_hash_itself_is_not_hashed() -> None:
    event = _event(1, GENESIS_HASH)
    before = entry_hash(event)
    event.hash = "f" * 64
    assert entry_hash(event) == before


CHANGES: dict[str, Any] = {
    "seq": 2,
    "occurred_at": START + timedelta(minutes=1, microseconds=1),
    "actor_id": 8,
    "actor_label": "gvbm.nguvan",
    "action": "signature.archive",
    "object_type": "correction_request",
    "object_id": "transcript-x",
    "before_sha256": "a" * 64,
    "after_sha256": None,
    "details": {"slot": "GVBM:NGUVAN", "n": 1},
    "prev_hash": "1" * 64,
}


@pytest.mark.parametrize("field", list(CHANGES))
def test_every_hashed_field_changes_the_hash(field: str) -> None:
    original = _event(1, GENESIS_HASH)
    arguments: dict[str, Any] = {"seq": 1, "prev_hash": GENESIS_HASH, field: CHANGES[field]}
    changed = _event(**arguments)
    assert changed.hash != original.hash, field


def test_actor_none_differs_from_any_person() -> None:
    assert _event(1, GENESIS_HASH, actor_id=None).hash != _event(1, GENESIS_HASH).hash


def test_the_same_instant_in_another_time_zone_hashes_the_same() -> None:
    # The database returns UTC; the use case recorded Vietnam time: both must verify.
    local = _event(1, GENESIS_HASH)
    utc = _event(1, GENESIS_HASH, occurred_at=local.occurred_at.astimezone(UTC))
    assert utc.hash == local.hash


def test_details_hash_by_content_not_by_key_order() -> None:
    one = _event(1, GENESIS_HASH, details={"a": 1, "b": "Toán"})
    other = _event(1, GENESIS_HASH, details={"b": "Toán", "a": 1})
    assert one.hash == other.hash
    assert _event(1, GENESIS_HASH, details={"a": 1, "b": "Toan"}).hash != one.hash


# --- find_chain_break -------------------------------------------------------------------


def test_an_intact_chain_has_no_break() -> None:
    events = _chain(5)
    assert find_chain_break(events, _head(events)) is None
    assert find_chain_break(events, None) is None


def test_an_empty_log_with_the_genesis_head_has_no_break() -> None:
    assert find_chain_break([], AuditHead(id=1, seq=0, hash=GENESIS_HASH)) is None
    assert find_chain_break([], None) is None


def test_the_first_entry_must_follow_genesis() -> None:
    first = _event(1, "1" * 64)
    found = find_chain_break([first], _head([first]))
    assert found is not None and found.seq == 1 and "does not follow" in found.reason


@pytest.mark.parametrize("position", [0, 2, 4])
def test_an_edited_entry_is_named(position: int) -> None:
    events = _chain(5)
    head = _head(events)
    events[position].details = {"slot": "GVBM:TOAN", "n": 99}
    assert find_chain_break(events, head) == ChainBreak(
        position + 1, "its content was altered (hash mismatch)"
    )


def test_an_edited_and_rehashed_entry_is_betrayed_by_the_next() -> None:
    events = _chain(5)
    head = _head(events)
    events[2].actor_label = "someone else"
    events[2].hash = entry_hash(events[2])
    found = find_chain_break(events, head)
    assert found is not None and found.seq == 4 and "does not follow" in found.reason


def test_the_last_entry_edited_and_rehashed_is_betrayed_by_the_head() -> None:
    events = _chain(5)
    head = _head(events)
    events[4].action = "transcript.finalize"
    events[4].hash = entry_hash(events[4])
    found = find_chain_break(events, head)
    assert found is not None and found.seq == 5 and "altered" in found.reason


@pytest.mark.parametrize("deleted", [1, 3])
def test_a_deleted_entry_leaves_a_gap(deleted: int) -> None:
    events = _chain(5)
    head = _head(events)
    remaining = [e for e in events if e.seq != deleted]
    assert find_chain_break(remaining, head) == ChainBreak(
        deleted, f"missing (next entry found is {deleted + 1})"
    )


def test_a_deleted_entry_with_later_ones_renumbered_does_not_follow() -> None:
    events = _chain(5)
    head = _head(events)
    del events[2]
    for seq, event in enumerate(events, start=1):
        event.seq = seq
    found = find_chain_break(events, head)
    assert found is not None and found.seq == 3


def test_two_entries_swapped_are_named_at_the_first_position() -> None:
    events = _chain(5)
    head = _head(events)
    events[1], events[3] = events[3], events[1]
    events[1].seq, events[3].seq = 2, 4
    found = find_chain_break(events, head)
    assert found is not None and found.seq == 2 and "does not follow" in found.reason


def test_a_cut_tail_is_caught_by_the_head() -> None:
    events = _chain(5)
    head = _head(events)
    assert find_chain_break(events[:3], head) == ChainBreak(
        4, "missing: the chain head records entry 5"
    )
    found = find_chain_break([], head)
    assert found is not None and found.seq == 1


@pytest.mark.parametrize("head_at", [0, 3])
def test_entries_appended_after_the_head_was_read_are_checked_as_links(head_at: int) -> None:
    # verify_audit_chain reads the head, then the entries, without stopping writers: what a
    # use case appended in between follows the head's position and must not read as broken.
    events = _chain(5)
    head = _head(events[:head_at])
    assert find_chain_break(events, head) is None
    events[4].prev_hash = "1" * 64
    events[4].hash = entry_hash(events[4])
    found = find_chain_break(events, head)
    assert found is not None and found.seq == 5 and "does not follow" in found.reason


def test_an_entry_at_the_heads_position_altered_and_rehashed_is_named() -> None:
    events = _chain(5)
    head = _head(events[:3])
    events[2].details = {"edited": True}
    events[2].hash = entry_hash(events[2])
    for later in events[3:]:  # a forger who also re-links every later entry
        later.prev_hash = events[later.seq - 2].hash
        later.hash = entry_hash(later)
    assert find_chain_break(events, head) == ChainBreak(
        3, "its content was altered (hash differs from the chain head)"
    )


def test_the_break_reads_as_a_sentence_naming_the_entry() -> None:
    assert str(ChainBreak(4, "missing")) == "audit event 4: missing"


def test_the_walk_stops_at_the_first_break() -> None:
    events = _chain(5)
    events[1].details = {"edited": True}
    events[3].details = {"edited": True}
    seen: list[int] = []

    def walk() -> Any:
        for event in events:
            seen.append(event.seq)
            yield event

    found = find_chain_break(walk(), _head(events))
    assert found is not None and found.seq == 2
    assert seen == [1, 2]
