"""What a verification can find wrong: stable codes (for JSON and tests) and their details."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ProblemCode(StrEnum):
    """Why an XML transcript (or one of its signatures) is not valid; the values are stable."""

    # Step 1: parsing.
    TOO_LARGE = "too_large"
    DOCTYPE_FORBIDDEN = "doctype_forbidden"
    ENCODING_NOT_ALLOWED = "encoding_not_allowed"
    MALFORMED_XML = "malformed_xml"
    # Step 2: the shipped XSD.
    SCHEMA_INVALID = "schema_invalid"
    # Step 3: structure of the whole document.
    PROCESSING_INSTRUCTION = "processing_instruction"
    UNEXPECTED_NAMESPACE = "unexpected_namespace"
    DUPLICATE_ID = "duplicate_id"
    UNEXPECTED_ID = "unexpected_id"
    SIGNATURE_OUTSIDE_SLOT = "signature_outside_slot"
    SLOTS_DO_NOT_MATCH_KIND = "slots_do_not_match_kind"
    DATA_INCONSISTENT = "data_inconsistent"
    # Step 3: structure of one signature.
    SIGNATURE_IN_WRONG_SLOT = "signature_in_wrong_slot"
    SIGNATURE_SHAPE = "signature_shape"
    UNEXPECTED_REFERENCES = "unexpected_references"
    REFERENCE_MISPLACED = "reference_misplaced"
    ALGORITHM_NOT_ALLOWED = "algorithm_not_allowed"
    KEY_INFO = "key_info"
    CERTIFICATE_UNREADABLE = "certificate_unreadable"
    SIGNING_TIME_INVALID = "signing_time_invalid"
    # Step 4: cryptography.
    DIGEST_MISMATCH = "digest_mismatch"
    SIGNATURE_VALUE_INVALID = "signature_value_invalid"
    # Step 6: policy.
    SIGNATURE_MISSING = "signature_missing"
    SIGNING_TIME_ORDER = "signing_time_order"


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing found wrong."""

    code: ProblemCode
    """What kind of problem: stable, for programs."""
    detail: str
    """What exactly, in English, for people (the element, the reference, the values)."""

    def __str__(self) -> str:
        return f"{self.code.value}: {self.detail}"


@dataclass(frozen=True, slots=True)
class SchemaViolation:
    """One message of the XSD validator."""

    line: int
    """Line in the validated document (1-based; 0 when the validator gave none)."""
    path: str
    """XPath of the offending element, as libxml2 reports it."""
    message: str
    """libxml2's message."""

    def __str__(self) -> str:
        return f"line {self.line} ({self.path}): {self.message}"
