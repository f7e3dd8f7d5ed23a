"""The verification report: one verdict for a transcript file, in the JSON of transcript-format.md.

Field names are a public contract (contracts.md: ``hocba verify --json``, ``POST /verify``):
add, never rename. ``valid`` is true only for TOTAL_PASSED; the overall indication is the
worst of the signatures' and of the file's own errors (any such error is TOTAL_FAILED).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from domain.signatures._codes import Finding
from domain.signatures._indications import Indication, Outcome, SubIndication, worst
from domain.signatures._trust import CertificateCheck


class ReportFormat(StrEnum):
    """What the file was taken for."""

    XML = "xml"
    PDF = "pdf"
    UNKNOWN = "unknown"
    """Neither, or unusable (empty, too large): nothing was verified."""


class SignerRole(StrEnum):
    """Who signs a slot, in the report's words."""

    SUBJECT_TEACHER = "subject_teacher"
    HOMEROOM_TEACHER = "homeroom_teacher"
    PRINCIPAL = "principal"
    SCHOOL = "school"


def role_of(slot: str) -> SignerRole | None:
    """The role behind a slot name (``GVBM:TOAN``, ``GVCN``, ``HieuTruong``, ``DonVi``)."""
    kind = slot.split(":", 1)[0]
    return _ROLES.get(kind)


_ROLES = {
    "GVBM": SignerRole.SUBJECT_TEACHER,
    "GVCN": SignerRole.HOMEROOM_TEACHER,
    "HieuTruong": SignerRole.PRINCIPAL,
    "DonVi": SignerRole.SCHOOL,
}


def mask_personal_id(personal_id: str) -> str:
    """``079212000101`` → ``079*******01``: enough to tell two students apart, not to copy."""
    if len(personal_id) <= 5:
        return "*" * len(personal_id)
    return personal_id[:3] + "*" * (len(personal_id) - 5) + personal_id[-2:]


_SUBJECT_PERSONAL_ID = re.compile(r"(CCCD:)([0-9]{12})")


def mask_subject(subject: str) -> str:
    """An RFC 4514 subject with the personal ID it names (``UID=CCCD:<id>``) masked."""
    return _SUBJECT_PERSONAL_ID.sub(lambda m: m.group(1) + mask_personal_id(m.group(2)), subject)


@dataclass(frozen=True, slots=True)
class SignerInfo:
    """Who the signer's certificate names."""

    common_name: str | None
    subject: str
    """RFC 4514, the personal ID it names masked (``mask_subject``): a report is shown to
    anyone who uploads the file."""
    serial: str
    """The certificate's serial number, hexadecimal (lower case, no separators)."""
    issuer: str
    """RFC 4514."""

    def to_json(self) -> dict[str, Any]:
        """The report's ``signer`` object."""
        return {
            "common_name": self.common_name,
            "subject": self.subject,
            "serial": self.serial,
            "issuer": self.issuer,
        }


@dataclass(frozen=True, slots=True)
class TranscriptSummary:
    """What the verified signed data says the transcript is (step 7: nothing unverified)."""

    id: str
    version: int
    kind: str
    school_year: str
    school: str
    student_name: str
    personal_id_masked: str

    def to_json(self) -> dict[str, Any]:
        """The report's ``transcript`` object."""
        return {
            "id": self.id,
            "version": self.version,
            "kind": self.kind,
            "school_year": self.school_year,
            "school": self.school,
            "student_name": self.student_name,
            "personal_id_masked": self.personal_id_masked,
        }


@dataclass(frozen=True, slots=True)
class SignatureReport:
    """One signature: its integrity (steps 3-4, 6) and its certificate (step 5)."""

    slot: str
    role: SignerRole | None
    signer: SignerInfo | None
    signing_time: datetime | None
    indication: Indication
    sub_indication: SubIndication | None
    integrity: bool
    """Structure, digests and signature value are right."""
    certificate: CertificateCheck | None
    """None when the signature carries no usable certificate or signing time."""
    errors: tuple[Finding, ...] = ()

    @property
    def valid(self) -> bool:
        """TOTAL_PASSED."""
        return self.indication is Indication.TOTAL_PASSED

    def to_json(self) -> dict[str, Any]:
        """One entry of the report's ``signatures``."""
        return {
            "slot": self.slot,
            "role": None if self.role is None else self.role.value,
            "signer": None if self.signer is None else self.signer.to_json(),
            "signing_time": None if self.signing_time is None else self.signing_time.isoformat(),
            "indication": self.indication.value,
            "sub_indication": None if self.sub_indication is None else self.sub_indication.value,
            "integrity": self.integrity,
            "certificate": None if self.certificate is None else _certificate(self.certificate),
            "errors": [_finding(finding) for finding in self.errors],
        }


@dataclass(frozen=True, slots=True)
class VerificationReport:
    """The verdict on one transcript file."""

    indication: Indication
    format: ReportFormat
    schema_valid: bool | None
    """XML: the XSD accepted it. None for a PDF (no schema applies); False for unusable input."""
    transcript: TranscriptSummary | None
    signatures: tuple[SignatureReport, ...]
    missing_signatures: tuple[str, ...]
    """Required slots without a signature."""
    errors: tuple[Finding, ...]
    """The file's own problems (parsing, schema, structure, missing signatures)."""

    @classmethod
    def build(
        cls,
        *,
        format: ReportFormat,
        schema_valid: bool | None,
        transcript: TranscriptSummary | None = None,
        signatures: Sequence[SignatureReport] = (),
        missing_signatures: Sequence[str] = (),
        errors: Sequence[Finding] = (),
        otherwise: Outcome | None = None,
    ) -> VerificationReport:
        """A report whose indication is the worst of its parts.

        ``otherwise`` is the outcome when nothing at all was verified (no signature, no
        error): a file that proves nothing is not valid.
        """
        outcomes = [Outcome(Indication.TOTAL_FAILED)] if errors else []
        outcomes += [Outcome(s.indication, s.sub_indication) for s in signatures]
        if not outcomes:
            outcomes = [otherwise or Outcome(Indication.TOTAL_FAILED)]
        return cls(
            indication=worst(outcomes).indication,
            format=format,
            schema_valid=schema_valid,
            transcript=transcript,
            signatures=tuple(signatures),
            missing_signatures=tuple(missing_signatures),
            errors=tuple(errors),
        )

    @property
    def valid(self) -> bool:
        """True only for TOTAL_PASSED."""
        return self.indication is Indication.TOTAL_PASSED

    def all_codes(self) -> tuple[str, ...]:
        """Every error code of the report: the file's, then each signature's."""
        return (
            *(f.code for f in self.errors),
            *(f.code for s in self.signatures for f in s.errors),
        )

    def to_json(self) -> dict[str, Any]:
        """The report as JSON-ready data (transcript-format.md, "Verification report")."""
        return {
            "valid": self.valid,
            "indication": self.indication.value,
            "format": self.format.value,
            "schema_valid": self.schema_valid,
            "transcript": None if self.transcript is None else self.transcript.to_json(),
            "signatures": [signature.to_json() for signature in self.signatures],
            "missing_signatures": list(self.missing_signatures),
            "errors": [_finding(finding) for finding in self.errors],
        }


def _certificate(check: CertificateCheck) -> dict[str, Any]:
    return {
        "not_before": check.not_before.isoformat(),
        "not_after": check.not_after.isoformat(),
        "valid_at_signing_time": check.valid_at_signing_time,
        "expired_now": check.expired_now,
        "revocation": check.revocation.value,
        "chain_trusted": check.chain_trusted,
    }


def _finding(finding: Finding) -> dict[str, str]:
    return {"code": finding.code, "detail": finding.detail}
