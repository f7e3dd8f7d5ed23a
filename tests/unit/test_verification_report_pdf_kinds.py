"""Which PDF signatures a transcript needs depends on its kind (LoaiHocBa), which the PDF's
original revision names: an annual record needs the homeroom teacher, the principal and the
seal; a transfer or digitised record the principal and the seal. The kind is read from the
revision every signature covers, so a later update cannot relax the rule."""

from __future__ import annotations

import io
from datetime import UTC, datetime

from pyhanko.pdf_utils.generic import NameObject, TextStringObject
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from domain.signatures import (
    FIELD_DON_VI,
    FIELD_HIEU_TRUONG,
    FIELD_NAMES,
    required_fields,
    verify_pdf,
    verify_transcript_file,
)
from tests.support.kind_pdfs import digitised_document, principal_and_seal
from tests.support.live_pki import live_pki
from tests.support.pdfs import VERIFY_URL
from tests.support.transcripts import annual_document, transfer_document
from workflow._pdf import render_signable_pdf

NOW = datetime(2026, 9, 1, tzinfo=UTC)


def test_a_transfer_record_signed_by_the_principal_and_sealed_is_valid() -> None:
    report = verify_transcript_file(
        principal_and_seal(transfer_document()), trust=live_pki().trust(), now=NOW
    )

    assert report.valid, report.to_json()
    assert [s.slot for s in report.signatures] == ["HieuTruong", "DonVi"]
    assert report.missing_signatures == ()


def test_a_digitised_record_signed_by_the_principal_and_sealed_is_valid() -> None:
    report = verify_transcript_file(
        principal_and_seal(digitised_document()), trust=live_pki().trust(), now=NOW
    )

    assert report.valid, report.to_json()


def test_an_annual_record_without_the_homeroom_signature_is_refused_and_says_which() -> None:
    report = verify_transcript_file(
        principal_and_seal(annual_document()), trust=live_pki().trust(), now=NOW
    )

    assert not report.valid
    assert report.missing_signatures == ("GVCN",)
    assert [(e.code, e.detail) for e in report.errors] == [("signature_missing", "GVCN")]


def test_the_kind_is_read_from_the_signed_original_revision() -> None:
    pdf = render_signable_pdf(transfer_document(), verify_url=VERIFY_URL)

    assert verify_pdf(pdf, now=NOW).kind == "ChuyenTruong"


def test_an_update_after_the_signatures_cannot_relax_the_annual_rule() -> None:
    # An annual record signed by the principal and sealed, then an update that writes
    # "SoHoa" into the document information: the verifier reads the original revision.
    signed = principal_and_seal(annual_document())
    writer = IncrementalPdfFileWriter(io.BytesIO(signed), strict=True)
    info = writer.trailer["/Info"].get_object()
    info[NameObject("/loaihocba")] = TextStringObject("SoHoa")
    writer.update_container(info)
    out = io.BytesIO()
    writer.write(out)  # type: ignore[no-untyped-call]

    report = verify_transcript_file(out.getvalue(), trust=live_pki().trust(), now=NOW)

    assert verify_pdf(out.getvalue(), now=NOW).kind == "CaNam"
    assert not report.valid
    assert "GVCN" in report.missing_signatures


def test_a_pdf_that_names_no_kind_is_held_to_every_field() -> None:
    assert required_fields(None) == FIELD_NAMES
    assert required_fields("Khac") == FIELD_NAMES
    assert required_fields("SoHoa") == (FIELD_HIEU_TRUONG, FIELD_DON_VI)
