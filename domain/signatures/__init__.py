"""Signatures beyond the XML itself: certificate trust (step 5) and the verification report.

The usual path: ``load_trust_roots(pem)`` → ``TrustSettings(trust_roots=…)`` →
``verify_transcript_file(data, trust=…, now=…)`` → ``report.to_json()`` (the JSON of
transcript-format.md) or ``describe_vi(finding)`` for people. Certificates are judged at each
signature's SigningTime with pyhanko-certvalidator (OCSP/CRL fetched live, under a deadline).
Every ``check_*``/``verify_*`` has a synchronous form (safe in any thread, with or without a
running loop) and an ``async_`` one that runs it in a worker thread for an event loop.
docs/verification.md describes the report and the trust settings.
"""

from domain.signatures._codes import ErrorCode, Finding, VerificationSetupError
from domain.signatures._indications import Indication, Outcome, SubIndication, worst
from domain.signatures._report import (
    ReportFormat,
    SignatureReport,
    SignerInfo,
    SignerRole,
    TranscriptSummary,
    VerificationReport,
    mask_personal_id,
    role_of,
)
from domain.signatures._revocation import Revocation
from domain.signatures._trust import (
    CertificateCheck,
    SignerCertificate,
    TrustRootsError,
    TrustSettings,
    async_check_certificate,
    async_check_certificates,
    check_certificate,
    check_certificates,
    load_trust_roots,
)
from domain.signatures._verify import (
    MAX_PDF_BYTES,
    async_verify_transcript_file,
    verify_transcript_file,
)
from domain.signatures._wording import describe_vi, known_codes, role_vi, verdict_vi

__all__ = [
    "MAX_PDF_BYTES",
    "CertificateCheck",
    "ErrorCode",
    "Finding",
    "Indication",
    "Outcome",
    "ReportFormat",
    "Revocation",
    "SignatureReport",
    "SignerCertificate",
    "SignerInfo",
    "SignerRole",
    "SubIndication",
    "TranscriptSummary",
    "TrustRootsError",
    "TrustSettings",
    "VerificationReport",
    "VerificationSetupError",
    "async_check_certificate",
    "async_check_certificates",
    "async_verify_transcript_file",
    "check_certificate",
    "check_certificates",
    "describe_vi",
    "known_codes",
    "load_trust_roots",
    "mask_personal_id",
    "role_of",
    "role_vi",
    "verdict_vi",
    "verify_transcript_file",
    "worst",
]
