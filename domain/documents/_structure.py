"""Step 3: the structure that makes each Reference mean what the profile says.

Signature wrapping works by making an Id resolve to a copy the reader does not see. Here an
Id may only sit where the profile puts one, no Id appears twice, signatures sit in slots
only, and every signature has exactly the profile's shape — so each Reference can only
resolve to the element at its fixed position, which is the element that is displayed.
"""

from __future__ import annotations

import base64
import binascii
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from cryptography import x509
from lxml import etree  # type: ignore[import-untyped]

from domain.documents._dsig import (
    SIGNING_TIME_TAG,
    Positions,
    algorithm_for,
    ds,
    parse_signing_time,
    slot_signatures,
)
from domain.documents._errors import UnsupportedKeyError
from domain.documents._problems import Problem, ProblemCode
from domain.documents._slots import Slot, reference_uris
from domain.documents._vocabulary import C14N_1_0, DS_NS, PROPS_NS, SHA256, SignatureAlgorithm

MAX_CERTIFICATES = 5
"""The signer's certificate and at most four intermediates."""

_ID_NAMES = ("Id", "ID", "id")
_NAMESPACES = frozenset({DS_NS, PROPS_NS})
_SIGNATURE_TAG = ds("Signature")
_SIGNED_INFO = (ds("CanonicalizationMethod"), ds("SignatureMethod"))
_SIGNATURE = [ds("SignedInfo"), ds("SignatureValue"), ds("KeyInfo"), ds("Object")]
# The tags the checks below compare with, spelt out once (a signature is inspected at every
# completion of its transcript).
_REFERENCE = ds("Reference")
_DIGEST_METHOD = ds("DigestMethod")
_REFERENCE_CHILDREN = [_DIGEST_METHOD, ds("DigestValue")]
_X509_DATA = ds("X509Data")
_X509_SUBJECT_NAME = ds("X509SubjectName")
_X509_CERTIFICATE = ds("X509Certificate")
_PROPERTIES_PATH = [ds("SignatureProperties"), ds("SignatureProperty"), SIGNING_TIME_TAG]


@dataclass(frozen=True, slots=True)
class SignatureFacts:
    """What step 3 found in one slot's signature."""

    slot: Slot
    signature: Any
    """The ``ds:Signature`` element."""
    problems: tuple[Problem, ...]
    """Empty when the signature has exactly the profile's shape."""
    certificates: tuple[x509.Certificate, ...] = ()
    """From KeyInfo, the signer's first."""
    algorithm: SignatureAlgorithm | None = None
    signing_time: datetime | None = None
    targets: tuple[tuple[str, Any], ...] = ()
    """Each Reference URI with the element at its expected position, in SignedInfo order."""


def _elements(element: Any) -> list[Any]:
    return list(element.iterchildren(tag=etree.Element))


def _blank(element: Any) -> bool:
    # Blank: None, or only what str.strip() removes (str.isspace() is the same test, but
    # False for "").
    text = element.text
    if text and not text.isspace():
        return False
    for child in element:
        tail = child.tail
        if tail and not tail.isspace():
            return False
    return True


def document_problems(root: Any, slot_elements: Sequence[Any]) -> list[Problem]:
    """Problems of the whole document: PIs, namespaces, Ids, signatures outside slots."""
    problems: list[Problem] = []
    path = root.getroottree().getpath
    for instruction in root.iter(etree.ProcessingInstruction):
        problems.append(Problem(ProblemCode.PROCESSING_INSTRUCTION, f"<?{instruction.target}?>"))
    allowed = _id_holders(root, slot_elements)
    ids: dict[str, list[Any]] = {}
    # Every element is visited, so the loop is kept to what lxml answers in C: the tag once
    # (an element has no namespace exactly when its tag has no "{uri}" part), ``nsmap`` only
    # for its values, ``items()`` rather than an attribute proxy, local names by string.
    for element in root.iter(etree.Element):
        tag = element.tag
        declared = set(element.nsmap.values())
        # C14N of a referenced element carries the namespaces in scope: none may come from
        # outside the signature, or tools would disagree about what was signed.
        if (not tag.startswith("{") and declared) or not declared <= _NAMESPACES:
            detail = f"{sorted(declared)} in scope on {path(element)}"
            problems.append(Problem(ProblemCode.UNEXPECTED_NAMESPACE, detail))
        for name, value in element.items():
            if name.rpartition("}")[2] not in _ID_NAMES:
                continue
            ids.setdefault(value, []).append(element)
            if name != "Id" or allowed.get(element) != value:
                detail = f"{name}={value!r} on {path(element)}"
                problems.append(Problem(ProblemCode.UNEXPECTED_ID, detail))
        if tag == _SIGNATURE_TAG and element.getparent() not in slot_elements:
            problems.append(Problem(ProblemCode.SIGNATURE_OUTSIDE_SLOT, path(element)))
    for value, holders in ids.items():
        if len(holders) > 1:
            detail = f"Id {value!r} appears {len(holders)} times"
            problems.append(Problem(ProblemCode.DUPLICATE_ID, detail))
    return problems


def _id_holders(root: Any, slot_elements: Sequence[Any]) -> dict[Any, str | None]:
    """The only elements that may carry an Id, each with the only value it may have.

    A signature's and its Object's values are the slot's business (``inspect_signature``);
    here they may hold whatever they hold, as long as they sit in a slot.
    """
    holders: dict[Any, str | None] = {}
    data = root.find("DLHocBa")
    holders[data] = "DLHocBa"
    holders[data.find("TTChung")] = "TTChung"
    for subject in data.iterfind("KetQuaHocTap/MonHoc"):
        holders[subject] = f"MH-{subject.findtext('Ma')}"
    for slot in slot_elements:
        for signature in slot.iterchildren(ds("Signature")):
            holders[signature] = signature.get("Id")
            for properties in signature.iterchildren(ds("Object")):
                holders[properties] = properties.get("Id")
    return holders


def inspect_signature(
    root: Any,
    slot: Slot,
    signature: Any,
    layout: Sequence[tuple[Slot, Any]],
    positions: Positions | None = None,
) -> SignatureFacts:
    """Check one signature's shape against the profile and collect what it carries.

    ``positions``: ``Positions(root, layout)``, when the caller inspects several signatures.
    """
    where = positions if positions is not None else Positions(root, layout)
    problems: list[Problem] = []
    shape = ProblemCode.SIGNATURE_SHAPE
    if signature.get("Id") != slot.signature_id:
        problems.append(
            Problem(
                ProblemCode.SIGNATURE_IN_WRONG_SLOT,
                f"signature {signature.get('Id')!r} sits in slot {slot}, "
                f"which takes {slot.signature_id!r}",
            )
        )
    if [child.tag for child in _elements(signature)] != _SIGNATURE or not _blank(signature):
        problems.append(Problem(shape, "expected SignedInfo, SignatureValue, KeyInfo, Object"))
        return SignatureFacts(slot, signature, tuple(problems))
    signed_info, _, key_info, properties = _elements(signature)
    algorithm = _signed_info(signed_info, problems)
    uris = [reference.get("URI") for reference in signed_info.iterchildren(_REFERENCE)]
    expected = reference_uris(slot, [s for s, _ in layout])
    if Counter(uris) != Counter(expected):
        missing = sorted(set(expected) - set(uris))
        extra = sorted((Counter(uris) - Counter(expected)).elements())
        problems.append(
            Problem(ProblemCode.UNEXPECTED_REFERENCES, f"missing {missing}, unexpected {extra}")
        )
    targets = []
    for uri in uris:
        target = where.find(uri or "")
        if target is None:
            detail = f"{uri} does not resolve to its place in the document"
            problems.append(Problem(ProblemCode.REFERENCE_MISPLACED, detail))
        targets.append((uri, target))
    certificates = _key_info(key_info, algorithm, problems)
    signing_time = _properties(properties, slot, problems)
    return SignatureFacts(
        slot, signature, tuple(problems), certificates, algorithm, signing_time, tuple(targets)
    )


def _signed_info(signed_info: Any, problems: list[Problem]) -> SignatureAlgorithm | None:
    shape, not_allowed = ProblemCode.SIGNATURE_SHAPE, ProblemCode.ALGORITHM_NOT_ALLOWED
    children = _elements(signed_info)
    if signed_info.attrib or tuple(c.tag for c in children[:2]) != _SIGNED_INFO:
        problems.append(Problem(shape, "SignedInfo: unexpected attributes or children"))
        return None
    method, algorithm_element, *references = children
    if method.get("Algorithm") != C14N_1_0 or len(method):
        problems.append(Problem(not_allowed, f"canonicalization {method.get('Algorithm')}"))
    algorithm: SignatureAlgorithm | None = None
    try:
        algorithm = SignatureAlgorithm(algorithm_element.get("Algorithm"))
    except ValueError:
        problems.append(
            Problem(not_allowed, f"signature method {algorithm_element.get('Algorithm')}")
        )
    if len(algorithm_element):
        problems.append(Problem(not_allowed, "parameters on the signature method"))
    for reference in references:
        children = _elements(reference)
        if reference.tag != _REFERENCE or reference.keys() != ["URI"]:
            problems.append(Problem(shape, "SignedInfo: only References with a URI may follow"))
        elif [child.tag for child in children] != _REFERENCE_CHILDREN:
            problems.append(
                Problem(shape, f"Reference {reference.get('URI')}: Transforms or other children")
            )
        elif children[0].get("Algorithm") != SHA256:
            problems.append(Problem(not_allowed, f"digest method of {reference.get('URI')}"))
    return algorithm


def _key_info(
    key_info: Any, algorithm: SignatureAlgorithm | None, problems: list[Problem]
) -> tuple[x509.Certificate, ...]:
    children = _elements(key_info)
    x509_data = children[0] if len(children) == 1 else None
    if key_info.attrib or x509_data is None or x509_data.tag != _X509_DATA or not _blank(key_info):
        problems.append(Problem(ProblemCode.KEY_INFO, "KeyInfo must hold one X509Data only"))
        return ()
    tags = [child.tag for child in _elements(x509_data)]
    names, blobs = tags.count(_X509_SUBJECT_NAME), tags.count(_X509_CERTIFICATE)
    if names != 1 or not 1 <= blobs <= MAX_CERTIFICATES or names + blobs != len(tags):
        problems.append(
            Problem(ProblemCode.KEY_INFO, "X509Data: one X509SubjectName, 1–5 X509Certificate")
        )
        return ()
    if not (x509_data.findtext(_X509_SUBJECT_NAME) or "").strip():
        problems.append(Problem(ProblemCode.KEY_INFO, "X509SubjectName is empty"))
    certificates = []
    for element in x509_data.iterchildren(_X509_CERTIFICATE):
        try:
            certificates.append(_certificate("".join((element.text or "").split())))
        except (ValueError, binascii.Error) as error:
            problems.append(Problem(ProblemCode.CERTIFICATE_UNREADABLE, str(error)))
            return ()
    try:
        fits = algorithm is None or algorithm_for(certificates[0]) is algorithm
    except UnsupportedKeyError as error:
        problems.append(Problem(ProblemCode.ALGORITHM_NOT_ALLOWED, str(error)))
        return tuple(certificates)
    if not fits:
        key_type = type(certificates[0].public_key()).__name__.lstrip("_")
        detail = f"{algorithm} does not fit the certificate's {key_type}"
        problems.append(Problem(ProblemCode.ALGORITHM_NOT_ALLOWED, detail))
    return tuple(certificates)


@lru_cache(maxsize=256)
def _certificate(text: str) -> x509.Certificate:
    # The same few hundred staff certificates come back in every transcript, at every one of
    # its completions: decoded once. A certificate object is immutable; a failure (raised) is
    # not kept.
    return x509.load_der_x509_certificate(base64.b64decode(text, validate=True))


def _properties(element: Any, slot: Slot, problems: list[Problem]) -> datetime | None:
    shape = Problem(
        ProblemCode.SIGNATURE_SHAPE, f"Object must be {slot.properties_id} with one SigningTime"
    )
    if dict(element.attrib) != {"Id": slot.properties_id} or not _blank(element):
        problems.append(shape)
        return None
    current = element
    for depth, tag in enumerate(_PROPERTIES_PATH):
        children = _elements(current)
        if len(children) != 1 or children[0].tag != tag or not _blank(current):
            problems.append(shape)
            return None
        current = children[0]
        wanted = {"Target": f"#{slot.signature_id}"} if depth == 1 else {}
        if dict(current.attrib) != wanted:
            problems.append(shape)
            return None
    if len(current):
        problems.append(shape)
        return None
    moment = parse_signing_time(current.text)
    if moment is None:
        problems.append(Problem(ProblemCode.SIGNING_TIME_INVALID, repr(current.text)))
    return moment


def signatures_of(layout: Sequence[tuple[Slot, Any]]) -> list[tuple[Slot, Any]]:
    """The signed slots, each with its (single, as the XSD allows) signature."""
    return [
        (slot, slot_signatures(element)[0])
        for slot, element in layout
        if len(slot_signatures(element)) == 1
    ]
