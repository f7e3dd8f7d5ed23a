"""Signatures on the transcript files: PAdES on the PDF (pyHanko) and the server-side signers
(PKCS#12, PKCS#11) behind one ``Signer`` interface.

The usual path: ``render_pdf`` → ``add_signature_fields`` → for each field in order
``prepare_pdf_signature`` → the client signs ``to_sign`` → ``complete_pdf_signature`` →
``verify_pdf``. ``sign_pdf`` runs both steps with a key held by the server. Pure: no
database, no clock — every time is passed in.
"""

from domain.signatures._fields import (
    FIELD_DON_VI,
    FIELD_GVCN,
    FIELD_HIEU_TRUONG,
    FIELD_NAMES,
    SIGNATURE_BOXES,
    SIGNATURE_PAGE,
    add_signature_fields,
    field_specs,
)
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
from domain.signatures._pades_verify import (
    MAX_PDF_BYTES,
    MAX_REVISIONS,
    MAX_SIGNATURES,
    PdfSignatureCheck,
    PdfSignerIdentity,
    PdfVerification,
    ValidationContextFactory,
    verify_pdf,
)
from domain.signatures._signers import (
    ECDSA_SHA256,
    RSA_SHA256,
    Pkcs11Signer,
    Pkcs12Signer,
    Signer,
    SignerError,
)

__all__ = [
    "ECDSA_SHA256",
    "FIELD_DON_VI",
    "FIELD_GVCN",
    "FIELD_HIEU_TRUONG",
    "FIELD_NAMES",
    "MAX_PDF_BYTES",
    "MAX_REVISIONS",
    "MAX_SIGNATURES",
    "RSA_SHA256",
    "SIGNATURE_BOXES",
    "SIGNATURE_PAGE",
    "AppearanceError",
    "ClientAlgorithm",
    "FieldAlreadySignedError",
    "PadesLevel",
    "PdfKeyError",
    "PdfSignatureCheck",
    "PdfSignatureError",
    "PdfSignatureValueError",
    "PdfSignerIdentity",
    "PdfUnreadableError",
    "PdfVerification",
    "Pkcs11Signer",
    "Pkcs12Signer",
    "PreparedPdfSignature",
    "PreparedPdfSignatureError",
    "ServerKey",
    "SignatureAppearance",
    "Signer",
    "SignerError",
    "SigningTimeError",
    "TimestampUnavailableError",
    "Timestamper",
    "UnknownFieldError",
    "ValidationContextFactory",
    "ValidationInfoError",
    "add_signature_fields",
    "complete_pdf_signature",
    "field_specs",
    "load_pkcs12_key",
    "prepare_pdf_signature",
    "reduced_font",
    "sign_pdf",
    "verify_pdf",
]
