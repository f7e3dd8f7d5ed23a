"""Two-step XMLDSig signing of one slot: prepare the bytes to sign, complete with the value.

Why the elements are built with lxml here and signxml only verifies: signxml 5's
``XMLSigner.sign`` cannot produce this profile through its public API. It always writes a
``ds:Transforms`` element (with the enveloped-signature transform for an enveloped
signature; an empty, schema-invalid one for a detached signature with
``exclude_c14n_transform_element``), where the profile has no Transforms; it drops the
placeholder's ``Id``; its KeyInfo has no ``X509SubjectName``; and it signs in the same call,
with the private key in hand, so there is no point at which the canonical SignedInfo can go
to a USB token or a remote signing service and the value come back (REQ-09: the server never
holds a teacher's key). Working around each of these inside its annotator hook would leave a
signature built by undoing the library's work. The profile is small — C14N 1.0 and SHA-256
digests of elements that lie outside the signature — so it is built here in full, and
``verify_xml`` checks every signature with signxml's ``XMLVerifier`` (and the test suite with
``xmlsec1``), which keeps an independent implementation on the checking side.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)
from lxml import etree  # type: ignore[import-untyped]

from domain.documents._dsig import (
    Positions,
    algorithm_for,
    build_signature,
    c14n,
    digest_value,
    ds,
    place_signature,
    read_layout,
    slot_signatures,
)
from domain.documents._errors import (
    InvalidDocumentError,
    PreparedSignatureError,
    SchemaInvalidError,
    SignatureValueError,
    SlotAlreadySignedError,
    SlotNotReadyError,
    UnknownSlotError,
    UnsupportedKeyError,
)
from domain.documents._parsing import parse_untrusted
from domain.documents._schema import validate_tree
from domain.documents._slots import Slot, covered_slots
from domain.documents._vocabulary import SignatureAlgorithm

SigningKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


@dataclass(frozen=True, slots=True)
class PreparedSignature:
    """A slot's signature waiting for its value: what the client signs, and where it goes."""

    slot: Slot
    """The slot being signed."""
    algorithm: SignatureAlgorithm
    """How the client must sign: ``algorithm.client_name`` is ``sha256WithRSA`` (PKCS#1 v1.5)
    or ``sha256WithECDSA``."""
    to_be_signed: bytes
    """The exact bytes to sign: the canonical (C14N 1.0) ``ds:SignedInfo``."""
    document: bytes
    """The document with this signature in place, its SignatureValue still empty."""
    signing_time: datetime
    """The SigningTime written into the signature."""

    @property
    def to_be_signed_digest(self) -> bytes:
        """SHA-256 of ``to_be_signed``, for signers that take a hash (HSM, remote services)."""
        return hashlib.sha256(self.to_be_signed).digest()


def prepare_slot(
    document: bytes,
    slot: Slot | str,
    certificate_chain: Sequence[x509.Certificate],
    signing_time: datetime,
) -> PreparedSignature:
    """Add ``slot``'s signature to ``document``, all but its value.

    ``certificate_chain`` is the signer's certificate first, then any intermediates; its key
    picks the algorithm. ``signing_time`` (timezone-aware) is the server's clock at this moment.
    Raises SchemaInvalidError for a document the XSD refuses, UnknownSlotError,
    SlotAlreadySignedError, SlotNotReadyError (a covered signature is missing),
    UnsupportedKeyError, or InvalidDocumentError for a naive signing time.
    """
    target = Slot.parse(slot) if isinstance(slot, str) else slot
    if signing_time.tzinfo is None or signing_time.utcoffset() is None:
        raise InvalidDocumentError("signing_time", "needs an explicit UTC offset")
    if not certificate_chain:
        raise UnsupportedKeyError("no certificate was given")
    algorithm = algorithm_for(certificate_chain[0])
    tree = _valid_tree(document)
    root = tree.getroot()
    layout = read_layout(root)
    slots = [s for s, _ in layout]
    elements = dict(layout)
    if target not in elements:
        raise UnknownSlotError(target.name, "this document has no such slot")
    if len(elements[target]):
        raise SlotAlreadySignedError(target.name)
    covered = covered_slots(target, slots)
    waiting = tuple(s.name for s in covered if not slot_signatures(elements[s]))
    if waiting:
        raise SlotNotReadyError(target.name, waiting)
    signature = build_signature(target, slots, algorithm, certificate_chain, signing_time)
    place_signature(elements[target], signature)
    positions = Positions(root, layout)  # after placing: the signature's own Object counts
    for reference in signature.iterfind(f"{ds('SignedInfo')}/{ds('Reference')}"):
        referenced = positions.find(reference.get("URI"))
        if referenced is None:  # an Id of the document does not sit where the profile puts it
            uri = reference.get("URI")
            raise InvalidDocumentError("document", f"{uri} is not where the profile puts it")
        reference.find(ds("DigestValue")).text = digest_value(referenced)
    return PreparedSignature(
        slot=target,
        algorithm=algorithm,
        to_be_signed=c14n(signature.find(ds("SignedInfo"))),
        document=_serialise(tree),
        signing_time=signing_time,
    )


def complete_slot(prepared: PreparedSignature, signature_value: bytes) -> bytes:
    """The signed document: ``prepared`` with ``signature_value`` as its SignatureValue.

    ``signature_value`` is what the client returned for ``prepared.to_be_signed``: for RSA the
    PKCS#1 v1.5 signature, for ECDSA the DER form most APIs return or the raw ``r‖s`` of
    XMLDSig. It is checked against the signer's certificate first (SignatureValueError), and
    the prepared document against what was handed out — the same SignedInfo, every digest
    still matching its element (PreparedSignatureError): a stored session cannot be altered
    between the two steps.
    """
    tree = _valid_tree(prepared.document)
    root = tree.getroot()
    layout = read_layout(root)
    elements = dict(layout)
    signatures = slot_signatures(elements[prepared.slot]) if prepared.slot in elements else []
    if len(signatures) != 1:
        raise PreparedSignatureError(f"slot {prepared.slot} holds no prepared signature")
    signature = signatures[0]
    if c14n(signature.find(ds("SignedInfo"))) != prepared.to_be_signed:
        raise PreparedSignatureError("the SignedInfo differs from the bytes handed out to sign")
    positions = Positions(root, layout)
    for reference in signature.iterfind(f"{ds('SignedInfo')}/{ds('Reference')}"):
        uri = reference.get("URI")
        referenced = positions.find(uri)
        if referenced is None or digest_value(referenced) != reference.findtext(ds("DigestValue")):
            raise PreparedSignatureError(f"{uri} changed since the signature was prepared")
    value = signature.find(ds("SignatureValue"))
    if value.text:
        raise PreparedSignatureError(f"slot {prepared.slot} already has a signature value")
    try:
        der = signature.findtext(f"{ds('KeyInfo')}/{ds('X509Data')}/{ds('X509Certificate')}")
        certificate = x509.load_der_x509_certificate(base64.b64decode("".join(der.split())))
    except (ValueError, AttributeError):
        raise PreparedSignatureError("the prepared signature has no readable certificate") from None
    raw = _raw_value(certificate, prepared.algorithm, signature_value, prepared.to_be_signed)
    value.text = base64.b64encode(raw).decode("ascii")
    return _serialise(tree)


def sign_slot(
    document: bytes,
    slot: Slot | str,
    private_key: SigningKey,
    certificate_chain: Sequence[x509.Certificate],
    signing_time: datetime,
) -> bytes:
    """Prepare, sign with a key held here (PKCS#12 demo, tests) and complete, in one call.

    Pass a loaded key object and keep it: parsing a PEM per signature costs ~70 times the
    RSA operation (library-notes.md).
    """
    prepared = prepare_slot(document, slot, certificate_chain, signing_time)
    if isinstance(private_key, rsa.RSAPrivateKey):
        value = private_key.sign(prepared.to_be_signed, padding.PKCS1v15(), hashes.SHA256())
    else:
        value = private_key.sign(prepared.to_be_signed, ec.ECDSA(hashes.SHA256()))
    return complete_slot(prepared, value)


def _valid_tree(document: bytes) -> Any:
    tree = parse_untrusted(document)
    violations = validate_tree(tree)
    if violations:
        raise SchemaInvalidError(violations)
    return tree


def _serialise(tree: Any) -> bytes:
    xml: bytes = etree.tostring(tree, xml_declaration=True, encoding="UTF-8")
    return xml + b"\n"


def _raw_value(
    certificate: x509.Certificate, algorithm: SignatureAlgorithm, value: bytes, data: bytes
) -> bytes:
    """The XMLDSig SignatureValue bytes, once ``value`` verifies over ``data``."""
    key = certificate.public_key()
    try:
        if algorithm is SignatureAlgorithm.RSA_SHA256 and isinstance(key, rsa.RSAPublicKey):
            key.verify(value, data, padding.PKCS1v15(), hashes.SHA256())
            return value
        if isinstance(key, ec.EllipticCurvePublicKey):
            size = (key.curve.key_size + 7) // 8
            der = _as_der(value, size)
            key.verify(der, data, ec.ECDSA(hashes.SHA256()))
            r, s = decode_dss_signature(der)
            return r.to_bytes(size, "big") + s.to_bytes(size, "big")
    except InvalidSignature:
        raise SignatureValueError("the value does not verify with the certificate") from None
    raise SignatureValueError(f"{algorithm.client_name} does not fit the certificate's key")


def _as_der(value: bytes, size: int) -> bytes:
    # Most APIs return DER; XMLDSig and PKCS#11 use r‖s. DER that re-encodes identically is DER.
    try:
        r, s = decode_dss_signature(value)
        if encode_dss_signature(r, s) == value:
            return value
    except ValueError:
        pass
    if len(value) != 2 * size:
        raise SignatureValueError(f"an ECDSA value is DER or {2 * size} bytes of r‖s")
    return encode_dss_signature(
        int.from_bytes(value[:size], "big"), int.from_bytes(value[size:], "big")
    )
