"""PDFs of each transcript kind signed by the principal and sealed, the GVCN field left empty
(the live test PKI's staff sign)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from domain.documents import ScannedOriginal, TranscriptDocument
from domain.model import TranscriptKind
from domain.signatures import FIELD_DON_VI, FIELD_HIEU_TRUONG
from tests.support.live_pki import live_pki
from tests.support.pdfs import VERIFY_URL, sign_field
from tests.support.transcripts import FIRST_SIGNATURE, annual_document
from workflow._pdf import render_signable_pdf


def digitised_document() -> TranscriptDocument:
    """The sample annual record as a digitised paper record (SoHoa) with its BanGoc."""
    annual = annual_document()
    return replace(
        annual,
        header=replace(annual.header, kind=TranscriptKind.SO_HOA),
        original=ScannedOriginal(sha256="ab" * 32, file_name="hoc-ba-giay-2024.pdf"),
    )


def principal_and_seal(document: TranscriptDocument) -> bytes:
    """The principal and the seal sign; the GVCN field stays empty."""
    staff = live_pki().staff
    pdf = render_signable_pdf(document, verify_url=VERIFY_URL)
    pdf = sign_field(pdf, FIELD_HIEU_TRUONG, staff["ht"], FIRST_SIGNATURE)
    return sign_field(pdf, FIELD_DON_VI, staff["dv"], FIRST_SIGNATURE + timedelta(minutes=1))
