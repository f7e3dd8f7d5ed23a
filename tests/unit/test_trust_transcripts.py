"""Whole transcripts signed with the live test PKI, verified into reports: the good one and
every way a certificate or an attacker can spoil one. Each verification takes under a second.
"""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import UTC, datetime
from functools import cache
from typing import Any

from lxml import etree  # type: ignore[import-untyped]

from domain.documents import MAX_SUBJECTS, render_xml, sign_slot
from domain.signatures import (
    ErrorCode,
    Indication,
    ReportFormat,
    Revocation,
    SignatureReport,
    SignerRole,
    SubIndication,
    VerificationReport,
    verify_transcript_file,
)
from tests.support.clock import vn
from tests.support.live_pki import live_pki
from tests.support.tampering import ds, edit, one, set_text, signature
from tests.support.transcripts import TRANSCRIPT_ID, annual_document, annual_slots, sign_all

NOW = datetime(2026, 9, 1, tzinfo=UTC)
"""Only ``expired_now`` depends on it."""
TOAN = "DSCKS/GVBM[@Mon='TOAN']"
NGUVAN = "DSCKS/GVBM[@Mon='NGUVAN']"
ROLE_OF_SLOT = {"gvbm": "GVBM:TOAN", "gvcn": "GVCN", "ht": "HieuTruong", "dv": "DonVi"}


@cache
def signed(role: str = "", label: str = "") -> bytes:
    """The sample annual transcript signed by the live staff, ``role`` played by ``label``."""
    pki = live_pki()
    signers = pki.with_signer(role, label) if role else pki.staff
    return sign_all(render_xml(annual_document()), signers, annual_slots())


def verify(xml: bytes) -> VerificationReport:
    pki = live_pki()
    # CPU time: the machine's load must not decide the test (the deadline is wall time).
    start = time.process_time()
    report = verify_transcript_file(xml, trust=pki.trust(), now=NOW)
    elapsed = time.process_time() - start
    assert elapsed < 1.0, f"verification took {elapsed:.3f} s of CPU"
    return report


def slot(report: VerificationReport, name: str) -> SignatureReport:
    (found,) = [s for s in report.signatures if s.slot == name]
    return found


def codes(signature_report: SignatureReport) -> list[str]:
    return [finding.code for finding in signature_report.errors]


def test_a_transcript_signed_in_every_slot_passes_with_live_revocation_answers() -> None:
    report = verify(signed())

    assert report.valid and report.indication is Indication.TOTAL_PASSED
    assert report.format is ReportFormat.XML and report.schema_valid
    assert report.errors == () and report.missing_signatures == ()
    assert [s.slot for s in report.signatures] == [s.name for s in annual_slots()]
    for signature_report in report.signatures:
        assert signature_report.indication is Indication.TOTAL_PASSED
        assert signature_report.integrity and signature_report.errors == ()
        assert signature_report.certificate is not None
        assert signature_report.certificate.revocation is Revocation.GOOD
        assert signature_report.certificate.chain_trusted


def test_the_report_names_the_transcript_its_signers_and_their_roles() -> None:
    report = verify(signed())

    assert report.transcript is not None
    assert report.transcript.id == TRANSCRIPT_ID
    assert report.transcript.student_name == "Nguyễn Thị Ánh Dương"
    assert report.transcript.personal_id_masked == "079*******01"
    assert [s.role for s in report.signatures][-3:] == [
        SignerRole.HOMEROOM_TEACHER,
        SignerRole.PRINCIPAL,
        SignerRole.SCHOOL,
    ]
    seal = slot(report, "DonVi")
    assert (
        seal.signer is not None and seal.signer.common_name == "Trường THCS, THPT Phan Châu Trinh"
    )
    assert seal.signing_time == vn(2025, 6, 20, 9, 21)


def _spoiled(role: str, label: str) -> SignatureReport:
    report = verify(signed(role, label))
    assert not report.valid
    return slot(report, ROLE_OF_SLOT[role])


def test_a_homeroom_signature_with_an_expired_certificate_fails() -> None:
    gvcn = _spoiled("gvcn", "expired")

    assert (gvcn.indication, gvcn.sub_indication) == (
        Indication.TOTAL_FAILED,
        SubIndication.EXPIRED,
    )
    assert gvcn.integrity and codes(gvcn) == [ErrorCode.CERTIFICATE_EXPIRED]


def test_a_signature_before_the_certificate_is_valid_fails() -> None:
    gvcn = _spoiled("gvcn", "not-yet-valid")

    assert gvcn.sub_indication is SubIndication.NOT_YET_VALID
    assert codes(gvcn) == [ErrorCode.CERTIFICATE_NOT_YET_VALID]


def test_a_principal_signature_with_a_revoked_certificate_fails() -> None:
    report = verify(signed("ht", "revoked"))

    principal = slot(report, "HieuTruong")
    assert report.indication is Indication.TOTAL_FAILED
    assert (principal.indication, principal.sub_indication) == (
        Indication.TOTAL_FAILED,
        SubIndication.REVOKED,
    )
    assert principal.certificate is not None
    assert principal.certificate.revocation is Revocation.REVOKED


def test_a_signature_under_an_untrusted_root_is_indeterminate() -> None:
    report = verify(signed("gvbm", "untrusted"))

    toan = slot(report, "GVBM:TOAN")
    assert report.indication is Indication.INDETERMINATE
    assert toan.sub_indication is SubIndication.NO_CERTIFICATE_CHAIN_FOUND
    assert codes(toan) == [ErrorCode.CHAIN_UNTRUSTED]
    assert toan.certificate is not None and not toan.certificate.chain_trusted


def test_a_personal_certificate_in_the_school_slot_is_refused() -> None:
    report = verify(signed("dv", "ht"))

    seal = slot(report, "DonVi")
    assert not report.valid
    assert seal.sub_indication is SubIndication.CHAIN_CONSTRAINTS_FAILURE
    assert codes(seal) == [ErrorCode.ORGANISATION_CERTIFICATE_REQUIRED]


def test_an_unreachable_ocsp_responder_makes_the_transcript_indeterminate() -> None:
    report = verify(signed("gvcn", "unreachable"))

    gvcn = slot(report, "GVCN")
    assert report.indication is Indication.INDETERMINATE and not report.valid
    assert gvcn.sub_indication is SubIndication.TRY_LATER
    assert codes(gvcn) == [ErrorCode.REVOCATION_UNKNOWN]


def test_a_changed_grade_fails_its_teachers_signature_and_every_later_one() -> None:
    xml = edit(signed(), set_text("DLHocBa/KetQuaHocTap/MonHoc[Ma='TOAN']/CaNam", "9.4"))

    report = verify(xml)

    assert report.indication is Indication.TOTAL_FAILED and report.transcript is None
    failed = [s.slot for s in report.signatures if not s.valid]
    assert failed == ["GVBM:TOAN", "GVCN", "HieuTruong", "DonVi"]
    toan = slot(report, "GVBM:TOAN")
    assert toan.sub_indication is SubIndication.HASH_FAILURE and not toan.integrity
    assert codes(toan) == ["digest_mismatch"]
    # The certificate is still judged: the reader sees who signed what was changed.
    assert toan.certificate is not None and toan.certificate.revocation is Revocation.GOOD


def test_a_changed_signing_time_fails_the_signature() -> None:
    xml = edit(
        signed(), set_text(f"{TOAN}/ds:Signature//p:SigningTime", "2025-06-19T08:00:00+07:00")
    )

    report = verify(xml)

    toan = slot(report, "GVBM:TOAN")
    assert report.indication is Indication.TOTAL_FAILED
    assert toan.sub_indication is SubIndication.HASH_FAILURE
    assert "digest_mismatch" in codes(toan)


def test_a_removed_signature_is_missing_and_fails_the_one_covering_it() -> None:
    def remove(root: Any) -> None:
        one(root, TOAN).remove(signature(root, TOAN))

    report = verify(edit(signed(), remove))

    assert report.indication is Indication.TOTAL_FAILED
    assert report.missing_signatures == ("GVBM:TOAN",)
    assert [finding.code for finding in report.errors] == ["signature_missing"]
    assert slot(report, "GVCN").sub_indication is SubIndication.FORMAT_FAILURE


def test_reordered_signatures_are_refused() -> None:
    def swap(root: Any) -> None:
        toan, nguvan = signature(root, TOAN), signature(root, NGUVAN)
        one(root, TOAN).append(nguvan)
        one(root, NGUVAN).append(toan)

    report = verify(edit(signed(), swap))

    toan = slot(report, "GVBM:TOAN")
    assert report.indication is Indication.TOTAL_FAILED
    assert toan.sub_indication is SubIndication.FORMAT_FAILURE
    assert "signature_in_wrong_slot" in codes(toan)


def test_a_signature_moved_from_another_students_transcript_is_refused() -> None:
    pki = live_pki()
    header = replace(annual_document().header, transcript_id="0b1f6a52-9d3e-4c1a-8f7e-6a2d4c9b1e05")
    teacher = pki.signer("gvbm")
    foreign = sign_slot(
        render_xml(annual_document(header=header)),
        "GVBM:TOAN",
        teacher.key,
        teacher.chain,
        vn(2025, 6, 19),
    )
    stolen = signature(etree.fromstring(foreign), TOAN)

    def transplant(root: Any) -> None:
        one(root, TOAN).append(stolen)

    report = verify(edit(render_xml(annual_document()), transplant))

    toan = slot(report, "GVBM:TOAN")
    assert report.indication is Indication.TOTAL_FAILED
    assert toan.sub_indication is SubIndication.HASH_FAILURE
    assert [f.detail for f in toan.errors] == ["#TTChung changed after signing"]


def test_a_signature_value_from_another_signature_fails_cryptographically() -> None:
    def swap_value(root: Any) -> None:
        other = signature(root, NGUVAN).find(ds("SignatureValue")).text
        signature(root, TOAN).find(ds("SignatureValue")).text = other

    toan = slot(verify(edit(signed(), swap_value)), "GVBM:TOAN")

    assert toan.sub_indication is SubIndication.SIG_CRYPTO_FAILURE


def test_a_later_stage_claiming_an_earlier_time_breaks_the_signing_policy() -> None:
    pki = live_pki()
    slots, signers = annual_slots(), pki.staff
    xml = sign_all(render_xml(annual_document()), signers, slots[:4], start=vn(2025, 6, 20, 10))
    xml = sign_all(xml, signers, slots[4:], start=vn(2025, 6, 20, 9))

    report = verify(xml)

    gvcn = slot(report, "GVCN")
    assert gvcn.integrity
    assert (gvcn.indication, gvcn.sub_indication) == (
        Indication.INDETERMINATE,
        SubIndication.SIG_CONSTRAINTS_FAILURE,
    )
    assert report.transcript is None


def test_a_transcript_still_being_signed_is_not_valid() -> None:
    pki = live_pki()
    xml = sign_all(render_xml(annual_document()), pki.staff, annual_slots()[:4])

    report = verify(xml)

    assert report.indication is Indication.TOTAL_FAILED
    assert report.missing_signatures == ("GVCN", "HieuTruong", "DonVi")
    assert all(s.valid for s in report.signatures)
    assert report.transcript is None  # no good signature covers the student's data yet


def test_subjects_only_claimed_before_a_teacher_left_are_indeterminate_those_after_fail() -> None:
    pki = live_pki()
    signers, slots = pki.with_signer("gvbm", "revoked"), annual_slots()
    xml = render_xml(annual_document())
    days = [vn(2025, 2, 27), vn(2025, 2, 28), vn(2025, 3, 2), vn(2025, 3, 3)]
    for subject_slot, day in zip(slots[:4], days, strict=True):
        xml = sign_all(xml, signers, (subject_slot,), start=day)
    xml = sign_all(xml, signers, slots[4:], start=vn(2025, 6, 20))

    report = verify(xml)

    verdicts = [(s.slot, s.sub_indication) for s in report.signatures[:4]]
    # An XML SigningTime is a claim: no timestamp proves the first two predate the departure.
    assert verdicts == [
        ("GVBM:TOAN", SubIndication.REVOKED_NO_POE),
        ("GVBM:NGUVAN", SubIndication.REVOKED_NO_POE),
        ("GVBM:NGOAINGU1", SubIndication.REVOKED),
        ("GVBM:GDTC", SubIndication.REVOKED),
    ]
    assert report.indication is Indication.TOTAL_FAILED


def test_the_largest_transcript_verifies_with_its_certificates_within_a_second() -> None:
    # 40 subjects signed by one teacher, 43 signatures. CPU time, not wall time: the suite
    # shares its machine; the live PKI's server thread is in this process and counts too. The
    # wall-clock deadline (a safety net against slow networks) is widened for the same reason.
    comment = ("Em học tập chăm chỉ, tiếp thu bài tốt, cần phát huy. " * 40)[:2000].strip()
    subjects = tuple(
        replace(annual_document().subjects[0], code=f"MON{n:02d}", comment=comment)
        for n in range(MAX_SUBJECTS)
    )
    document = annual_document(subjects=subjects)
    xml = sign_all(render_xml(document), live_pki().staff, annual_slots(document))

    started = time.process_time()
    report = verify_transcript_file(xml, trust=live_pki().trust(deadline=10.0), now=NOW)

    assert time.process_time() - started < 1.0
    assert report.valid and len(report.signatures) == MAX_SUBJECTS + 3
    assert all(
        s.certificate and s.certificate.revocation is Revocation.GOOD for s in report.signatures
    )


def test_a_school_seal_of_another_school_than_the_transcript_names_is_refused() -> None:
    pki = live_pki()
    # The document names school 79000999; the live seal is that of 79000701.
    document = annual_document()
    document = replace(document, header=replace(document.header, school_code="79000999"))
    report = verify(sign_all(render_xml(document), pki.staff, annual_slots(document)))

    assert not report.valid
    seal = slot(report, "DonVi")
    assert seal.integrity
    assert (seal.indication, seal.sub_indication) == (
        Indication.INDETERMINATE,
        SubIndication.CHAIN_CONSTRAINTS_FAILURE,
    )
    assert codes(seal) == [ErrorCode.ORGANISATION_NOT_OF_SCHOOL]
    assert all(s.valid for s in report.signatures if s.slot != "DonVi")
