"""Stable error codes of a verification report, beyond the XML side's ``ProblemCode``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from domain.documents import Problem
from domain.model import DomainError


class ErrorCode(StrEnum):
    """Why a file, or a signer's certificate, is not valid; the values are stable (JSON)."""

    # The file as a whole.
    EMPTY_INPUT = "empty_input"
    NOT_A_TRANSCRIPT = "not_a_transcript"
    INPUT_TOO_LARGE = "too_large"
    UNPROCESSABLE_INPUT = "unprocessable_input"
    # The signer's certificate (step 5), judged at the signing time.
    SIGNING_CERTIFICATE_MISSING = "signing_certificate_missing"
    SIGNING_TIME_MISSING = "signing_time_missing"
    CERTIFICATE_EXPIRED = "certificate_expired_at_signing_time"
    CERTIFICATE_NOT_YET_VALID = "certificate_not_yet_valid_at_signing_time"
    CERTIFICATE_REVOKED = "certificate_revoked"
    CERTIFICATE_REVOKED_AFTER_SIGNING = "certificate_revoked_after_signing"
    CA_CERTIFICATE_REVOKED = "ca_certificate_revoked"
    CHAIN_UNTRUSTED = "certificate_chain_untrusted"
    CHAIN_INVALID = "certificate_chain_invalid"
    WEAK_CERTIFICATE_ALGORITHM = "weak_certificate_algorithm"
    REVOCATION_UNKNOWN = "revocation_status_unknown"
    REVOCATION_NOT_PUBLISHED = "revocation_not_published"
    KEY_USAGE_NOT_ALLOWED = "key_usage_not_allowed"
    ORGANISATION_CERTIFICATE_REQUIRED = "organisation_certificate_required"
    ORGANISATION_NOT_OF_SCHOOL = "organisation_certificate_not_of_school"
    CERTIFICATE_UNPROCESSABLE = "certificate_unprocessable"
    VALIDATION_TIMED_OUT = "validation_timed_out"


class VerificationSetupError(DomainError):
    """A check asked for wrongly by the caller (a naive time, no certificate), not a bad file."""

    code = "verification_setup"

    def __init__(self, why: str) -> None:
        self.why = why
        super().__init__(why)


def require_aware(name: str, moment: object) -> None:
    """Raise VerificationSetupError unless ``moment`` is a timezone-aware datetime."""
    if not isinstance(moment, datetime) or moment.utcoffset() is None:
        raise VerificationSetupError(f"{name} must be a timezone-aware datetime")


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing found wrong, as the report shows it."""

    code: str
    """A stable code: an :class:`ErrorCode` or a ``domain.documents.ProblemCode`` value."""
    detail: str
    """What exactly, in English (the element, the certificate, the dates)."""

    @classmethod
    def of(cls, code: ErrorCode, detail: str) -> Finding:
        """A finding with one of this package's codes."""
        return cls(code.value, detail)

    @classmethod
    def from_problem(cls, problem: Problem) -> Finding:
        """The XML side's problem as a finding."""
        return cls(problem.code.value, problem.detail)
