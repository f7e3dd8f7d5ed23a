"""The append-only audit log (REQ-15, REQ-17) and its hash chain."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlmodel import JSON, Column, Field, SQLModel

from domain.model._columns import utc_column

GENESIS_HASH = "0" * 64
"""The ``prev_hash`` of the first entry."""


class AuditEvent(SQLModel, table=True):
    """One entry: who did what to which object, with before/after hashes, chained to the last."""

    __tablename__ = "audit_events"

    seq: int = Field(primary_key=True)
    """Position in the chain, 1, 2, … without gaps."""
    occurred_at: datetime = Field(sa_column=utc_column())
    actor_id: int | None = Field(default=None, index=True)
    """The person who acted; None for the system (scheduler)."""
    actor_label: str = Field(max_length=64)
    action: str = Field(max_length=64, index=True)
    object_type: str = Field(max_length=32)
    object_id: str = Field(max_length=64, index=True)
    before_sha256: str | None = Field(default=None, max_length=64)
    after_sha256: str | None = Field(default=None, max_length=64)
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)


class AuditHead(SQLModel, table=True):
    """The chain's last position, one row: appenders lock it, so entries never fork."""

    __tablename__ = "audit_head"

    id: int = Field(default=1, primary_key=True)
    seq: int = Field(default=0)
    hash: str = Field(default=GENESIS_HASH, max_length=64)


def canonical_json(value: Any) -> str:
    """The one JSON text a value hashes as: sorted keys, no spaces, UTF-8 kept."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def state_hash(value: Any) -> str:
    """SHA-256 of a value's canonical JSON: the before/after fingerprint of an audited object."""
    return hashlib.sha256(canonical_json(value).encode()).hexdigest()


def entry_hash(event: AuditEvent) -> str:
    """The hash an entry must carry, computed from its fields and the previous entry's hash."""
    occurred = event.occurred_at.astimezone(UTC).isoformat(timespec="microseconds")
    fields = [
        event.seq,
        occurred,
        event.actor_id,
        event.actor_label,
        event.action,
        event.object_type,
        event.object_id,
        event.before_sha256,
        event.after_sha256,
        event.details,
        event.prev_hash,
    ]
    return hashlib.sha256(canonical_json(fields).encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class ChainBreak:
    """The first entry where the chain does not hold, and why."""

    seq: int
    reason: str

    def __str__(self) -> str:
        return f"audit event {self.seq}: {self.reason}"


def find_chain_break(events: Iterable[AuditEvent], head: AuditHead | None) -> ChainBreak | None:
    """Walk the entries in ``seq`` order; return the first break, or None if the chain holds.

    Detects an edited entry (its hash no longer matches), a deleted one (a gap in ``seq`` or a
    ``prev_hash`` that names another entry), a reordered one, a cut tail (the head names a
    later entry than the last one found), and an entry altered and re-hashed at the head's
    position (its hash is not the one the head records).

    ``head`` may be read before the entries while writers go on (checking locks nothing):
    entries after the head's position were appended since, and are checked as links only.
    """
    expected_seq = 1
    prev_hash = GENESIS_HASH
    hash_at_head = GENESIS_HASH
    for event in events:
        if event.seq != expected_seq:
            return ChainBreak(expected_seq, f"missing (next entry found is {event.seq})")
        if event.prev_hash != prev_hash:
            return ChainBreak(
                event.seq, "does not follow the previous entry (deleted or reordered)"
            )
        if entry_hash(event) != event.hash:
            return ChainBreak(event.seq, "its content was altered (hash mismatch)")
        prev_hash = event.hash
        if head is not None and event.seq == head.seq:
            hash_at_head = event.hash
        expected_seq += 1
    last_seq = expected_seq - 1
    if head is None:
        return None
    if head.seq > last_seq:
        return ChainBreak(last_seq + 1, f"missing: the chain head records entry {head.seq}")
    if head.hash != hash_at_head:
        return ChainBreak(head.seq, "its content was altered (hash differs from the chain head)")
    return None
