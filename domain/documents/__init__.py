"""The XML transcript (học bạ số): document model, XSD, safe parsing, XMLDSig per slot.

The usual path: ``render_xml(document)`` → for each slot in order ``prepare_slot`` → the
client signs ``to_be_signed`` → ``complete_slot`` → ``verify_new_signature`` (the server's
check of what it has just assembled); ``verify_xml`` checks a whole document, anyone's. The
profile is transcript-format.md; docs/transcript-xml.md describes it for integrators. Pure:
no database, no clock — every time is passed in.
"""

from domain.documents._document import MAX_SUBJECTS, TranscriptDocument
from domain.documents._dsig import algorithm_for
from domain.documents._errors import (
    DoctypeForbiddenError,
    DocumentError,
    DocumentTooLargeError,
    EncodingNotAllowedError,
    InvalidDocumentError,
    MalformedXmlError,
    PreparedSignatureError,
    SchemaInvalidError,
    SignatureValueError,
    SigningError,
    SlotAlreadySignedError,
    SlotNotReadyError,
    UnknownSlotError,
    UnsafeXmlError,
    UnsupportedKeyError,
)
from domain.documents._model import (
    Certification,
    DocumentHeader,
    Mark,
    ScannedOriginal,
    StudentDetails,
    SubjectRecord,
    Summary,
    TermLevels,
)
from domain.documents._new_signature import verify_new_signature
from domain.documents._parsing import MAX_DOCUMENT_BYTES, parse_untrusted
from domain.documents._problems import Problem, ProblemCode, SchemaViolation
from domain.documents._reading import read_xml
from domain.documents._render import format_mark, render_xml
from domain.documents._schema import SCHEMA_FILE, schema_text, validate
from domain.documents._signing import (
    PreparedSignature,
    SigningKey,
    complete_slot,
    prepare_slot,
    sign_slot,
)
from domain.documents._slots import Slot, covered_slots, default_layout, reference_uris
from domain.documents._verification import SlotVerification, XmlVerification, verify_xml
from domain.documents._vocabulary import (
    DS_NS,
    FORMAT_VERSION,
    PROPS_NS,
    AssessmentForm,
    Gender,
    LevelCode,
    SchoolLevel,
    SignatureAlgorithm,
    SignerTitle,
    xml_code,
)

__all__ = [
    "DS_NS",
    "FORMAT_VERSION",
    "MAX_DOCUMENT_BYTES",
    "MAX_SUBJECTS",
    "PROPS_NS",
    "SCHEMA_FILE",
    "AssessmentForm",
    "Certification",
    "DoctypeForbiddenError",
    "DocumentError",
    "DocumentHeader",
    "DocumentTooLargeError",
    "EncodingNotAllowedError",
    "Gender",
    "InvalidDocumentError",
    "LevelCode",
    "MalformedXmlError",
    "Mark",
    "PreparedSignature",
    "PreparedSignatureError",
    "Problem",
    "ProblemCode",
    "ScannedOriginal",
    "SchemaInvalidError",
    "SchemaViolation",
    "SchoolLevel",
    "SignatureAlgorithm",
    "SignatureValueError",
    "SignerTitle",
    "SigningError",
    "SigningKey",
    "Slot",
    "SlotAlreadySignedError",
    "SlotNotReadyError",
    "SlotVerification",
    "StudentDetails",
    "SubjectRecord",
    "Summary",
    "TermLevels",
    "TranscriptDocument",
    "UnknownSlotError",
    "UnsafeXmlError",
    "UnsupportedKeyError",
    "XmlVerification",
    "algorithm_for",
    "complete_slot",
    "covered_slots",
    "default_layout",
    "format_mark",
    "parse_untrusted",
    "prepare_slot",
    "read_xml",
    "reference_uris",
    "render_xml",
    "schema_text",
    "sign_slot",
    "validate",
    "verify_new_signature",
    "verify_xml",
    "xml_code",
]
