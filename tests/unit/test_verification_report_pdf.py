"""The verification report of a PDF transcript: PAdES integrity from pyHanko, then each
signer's certificate through the same trust layer as the XML (live OCSP on 127.0.0.1)."""

from __future__ import annotations

import io
import time
from datetime import UTC, datetime, timedelta
from functools import cache

from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign.fields import append_signature_field

from domain.signatures import (
    Indication,
    PadesLevel,
    ReportFormat,
    Revocation,
    SignatureReport,
    SubIndication,
    field_specs,
    verify_transcript_file,
)
from tests.support.clock import vn
from tests.support.live_pki import LivePki, live_pki
from tests.support.pdfs import (
    SIGNING_ORDER,
    VERIFY_URL,
    replace_page_content,
    sign_field,
    tsa,
    unsigned_pdf,
)
from tests.support.pki import Signer
from tests.support.transcripts import FIRST_SIGNATURE, annual_document
from workflow._pdf import render_pdf

NOW = datetime(2026, 9, 1, tzinfo=UTC)


def _signed(pki: LivePki, signers: dict[str, Signer], fields: int = 3) -> bytes:
    pdf = unsigned_pdf()
    for minute, (field, label) in enumerate(SIGNING_ORDER[:fields]):
        signer = signers[label]
        pdf = sign_field(pdf, field, signer, FIRST_SIGNATURE + timedelta(minutes=minute))
    return pdf


@cache
def signed_by_the_staff() -> bytes:
    pki = live_pki()
    return _signed(pki, pki.staff)


def _verify(data: bytes) -> tuple[float, object]:
    started = time.process_time()
    report = verify_transcript_file(data, trust=live_pki().trust(), now=NOW)
    return time.process_time() - started, report


def test_a_pdf_signed_by_homeroom_teacher_principal_and_seal_is_valid() -> None:
    report = verify_transcript_file(signed_by_the_staff(), trust=live_pki().trust(), now=NOW)

    assert report.format is ReportFormat.PDF and report.valid, report.to_json()
    assert [s.slot for s in report.signatures] == ["GVCN", "HieuTruong", "DonVi"]
    body = report.to_json()
    assert [s["role"] for s in body["signatures"]] == ["homeroom_teacher", "principal", "school"]
    assert all(s["certificate"]["revocation"] == "good" for s in body["signatures"])
    assert all(s["integrity"] for s in body["signatures"])
    assert body["missing_signatures"] == []


def test_a_pdf_with_the_seal_still_missing_is_not_valid_and_says_which() -> None:
    pki = live_pki()
    report = verify_transcript_file(_signed(pki, pki.staff, fields=2), trust=pki.trust(), now=NOW)

    assert not report.valid
    assert report.to_json()["missing_signatures"] == ["DonVi"]


def test_page_content_replaced_after_signing_fails_every_signature() -> None:
    report = verify_transcript_file(
        replace_page_content(signed_by_the_staff()), trust=live_pki().trust(), now=NOW
    )

    assert report.indication is Indication.TOTAL_FAILED
    assert not any(s.integrity for s in report.signatures)
    assert "modified_after_signing" in report.all_codes()


def test_a_personal_certificate_in_the_seal_field_is_refused() -> None:
    pki = live_pki()
    report = verify_transcript_file(
        _signed(pki, pki.with_signer("dv", "ht")), trust=pki.trust(), now=NOW
    )

    assert not report.valid
    assert "organisation_certificate_required" in report.all_codes()


def test_a_revoked_signer_makes_the_pdf_fail() -> None:
    pki = live_pki()
    report = verify_transcript_file(
        _signed(pki, pki.with_signer("ht", "revoked")), trust=pki.trust(), now=NOW
    )

    principal = report.signatures[1]
    assert principal.indication is Indication.TOTAL_FAILED
    assert principal.sub_indication is SubIndication.REVOKED


def test_an_untrusted_signer_leaves_the_pdf_indeterminate() -> None:
    pki = live_pki()
    report = verify_transcript_file(
        _signed(pki, pki.with_signer("gvcn", "untrusted")), trust=pki.trust(), now=NOW
    )

    assert report.signatures[0].indication is Indication.INDETERMINATE
    assert "certificate_chain_untrusted" in report.all_codes()


def test_a_file_pyhanko_cannot_read_is_a_failed_pdf_report_quickly() -> None:
    broken = signed_by_the_staff()[: len(signed_by_the_staff()) // 2]
    _verify(broken)  # warm-up: the first call loads pyHanko's parsers
    spent, report = _verify(broken)

    assert spent < 1.0
    assert report.format is ReportFormat.PDF  # type: ignore[attr-defined]
    assert report.indication is Indication.TOTAL_FAILED  # type: ignore[attr-defined]
    assert report.all_codes() == ("pdf_unparseable",)  # type: ignore[attr-defined]


def _pdf_with_only_the_gvcn_field() -> bytes:
    writer = IncrementalPdfFileWriter(
        io.BytesIO(render_pdf(annual_document(), verify_url=VERIFY_URL))
    )
    append_signature_field(writer, next(s for s in field_specs() if s.sig_field_name == "GVCN"))
    out = io.BytesIO()
    writer.write(out)  # type: ignore[no-untyped-call]
    return out.getvalue()


def test_a_pdf_that_lacks_the_principal_and_seal_fields_is_not_a_complete_transcript() -> None:
    # Anyone with a trusted certificate can make a PDF with one field called GVCN and sign it:
    # the fields the file does not even have are missing all the same.
    pki = live_pki()
    pdf = sign_field(_pdf_with_only_the_gvcn_field(), "GVCN", pki.staff["gvcn"], FIRST_SIGNATURE)

    report = verify_transcript_file(pdf, trust=pki.trust(), now=NOW)

    assert not report.valid
    assert report.to_json()["missing_signatures"] == ["HieuTruong", "DonVi"]


BEFORE_THE_TEACHER_LEFT = vn(2025, 1, 15, 10)
"""Before 2025-03-01, when ``revoked`` was revoked (affiliationChanged: they left)."""


def _homeroom_signed_by_the_teacher_who_left(level: PadesLevel) -> SignatureReport:
    pki = live_pki()
    pdf = sign_field(
        unsigned_pdf(), "GVCN", pki.signer("revoked"), BEFORE_THE_TEACHER_LEFT, level=level
    )
    # The in-process TSA (tests/support/pdfs.py) has its own root: trusted alongside.
    trust = pki.trust(trust_roots=(pki.root, tsa().root))
    (homeroom,) = verify_transcript_file(pdf, trust=trust, now=NOW).signatures
    return homeroom


def test_a_pdf_signature_timestamped_before_the_teacher_left_stays_good() -> None:
    homeroom = _homeroom_signed_by_the_teacher_who_left(PadesLevel.B_T)

    assert homeroom.indication is Indication.TOTAL_PASSED, homeroom
    assert homeroom.certificate is not None
    assert homeroom.certificate.revocation is Revocation.GOOD


def test_a_pdf_signature_without_a_timestamp_before_the_teacher_left_is_indeterminate() -> None:
    homeroom = _homeroom_signed_by_the_teacher_who_left(PadesLevel.B_B)

    assert homeroom.indication is Indication.INDETERMINATE
    assert homeroom.sub_indication is SubIndication.REVOKED_NO_POE
    assert "certificate_revoked_after_signing" in [e.code for e in homeroom.errors]


def test_a_pdf_whose_analysis_outruns_the_deadline_is_indeterminate_not_judged() -> None:
    pki = live_pki()
    hurried = pki.trust(deadline=0.001, fetch_timeout=0.001)

    report = verify_transcript_file(signed_by_the_staff(), trust=hurried, now=NOW)

    assert report.format is ReportFormat.PDF
    assert report.indication is Indication.INDETERMINATE
    assert report.all_codes() == ("validation_timed_out",)
