"""The shortcuts that make a signing completion cheap still see what the slow way saw.

Each shortcut is compared with the code it replaced (kept here as the reference) on documents
crafted to hit its edges, or shown to refuse the tampering it could have missed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from lxml import etree  # type: ignore[import-untyped]

from domain.documents import DS_NS, PROPS_NS, ProblemCode, Slot, parse_untrusted, sign_slot
from domain.documents._dsig import Positions, c14n, expected_element, read_layout
from domain.documents._problems import Problem
from domain.documents._reading import _children
from domain.documents._structure import _ID_NAMES, document_problems, inspect_signature
from domain.documents._verification import _signxml
from domain.documents._view import signature_view
from domain.model import SlotKind
from tests.support.pki import rsa_pki
from tests.support.tampering import clone, edit, one, signature
from tests.support.transcripts import FIRST_SIGNATURE, signed_annual

TOAN = Slot(SlotKind.GVBM, "TOAN")


def _old_document_problems(root: Any, slot_elements: list[Any]) -> list[Problem]:
    """document_problems as it was before it was made cheaper (the reference)."""
    from domain.documents._structure import _id_holders  # noqa: PLC0415

    problems: list[Problem] = []
    path = root.getroottree().getpath
    for instruction in root.iter(etree.ProcessingInstruction):
        problems.append(Problem(ProblemCode.PROCESSING_INSTRUCTION, f"<?{instruction.target}?>"))
    allowed = _id_holders(root, slot_elements)
    ids: dict[str, list[Any]] = {}
    for element in root.iter(etree.Element):
        namespace = etree.QName(element).namespace
        declared = set(element.nsmap.values())
        if (namespace is None and declared) or not declared <= {DS_NS, PROPS_NS}:
            detail = f"{sorted(declared)} in scope on {path(element)}"
            problems.append(Problem(ProblemCode.UNEXPECTED_NAMESPACE, detail))
        for name, value in element.attrib.items():
            if etree.QName(name).localname not in _ID_NAMES:
                continue
            ids.setdefault(value, []).append(element)
            if name != "Id" or allowed.get(element) != value:
                detail = f"{name}={value!r} on {path(element)}"
                problems.append(Problem(ProblemCode.UNEXPECTED_ID, detail))
        if element.tag == f"{{{DS_NS}}}Signature" and element.getparent() not in slot_elements:
            problems.append(Problem(ProblemCode.SIGNATURE_OUTSIDE_SLOT, path(element)))
    for value, holders in ids.items():
        if len(holders) > 1:
            detail = f"Id {value!r} appears {len(holders)} times"
            problems.append(Problem(ProblemCode.DUPLICATE_ID, detail))
    return problems


def _declare(path: str, prefix: str | None, uri: str) -> Callable[[Any], None]:
    """Move the element at ``path`` under a copy of itself that declares ``prefix``→``uri``."""

    def change(root: Any) -> None:
        element = one(root, path)
        holder = etree.Element(element.tag, dict(element.attrib), nsmap={prefix: uri})
        holder.text, holder.tail = element.text, element.tail
        for child in element:
            holder.append(child)
        element.getparent().replace(element, holder)

    return change


def _set(path: str, name: str, value: str) -> Callable[[Any], None]:
    def change(root: Any) -> None:
        one(root, path).set(name, value)

    return change


def _signature_outside(root: Any) -> None:
    one(root, "DLHocBa/TTChung").append(clone(signature(root, "DSCKS/GVCN")))


def _duplicate_subject(root: Any) -> None:
    subject = one(root, "DLHocBa/KetQuaHocTap/MonHoc[Ma='TOAN']")
    subject.addprevious(clone(subject))


def _foreign_element(root: Any) -> None:
    etree.SubElement(one(root, "DLHocBa/TTChung"), "{urn:other}Extra").text = "x"


def _props_child(root: Any) -> None:
    properties = one(root, "DSCKS/GVCN/ds:Signature/ds:Object/ds:SignatureProperties")
    time = properties.find(f"{{{DS_NS}}}SignatureProperty/{{{PROPS_NS}}}SigningTime")
    etree.SubElement(time, f"{{{PROPS_NS}}}Note", nsmap={"x": "urn:x"}).text = "y"


CHANGES: dict[str, Callable[[Any], object]] = {
    "untouched": lambda root: None,
    "empty default namespace on data": _declare("DLHocBa/HocSinh", None, ""),
    "foreign prefix on data": _declare("DLHocBa/KetQuaHocTap", "x", "urn:x"),
    "xmldsig prefix on data": _declare("DLHocBa/TTChung", "ds", DS_NS),
    "foreign prefix on a slot": _declare("DSCKS/GVBM[@Mon='TOAN']", "x", "urn:x"),
    "foreign prefix in a signature": _declare("DSCKS/GVCN/ds:Signature/ds:KeyInfo", "x", "urn:x"),
    "empty default in a signature": _declare("DSCKS/GVCN/ds:Signature/ds:SignedInfo", None, ""),
    "element of another namespace": _foreign_element,
    "namespaced child of SigningTime": _props_child,
    "xml:id on data": _set("DLHocBa/HocSinh", "{http://www.w3.org/XML/1998/namespace}id", "a"),
    "ID on data": _set("DLHocBa/HocSinh", "ID", "b"),
    "id on a signature part": _set("DSCKS/GVCN/ds:Signature/ds:SignedInfo", "id", "c"),
    "namespaced Id": _set("DLHocBa/TongHop", "{urn:x}Id", "d"),
    "duplicate Id": _set("DLHocBa/TongHop", "Id", "TTChung"),
    "wrong Id value": _set("DLHocBa/TTChung", "Id", "TT"),
    "signature outside a slot": _signature_outside,
    "duplicate subject": _duplicate_subject,
    "processing instruction": lambda root: one(root, "DLHocBa").append(etree.PI("x", "y")),
}


def _root(change: Callable[[Any], object]) -> Any:
    return etree.fromstring(edit(signed_annual(), change))


@pytest.mark.parametrize("name", sorted(CHANGES))
def test_document_problems_finds_what_the_element_by_element_loop_found(name: str) -> None:
    root = _root(CHANGES[name])
    slots = [element for _, element in read_layout(root)]

    found = document_problems(root, slots)

    assert found == _old_document_problems(root, slots)
    assert (name == "untouched") == (found == [])


def _uris(root: Any) -> list[str]:
    """Every URI a Reference of the document names, and some it could name."""
    uris = {str(uri) for uri in root.xpath("//ds:Reference/@URI", namespaces={"ds": DS_NS})}
    uris |= {"#DLHocBa", "#TTChung", "#MH-TOAN", "#MH-", "#MH-NONE", "#sig-gvcn-props-props"}
    uris |= {"DLHocBa", "", "#", "#HocSinh", "#sig-dv-props", "#sig-gvbm-TOAN"}
    return sorted(uris)


@pytest.mark.parametrize("name", sorted(CHANGES))
def test_positions_resolve_every_uri_as_expected_element_does(name: str) -> None:
    root = _root(CHANGES[name])
    layout = read_layout(root)
    positions = Positions(root, layout)

    for uri in _uris(root):
        assert positions.find(uri) is expected_element(root, uri, layout), uri


def test_positions_take_the_first_subject_and_the_last_slot_as_expected_element_does() -> None:
    def two_slots(root: Any) -> None:
        slot = one(root, "DSCKS/GVBM[@Mon='TOAN']")
        slot.addnext(clone(slot))
        _duplicate_subject(root)

    root = _root(two_slots)
    layout = read_layout(root)
    positions = Positions(root, layout)

    for uri in ("#MH-TOAN", "#sig-gvbm-TOAN", "#sig-gvbm-TOAN-props"):
        assert positions.find(uri) is expected_element(root, uri, layout), uri
        assert positions.find(uri) is not None


def test_the_children_reader_reads_what_findtext_reads() -> None:
    root = etree.fromstring(
        b"<a><x>1</x><y/><x>2</x><?pi z?><n:z xmlns:n='urn:n'>3</n:z><w><v>4</v></w></a>"
    )

    texts = _children(root)

    for tag in ("x", "y", "z", "w", "v", "missing", "{urn:n}z"):
        assert texts.get(tag) == root.findtext(tag), tag


def _view_of(xml: bytes, slot: Slot) -> tuple[Any, Any, list[bytes]]:
    """The view signxml gets for ``slot``'s signature, its facts, the canonical targets."""
    root = parse_untrusted(xml).getroot()
    layout = read_layout(root)
    element = signature(root, "DSCKS/GVCN" if slot.kind is SlotKind.GVCN else "DSCKS/GVBM")
    facts = inspect_signature(root, slot, element, layout)
    view = signature_view(root, slot, [uri for uri, _ in facts.targets], layout)
    return view, facts, [c14n(target) for _, target in facts.targets]


def _gvcn_view() -> tuple[Any, Any, list[bytes]]:
    return _view_of(signed_annual(), Slot(SlotKind.GVCN))


def test_signxml_in_the_profile_verifier_accepts_a_good_signature() -> None:
    view, facts, canonical = _gvcn_view()

    assert _signxml(view, facts, canonical, excise=False) == []


def test_signxml_in_the_profile_verifier_still_refuses_a_changed_referenced_element() -> None:
    # The digests are ours first; signxml's own comparison must still stand behind them.
    view, facts, canonical = _gvcn_view()
    one(view, "DLHocBa/TTChung/Lop").text = "6A2"

    problems = _signxml(view, facts, canonical, excise=False)

    assert [p.code for p in problems] == [ProblemCode.DIGEST_MISMATCH]


def test_signxml_in_the_profile_verifier_still_refuses_an_ambiguous_id() -> None:
    # Without its copy per Reference and with its Id lookup from one pass, signxml must
    # still find two elements for one Id and refuse.
    view, facts, canonical = _gvcn_view()
    hidden = etree.SubElement(one(view, "DSCKS"), "Copy")
    hidden.append(clone(signature(view, "DSCKS/GVBM[@Mon='TOAN']")))

    problems = _signxml(view, facts, canonical, excise=False)

    assert [p.code for p in problems] == [ProblemCode.SIGNATURE_VALUE_INVALID]
    assert "Ambiguous reference URI #sig-gvbm-TOAN" in problems[0].detail


def test_signxml_in_the_profile_verifier_still_refuses_an_id_in_another_namespace() -> None:
    # signxml matches the Id attribute by local name, in any namespace.
    view, facts, canonical = _gvcn_view()
    etree.SubElement(one(view, "DSCKS"), "X").set("{urn:x}Id", "DLHocBa")

    problems = _signxml(view, facts, canonical, excise=False)

    assert "Ambiguous reference URI #DLHocBa" in problems[0].detail


def test_signxml_in_the_profile_verifier_still_refuses_a_wrong_signature_value() -> None:
    view, facts, canonical = _gvcn_view()
    one(view, "DSCKS/GVCN/ds:Signature/ds:SignatureValue").text = "AAAA" * 64

    problems = _signxml(view, facts, canonical, excise=False)

    assert [p.code for p in problems] == [ProblemCode.SIGNATURE_VALUE_INVALID]


def test_signxml_in_the_profile_verifier_compares_what_it_verified_with_the_position() -> None:
    view, facts, canonical = _gvcn_view()
    changed = [*canonical[:-1], canonical[-1] + b" "]

    problems = _signxml(view, facts, changed, excise=False)

    assert [p.code for p in problems] == [ProblemCode.REFERENCE_MISPLACED]


def test_a_subject_signature_verified_by_the_profile_verifier() -> None:
    signer = rsa_pki().signers["gvbm"]
    from domain.documents import render_xml  # noqa: PLC0415
    from tests.support.transcripts import annual_document  # noqa: PLC0415

    xml = sign_slot(
        render_xml(annual_document()),
        TOAN,
        signer.key,
        signer.chain,
        FIRST_SIGNATURE + timedelta(minutes=1),
    )
    view, facts, canonical = _view_of(xml, TOAN)

    assert _signxml(view, facts, canonical, excise=False) == []
    one(view, "DLHocBa/KetQuaHocTap/MonHoc/CaNam").text = "9.9"
    assert [p.code for p in _signxml(view, facts, canonical, excise=False)] == [
        ProblemCode.DIGEST_MISMATCH
    ]


def test_an_earlier_signing_time_changed_is_refused_though_its_object_is_not_compared_alone() -> (
    None
):
    # _changes no longer compares an earlier signature's own SigningTime Object by itself:
    # the Object lies inside the signature, whose canonical form already differs.
    from domain.documents import render_xml, verify_new_signature  # noqa: PLC0415
    from tests.support.tampering import set_text  # noqa: PLC0415
    from tests.support.transcripts import annual_document  # noqa: PLC0415

    signer = rsa_pki().signers["gvbm"]
    base = sign_slot(render_xml(annual_document()), TOAN, signer.key, signer.chain, FIRST_SIGNATURE)
    time = "DSCKS/GVBM[@Mon='TOAN']/ds:Signature/ds:Object//p:SigningTime"
    changed = edit(base, set_text(time, "2025-06-20T09:16:00+07:00"))
    nguvan = Slot(SlotKind.GVBM, "NGUVAN")
    later = FIRST_SIGNATURE + timedelta(minutes=5)
    final = sign_slot(changed, nguvan, signer.key, signer.chain, later)

    result = verify_new_signature(final, nguvan, base)

    (toan,) = [s for s in result.signatures if s.slot == "GVBM:TOAN"]
    assert [(p.code, p.detail) for p in toan.errors] == [
        (ProblemCode.DIGEST_MISMATCH, "#sig-gvbm-TOAN differs from the stored document")
    ]
    assert not result.intact
