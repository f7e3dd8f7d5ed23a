"""Signatures on the transcript files, beyond the XML itself (domain.documents).

- Certificate trust (step 5 of transcript-format.md) and the verification report:
  ``load_trust_roots(pem)`` → ``TrustSettings(trust_roots=…)`` → ``verify_transcript_file(data,
  trust=…, now=…)`` → ``report.to_json()`` or ``describe_vi(finding)`` for people. Certificates are
  judged at each signature's signing time with pyhanko-certvalidator (OCSP/CRL fetched live,
  under a deadline); docs/verification.md.
- PAdES on the PDF (pyHanko): ``render_pdf`` → ``add_signature_fields`` → for each field in order
  ``prepare_pdf_signature`` → the client signs ``to_sign`` → ``complete_pdf_signature`` →
  ``verify_pdf``; docs/transcript-pdf.md.
- Server-side signers (PKCS#12, PKCS#11) behind one ``Signer`` interface.

Pure: no database, no clock — every time is passed in.
"""

from domain.signatures._codes import ErrorCode, Finding, VerificationSetupError
from domain.signatures._fields import (
    COPY_KIND,
    FIELD_DON_VI,
    FIELD_GVCN,
    FIELD_HIEU_TRUONG,
    FIELD_NAMES,
    KIND_INFO_KEY,
    REQUIRED_FIELDS,
    SIGNATURE_BOXES,
    SIGNATURE_PAGE,
    add_seal_field,
    add_signature_fields,
    field_specs,
    required_fields,
)
from domain.signatures._indications import Indication, Outcome, SubIndication, worst
from domain.signatures._pades import (
    Timestamper,
    complete_pdf_signature,
    prepare_pdf_signature,
    sign_pdf,
)
from domain.signatures._pades_appearance import (
    AppearanceError,
    SignatureAppearance,
    reduced_font,
)
from domain.signatures._pades_common import ClientAlgorithm, ServerKey, load_pkcs12_key
from domain.signatures._pades_errors import (
    FieldAlreadySignedError,
    PdfKeyError,
    PdfSignatureError,
    PdfSignatureValueError,
    PdfUnreadableError,
    PreparedPdfSignatureError,
    SigningTimeError,
    TimestampUnavailableError,
    UnknownFieldError,
    ValidationInfoError,
)
from domain.signatures._pades_prepared import PadesLevel, PreparedPdfSignature
from domain.signatures._pades_update import (
    BASE_CHANGED,
    SIGNATURE_NOT_NEW,
    PdfUpdateVerification,
    verify_pdf_update,
)
from domain.signatures._pades_verify import (
    MAX_OBJECTS,
    MAX_PDF_BYTES,
    MAX_REVISIONS,
    MAX_SIGNATURES,
    PdfSignatureCheck,
    PdfSignerIdentity,
    PdfVerification,
    ValidationContextFactory,
    verify_pdf,
)
from domain.signatures._pdf_hex import install as _install_hex_reader
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
from domain.signatures._signers import (
    ECDSA_SHA256,
    RSA_SHA256,
    Pkcs11Signer,
    Pkcs12Signer,
    Signer,
    SignerError,
)
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
    async_verify_transcript_file,
    verify_transcript_file,
)
from domain.signatures._wording import describe_vi, known_codes, role_vi, verdict_vi

_install_hex_reader()  # before any PDF is read: pyHanko's hex strings, read faster

__all__ = [
    "BASE_CHANGED",
    "COPY_KIND",
    "ECDSA_SHA256",
    "FIELD_DON_VI",
    "FIELD_GVCN",
    "FIELD_HIEU_TRUONG",
    "FIELD_NAMES",
    "KIND_INFO_KEY",
    "MAX_OBJECTS",
    "MAX_PDF_BYTES",
    "MAX_REVISIONS",
    "MAX_SIGNATURES",
    "REQUIRED_FIELDS",
    "RSA_SHA256",
    "SIGNATURE_BOXES",
    "SIGNATURE_NOT_NEW",
    "SIGNATURE_PAGE",
    "AppearanceError",
    "CertificateCheck",
    "ClientAlgorithm",
    "ErrorCode",
    "FieldAlreadySignedError",
    "Finding",
    "Indication",
    "Outcome",
    "PadesLevel",
    "PdfKeyError",
    "PdfSignatureCheck",
    "PdfSignatureError",
    "PdfSignatureValueError",
    "PdfSignerIdentity",
    "PdfUnreadableError",
    "PdfUpdateVerification",
    "PdfVerification",
    "Pkcs11Signer",
    "Pkcs12Signer",
    "PreparedPdfSignature",
    "PreparedPdfSignatureError",
    "ReportFormat",
    "Revocation",
    "ServerKey",
    "SignatureAppearance",
    "SignatureReport",
    "Signer",
    "SignerCertificate",
    "SignerError",
    "SignerInfo",
    "SignerRole",
    "SigningTimeError",
    "SubIndication",
    "TimestampUnavailableError",
    "Timestamper",
    "TranscriptSummary",
    "TrustRootsError",
    "TrustSettings",
    "UnknownFieldError",
    "ValidationContextFactory",
    "ValidationInfoError",
    "VerificationReport",
    "VerificationSetupError",
    "add_seal_field",
    "add_signature_fields",
    "async_check_certificate",
    "async_check_certificates",
    "async_verify_transcript_file",
    "check_certificate",
    "check_certificates",
    "complete_pdf_signature",
    "describe_vi",
    "field_specs",
    "known_codes",
    "load_pkcs12_key",
    "load_trust_roots",
    "mask_personal_id",
    "prepare_pdf_signature",
    "reduced_font",
    "required_fields",
    "role_of",
    "role_vi",
    "sign_pdf",
    "verdict_vi",
    "verify_pdf",
    "verify_pdf_update",
    "verify_transcript_file",
    "worst",
]
