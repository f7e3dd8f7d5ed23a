"""The verification report: its JSON shape, its words, and hostile or unusable files.

The example below is transcript-format.md's "Verification report", copied verbatim: the shape
is a public contract (contracts.md), so a renamed field must fail here.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from datetime import UTC, datetime
from functools import cache
from typing import Any

import pytest

from domain.documents import MAX_DOCUMENT_BYTES, ProblemCode, render_xml
from domain.signatures import (
    MAX_PDF_BYTES,
    ErrorCode,
    Finding,
    Indication,
    ReportFormat,
    SignerRole,
    VerificationReport,
    VerificationSetupError,
    async_verify_transcript_file,
    describe_vi,
    known_codes,
    mask_personal_id,
    role_of,
    role_vi,
    verdict_vi,
    verify_transcript_file,
)
from tests.support.live_pki import live_pki
from tests.support.tampering import edit, one, set_text, signature
from tests.support.transcripts import annual_document, annual_slots, sign_all

FORMAT_EXAMPLE = """
{"valid": true, "indication": "TOTAL_PASSED", "format": "xml", "schema_valid": true,
 "transcript": {"id": "…", "version": 1, "kind": "CaNam", "school_year": "2024-2025",
                "school": "…", "student_name": "…", "personal_id_masked": "079*******12"},
 "signatures": [{"slot": "GVBM:TOAN", "role": "subject_teacher", "signer": {"common_name": "…",
   "subject": "…", "serial": "…", "issuer": "…"}, "signing_time": "2025-06-20T09:15:00+07:00",
   "indication": "TOTAL_PASSED", "sub_indication": null, "integrity": true,
   "certificate": {"not_before": "…", "not_after": "…", "valid_at_signing_time": true,
                   "expired_now": false, "revocation": "good", "chain_trusted": true},
   "errors": []}],
 "missing_signatures": [], "errors": []}
"""
NOW = datetime(2026, 9, 1, tzinfo=UTC)
TOAN = "DSCKS/GVBM[@Mon='TOAN']"


@cache
def signed() -> bytes:
    pki = live_pki()
    return sign_all(render_xml(annual_document()), pki.staff, annual_slots())


def verify(data: bytes) -> VerificationReport:
    # CPU time: the machine's load must not decide the test (the deadline is wall time).
    start = time.process_time()
    report = verify_transcript_file(data, trust=live_pki().trust(), now=NOW)
    elapsed = time.process_time() - start
    assert elapsed < 1.0, f"verification took {elapsed:.3f} s of CPU"
    return report


def shape(value: Any) -> Any:
    """The keys of every object, recursively (a list by its first element)."""
    if isinstance(value, dict):
        return {key: shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    return None


def test_the_json_has_exactly_the_shape_of_the_format_example() -> None:
    example = json.loads(FORMAT_EXAMPLE)
    produced = verify(signed()).to_json()

    assert shape(produced)["signatures"][0] == shape(example)["signatures"][0]
    assert shape({**produced, "signatures": []}) == shape({**example, "signatures": []})
    assert json.loads(json.dumps(produced, ensure_ascii=False)) == produced


def test_the_json_values_read_as_the_example_does() -> None:
    produced = verify(signed()).to_json()
    first = produced["signatures"][0]

    assert (produced["valid"], produced["indication"], produced["format"]) == (
        True,
        "TOTAL_PASSED",
        "xml",
    )
    assert produced["transcript"]["kind"] == "CaNam"
    assert produced["transcript"]["school_year"] == "2024-2025"
    assert (first["slot"], first["role"]) == ("GVBM:TOAN", "subject_teacher")
    assert first["signing_time"] == "2025-06-20T09:15:00+07:00"
    assert first["sub_indication"] is None and first["errors"] == []
    assert first["certificate"]["revocation"] == "good"
    assert first["certificate"]["not_before"] == "2024-01-01T00:00:00+00:00"
    assert int(first["signer"]["serial"], 16) == live_pki().signer("gvbm").certificate.serial_number


def test_errors_carry_a_stable_code_and_an_english_detail() -> None:
    xml = edit(signed(), set_text("DLHocBa/KetQuaHocTap/MonHoc[Ma='TOAN']/CaNam", "9.4"))

    produced = verify(xml).to_json()

    assert produced["valid"] is False and produced["indication"] == "TOTAL_FAILED"
    assert produced["transcript"] is None
    assert produced["signatures"][0]["errors"] == [
        {"code": "digest_mismatch", "detail": "#MH-TOAN changed after signing"}
    ]
    assert produced["signatures"][0]["sub_indication"] == "HASH_FAILURE"


def test_valid_is_true_only_for_total_passed() -> None:
    for indication in Indication:
        report = VerificationReport(indication, ReportFormat.XML, True, None, (), (), ())
        assert report.valid is (indication is Indication.TOTAL_PASSED)
        assert report.to_json()["valid"] is report.valid


def test_the_overall_indication_is_the_worst_of_signatures_and_file_errors() -> None:
    nothing = VerificationReport.build(format=ReportFormat.XML, schema_valid=True)
    with_error = VerificationReport.build(
        format=ReportFormat.XML,
        schema_valid=True,
        errors=(Finding.of(ErrorCode.NOT_A_TRANSCRIPT, "x"),),
    )

    assert nothing.indication is Indication.TOTAL_FAILED  # a file that proves nothing
    assert with_error.indication is Indication.TOTAL_FAILED


@pytest.mark.parametrize(
    ("personal_id", "masked"),
    [("079212000112", "079*******12"), ("079212000101", "079*******01"), ("12345", "*****")],
)
def test_the_personal_id_is_masked(personal_id: str, masked: str) -> None:
    assert mask_personal_id(personal_id) == masked


def test_each_slot_has_its_role() -> None:
    assert [role_of(s) for s in ("GVBM:TOAN", "GVCN", "HieuTruong", "DonVi", "X")] == [
        SignerRole.SUBJECT_TEACHER,
        SignerRole.HOMEROOM_TEACHER,
        SignerRole.PRINCIPAL,
        SignerRole.SCHOOL,
        None,
    ]
    assert [r.value for r in SignerRole] == [
        "subject_teacher",
        "homeroom_teacher",
        "principal",
        "school",
    ]


def test_every_code_reads_in_plain_vietnamese() -> None:
    every = {code.value for code in ErrorCode} | {code.value for code in ProblemCode}

    assert every <= known_codes()
    assert describe_vi(Finding("digest_mismatch", "#MH-TOAN")) == (
        "Nội dung đã bị thay đổi sau khi ký."
    )
    assert describe_vi("a_code_from_the_future") == "Lỗi khi kiểm tra (a_code_from_the_future)."
    assert [verdict_vi(i) for i in Indication] == ["hợp lệ", "chưa xác định", "không hợp lệ"]
    assert role_vi("principal") == "Hiệu trưởng"


LOL = "".join(f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10))
BILLION_LAUGHS = (
    f'<?xml version="1.0"?><!DOCTYPE HocBa [<!ENTITY lol0 "lol">{LOL}]><HocBa>&lol9;</HocBa>'
).encode()
XXE = (
    b'<?xml version="1.0"?>'
    b'<!DOCTYPE HocBa [<!ENTITY x SYSTEM "file:///etc/passwd">]><HocBa>&x;</HocBa>'
)


def _algorithm(path: str, algorithm: str) -> Callable[[], bytes]:
    def build() -> bytes:
        def change(root: Any) -> None:
            one(signature(root, TOAN), path).set("Algorithm", algorithm)

        return edit(signed(), change)

    return build


HOSTILE: dict[str, tuple[Callable[[], bytes], str]] = {
    "external entity (XXE)": (lambda: XXE, "doctype_forbidden"),
    "billion laughs": (lambda: BILLION_LAUGHS, "doctype_forbidden"),
    "malformed base64 in a signature value": (
        lambda: edit(signed(), set_text(f"{TOAN}/ds:Signature/ds:SignatureValue", "@@not@@")),
        "schema_invalid",
    ),
    "malformed base64 in a certificate": (
        lambda: edit(signed(), set_text(f"{TOAN}/ds:Signature//ds:X509Certificate[1]", "@@@@")),
        "certificate_unreadable",
    ),
    "a certificate that is base64 but no certificate": (
        lambda: edit(signed(), set_text(f"{TOAN}/ds:Signature//ds:X509Certificate[1]", "AAAA")),
        "certificate_unreadable",
    ),
    "SHA-1 signature method": (
        _algorithm(
            "ds:SignedInfo/ds:SignatureMethod", "http://www.w3.org/2000/09/xmldsig#rsa-sha1"
        ),
        "algorithm_not_allowed",
    ),
    "HMAC signature method": (
        _algorithm(
            "ds:SignedInfo/ds:SignatureMethod", "http://www.w3.org/2001/04/xmldsig-more#hmac-sha256"
        ),
        "algorithm_not_allowed",
    ),
    "UTF-16": (lambda: '<?xml version="1.0"?><HocBa/>'.encode("utf-16"), "encoding_not_allowed"),
    "not well-formed": (lambda: b"<HocBa><DLHocBa></HocBa>", "malformed_xml"),
}


@pytest.mark.parametrize("name", HOSTILE)
def test_a_hostile_file_fails_with_a_named_error_and_no_crash(name: str) -> None:
    build, code = HOSTILE[name]

    report = verify(build())

    assert report.indication is Indication.TOTAL_FAILED and not report.valid
    assert report.format is ReportFormat.XML
    assert code in report.all_codes()
    json.dumps(report.to_json())


def test_a_file_over_the_size_cap_is_unusable() -> None:
    report = verify(b"<HocBa>" + b" " * MAX_DOCUMENT_BYTES + b"</HocBa>")

    assert report.format is ReportFormat.UNKNOWN
    assert report.indication is Indication.TOTAL_FAILED and report.schema_valid is False
    assert report.all_codes() == (ErrorCode.INPUT_TOO_LARGE,)


def test_a_pdf_over_its_size_cap_is_unusable() -> None:
    report = verify(b"%PDF-1.7\n" + b"0" * MAX_PDF_BYTES)

    assert report.format is ReportFormat.UNKNOWN
    assert report.all_codes() == (ErrorCode.INPUT_TOO_LARGE,)


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", ErrorCode.EMPTY_INPUT),
        (b" \n\t ", ErrorCode.EMPTY_INPUT),
        (b"PK\x03\x04 a zip file", ErrorCode.NOT_A_TRANSCRIPT),
        ("Học bạ".encode(), ErrorCode.NOT_A_TRANSCRIPT),
        (b"\x00" * 64, ErrorCode.NOT_A_TRANSCRIPT),
    ],
)
def test_unusable_input_is_a_failed_report_of_unknown_format(data: bytes, code: ErrorCode) -> None:
    report = verify(data)

    assert report.format is ReportFormat.UNKNOWN
    assert report.indication is Indication.TOTAL_FAILED
    assert report.to_json()["errors"][0]["code"] == code.value


def test_a_pdf_without_signatures_is_recognised_and_not_valid() -> None:
    report = verify(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n%%EOF\n")

    assert report.format is ReportFormat.PDF and report.schema_valid is None
    assert report.indication is Indication.TOTAL_FAILED and not report.valid


def test_a_naive_now_is_a_setup_error_not_a_report() -> None:
    with pytest.raises(VerificationSetupError):
        verify_transcript_file(signed(), trust=live_pki().trust(), now=datetime(2026, 9, 1))


def test_the_asynchronous_verification_gives_the_same_report() -> None:
    report = asyncio.run(async_verify_transcript_file(signed(), trust=live_pki().trust(), now=NOW))

    assert report == verify(signed())
