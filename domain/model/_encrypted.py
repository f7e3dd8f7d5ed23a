"""Column types that keep personal data encrypted at rest (AES-256-GCM, ``_data_keys``).

Each column names itself (``table.column``): that name is the envelope's associated data,
so a value copied into another column does not open there. Text and JSON columns store the
envelope in base64 text; byte columns store it as is.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect

from domain.model._data_keys import data_keys


def seal_text(value: str, *, column: str) -> str:
    """The stored form of a text value of ``column`` (base64 of its envelope)."""
    envelope = data_keys().seal(value.encode("utf-8"), column=column)
    return base64.b64encode(envelope).decode("ascii")


def open_text(stored: str, *, column: str) -> str:
    """The text value a stored ``column`` value holds."""
    return data_keys().open(base64.b64decode(stored), column=column).decode("utf-8")


def seal_json(value: Any, *, column: str) -> str:
    """The stored form of a JSON value of ``column``."""
    return seal_text(json.dumps(value, ensure_ascii=False, separators=(",", ":")), column=column)


class EncryptedText(sa.TypeDecorator[str]):
    """A text column stored encrypted (base64 envelope in a TEXT column)."""

    impl = sa.Text
    cache_ok = True

    def __init__(self, column: str) -> None:
        super().__init__()
        self.column = column

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else seal_text(value, column=self.column)

    def process_result_value(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else open_text(value, column=self.column)


class EncryptedJSON(sa.TypeDecorator[Any]):
    """A JSON document stored encrypted (its compact JSON text, sealed, in a TEXT column)."""

    impl = sa.Text
    cache_ok = True

    def __init__(self, column: str) -> None:
        super().__init__()
        self.column = column

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else seal_json(value, column=self.column)

    def process_result_value(self, value: str | None, dialect: Dialect) -> Any:
        return None if value is None else json.loads(open_text(value, column=self.column))


class EncryptedBytes(sa.TypeDecorator[bytes]):
    """A binary column stored encrypted (the envelope's bytes)."""

    impl = sa.LargeBinary
    cache_ok = True

    def __init__(self, column: str) -> None:
        super().__init__()
        self.column = column

    def process_bind_param(self, value: bytes | None, dialect: Dialect) -> bytes | None:
        return None if value is None else data_keys().seal(bytes(value), column=self.column)

    def process_result_value(self, value: bytes | None, dialect: Dialect) -> bytes | None:
        return None if value is None else data_keys().open(bytes(value), column=self.column)


def encrypted_column(type_: sa.types.TypeEngine[Any], *, nullable: bool = False) -> Any:
    """A fresh column of an encrypted type (a Column object may belong to one table only)."""
    return sa.Column(type_, nullable=nullable)
