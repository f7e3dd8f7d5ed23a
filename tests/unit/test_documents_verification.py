"""verify_xml on signed transcripts: the good case, and each way an attacker could change one."""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

import pytest
from lxml import etree  # type: ignore[import-untyped]

from domain.documents import (
    MAX_DOCUMENT_BYTES,
    MAX_SUBJECTS,
    ProblemCode,
    SignatureAlgorithm,
    XmlVerification,
    render_xml,
    sign_slot,
    verify_xml,
)
from tests.support.clock import vn
from tests.support.pki import ec_pki, rsa_pki
from tests.support.tampering import ds, edit, one, set_text, signature
from tests.support.transcripts import (
    annual_document,
    annual_slots,
    sign_all,
    signed_annual,
)

TOAN = "DSCKS/GVBM[@Mon='TOAN']"
NGUVAN = "DSCKS/GVBM[@Mon='NGUVAN']"


def codes(result: XmlVerification, slot: str | None = None) -> set[ProblemCode]:
    """The problem codes found, for one slot or (None) for the whole document."""
    if slot is None:
        return {problem.code for problem in result.problems()}
    (found,) = [s for s in result.signatures if s.slot == slot]
    return {problem.code for problem in found.errors}


def by_slot(result: XmlVerification) -> dict[str, bool]:
    return {s.slot: s.ok for s in result.signatures}


def test_a_transcript_signed_in_every_slot_verifies() -> None:
    result = verify_xml(signed_annual())

    assert result.ok and result.schema_valid and not result.missing_slots
    assert [s.slot for s in result.signatures] == [slot.name for slot in annual_slots()]
    assert all(s.ok and s.integrity for s in result.signatures)
    times = [s.signing_time for s in result.signatures if s.signing_time is not None]
    assert len(times) == 7 and times == sorted(times) and times[0] == vn(2025, 6, 20, 9, 15)


def test_each_signature_reports_its_signer_and_hands_over_the_certificates() -> None:
    result = verify_xml(signed_annual())
    signers = rsa_pki().signers

    toan, *_, seal = result.signatures
    assert toan.signer_common_name == "Nguyễn Văn An"
    assert toan.signer_subject == "CN=Nguyễn Văn An,C=VN"
    assert toan.issuer == "CN=Hocba Test Issuing CA,O=Hocba Test,C=VN"
    assert toan.serial == signers["gvbm"].certificate.serial_number
    assert toan.certificates == signers["gvbm"].chain
    assert toan.algorithm is SignatureAlgorithm.RSA_SHA256
    assert seal.signer_common_name == "Trường THCS, THPT Phan Châu Trinh"


def test_verification_returns_the_data_it_checked() -> None:
    assert verify_xml(signed_annual()).document == annual_document()


def test_an_ecdsa_signature_verifies_beside_rsa_ones() -> None:
    signer = ec_pki().signers["gvbm"]
    xml = sign_slot(
        render_xml(annual_document()), "GVBM:TOAN", signer.key, signer.chain, vn(2025, 6, 20)
    )

    result = verify_xml(xml)

    assert result.intact
    assert result.signatures[0].algorithm is SignatureAlgorithm.ECDSA_SHA256
    assert result.signatures[0].signer_common_name == "Phạm Thị Dung"


def test_an_unsigned_transcript_is_intact_but_misses_every_slot() -> None:
    result = verify_xml(render_xml(annual_document()))

    assert result.intact and not result.ok
    assert result.missing_slots == tuple(slot.name for slot in annual_slots())
    assert {p.code for p in result.problems()} == {ProblemCode.SIGNATURE_MISSING}


def test_a_partly_signed_transcript_lists_the_slots_still_to_sign() -> None:
    slots = annual_slots()
    xml = sign_all(render_xml(annual_document()), rsa_pki().signers, slots[:4])

    result = verify_xml(xml)

    assert result.intact
    assert result.missing_slots == ("GVCN", "HieuTruong", "DonVi")


def test_a_changed_score_breaks_its_subject_signature_and_every_later_one() -> None:
    xml = edit(signed_annual(), set_text("DLHocBa/KetQuaHocTap/MonHoc[Ma='TOAN']/CaNam", "9.4"))

    result = verify_xml(xml)

    assert not result.ok
    assert by_slot(result) == {
        "GVBM:TOAN": False,
        "GVBM:NGUVAN": True,
        "GVBM:NGOAINGU1": True,
        "GVBM:GDTC": True,
        "GVCN": False,
        "HieuTruong": False,
        "DonVi": False,
    }
    (toan,) = [s for s in result.signatures if s.slot == "GVBM:TOAN"]
    assert [p.detail for p in toan.errors] == ["#MH-TOAN changed after signing"]
    assert codes(result, "DonVi") == {ProblemCode.DIGEST_MISMATCH}


def test_a_changed_name_breaks_the_signatures_that_cover_the_student() -> None:
    xml = edit(signed_annual(), set_text("DLHocBa/HocSinh/HoVaTen", "Nguyễn Thị Ánh Dươn"))

    result = verify_xml(xml)

    # A subject teacher attests the subject and TTChung only; later signers cover it all.
    assert [s.slot for s in result.signatures if not s.ok] == ["GVCN", "HieuTruong", "DonVi"]
    assert codes(result, "GVCN") == {ProblemCode.DIGEST_MISMATCH}


def test_a_changed_school_year_breaks_every_signature() -> None:
    xml = edit(signed_annual(), set_text("DLHocBa/TTChung/NamHoc", "2023-2024"))

    assert not any(s.ok for s in verify_xml(xml).signatures)


def _swap_subjects(root: Any, with_slots: bool) -> None:
    results = one(root, "DLHocBa/KetQuaHocTap")
    toan, nguvan = one(root, "//MonHoc[Ma='TOAN']"), one(root, "//MonHoc[Ma='NGUVAN']")
    results.insert(results.index(toan), nguvan)
    if with_slots:
        slots = one(root, "DSCKS")
        slots.insert(0, one(root, NGUVAN))


def test_moving_a_subject_without_its_slot_is_refused() -> None:
    xml = edit(signed_annual(), lambda root: _swap_subjects(root, with_slots=False))

    result = verify_xml(xml)

    assert codes(result) == {ProblemCode.SLOTS_DO_NOT_MATCH_KIND}
    assert not result.ok


def test_moving_a_subject_with_its_slot_breaks_the_signatures_covering_the_data() -> None:
    xml = edit(signed_annual(), lambda root: _swap_subjects(root, with_slots=True))

    result = verify_xml(xml)

    assert [s.slot for s in result.signatures if not s.ok] == ["GVCN", "HieuTruong", "DonVi"]
    (gvcn,) = [s for s in result.signatures if s.slot == "GVCN"]
    assert "#DLHocBa changed after signing" in [p.detail for p in gvcn.errors]


def test_a_subject_signature_taken_from_another_students_transcript_is_refused() -> None:
    header = replace(annual_document().header, transcript_id="0b1f6a52-9d3e-4c1a-8f7e-6a2d4c9b1e05")
    other = annual_document(header=header)
    signer = rsa_pki().signers["gvbm"]
    foreign = sign_slot(render_xml(other), "GVBM:TOAN", signer.key, signer.chain, vn(2025, 6, 19))
    stolen = signature(etree.fromstring(foreign), TOAN)
    xml = render_xml(annual_document())

    def transplant(root: Any) -> None:
        one(root, TOAN).append(stolen)

    result = verify_xml(edit(xml, transplant))

    (toan,) = result.signatures
    assert [p.detail for p in toan.errors] == ["#TTChung changed after signing"]


def test_swapped_signing_times_are_refused() -> None:
    def swap(root: Any) -> None:
        first = one(root, f"{TOAN}/ds:Signature//p:SigningTime")
        second = one(root, f"{NGUVAN}/ds:Signature//p:SigningTime")
        first.text, second.text = second.text, first.text

    result = verify_xml(edit(signed_annual(), swap))

    (toan,) = [s for s in result.signatures if s.slot == "GVBM:TOAN"]
    assert [p.detail for p in toan.errors] == ["#sig-gvbm-TOAN-props changed after signing"]
    assert codes(result, "GVCN") == {ProblemCode.DIGEST_MISMATCH}


def test_a_later_stage_claiming_an_earlier_time_is_refused() -> None:
    slots, signers = annual_slots(), rsa_pki().signers
    xml = sign_all(render_xml(annual_document()), signers, slots[:4], start=vn(2025, 6, 20, 10))
    xml = sign_slot(xml, "GVCN", signers["gvcn"].key, signers["gvcn"].chain, vn(2025, 6, 20, 9))

    result = verify_xml(xml)

    (gvcn,) = [s for s in result.signatures if s.slot == "GVCN"]
    assert gvcn.integrity and not gvcn.ok
    assert [p.code for p in gvcn.errors] == [ProblemCode.SIGNING_TIME_ORDER]


def test_subject_teachers_may_sign_in_any_order() -> None:
    slots, signers = annual_slots(), rsa_pki().signers
    xml = sign_all(render_xml(annual_document()), signers, slots[1:4], start=vn(2025, 6, 20, 9))
    xml = sign_all(xml, signers, slots[:1], start=vn(2025, 6, 20, 11))
    xml = sign_all(xml, signers, slots[4:], start=vn(2025, 6, 20, 12))

    assert verify_xml(xml).ok


def test_a_removed_signature_is_missing_and_breaks_the_one_covering_it() -> None:
    def remove(root: Any) -> None:
        slot = one(root, TOAN)
        slot.remove(signature(root, TOAN))

    result = verify_xml(edit(signed_annual(), remove))

    assert result.missing_slots == ("GVBM:TOAN",)
    assert codes(result, "GVCN") == {ProblemCode.REFERENCE_MISPLACED}


def test_a_signature_moved_to_another_slot_is_refused() -> None:
    def swap(root: Any) -> None:
        toan, nguvan = signature(root, TOAN), signature(root, NGUVAN)
        one(root, TOAN).append(nguvan)
        one(root, NGUVAN).append(toan)

    result = verify_xml(edit(signed_annual(), swap))

    assert ProblemCode.SIGNATURE_IN_WRONG_SLOT in codes(result, "GVBM:TOAN")
    assert ProblemCode.UNEXPECTED_REFERENCES in codes(result, "GVBM:TOAN")


def test_a_signature_value_made_by_another_key_is_refused() -> None:
    def swap_value(root: Any) -> None:
        other = signature(root, NGUVAN).find(ds("SignatureValue")).text
        signature(root, TOAN).find(ds("SignatureValue")).text = other

    result = verify_xml(edit(signed_annual(), swap_value))

    assert codes(result, "GVBM:TOAN") == {ProblemCode.SIGNATURE_VALUE_INVALID}


def test_a_certificate_swapped_for_someone_elses_is_refused() -> None:
    def swap_certificate(root: Any) -> None:
        theirs = signature(root, "DSCKS/GVCN").find(f".//{ds('X509Certificate')}").text
        signature(root, TOAN).find(f".//{ds('X509Certificate')}").text = theirs

    result = verify_xml(edit(signed_annual(), swap_certificate))

    assert ProblemCode.SIGNATURE_VALUE_INVALID in codes(result, "GVBM:TOAN")


@pytest.mark.parametrize(
    ("path", "algorithm"),
    [
        ("ds:SignedInfo/ds:SignatureMethod", "http://www.w3.org/2000/09/xmldsig#rsa-sha1"),
        ("ds:SignedInfo/ds:SignatureMethod", "http://www.w3.org/2001/04/xmldsig-more#hmac-sha256"),
        ("ds:SignedInfo/ds:Reference[1]/ds:DigestMethod", "http://www.w3.org/2000/09/xmldsig#sha1"),
        ("ds:SignedInfo/ds:CanonicalizationMethod", "http://www.w3.org/2001/10/xml-exc-c14n#"),
    ],
)
def test_an_algorithm_outside_the_allow_list_is_refused(path: str, algorithm: str) -> None:
    def change(root: Any) -> None:
        one(signature(root, TOAN), path).set("Algorithm", algorithm)

    result = verify_xml(edit(signed_annual(), change))

    assert ProblemCode.ALGORITHM_NOT_ALLOWED in codes(result, "GVBM:TOAN")


def test_a_transform_in_a_reference_is_refused() -> None:
    def add_transform(root: Any) -> None:
        reference = one(signature(root, TOAN), "ds:SignedInfo/ds:Reference[1]")
        transforms = etree.Element(ds("Transforms"))
        etree.SubElement(
            transforms, ds("Transform"), Algorithm="http://www.w3.org/TR/1999/REC-xpath-19991116"
        )
        reference.insert(0, transforms)

    assert codes(verify_xml(edit(signed_annual(), add_transform)), "GVBM:TOAN") == {
        ProblemCode.SIGNATURE_SHAPE
    }


def test_a_reference_the_profile_does_not_give_the_slot_is_refused() -> None:
    def add_reference(root: Any) -> None:
        signed_info = one(signature(root, TOAN), "ds:SignedInfo")
        extra = etree.fromstring(etree.tostring(one(signed_info, "ds:Reference[1]")))
        extra.set("URI", "#DLHocBa")
        signed_info.append(extra)

    result = verify_xml(edit(signed_annual(), add_reference))

    assert ProblemCode.UNEXPECTED_REFERENCES in codes(result, "GVBM:TOAN")


def test_an_unreadable_certificate_is_reported() -> None:
    xml = edit(signed_annual(), set_text(f"{TOAN}/ds:Signature//ds:X509Certificate[1]", "AAAA"))

    assert codes(verify_xml(xml), "GVBM:TOAN") == {ProblemCode.CERTIFICATE_UNREADABLE}


def test_an_empty_subject_name_in_the_key_info_is_reported() -> None:
    xml = edit(signed_annual(), set_text(f"{TOAN}/ds:Signature//ds:X509SubjectName", " "))

    assert codes(verify_xml(xml), "GVBM:TOAN") == {ProblemCode.KEY_INFO}


@pytest.mark.parametrize("text", ["hôm qua", "2025-06-20T09:15:00", "2025-02-30T09:15:00+07:00"])
def test_a_signing_time_that_is_not_a_moment_with_an_offset_is_reported(text: str) -> None:
    xml = edit(signed_annual(), set_text(f"{TOAN}/ds:Signature//p:SigningTime", text))

    assert ProblemCode.SIGNING_TIME_INVALID in codes(verify_xml(xml), "GVBM:TOAN")


def test_malformed_base64_in_a_signature_value_is_refused_by_the_schema() -> None:
    xml = edit(
        signed_annual(), set_text(f"{TOAN}/ds:Signature/ds:SignatureValue", "@@not base64@@")
    )

    result = verify_xml(xml)

    assert not result.schema_valid
    assert codes(result) == {ProblemCode.SCHEMA_INVALID}


def test_a_processing_instruction_in_the_data_is_refused() -> None:
    def add(root: Any) -> None:
        one(root, "DLHocBa/HocSinh").append(etree.ProcessingInstruction("hocba", "an=1"))

    assert ProblemCode.PROCESSING_INSTRUCTION in codes(verify_xml(edit(signed_annual(), add)))


def test_a_namespace_declared_above_the_signed_data_is_refused() -> None:
    xml = signed_annual().replace(b"<HocBa ", b'<HocBa xmlns:x="urn:x" ', 1)

    assert codes(verify_xml(xml)) == {ProblemCode.UNEXPECTED_NAMESPACE}


def test_a_comment_inside_a_signed_name_changes_neither_verdict_nor_name() -> None:
    # A reader taking only the text before a comment would show "Nguyễn Thị Ánh ".
    xml = signed_annual().replace("Ánh Dương".encode(), "Ánh <!-- x -->Dương".encode())

    result = verify_xml(xml)

    assert result.ok
    assert result.document is not None
    assert result.document.student.full_name == "Nguyễn Thị Ánh Dương"


def test_a_comment_result_for_a_scored_subject_is_inconsistent_data() -> None:
    xml = edit(signed_annual(), set_text("DLHocBa/KetQuaHocTap/MonHoc[Ma='TOAN']/HK1", "Đ"))

    assert codes(verify_xml(xml)) == {ProblemCode.DATA_INCONSISTENT}


@pytest.mark.parametrize(
    "garbage",
    [b"", b"\xff\xfe\x00\x00", b"<", b"<HocBa/>", b"\x00" * 10, "<a>ă</a>".encode("utf-16")],
)
def test_garbage_is_reported_never_raised(garbage: bytes) -> None:
    result = verify_xml(garbage)

    assert not result.ok and result.errors


def test_the_largest_transcript_the_schema_admits_verifies_within_a_second() -> None:
    # 40 subjects (the XSD's maximum), each with a 2000-character comment: 43 signatures, the
    # homeroom teacher's with 42 references. CPU time, not wall time: the suite may share
    # its machine with other work.
    comment = ("Em học tập chăm chỉ, tiếp thu bài tốt, cần phát huy. " * 40)[:2000].strip()
    subjects = tuple(
        replace(annual_document().subjects[0], code=f"MON{n:02d}", comment=comment)
        for n in range(MAX_SUBJECTS)
    )
    document = annual_document(subjects=subjects)
    xml = sign_all(render_xml(document), rsa_pki().signers, annual_slots(document))
    assert len(xml) < MAX_DOCUMENT_BYTES

    started = time.process_time()
    result = verify_xml(xml)

    assert time.process_time() - started < 1.0
    assert result.ok and len(result.signatures) == MAX_SUBJECTS + 3
