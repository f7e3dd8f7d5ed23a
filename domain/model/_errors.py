"""Errors raised by the domain model: each names what was wrong."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error the domain raises on bad input."""

    code = "domain_error"


class InvalidPersonalIdError(DomainError):
    """A personal ID that is not a valid 12-digit number."""

    code = "invalid_personal_id"

    def __init__(self, value: object, why: str) -> None:
        self.value = value
        self.why = why
        super().__init__(f"personal_id {value!r} is invalid: {why}")


class UnknownSubjectError(DomainError):
    """A subject code outside the catalogue of contracts.md."""

    code = "unknown_subject"

    def __init__(self, code: str) -> None:
        self.subject_code = code
        super().__init__(f"unknown subject code {code!r}")
