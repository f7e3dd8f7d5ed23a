"""Validation outcomes in the words of ETSI EN 319 102-1 (indication and sub-indication)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class Indication(StrEnum):
    """The main status of a validation (ETSI EN 319 102-1, 5.1.3)."""

    TOTAL_PASSED = "TOTAL_PASSED"
    """Every check passed."""
    INDETERMINATE = "INDETERMINATE"
    """Not proven valid nor invalid: missing information or a policy constraint not met."""
    TOTAL_FAILED = "TOTAL_FAILED"
    """Proven invalid: broken cryptography, a malformed signature, a revoked or out-of-period
    certificate at the signing time."""


class SubIndication(StrEnum):
    """Why a validation did not pass (the ETSI EN 319 102-1 sub-indications this project uses)."""

    # With TOTAL_FAILED.
    FORMAT_FAILURE = "FORMAT_FAILURE"
    HASH_FAILURE = "HASH_FAILURE"
    SIG_CRYPTO_FAILURE = "SIG_CRYPTO_FAILURE"
    REVOKED = "REVOKED"
    EXPIRED = "EXPIRED"
    NOT_YET_VALID = "NOT_YET_VALID"
    # With INDETERMINATE.
    SIG_CONSTRAINTS_FAILURE = "SIG_CONSTRAINTS_FAILURE"
    CHAIN_CONSTRAINTS_FAILURE = "CHAIN_CONSTRAINTS_FAILURE"
    CERTIFICATE_CHAIN_GENERAL_FAILURE = "CERTIFICATE_CHAIN_GENERAL_FAILURE"
    CRYPTO_CONSTRAINTS_FAILURE_NO_POE = "CRYPTO_CONSTRAINTS_FAILURE_NO_POE"
    NO_SIGNING_CERTIFICATE_FOUND = "NO_SIGNING_CERTIFICATE_FOUND"
    NO_CERTIFICATE_CHAIN_FOUND = "NO_CERTIFICATE_CHAIN_FOUND"
    REVOKED_NO_POE = "REVOKED_NO_POE"
    REVOKED_CA_NO_POE = "REVOKED_CA_NO_POE"
    NO_POE = "NO_POE"
    TRY_LATER = "TRY_LATER"
    GENERIC = "GENERIC"


_RANK = {Indication.TOTAL_PASSED: 0, Indication.INDETERMINATE: 1, Indication.TOTAL_FAILED: 2}


@dataclass(frozen=True, slots=True)
class Outcome:
    """An indication with its sub-indication (None exactly when TOTAL_PASSED)."""

    indication: Indication
    sub_indication: SubIndication | None = None


PASSED = Outcome(Indication.TOTAL_PASSED)
"""The outcome of a check that found nothing wrong."""


def worst(outcomes: Iterable[Outcome]) -> Outcome:
    """The most severe outcome; of equally severe ones, the first (callers order by cause)."""
    result = PASSED
    for outcome in outcomes:
        if _RANK[outcome.indication] > _RANK[result.indication]:
            result = outcome
    return result
