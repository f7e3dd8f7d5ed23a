"""The 12-digit personal identification number (mã số định danh cá nhân), a student's key."""

from __future__ import annotations

import re

from domain.model._errors import InvalidPersonalIdError

_PERSONAL_ID = re.compile(r"[0-9]{12}")  # ASCII only: ``\d`` also takes "０" or "٠"
# The first three digits are the province code of birth registration (001–096 in the
# Ministry of Public Security's scheme); the fourth digit encodes century and sex (0–9).
_MAX_PROVINCE_CODE = 96


def validate_personal_id(value: str) -> str:
    """Return ``value`` if it is a well-formed personal ID, else raise InvalidPersonalIdError."""
    if not isinstance(value, str) or not _PERSONAL_ID.fullmatch(value):
        raise InvalidPersonalIdError(value, "must be exactly 12 digits")
    province = int(value[:3])
    if not 1 <= province <= _MAX_PROVINCE_CODE:
        raise InvalidPersonalIdError(value, f"unknown province code {value[:3]}")
    return value


def mask_personal_id(value: str) -> str:
    """The personal ID as shown where the full value is not needed: ``079*******12``."""
    return f"{value[:3]}{'*' * 7}{value[-2:]}"
