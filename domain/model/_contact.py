"""A registered phone number: one normal form, and the masked form shown or logged."""

from __future__ import annotations

import re

from domain.model._errors import DomainError

_SEPARATORS = re.compile(r"[ .\-()]")
_PHONE = re.compile(r"0[1-9][0-9]{8}")  # ASCII only: a Vietnamese number of 10 digits
_MAX_TYPED = 32


class InvalidPhoneError(DomainError):
    """A phone number that is not a Vietnamese number of 10 digits."""

    code = "invalid_phone"

    def __init__(self, reason: str) -> None:
        # The value itself is not repeated: error messages end up in logs.
        super().__init__(f"invalid phone number: {reason}")
        self.reason = reason


def normalize_phone(value: str) -> str:
    """The 10-digit national form of a phone number as people type it.

    Spaces, dots, dashes and brackets are dropped; ``+84`` or ``84`` before nine digits
    becomes ``0``. Raises InvalidPhoneError for anything else.
    """
    if not isinstance(value, str) or len(value) > _MAX_TYPED:
        raise InvalidPhoneError("too long")
    digits = _SEPARATORS.sub("", value)
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) == 11:
        digits = "0" + digits[2:]
    if not _PHONE.fullmatch(digits):
        raise InvalidPhoneError("must be 10 digits starting with 0")
    return digits


def mask_phone(value: str) -> str:
    """The phone number as shown or logged: ``090****567`` (never the whole number)."""
    if len(value) < 7:
        return "*" * len(value)
    return f"{value[:3]}{'*' * (len(value) - 6)}{value[-3:]}"
