"""Errors raised by the document functions; each carries what was wrong as data."""

from __future__ import annotations

from domain.documents._problems import ProblemCode, SchemaViolation
from domain.model import DomainError


class DocumentError(DomainError):
    """Base of every error ``domain.documents`` raises."""

    code = "document_error"


class InvalidDocumentError(DocumentError):
    """Transcript data that cannot become a valid document (a model rule or the XSD refuses it)."""

    code = "invalid_document"

    def __init__(self, field: str, why: str) -> None:
        self.field = field
        """Where: ``subjects[TOAN].hk2``, ``student.personal_id``, ``xsd``."""
        self.why = why
        """What the profile expects, in words."""
        super().__init__(f"{field}: {why}")


class UnsafeXmlError(DocumentError):
    """Input refused by the safe parser (step 1 of verification)."""

    code = "unsafe_xml"
    problem = ProblemCode.MALFORMED_XML
    """The verification problem this refusal is reported as."""


class DocumentTooLargeError(UnsafeXmlError):
    """More bytes than the size cap allows."""

    code = "document_too_large"
    problem = ProblemCode.TOO_LARGE

    def __init__(self, size: int, limit: int) -> None:
        self.size = size
        self.limit = limit
        super().__init__(f"document is {size} bytes, the limit is {limit}")


class DoctypeForbiddenError(UnsafeXmlError):
    """A DOCTYPE (a DTD, entities) in the input: never needed, the door to XXE and entity bombs."""

    code = "doctype_forbidden"
    problem = ProblemCode.DOCTYPE_FORBIDDEN

    def __init__(self) -> None:
        super().__init__("a DOCTYPE declaration is not allowed")


class EncodingNotAllowedError(UnsafeXmlError):
    """A document not in UTF-8."""

    code = "encoding_not_allowed"
    problem = ProblemCode.ENCODING_NOT_ALLOWED

    def __init__(self, encoding: str) -> None:
        self.encoding = encoding
        super().__init__(f"the document must be UTF-8, not {encoding}")


class MalformedXmlError(UnsafeXmlError):
    """Bytes that are not well-formed XML (or that the parser's limits stopped)."""

    code = "malformed_xml"
    problem = ProblemCode.MALFORMED_XML

    def __init__(self, detail: str) -> None:
        self.detail = detail
        super().__init__(f"not well-formed XML: {detail}")


class SchemaInvalidError(DocumentError):
    """A document the shipped XSD refuses, where a valid one is required."""

    code = "schema_invalid"

    def __init__(self, violations: tuple[SchemaViolation, ...]) -> None:
        self.violations = violations
        first = str(violations[0]) if violations else "no detail"
        super().__init__(f"the document does not match hocba-1.0.xsd: {first}")


class SigningError(DocumentError):
    """A signature that cannot be prepared or completed."""

    code = "signing_error"


class UnknownSlotError(SigningError):
    """A slot name that is malformed or that this document has no slot for."""

    code = "unknown_slot"

    def __init__(self, slot: str, why: str) -> None:
        self.slot = slot
        super().__init__(f"slot {slot!r}: {why}")


class SlotAlreadySignedError(SigningError):
    """The slot already holds a signature."""

    code = "slot_already_signed"

    def __init__(self, slot: str) -> None:
        self.slot = slot
        super().__init__(f"slot {slot} is already signed")


class SlotNotReadyError(SigningError):
    """A slot whose signature must cover signatures that are not there yet."""

    code = "slot_not_ready"

    def __init__(self, slot: str, waiting_for: tuple[str, ...]) -> None:
        self.slot = slot
        self.waiting_for = waiting_for
        """The slots that must be signed first, in document order."""
        super().__init__(f"slot {slot} waits for {', '.join(waiting_for)}")


class UnsupportedKeyError(SigningError):
    """A certificate whose key the profile does not allow (RSA ≥ 2048 or EC P-256/P-384)."""

    code = "unsupported_key"

    def __init__(self, why: str) -> None:
        super().__init__(why)


class SignatureValueError(SigningError):
    """A signature value that is malformed or does not verify with the signer's certificate."""

    code = "signature_value_invalid"

    def __init__(self, why: str) -> None:
        super().__init__(why)


class PreparedSignatureError(SigningError):
    """A prepared signature whose document no longer matches the bytes handed out for signing."""

    code = "prepared_signature_altered"

    def __init__(self, why: str) -> None:
        super().__init__(why)
