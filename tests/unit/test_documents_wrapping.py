"""Signature wrapping (the XSW families of the SAML literature) against the transcript format.

Each attack keeps the signed original somewhere a reference can still find it and shows a
changed copy where a reader looks. Every one must be refused, with the reason named.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
from lxml import etree  # type: ignore[import-untyped]
from signxml.algorithms import CanonicalizationMethod
from signxml.exceptions import InvalidDigest
from signxml.verifier import SignatureConfiguration, XMLVerifier

from domain.documents import ProblemCode, verify_xml
from tests.support.pki import rsa_pki
from tests.support.tampering import ds, edit, one, signature
from tests.support.transcripts import signed_annual

TOAN = "DSCKS/GVBM[@Mon='TOAN']"
TOAN_SCORE = "DLHocBa/KetQuaHocTap/MonHoc[Ma='TOAN']/CaNam"


def _changed_copy_visible(root: Any, path: str, hide_in: str) -> Any:
    """Hide the original element at ``path`` inside ``hide_in`` and put a copy in its place."""
    original = one(root, path)
    forged = copy.deepcopy(original)
    original.getparent().replace(original, forged)
    one(root, hide_in).append(original)
    return forged


def _hide_subject_in_a_slot(root: Any) -> None:
    # XSW against the subject teacher's signature: the original MonHoc moves into a slot,
    # the visible copy gets another Id and a better score.
    forged = _changed_copy_visible(root, "//MonHoc[Ma='TOAN']", "DSCKS/GVCN")
    forged.set("Id", "MH-TOANX")
    one(forged, "CaNam").text = "9.9"


def _bare_signxml(xml: bytes) -> None:
    """The subject teacher's signature checked by signxml alone: raises if it finds it bad."""
    config = SignatureConfiguration(
        location=f"./{TOAN}/",
        expect_references=3,
        default_reference_c14n_method=CanonicalizationMethod.CANONICAL_XML_1_0,
    )
    signer = rsa_pki().signers["gvbm"].certificate
    XMLVerifier().verify(xml, x509_cert=signer, id_attribute="Id", expect_config=config)


def test_a_wrapped_subject_fools_bare_signxml_but_not_verify_xml() -> None:
    xml = edit(signed_annual(), _hide_subject_in_a_slot)

    _bare_signxml(xml)  # what trusting signxml's verdict alone would conclude: all is fine

    result = verify_xml(xml)
    assert not result.ok
    assert {problem.code for problem in result.problems()} == {ProblemCode.SCHEMA_INVALID}


def test_inclusive_c14n_breaks_a_copy_hidden_under_the_signature_namespace() -> None:
    # Moved inside a ds:Object, the original inherits xmlns:ds: its canonical form changes,
    # so not even bare signxml accepts it — one reason the profile uses inclusive C14N 1.0.
    def hide_in_object(root: Any) -> None:
        hidden_in = f"{TOAN}/ds:Signature/ds:Object"
        forged = _changed_copy_visible(root, "//MonHoc[Ma='TOAN']", hidden_in)
        forged.set("Id", "MH-TOANX")

    xml = edit(signed_annual(), hide_in_object)

    with pytest.raises(InvalidDigest):
        _bare_signxml(xml)
    result = verify_xml(xml)
    assert ProblemCode.UNEXPECTED_ID in {problem.code for problem in result.problems()}


def _hidden_data_same_id(root: Any) -> None:
    forged = _changed_copy_visible(root, "DLHocBa", "DSCKS/GVCN/ds:Signature/ds:Object")
    one(forged, "KetQuaHocTap/MonHoc[Ma='TOAN']/CaNam").text = "9.9"


def _hidden_data_other_id(root: Any) -> None:
    forged = _changed_copy_visible(root, "DLHocBa", "DSCKS/GVCN/ds:Signature/ds:Object")
    forged.set("Id", "DLHocBa2")
    one(forged, "KetQuaHocTap/MonHoc[Ma='TOAN']/CaNam").text = "9.9"


def _hidden_in_second_object(root: Any) -> None:
    forged = _changed_copy_visible(root, "DLHocBa", "DSCKS/DonVi/ds:Signature")
    forged.attrib.pop("Id")
    # The original now sits after the Object, as a sibling the XMLDSig schema would not take
    # (so wrap it in a second ds:Object, which it does take).
    hidden = one(root, "DSCKS/DonVi/ds:Signature/DLHocBa")
    box = etree.SubElement(hidden.getparent(), ds("Object"))
    box.append(hidden)


def _hidden_with_foreign_id_attribute(root: Any) -> None:
    # signxml resolves any attribute whose local name is Id, in any namespace.
    forged = _changed_copy_visible(root, "//MonHoc[Ma='TOAN']", f"{TOAN}/ds:Signature/ds:Object")
    hidden = one(root, f"{TOAN}/ds:Signature/ds:Object/MonHoc")
    hidden.attrib.pop("Id")
    hidden.set("{urn:x}Id", "MH-TOAN")
    forged.set("Id", "MH-TOANX")


def _hidden_in_a_slot(root: Any) -> None:
    _changed_copy_visible(root, "//MonHoc[Ma='TOAN']", "DSCKS/GVCN")


def _whole_document_wrapped(root: Any) -> None:
    wrapper = etree.Element("Wrapper")
    wrapper.append(copy.deepcopy(root))
    for child in list(root):
        root.remove(child)
    root.tag = "HocBaGia"
    root.append(wrapper)


def _signature_hidden_and_replaced(root: Any) -> None:
    # The GVCN signature covers #sig-gvbm-TOAN: keep that one hidden in GVCN's Object and
    # put a different (here: the NGUVAN teacher's, re-labelled) signature in the TOAN slot.
    original = signature(root, TOAN)
    forged = copy.deepcopy(signature(root, "DSCKS/GVBM[@Mon='NGUVAN']"))
    forged.set("Id", "sig-gvbm-TOAN")
    original.getparent().replace(original, forged)
    one(root, "DSCKS/GVCN/ds:Signature/ds:Object").append(original)


ATTACKS: dict[str, tuple[Callable[[Any], None], set[ProblemCode]]] = {
    "original hidden in an Object, copy with the same Id": (
        _hidden_data_same_id,
        {ProblemCode.DUPLICATE_ID, ProblemCode.UNEXPECTED_ID},
    ),
    "original hidden in an Object, copy with another Id": (
        _hidden_data_other_id,
        {ProblemCode.SCHEMA_INVALID},
    ),
    "original hidden in a second Object, copy without Id": (
        _hidden_in_second_object,
        {ProblemCode.SCHEMA_INVALID},
    ),
    "original found through a foreign-namespace Id": (
        _hidden_with_foreign_id_attribute,
        {ProblemCode.UNEXPECTED_ID},
    ),
    "original hidden in a signature slot": (_hidden_in_a_slot, {ProblemCode.SCHEMA_INVALID}),
    "the whole document wrapped in another root": (
        _whole_document_wrapped,
        {ProblemCode.SCHEMA_INVALID},
    ),
    "a covered signature hidden, another one shown": (
        _signature_hidden_and_replaced,
        {ProblemCode.SCHEMA_INVALID},  # the XMLDSig schema types Signature/@Id as xs:ID
    ),
}


@pytest.mark.parametrize("name", ATTACKS)
def test_a_wrapping_attack_is_refused_with_its_reason(name: str) -> None:
    attack, expected = ATTACKS[name]

    result = verify_xml(edit(signed_annual(), attack))

    assert not result.ok
    assert expected <= {problem.code for problem in result.problems()}


def test_the_signature_shape_alone_refuses_extra_content_in_the_object() -> None:
    def add(root: Any) -> None:
        properties = one(root, f"{TOAN}/ds:Signature/ds:Object/ds:SignatureProperties")
        properties.addnext(copy.deepcopy(properties))

    result = verify_xml(edit(signed_annual(), add))

    (toan,) = [s for s in result.signatures if s.slot == "GVBM:TOAN"]
    assert [problem.code for problem in toan.errors] == [ProblemCode.SIGNATURE_SHAPE]
