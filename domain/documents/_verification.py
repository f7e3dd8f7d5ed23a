"""Verification of an XML transcript, the XML side: steps 1–4 and 6 of transcript-format.md.

Step 5 (certificate path, validity, revocation, key usage) is the trust layer's: it gets the
certificates found here, the signer's first. Hostile input is the normal case: nothing here
raises on it; every finding is a Problem in the result.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from cryptography import x509
from cryptography.x509.oid import NameOID
from signxml.algorithms import CanonicalizationMethod, DigestAlgorithm, SignatureMethod
from signxml.exceptions import InvalidDigest, InvalidSignature
from signxml.verifier import SignatureConfiguration, XMLVerifier

from domain.documents._document import TranscriptDocument
from domain.documents._dsig import c14n, digest_value, ds, needs_xmlns_excision, read_layout
from domain.documents._errors import InvalidDocumentError, UnsafeXmlError
from domain.documents._parsing import MAX_DOCUMENT_BYTES, new_parser, parse_untrusted
from domain.documents._problems import Problem, ProblemCode, SchemaViolation
from domain.documents._reading import document_from_tree
from domain.documents._schema import validate_tree
from domain.documents._slots import Slot, layout_problem
from domain.documents._structure import (
    SignatureFacts,
    document_problems,
    inspect_signature,
    signatures_of,
)
from domain.documents._view import signature_view
from domain.documents._vocabulary import SignatureAlgorithm
from domain.model import SlotKind

_ALLOWED_METHODS = frozenset({SignatureMethod.RSA_SHA256, SignatureMethod.ECDSA_SHA256})
_STAGE = {SlotKind.GVBM: 0, SlotKind.GVCN: 1, SlotKind.HIEU_TRUONG: 2, SlotKind.DON_VI: 3}


@dataclass(frozen=True, slots=True)
class SlotVerification:
    """One signature of the document, as far as the XML side can tell."""

    slot: str
    """``GVBM:TOAN``, ``GVCN``, ``HieuTruong`` or ``DonVi``."""
    signature_id: str
    """The Id found on the signature (it should be the slot's)."""
    integrity: bool
    """Structure, every digest and the signature value are right."""
    errors: tuple[Problem, ...]
    """Everything found wrong, integrity and policy; empty for a good signature."""
    certificates: tuple[x509.Certificate, ...] = ()
    """From KeyInfo, the signer's first: for the trust layer (path, validity, revocation)."""
    signer_subject: str | None = None
    """RFC 4514 subject of the signer's certificate."""
    signer_common_name: str | None = None
    serial: int | None = None
    issuer: str | None = None
    """RFC 4514 issuer of the signer's certificate."""
    signing_time: datetime | None = None
    """The signed SigningTime."""
    algorithm: SignatureAlgorithm | None = None

    @property
    def ok(self) -> bool:
        """True when nothing is wrong with this signature."""
        return self.integrity and not self.errors


@dataclass(frozen=True, slots=True)
class XmlVerification:
    """The XML side of a transcript's verification (crypto and structure, not trust)."""

    schema_valid: bool
    """Step 2 passed."""
    errors: tuple[Problem, ...]
    """Problems of the document as a whole (steps 1–3)."""
    signatures: tuple[SlotVerification, ...] = ()
    """One per signed slot, in slot order."""
    missing_slots: tuple[str, ...] = ()
    """Slots of the layout that hold no signature (step 6)."""
    schema_errors: tuple[SchemaViolation, ...] = ()
    document: TranscriptDocument | None = None
    """The data, read from the checked tree; show it only when ``ok`` (step 7)."""

    @property
    def intact(self) -> bool:
        """Every signature present is good, and the document has no problem of its own."""
        return self.schema_valid and not self.errors and all(s.ok for s in self.signatures)

    @property
    def ok(self) -> bool:
        """Intact, and every slot is signed: valid as far as the XML side can tell."""
        return self.intact and not self.missing_slots

    def problems(self) -> tuple[Problem, ...]:
        """Every problem: the document's, each signature's, and one per missing signature."""
        missing = (Problem(ProblemCode.SIGNATURE_MISSING, slot) for slot in self.missing_slots)
        per_slot = (problem for s in self.signatures for problem in s.errors)
        return (*self.errors, *per_slot, *missing)


def verify_xml(xml: bytes, *, max_bytes: int = MAX_DOCUMENT_BYTES) -> XmlVerification:
    """Verify an XML transcript's structure and signatures; never raises on bad input."""
    checked = checked_document(xml, max_bytes=max_bytes)
    if isinstance(checked, XmlVerification):
        return checked
    root, layout, document, missing = checked
    facts = [inspect_signature(root, slot, sig, layout) for slot, sig in signatures_of(layout)]
    excise = needs_xmlns_excision(root)
    results = in_order([verify_one(root, layout, fact, excise) for fact in facts], facts)
    return XmlVerification(
        schema_valid=True,
        errors=(),
        signatures=tuple(results),
        missing_slots=missing,
        document=document,
    )


CheckedDocument = tuple[Any, list[tuple[Slot, Any]], TranscriptDocument | None, tuple[str, ...]]
"""The root, its slot layout, the data read from it, and the unsigned slots."""


def checked_document(xml: bytes, *, max_bytes: int) -> CheckedDocument | XmlVerification:
    """Steps 1–3 and the layout of step 6 for the document as a whole: what its signatures
    are then checked in, or the failed verification when they cannot mean anything."""
    try:
        tree = parse_untrusted(xml, max_bytes=max_bytes)
    except UnsafeXmlError as error:
        return XmlVerification(schema_valid=False, errors=(Problem(error.problem, str(error)),))
    violations = validate_tree(tree)
    if violations:
        detail = "; ".join(str(v) for v in violations[:3])
        problem = Problem(ProblemCode.SCHEMA_INVALID, detail)
        return XmlVerification(schema_valid=False, errors=(problem,), schema_errors=violations)
    root = tree.getroot()
    layout = read_layout(root)
    problems = document_problems(root, [element for _, element in layout])
    document: TranscriptDocument | None = None
    try:
        document = document_from_tree(tree)
    except InvalidDocumentError as error:
        problems.append(Problem(ProblemCode.DATA_INCONSISTENT, str(error)))
    if document is not None:
        codes = [subject.code for subject in document.subjects]
        wrong = layout_problem(document.header.kind, codes, [slot for slot, _ in layout])
        if wrong is not None:
            problems.append(Problem(ProblemCode.SLOTS_DO_NOT_MATCH_KIND, wrong))
    missing = tuple(slot.name for slot, element in layout if not len(element))
    if problems:  # no signature can be trusted to mean anything in such a document
        return XmlVerification(
            schema_valid=True, errors=tuple(problems), missing_slots=missing, document=document
        )
    return root, layout, document, missing


def verify_one(
    root: Any, layout: Sequence[tuple[Slot, Any]], facts: SignatureFacts, excise: bool
) -> SlotVerification:
    """One signature verified in full: its shape, every digest, then signxml."""
    # Each step runs only on what the previous one accepted: the shape, then the digests
    # (naming every changed region), then signxml on the signature as a whole.
    problems = list(facts.problems) or _digests(facts, excise)
    if not problems:
        view = signature_view(root, facts.slot, [uri for uri, _ in facts.targets], layout)
        problems = _signxml(view, facts, excise)
    return slot_entry(facts, problems)


def slot_entry(facts: SignatureFacts, problems: Sequence[Problem]) -> SlotVerification:
    """The entry of one signature, good when ``problems`` is empty."""
    signer = facts.certificates[0] if facts.certificates else None
    return SlotVerification(
        slot=facts.slot.name,
        signature_id=facts.signature.get("Id") or "",
        integrity=not problems,
        errors=tuple(problems),
        certificates=facts.certificates,
        signer_subject=None if signer is None else _name(signer.subject),
        signer_common_name=None if signer is None else _common_name(signer),
        serial=None if signer is None else signer.serial_number,
        issuer=None if signer is None else _name(signer.issuer),
        signing_time=facts.signing_time,
        algorithm=facts.algorithm,
    )


def _digests(facts: SignatureFacts, excise: bool) -> list[Problem]:
    # signxml stops at the first bad digest; this names every changed region for the report.
    problems: list[Problem] = []
    references = facts.signature.iterfind(f"{ds('SignedInfo')}/{ds('Reference')}")
    for (uri, target), reference in zip(facts.targets, references, strict=True):
        written = "".join((reference.findtext(ds("DigestValue")) or "").split())
        if written != digest_value(target, excise_empty_xmlns=excise):
            problems.append(Problem(ProblemCode.DIGEST_MISMATCH, f"{uri} changed after signing"))
    return problems


def _signxml(view: Any, facts: SignatureFacts, excise: bool) -> list[Problem]:
    slot, signer = facts.slot, facts.certificates[0]
    where = f"./DSCKS/GVBM[@Mon='{slot.subject}']/" if slot.subject else f"./DSCKS/{slot.kind}/"
    assert facts.signing_time is not None  # inspect_signature reports a missing one
    config = SignatureConfiguration(
        require_x509=True,
        location=where,
        expect_references=len(facts.targets),
        signature_methods=_ALLOWED_METHODS,
        digest_algorithms=frozenset({DigestAlgorithm.SHA256}),
        # Whether the certificate was valid then is step 5's question; signxml must not answer
        # it (nor read the clock), so it is asked at a moment inside the validity period.
        verification_time=_within(signer, facts.signing_time),
        default_reference_c14n_method=CanonicalizationMethod.CANONICAL_XML_1_0,
    )
    verifier = XMLVerifier()
    verifier.excise_empty_xmlns_declarations = excise
    try:
        results = verifier.verify(
            view, x509_cert=signer, parser=new_parser(), id_attribute="Id", expect_config=config
        )
    except InvalidDigest as error:
        return [Problem(ProblemCode.DIGEST_MISMATCH, str(error))]
    except InvalidSignature as error:
        return [Problem(ProblemCode.SIGNATURE_VALUE_INVALID, str(error))]
    except Exception as error:  # hostile input must become a finding, never a crash
        return [Problem(ProblemCode.SIGNATURE_VALUE_INVALID, f"{type(error).__name__}: {error}")]
    verified = results if isinstance(results, list) else [results]
    # What signxml verified must be exactly the elements at the profile's positions in the
    # original document, not merely in the view it was given.
    for (uri, target), result in zip(facts.targets, verified, strict=True):
        if result.signed_data != c14n(target, excise_empty_xmlns=excise):
            return [Problem(ProblemCode.REFERENCE_MISPLACED, f"{uri} verified another element")]
    return []


def _within(certificate: x509.Certificate, moment: datetime) -> datetime:
    start, end = certificate.not_valid_before_utc, certificate.not_valid_after_utc
    return min(max(moment, start), end)


def _name(name: x509.Name) -> str:
    try:
        return name.rfc4514_string()
    except ValueError:
        return "<unreadable name>"


def _common_name(certificate: x509.Certificate) -> str | None:
    try:
        values = certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    except ValueError:
        return None
    return str(values[0].value) if values else None


def in_order(
    results: list[SlotVerification], facts: Sequence[SignatureFacts]
) -> list[SlotVerification]:
    """Add step 6's finding to a signature timed before one of an earlier stage.

    Subject teachers sign in parallel, so GVBM slots are not ordered among themselves; each
    later stage (GVCN, HieuTruong, DonVi) must not claim a time before an earlier stage's.
    """
    stages = [_STAGE[fact.slot.kind] for fact in facts]
    checked = []
    for current, stage in zip(results, stages, strict=True):
        claimed = current.signing_time
        overtaken = [
            earlier
            for earlier, earlier_stage in zip(results, stages, strict=True)
            if earlier_stage < stage
            and claimed is not None
            and earlier.signing_time is not None
            and earlier.signing_time > claimed
        ]
        if not overtaken:
            checked.append(current)
            continue
        first = overtaken[0]
        detail = f"{current.slot} claims {claimed}, before {first.slot} at {first.signing_time}"
        finding = Problem(ProblemCode.SIGNING_TIME_ORDER, detail)
        checked.append(replace(current, errors=(*current.errors, finding)))
    return checked
