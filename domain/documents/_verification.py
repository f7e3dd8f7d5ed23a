"""Verification of an XML transcript, the XML side: steps 1–4 and 6 of transcript-format.md.

Step 5 (certificate path, validity, revocation, key usage) is the trust layer's: it gets the
certificates found here, the signer's first. Hostile input is the normal case: nothing here
raises on it; every finding is a Problem in the result.
"""

from __future__ import annotations

import base64
import hashlib
from base64 import b64decode
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from functools import lru_cache
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from cryptography.x509.oid import NameOID
from lxml import etree  # type: ignore[import-untyped]
from signxml.algorithms import CanonicalizationMethod, DigestAlgorithm, SignatureMethod
from signxml.exceptions import InvalidDigest, InvalidInput, InvalidSignature
from signxml.verifier import SignatureConfiguration, VerifyResult, XMLVerifier

from domain.documents._document import TranscriptDocument
from domain.documents._dsig import Positions, c14n, ds, needs_xmlns_excision, read_layout
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
    positions = Positions(root, layout)
    facts = [
        inspect_signature(root, slot, sig, layout, positions) for slot, sig in signatures_of(layout)
    ]
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
    problems = list(facts.problems)
    if problems:
        return slot_entry(facts, problems)
    canonical = [c14n(target, excise_empty_xmlns=excise) for _, target in facts.targets]
    problems = _digests(facts, canonical)
    if not problems:
        view = signature_view(root, facts.slot, [uri for uri, _ in facts.targets], layout)
        problems = _signxml(view, facts, canonical, excise)
    return slot_entry(facts, problems)


def slot_entry(facts: SignatureFacts, problems: Sequence[Problem]) -> SlotVerification:
    """The entry of one signature, good when ``problems`` is empty."""
    signer = facts.certificates[0] if facts.certificates else None
    subject, common_name, serial, issuer = (
        (None, None, None, None) if signer is None else _signer(signer)
    )
    return SlotVerification(
        slot=facts.slot.name,
        signature_id=facts.signature.get("Id") or "",
        integrity=not problems,
        errors=tuple(problems),
        certificates=facts.certificates,
        signer_subject=subject,
        signer_common_name=common_name,
        serial=serial,
        issuer=issuer,
        signing_time=facts.signing_time,
        algorithm=facts.algorithm,
    )


@lru_cache(maxsize=256)
def _signer(certificate: x509.Certificate) -> tuple[str, str | None, int, str]:
    # The same teachers' certificates come back at every completion; rendering names is slow
    # (cryptography builds them attribute by attribute). A certificate is immutable and equal
    # only to one with the same DER, so what is derived from it can be kept.
    return (
        _name(certificate.subject),
        _common_name(certificate),
        certificate.serial_number,
        _name(certificate.issuer),
    )


def _digests(facts: SignatureFacts, canonical: Sequence[bytes]) -> list[Problem]:
    # signxml stops at the first bad digest; this names every changed region for the report.
    problems: list[Problem] = []
    references = facts.signature.iterfind(f"{ds('SignedInfo')}/{ds('Reference')}")
    for (uri, _), form, reference in zip(facts.targets, canonical, references, strict=True):
        written = "".join((reference.findtext(ds("DigestValue")) or "").split())
        if written != base64.b64encode(hashlib.sha256(form).digest()).decode("ascii"):
            problems.append(Problem(ProblemCode.DIGEST_MISMATCH, f"{uri} changed after signing"))
    return problems


class _ProfileVerifier(XMLVerifier):
    """signxml's verifier without its copy of the whole document for every Reference.

    signxml 5.2 re-serialises and re-parses the document it verifies once per Reference, so
    that a Transform (the enveloped one removes the signature) cannot alter the original:
    for the GVCN signature, a Reference per subject, that was the largest single cost of a
    completion. The profile has no Transforms (``inspect_signature`` refuses any before
    signxml runs), so nothing modifies the tree, and resolving a Reference in the document
    is resolving it in a copy. Every step of the check stays signxml's own, in its order:
    the Reference from the SignedInfo it verified, the Id resolved by signxml's query
    (ambiguity refused), signxml's canonicalisation of a copy of the element, its digest
    method against the allowed ones, the digest compared. A Reference with Transforms goes
    to signxml unchanged. ``signed_xml`` is not parsed back: the caller compares
    ``signed_data`` with the element at the profile's position instead.
    tests/unit/test_documents_speed_safety.py shows what it still refuses.
    """

    def __init__(self) -> None:
        super().__init__()
        # By Id attribute name: the document indexed (nothing modifies it during a verify).
        self._ids: dict[str, tuple[Any, dict[str, list[Any]]]] = {}

    def _resolve_reference(self, doc_root: Any, reference: Any, uri_resolver: Any = None) -> Any:
        uri = reference.get("URI")
        if uri is None or not uri.startswith("#") or uri.startswith("#xpointer("):
            signxml: Any = super()  # its helpers are untyped
            return signxml._resolve_reference(doc_root, reference, uri_resolver=uri_resolver)
        # signxml 5.2's loop, its answers from one pass over the document instead of its
        # query ``//*[@*[local-name() = '<name>'] = $uri]`` run per Reference (a scan of the
        # whole document each time: the GVCN signature has a Reference per subject).
        for id_attribute in self.id_attributes:
            results = self._holders(doc_root, id_attribute).get(uri.lstrip("#"), [])
            if len(results) > 1:
                found = len(results)
                raise InvalidInput(f"Ambiguous reference URI {uri} resolved to {found} nodes")
            if len(results) == 1:
                return results[0]
        raise InvalidInput(f"Unable to resolve reference URI: {uri}")

    def _holders(self, doc_root: Any, id_attribute: str) -> dict[str, list[Any]]:
        """What signxml's query finds for each value: the elements of ``doc_root``'s document
        with an attribute of local name ``id_attribute`` holding it, in document order."""
        known = self._ids.get(id_attribute)
        if known is not None and known[0] is doc_root:
            return known[1]
        holders: dict[str, list[Any]] = {}
        for element in doc_root.getroottree().getroot().iter(etree.Element):
            values = {v for n, v in element.items() if n.rpartition("}")[2] == id_attribute}
            for value in values:
                holders.setdefault(value, []).append(element)
        self._ids[id_attribute] = (doc_root, holders)
        return holders

    # signxml's signature, positional arguments and all.
    def _verify_reference(  # noqa: PLR0917
        self,
        reference: Any,
        index: int,
        root: Any,
        uri_resolver: Any,
        c14n_algorithm: Any,
        signature: Any,
        signature_key_used: Any,
    ) -> VerifyResult:
        this: Any = self  # signxml's helpers are untyped
        if this._find(reference, "Transforms", require=False) is not None:
            signxml: Any = super()
            verified: VerifyResult = signxml._verify_reference(
                reference, index, root, uri_resolver, c14n_algorithm, signature, signature_key_used
            )
            return verified
        digest_method_alg_name = this._find(reference, "DigestMethod").get("Algorithm")
        digest_value = this._find(reference, "DigestValue")
        payload = self._resolve_reference(root, reference, uri_resolver=uri_resolver)
        payload_c14n = this._apply_transforms(payload, transforms_node=None, signature=signature)
        digest_alg = DigestAlgorithm(digest_method_alg_name)
        this.check_digest_alg_expected(digest_alg)
        if b64decode(digest_value.text) != this._get_digest(payload_c14n, digest_alg):
            raise InvalidDigest(f"Digest mismatch for reference {index} ({reference.get('URI')})")
        key = signature_key_used.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
        return VerifyResult(payload_c14n, None, signature, signature_key=key)


def _signxml(
    view: Any, facts: SignatureFacts, canonical: Sequence[bytes], excise: bool
) -> list[Problem]:
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
    verifier = _ProfileVerifier()
    verifier.excise_empty_xmlns_declarations = excise
    try:
        # validate_schema=False: signxml would validate this signature against the XMLDSig
        # schema; the whole document was validated against hocba-1.0.xsd, which takes every
        # ds:Signature strictly from the XMLDSig schema, and inspect_signature found it of
        # exactly the profile's shape (narrower than either schema). The view holds copies.
        results = verifier.verify(
            view,
            x509_cert=signer,
            parser=new_parser(),
            id_attribute="Id",
            expect_config=config,
            validate_schema=False,
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
    for (uri, _), form, result in zip(facts.targets, canonical, verified, strict=True):
        if result.signed_data != form:
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
