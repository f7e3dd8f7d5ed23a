"""Rewriting every encrypted value in place: rotation to the first key, the migration that
encrypts (or, going down, decrypts) the columns that held personal data in clear, and the
blind indexes rebuilt under a new index key.

The values are read and written raw (as stored), in batches in primary-key order; a value
the transform leaves alone (``None``) is not written, so a run can be repeated at will.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlmodel import SQLModel

from domain.model import (
    EncryptedBytes,
    EncryptedJSON,
    EncryptedText,
    data_keys,
    envelope_key_id,
    personal_id_index,
    phone_index,
)
from workflow._database import WRITE_OPTION

Stored = str | bytes
"""A value as the column stores it: base64 text, or bytes for a binary column."""


@dataclass(frozen=True)
class EncryptedColumn:
    """One encrypted column of the schema."""

    table: str
    column: str
    primary_key: tuple[str, ...]
    binary: bool
    """Stored as envelope bytes (else as the base64 text of the envelope)."""

    @property
    def name(self) -> str:
        """``table.column``: the envelope's associated data."""
        return f"{self.table}.{self.column}"


def encrypted_columns() -> list[EncryptedColumn]:
    """Every column of the models stored encrypted, in table order."""
    found = []
    for table in SQLModel.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, EncryptedText | EncryptedJSON | EncryptedBytes):
                found.append(
                    EncryptedColumn(
                        table=table.name,
                        column=column.name,
                        primary_key=tuple(c.name for c in table.primary_key.columns),
                        binary=isinstance(column.type, EncryptedBytes),
                    )
                )
    return found


def seal_stored(target: EncryptedColumn, plain: Stored) -> Stored:
    """The stored form of a plaintext value (text, JSON text or bytes) of ``target``."""
    raw = plain if isinstance(plain, bytes) else plain.encode("utf-8")
    envelope = data_keys().seal(raw, column=target.name)
    return envelope if target.binary else base64.b64encode(envelope).decode("ascii")


def open_stored(target: EncryptedColumn, stored: Stored) -> Stored:
    """The plaintext a stored value of ``target`` holds (bytes, or text for a text column)."""
    envelope = stored if isinstance(stored, bytes) else base64.b64decode(stored)
    plain = data_keys().open(envelope, column=target.name)
    return plain if target.binary else plain.decode("utf-8")


def reseal_if_old(target: EncryptedColumn, stored: Stored) -> Stored | None:
    """The value sealed again under the first key, or None if it already is."""
    envelope = stored if isinstance(stored, bytes) else base64.b64decode(stored)
    if envelope_key_id(envelope, column=target.name) == data_keys().current_id:
        return None
    return seal_stored(target, open_stored(target, stored))


Transform = Callable[[EncryptedColumn, Stored], Stored | None]


def _raw_table(target: EncryptedColumn) -> sa.TableClause:
    value_type: sa.types.TypeEngine[bytes] | sa.types.TypeEngine[str] = (
        sa.LargeBinary() if target.binary else sa.Text()
    )
    return sa.table(
        target.table,
        *(sa.column(name) for name in target.primary_key),
        sa.column(target.column, value_type),
    )


def rewrite_batch(
    connection: Connection,
    target: EncryptedColumn,
    transform: Transform,
    *,
    after: tuple[object, ...] | None,
    batch_size: int,
) -> tuple[int, tuple[object, ...] | None]:
    """Rewrite one batch of ``target`` after the key ``after``; (rows changed, last key read)."""
    table = _raw_table(target)
    keys = [table.c[name] for name in target.primary_key]
    value = table.c[target.column]
    query = sa.select(*keys, value).where(value.is_not(None)).order_by(*keys).limit(batch_size)
    if after is not None:
        query = query.where(sa.tuple_(*keys) > sa.tuple_(*after))
    rows = connection.execute(query).all()
    changed = 0
    for row in rows:
        stored = row[-1]
        new = transform(target, bytes(stored) if target.binary else stored)
        if new is None:
            continue
        match = [key == row[i] for i, key in enumerate(keys)]
        connection.execute(sa.update(table).where(*match).values({target.column: new}))
        changed += 1
    last = tuple(rows[-1][: len(keys)]) if rows else None
    return changed, last


def rewrite_column(
    connection: Connection, target: EncryptedColumn, transform: Transform, *, batch_size: int
) -> int:
    """Rewrite every value of ``target`` inside the caller's transaction; rows changed."""
    total, after = 0, None
    while True:
        changed, after = rewrite_batch(
            connection, target, transform, after=after, batch_size=batch_size
        )
        total += changed
        if after is None:
            return total


def rotate_data_keys(engine: Engine, *, batch_size: int = 200) -> dict[str, int]:
    """Seal every value not under the first key again with it, one transaction per batch.

    Idempotent: a second run changes nothing. Returns the rows changed per column.
    """
    writer = engine.execution_options(**{WRITE_OPTION: True})
    counts: dict[str, int] = {}
    for target in encrypted_columns():
        total, after = 0, None
        while True:
            with writer.begin() as connection:
                changed, after = rewrite_batch(
                    connection, target, reseal_if_old, after=after, batch_size=batch_size
                )
            total += changed
            if after is None:
                break
        counts[target.name] = total
    return counts


@dataclass(frozen=True)
class BlindIndex:
    """A look-up column holding the keyed HMAC of an encrypted column's value."""

    table: str
    value: str
    """The encrypted column the index is computed from (its plaintext, as stored normalised)."""
    index: str
    compute: Callable[[str], str]

    @property
    def name(self) -> str:
        """``table.index``."""
        return f"{self.table}.{self.index}"


BLIND_INDEXES = (
    BlindIndex("students", "personal_id", "personal_id_index", personal_id_index),
    BlindIndex("people", "personal_id", "personal_id_index", personal_id_index),
    BlindIndex("people", "phone", "phone_index", phone_index),
)
"""Every blind index of the schema (the model hooks write them on insert and update)."""


def _rebuild_batch(
    connection: Connection, target: BlindIndex, *, after: object | None, batch_size: int
) -> tuple[int, object | None]:
    source = next(c for c in encrypted_columns() if c.name == f"{target.table}.{target.value}")
    table = sa.table(
        target.table, sa.column("id"), sa.column(target.value), sa.column(target.index)
    )
    query = sa.select(table.c.id, table.c[target.value], table.c[target.index])
    query = query.order_by(table.c.id).limit(batch_size)
    if after is not None:
        query = query.where(table.c.id > after)
    rows = connection.execute(query).all()
    changed = 0
    for key, stored, written in rows:
        expected = None if stored is None else target.compute(str(open_stored(source, stored)))
        if expected != written:
            connection.execute(
                sa.update(table).where(table.c.id == key).values({target.index: expected})
            )
            changed += 1
    return changed, (rows[-1][0] if rows else None)


def rebuild_blind_indexes(engine: Engine, *, batch_size: int = 200) -> dict[str, int]:
    """Compute every blind index again under the installed index key, one transaction per
    batch; the rows changed per index column.

    Idempotent: after an interruption a second run carries on, and a run after a complete
    one changes nothing. Look-ups miss the rows not yet rebuilt, so it runs with the
    service stopped (docs/operations.md).
    """
    writer = engine.execution_options(**{WRITE_OPTION: True})
    counts: dict[str, int] = {}
    for target in BLIND_INDEXES:
        total, after = 0, None
        while True:
            with writer.begin() as connection:
                changed, after = _rebuild_batch(
                    connection, target, after=after, batch_size=batch_size
                )
            total += changed
            if after is None:
                break
        counts[target.name] = total
    return counts
