"""verify_new_signature: a completion verifies the new XML signature, the rest against the stored
document it was assembled from."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from lxml import etree  # type: ignore[import-untyped]

from domain.documents import (
    ProblemCode,
    Slot,
    XmlVerification,
    render_xml,
    sign_slot,
    verify_new_signature,
    verify_xml,
)
from domain.model import SlotKind
from tests.support.pki import rsa_pki
from tests.support.tampering import edit, one, set_text, signature
from tests.support.transcripts import (
    FIRST_SIGNATURE,
    annual_document,
    annual_slots,
    sign_all,
    signed_annual,
)

TOAN = Slot(SlotKind.GVBM, "TOAN")
NGUVAN = Slot(SlotKind.GVBM, "NGUVAN")
TOAN_SCORE = "DLHocBa/KetQuaHocTap/MonHoc[Ma='TOAN']/CaNam"


def _signed(count: int) -> bytes:
    """The sample annual record with its first ``count`` slots signed, in order."""
    return sign_all(render_xml(annual_document()), rsa_pki().signers, annual_slots()[:count])


def _add(xml: bytes, slot: Slot, minutes: int = 30) -> bytes:
    signer = rsa_pki().signers["gvbm" if slot.kind is SlotKind.GVBM else "dv"]
    when = FIRST_SIGNATURE + timedelta(minutes=minutes)
    return sign_slot(xml, slot, signer.key, signer.chain, when)


def _problems(result: XmlVerification, slot: str) -> list[tuple[ProblemCode, str]]:
    (found,) = [s for s in result.signatures if s.slot == slot]
    return [(problem.code, problem.detail) for problem in found.errors]


def test_each_new_signature_of_the_chain_verifies_and_agrees_with_the_whole_verification() -> None:
    slots = annual_slots()
    for count, slot in enumerate(slots):
        base = _signed(count) if count else None
        final = _signed(count + 1)

        result = verify_new_signature(final, slot, base)

        whole = verify_xml(final)
        assert result.intact, result.problems()
        assert [(s.slot, s.ok) for s in result.signatures] == [
            (s.slot, s.ok) for s in whole.signatures
        ]
        assert result.missing_slots == whole.missing_slots
    assert verify_new_signature(signed_annual(), slots[-1], _signed(len(slots) - 1)).ok


def test_a_tampered_new_signature_fails() -> None:
    base = _signed(1)
    final = edit(
        _add(base, NGUVAN),
        set_text("DSCKS/GVBM[@Mon='NGUVAN']/ds:Signature/ds:SignatureValue", "AAAA" * 64),
    )

    result = verify_new_signature(final, NGUVAN, base)

    assert not result.intact
    assert ProblemCode.SIGNATURE_VALUE_INVALID in {
        code for code, _ in _problems(result, "GVBM:NGUVAN")
    }
    assert _problems(result, "GVBM:TOAN") == []


def test_data_under_an_earlier_signature_changed_against_the_stored_document_fails_naming_it() -> (
    None
):
    base = _signed(1)
    changed = edit(base, set_text(TOAN_SCORE, "9.9"))
    final = _add(changed, NGUVAN)

    result = verify_new_signature(final, NGUVAN, base)

    assert not result.intact
    assert _problems(result, "GVBM:TOAN") == [
        (ProblemCode.DIGEST_MISMATCH, "#MH-TOAN differs from the stored document")
    ]
    assert _problems(result, "GVBM:NGUVAN") == []


def test_an_earlier_signature_replaced_by_another_good_one_fails_against_the_stored_document() -> (
    None
):
    # verify_xml accepts the document (both signatures are good); only the stored one was
    # verified and accepted, so a substitute is refused.
    base = _signed(1)
    resigned = _add(render_xml(annual_document()), TOAN, minutes=5)
    substitute = signature(etree.fromstring(resigned), "DSCKS/GVBM[@Mon='TOAN']")

    def swap(root: Any) -> None:
        old = signature(root, "DSCKS/GVBM[@Mon='TOAN']")
        old.getparent().replace(old, substitute)

    final = _add(edit(base, swap), NGUVAN)

    assert verify_xml(final).intact
    result = verify_new_signature(final, NGUVAN, base)
    assert not result.intact
    assert _problems(result, "GVBM:TOAN") == [
        (ProblemCode.DIGEST_MISMATCH, "#sig-gvbm-TOAN differs from the stored document")
    ]


def test_a_signature_the_stored_document_does_not_hold_fails() -> None:
    final = _add(_signed(1), NGUVAN)

    result = verify_new_signature(final, NGUVAN, render_xml(annual_document()))

    assert _problems(result, "GVBM:TOAN") == [
        (ProblemCode.DIGEST_MISMATCH, "GVBM:TOAN: not a signature of the stored document")
    ]


def test_a_first_signature_has_no_stored_document_to_compare_with() -> None:
    assert verify_new_signature(_signed(1), TOAN, None).intact
    assert not verify_new_signature(_add(_signed(1), NGUVAN), NGUVAN, None).intact


def test_the_slot_named_must_hold_a_signature() -> None:
    base = _signed(1)

    result = verify_new_signature(base, NGUVAN, base)

    assert not result.intact
    assert ProblemCode.SIGNATURE_MISSING in {problem.code for problem in result.errors}


def test_an_unreadable_stored_document_fails_every_earlier_signature() -> None:
    final = _add(_signed(1), NGUVAN)

    result = verify_new_signature(final, NGUVAN, b"<not xml")

    assert not result.intact
    assert ProblemCode.MALFORMED_XML in {problem.code for problem in result.errors}


def test_a_broken_document_fails_as_the_whole_verification_fails_it() -> None:
    base = _signed(1)
    final = edit(_add(base, NGUVAN), lambda root: one(root, "DLHocBa/TTChung").set("Id", "X"))

    assert not verify_new_signature(final, NGUVAN, base).intact
