"""Errors raised while signing a PDF transcript; each carries what was wrong as data.

Verification never raises for a bad file: it reports (``PdfVerification.errors``).
"""

from __future__ import annotations

from domain.model import DomainError


class PdfSignatureError(DomainError):
    """Base of every error the PAdES functions raise."""

    code = "pdf_signature_error"


class PdfUnreadableError(PdfSignatureError):
    """A PDF pyHanko cannot read or write an update for."""

    code = "pdf_unreadable"

    def __init__(self, why: str) -> None:
        self.why = why
        super().__init__(why)


class UnknownFieldError(PdfSignatureError):
    """A field name the transcript layout does not have, or a PDF without that field."""

    code = "unknown_field"

    def __init__(self, field: str, why: str) -> None:
        self.field = field
        super().__init__(f"field {field!r}: {why}")


class SigningTimeError(PdfSignatureError):
    """A signing time without an explicit UTC offset."""

    code = "signing_time_invalid"

    def __init__(self, moment: object) -> None:
        self.moment = moment
        super().__init__(f"the signing time {moment!r} needs an explicit UTC offset")


class FieldAlreadySignedError(PdfSignatureError):
    """The field already holds a signature."""

    code = "field_already_signed"

    def __init__(self, field: str) -> None:
        self.field = field
        super().__init__(f"field {field} is already signed")


class PdfKeyError(PdfSignatureError):
    """A certificate chain or key the profile does not sign with (RSA ≥ 2048, EC P-256/384)."""

    code = "unsupported_key"

    def __init__(self, why: str) -> None:
        self.why = why
        super().__init__(why)


class PdfSignatureValueError(PdfSignatureError):
    """A signature value that does not verify against the signer's certificate."""

    code = "signature_value_invalid"

    def __init__(self, field: str, why: str) -> None:
        self.field = field
        self.why = why
        super().__init__(f"field {field}: {why}")


class PreparedPdfSignatureError(PdfSignatureError):
    """A stored prepared signature that is garbage or no longer matches what was handed out."""

    code = "prepared_signature_altered"

    def __init__(self, why: str) -> None:
        self.why = why
        super().__init__(why)


class TimestampUnavailableError(PdfSignatureError):
    """The level needs a signature timestamp and none could be obtained."""

    code = "timestamp_unavailable"

    def __init__(self, why: str) -> None:
        self.why = why
        super().__init__(why)


class ValidationInfoError(PdfSignatureError):
    """B-LT could not be reached: the chain or its revocation data could not be collected."""

    code = "validation_info_unavailable"

    def __init__(self, why: str) -> None:
        self.why = why
        super().__init__(why)
