"""Verification of one new signature added to an already verified document.

A signing completion adds one slot's signature to the document the server assembled from the
stored signed XML. ``verify_xml`` would check every signature again at each of the fifteen
completions of an annual record, a cost that grows with the square of the signatures. Here the
new signature is verified as ``verify_xml`` verifies any signature, and for every earlier one
the check is that nothing it stands on differs from the stored document in which it was
verified: the ``ds:Signature`` element itself and each element its References resolve to, in
canonical form (C14N 1.0, what the digests are computed over). A signature that verified over
some bytes verifies over the same bytes again, so the result is the one ``verify_xml`` would
give, at the cost of one signature. The argument in full: docs/verification.md.
"""

from __future__ import annotations

from typing import Any

from domain.documents._dsig import Positions, c14n, needs_xmlns_excision, read_layout
from domain.documents._errors import UnsafeXmlError
from domain.documents._parsing import MAX_DOCUMENT_BYTES, parse_untrusted
from domain.documents._problems import Problem, ProblemCode
from domain.documents._slots import Slot
from domain.documents._structure import SignatureFacts, inspect_signature, signatures_of
from domain.documents._verification import (
    XmlVerification,
    checked_document,
    in_order,
    slot_entry,
    verify_one,
)


def verify_new_signature(
    final: bytes, slot: Slot, base: bytes | None, *, max_bytes: int = MAX_DOCUMENT_BYTES
) -> XmlVerification:
    """Verify ``final``: ``base`` (None: a fresh document) with ``slot``'s signature added.

    ``base`` must be a document that passed ``verify_xml`` (or this function) before: the
    stored signed XML. The document as a whole is checked as ``verify_xml`` checks it (parsing,
    the XSD, the structure that fixes what each Reference resolves to, the slot layout, the
    order of signing times); ``slot``'s signature is verified fully (digests, then signxml);
    every other signature must be in ``base`` in the same slot, and it and everything it
    references must be canonically identical to ``base``'s — else its entry fails with a
    ``digest_mismatch`` naming what differs. A signature of ``base`` that ``final`` no
    longer holds is no finding (after a send-back the slots signed again start empty), nor is
    ``slot`` signed in ``base`` (the signature it replaces). Never raises on bad input;
    ``intact`` means what it means for ``verify_xml``.
    """
    checked = checked_document(final, max_bytes=max_bytes)
    if isinstance(checked, XmlVerification):
        return checked
    root, layout, document, missing = checked
    positions = Positions(root, layout)
    facts = [inspect_signature(root, s, sig, layout, positions) for s, sig in signatures_of(layout)]
    excise = needs_xmlns_excision(root)
    earlier = _stored_signatures(base)
    canonical: dict[str, bytes] = {}  # by URI: GVCN and HieuTruong both cover #DLHocBa
    results = []
    for fact in facts:
        if fact.slot == slot:
            results.append(verify_one(root, layout, fact, excise))
        else:
            problems = list(fact.problems) or _changes(fact, excise, earlier, canonical)
            results.append(slot_entry(fact, problems))
    errors: list[Problem] = []
    if base is not None and earlier is None:
        errors.append(Problem(ProblemCode.MALFORMED_XML, "the stored document cannot be read"))
    if slot not in {fact.slot for fact in facts}:
        errors.append(Problem(ProblemCode.SIGNATURE_MISSING, f"{slot} holds no new signature"))
    return XmlVerification(
        schema_valid=True,
        errors=tuple(errors),
        signatures=tuple(in_order(results, facts)),
        missing_slots=missing,
        document=document,
    )


class _Stored:
    """The stored document's signatures by slot, and how to find what they reference."""

    def __init__(self, root: Any) -> None:
        layout = read_layout(root)
        self.signatures = dict(signatures_of(layout))
        self.positions = Positions(root, layout)
        self.excise = needs_xmlns_excision(root)
        self._canonical: dict[str, bytes | None] = {}

    def canonical(self, uri: str) -> bytes | None:
        """C14N of the element ``uri`` resolves to in the stored document (None: none)."""
        if uri not in self._canonical:
            element = self.positions.find(uri)
            self._canonical[uri] = (
                None if element is None else c14n(element, excise_empty_xmlns=self.excise)
            )
        return self._canonical[uri]


def _stored_signatures(base: bytes | None) -> _Stored | None:
    if base is None:
        return None
    try:
        return _Stored(parse_untrusted(base).getroot())
    except (UnsafeXmlError, ValueError):
        # Unreadable: no earlier signature can be carried, so every one fails below.
        return None


def _changes(
    fact: SignatureFacts, excise: bool, stored: _Stored | None, canonical: dict[str, bytes]
) -> list[Problem]:
    """What differs between ``fact``'s signature (and what it references) and the stored one;
    ``canonical`` keeps the new document's canonical forms by URI."""
    mismatch = ProblemCode.DIGEST_MISMATCH
    if stored is None or fact.slot not in stored.signatures:
        return [Problem(mismatch, f"{fact.slot}: not a signature of the stored document")]
    own = (f"#{fact.slot.signature_id}", fact.signature)
    problems: list[Problem] = []
    for uri, element in (own, *fact.targets):
        if uri == f"#{fact.slot.properties_id}":
            # Reached only when the signature itself matched (a difference stops the loop).
            # Its own SigningTime Object lies inside it, and C14N of the signature renders
            # the namespaces and xml: attributes it inherits, so each element inside it has
            # the same canonical form in both documents too — and is found in both, as the
            # single ds:Object of the slot's single signature, with the same Id.
            continue
        if uri not in canonical:
            canonical[uri] = c14n(element, excise_empty_xmlns=excise)
        if canonical[uri] != stored.canonical(uri):
            problems.append(Problem(mismatch, f"{uri} differs from the stored document"))
            if uri == own[0]:
                break  # the signature itself differs: what it references says nothing more
    return problems
