"""XMLDSig pieces shared by signing and verification: C14N, digests, elements, positions."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import Encoding
from lxml import etree  # type: ignore[import-untyped]

from domain.documents._errors import UnsupportedKeyError
from domain.documents._slots import Slot, reference_uris
from domain.documents._vocabulary import C14N_1_0, DS_NS, PROPS_NS, SHA256, SignatureAlgorithm
from domain.model import SlotKind

MIN_RSA_BITS = 2048
ALLOWED_CURVES = (ec.SECP256R1, ec.SECP384R1)
_INDENT = "  "
# xs:dateTime with seconds and an explicit offset (Z or ±hh:mm); fractions allowed.
_SIGNING_TIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})"
)


def ds(tag: str) -> str:
    """The Clark name of an XMLDSig element: ``{http://www.w3.org/2000/09/xmldsig#}tag``."""
    return f"{{{DS_NS}}}{tag}"


SIGNING_TIME_TAG = f"{{{PROPS_NS}}}SigningTime"


def c14n(element: Any, *, excise_empty_xmlns: bool = False) -> bytes:
    """Canonical XML 1.0 (inclusive, without comments) of ``element`` in its document.

    ``excise_empty_xmlns`` works around a libxml2 C14N bug: below a ``Signature`` written with
    XMLDSig as the *default* namespace (other tools do that), a subtree's canonical form gets
    spurious ``xmlns=""`` declarations. Only ``verification`` may ask for it, and only where
    no genuine ``xmlns=""`` can exist (see ``needs_xmlns_excision``).
    """
    canonical: bytes = etree.tostring(element, method="c14n", exclusive=False, with_comments=False)
    return canonical.replace(b' xmlns=""', b"") if excise_empty_xmlns else canonical


def digest_value(element: Any, *, excise_empty_xmlns: bool = False) -> str:
    """Base64 of the SHA-256 of the element's C14N: a Reference's DigestValue."""
    digest = hashlib.sha256(c14n(element, excise_empty_xmlns=excise_empty_xmlns)).digest()
    return base64.b64encode(digest).decode("ascii")


def needs_xmlns_excision(root: Any) -> bool:
    """Whether ``c14n`` must excise ``xmlns=""`` to match what a signer computed.

    Only when some XMLDSig element uses the default namespace (the libxml2 bug), and only when
    no text holds ``xmlns=""``: C14N leaves quotes in text unescaped, so excising would let
    such a text be added after signing unnoticed. A document that passed the structure
    checks has no element that could need a genuine ``xmlns=""``: data elements never sit
    under a default namespace, and a signature holds XMLDSig elements and SigningTime only.
    """
    # Only XMLDSig elements can be in it: lxml selects them in C.
    default_ds = any(element.prefix is None for element in root.iter(f"{{{DS_NS}}}*"))
    return default_ds and not any('xmlns=""' in text for text in root.itertext())


def algorithm_for(certificate: x509.Certificate) -> SignatureAlgorithm:
    """The signature method the certificate's key signs with; UnsupportedKeyError otherwise."""
    key = certificate.public_key()
    if isinstance(key, rsa.RSAPublicKey):
        if key.key_size < MIN_RSA_BITS:
            raise UnsupportedKeyError(f"an RSA key of {key.key_size} bits is too small")
        return SignatureAlgorithm.RSA_SHA256
    if isinstance(key, ec.EllipticCurvePublicKey):
        if not isinstance(key.curve, ALLOWED_CURVES):
            raise UnsupportedKeyError(f"the curve {key.curve.name} is not allowed")
        return SignatureAlgorithm.ECDSA_SHA256
    raise UnsupportedKeyError(f"a {type(key).__name__} cannot sign a transcript")


def format_signing_time(moment: datetime) -> str:
    """``2025-06-20T09:15:00+07:00``: seconds precision, the moment's own offset."""
    return moment.isoformat(timespec="seconds")


def parse_signing_time(text: str | None) -> datetime | None:
    """The moment a SigningTime text names; None unless it is an xs:dateTime with an offset."""
    if text is None or not _SIGNING_TIME.fullmatch(text):
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def _base64_lines(data: bytes) -> str:
    text = base64.b64encode(data).decode("ascii")
    return "\n".join(text[i : i + 64] for i in range(0, len(text), 64))


def build_signature(
    slot: Slot,
    layout: Sequence[Slot],
    algorithm: SignatureAlgorithm,
    chain: Sequence[x509.Certificate],
    signing_time: datetime,
) -> Any:
    """A ``ds:Signature`` for ``slot`` with empty DigestValues and SignatureValue."""
    signature = etree.Element(ds("Signature"), nsmap={"ds": DS_NS}, Id=slot.signature_id)
    signed_info = etree.SubElement(signature, ds("SignedInfo"))
    etree.SubElement(signed_info, ds("CanonicalizationMethod"), Algorithm=C14N_1_0)
    etree.SubElement(signed_info, ds("SignatureMethod"), Algorithm=algorithm.value)
    for uri in reference_uris(slot, layout):
        reference = etree.SubElement(signed_info, ds("Reference"), URI=uri)
        etree.SubElement(reference, ds("DigestMethod"), Algorithm=SHA256)
        etree.SubElement(reference, ds("DigestValue"))
    etree.SubElement(signature, ds("SignatureValue"))
    x509_data = etree.SubElement(etree.SubElement(signature, ds("KeyInfo")), ds("X509Data"))
    etree.SubElement(x509_data, ds("X509SubjectName")).text = chain[0].subject.rfc4514_string()
    for certificate in chain:
        element = etree.SubElement(x509_data, ds("X509Certificate"))
        element.text = _base64_lines(certificate.public_bytes(Encoding.DER))
    properties = etree.SubElement(
        etree.SubElement(signature, ds("Object"), Id=slot.properties_id),
        ds("SignatureProperties"),
    )
    target = etree.SubElement(properties, ds("SignatureProperty"), Target=f"#{slot.signature_id}")
    time = etree.SubElement(target, SIGNING_TIME_TAG, nsmap={None: PROPS_NS})
    time.text = format_signing_time(signing_time)
    return signature


def place_signature(slot_element: Any, signature: Any) -> None:
    """Put ``signature`` into its (empty) slot element, indented like the rest of the file."""
    # HocBa / DSCKS / slot / ds:Signature: the signature sits three levels down.
    slot_element.text = "\n" + _INDENT * 3
    slot_element.append(signature)
    signature.tail = "\n" + _INDENT * 2
    etree.indent(signature, space=_INDENT, level=3)


def read_layout(root: Any) -> list[tuple[Slot, Any]]:
    """The slots of ``DSCKS`` in document order, each with its element (schema-valid input)."""
    layout = []
    for element in root.iterfind("DSCKS/*"):
        kind = SlotKind(element.tag)
        layout.append((Slot(kind, element.get("Mon") if kind is SlotKind.GVBM else None), element))
    return layout


def slot_signatures(slot_element: Any) -> list[Any]:
    """The ``ds:Signature`` children of a slot element."""
    return list(slot_element.iterchildren(ds("Signature")))


def expected_element(root: Any, uri: str, layout: Sequence[tuple[Slot, Any]]) -> Any | None:
    """The element a Reference URI must resolve to, found by position — never by Id.

    ``#DLHocBa`` is ``/HocBa/DLHocBa``, ``#TTChung`` its ``TTChung``, ``#MH-X`` the MonHoc whose
    ``Ma`` is X, ``#sig-…`` the signature in that slot, ``#sig-…-props`` its ``ds:Object``.
    The element must also carry the Id, else the reference resolves somewhere else.
    """
    if not uri.startswith("#"):
        return None
    ident = uri[1:]
    found: Any | None = None
    if ident == "DLHocBa":
        found = root.find("DLHocBa")
    elif ident == "TTChung":
        found = root.find("DLHocBa/TTChung")
    elif ident.startswith("MH-"):
        subjects = root.iterfind("DLHocBa/KetQuaHocTap/MonHoc")
        found = next((s for s in subjects if s.findtext("Ma") == ident[3:]), None)
    else:
        signature_id = ident.removesuffix("-props")
        for slot, element in layout:
            if slot.signature_id != signature_id:
                continue
            signatures = slot_signatures(element)
            if len(signatures) == 1:
                objects = list(signatures[0].iterchildren(ds("Object")))
                if ident == signature_id:
                    found = signatures[0]
                elif len(objects) == 1:
                    found = objects[0]
    return found if found is not None and found.get("Id") == ident else None


class Positions:
    """``expected_element`` for every URI of one document, each kind of element indexed once.

    ``find(uri)`` returns what ``expected_element(root, uri, layout)`` returns, as long as the
    tree is not restructured after the first ``find``: the same positions (the first
    ``MonHoc`` with that ``Ma``; the signature, or its single ``ds:Object``, of the last slot
    with that signature Id holding exactly one), the same Id check. A GVCN signature alone
    has a Reference per subject, and ``expected_element`` searches the subjects for each.
    """

    __slots__ = ("_found", "_layout", "_root", "_signatures", "_subjects")

    def __init__(self, root: Any, layout: Sequence[tuple[Slot, Any]]) -> None:
        self._root = root
        self._layout = layout
        self._subjects: dict[str | None, Any] | None = None
        self._signatures: dict[str, Any] | None = None
        self._found: dict[str, Any | None] = {}  # every subject signature asks for #TTChung

    def find(self, uri: str) -> Any | None:
        """The element ``uri`` must resolve to, or None (as ``expected_element``)."""
        if uri not in self._found:
            self._found[uri] = self._find(uri)
        return self._found[uri]

    def _find(self, uri: str) -> Any | None:
        if not uri.startswith("#"):
            return None
        ident = uri[1:]
        found: Any | None
        if ident == "DLHocBa":
            found = self._root.find("DLHocBa")
        elif ident == "TTChung":
            found = self._root.find("DLHocBa/TTChung")
        elif ident.startswith("MH-"):
            if self._subjects is None:
                self._subjects = {}
                for subject in self._root.iterfind("DLHocBa/KetQuaHocTap/MonHoc"):
                    self._subjects.setdefault(subject.findtext("Ma"), subject)
            found = self._subjects.get(ident[3:])
        else:  # no slot's signature Id ends in "-props", so the two kinds of key never meet
            if self._signatures is None:
                self._signatures = self._signature_index()
            found = self._signatures.get(ident)
        return found if found is not None and found.get("Id") == ident else None

    def _signature_index(self) -> dict[str, Any]:
        index: dict[str, Any] = {}
        for slot, element in self._layout:
            signatures = slot_signatures(element)
            if len(signatures) != 1:
                continue
            index[slot.signature_id] = signatures[0]
            objects = list(signatures[0].iterchildren(ds("Object")))
            if len(objects) == 1:
                index[slot.properties_id] = objects[0]
        return index
