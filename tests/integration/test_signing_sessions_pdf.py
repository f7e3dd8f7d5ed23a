"""Signing sessions sign the PDF too: GVCN, HieuTruong and DonVi, each an incremental update.

The homeroom step renders the PDF from the data its XML is made of; the principal and the
seal sign the stored file; completion verifies the whole PDF with our verifier before it is
stored with the XML, and poppler's pdfsig (an independent verifier) agrees.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from sqlalchemy.engine import Engine

from domain.documents import verify_xml
from domain.model import TranscriptStatus
from domain.signatures import FIELD_NAMES, verify_pdf
from tests.support.signing import (
    Signable,
    authority,
    pdf_options,
    personal_key,
    seal_key,
    sign_session,
    sign_subjects,
    signable_scene,
    stored_pdf,
    stored_xml,
    transcripts_state,
)
from tests.support.tracking import transcript_row
from tests.support.world import BEFORE_LOCK
from workflow import (
    PdfSigning,
    PreparedSession,
    SigningStep,
    TrustRootsMissingError,
    complete_signing,
    prepare_signing,
    send_back,
)

AT = BEFORE_LOCK
CHAIN = (
    (SigningStep.HOMEROOM, "gvcn.6a1"),
    (SigningStep.PRINCIPAL, "hieutruong"),
    (SigningStep.SCHOOL, "vanthu"),
)


@pytest.fixture
def signable(engine: Engine) -> Signable:
    return signable_scene(engine)


def pdfsig(pdf: bytes, tmp_path: Path) -> str:
    """poppler's report (``-nocert``: no NSS database here; our verifier checks the chains)."""
    path = tmp_path / "signed.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdfsig", "-nocert", str(path)], check=True, capture_output=True, text=True
    ).stdout


def sign_chain(s: Signable, *, timestamped: bool = False) -> None:
    sign_subjects(s)
    for step, who in CHAIN:
        results = sign_session(
            s.world, who, s.ids, step, AT, pdf=pdf_options(timestamped=timestamped)
        )
        assert all(r.ok for r in results), results


def prepare(s: Signable, who: str, step: SigningStep) -> PreparedSession:
    key = seal_key() if step is SigningStep.SCHOOL else personal_key(who)
    return prepare_signing(
        s.world.uow(),
        actor=s.world.actor(who, AT),
        transcript_ids=s.ids,
        step=step,
        certificate_chain=key.der_chain,
        now=AT,
        pdf=pdf_options(),
    )


def test_pdfsig_is_installed() -> None:
    assert shutil.which("pdfsig") is not None, "poppler-utils is missing: make system-packages"


def test_the_whole_chain_gives_an_xml_and_a_pdf_signed_three_times_that_ours_and_pdfsig_accept(
    signable: Signable, tmp_path: Path
) -> None:
    sign_chain(signable)
    for transcript_id in signable.ids:
        assert transcript_row(signable.world.engine, transcript_id).status == (
            TranscriptStatus.SCHOOL_STAMPED
        )
        assert verify_xml(stored_xml(signable.world.engine, transcript_id)).ok
        pdf = stored_pdf(signable.world.engine, transcript_id)
        check = verify_pdf(pdf, now=AT, trust_roots=(authority().root,))
        assert check.valid, check
        assert [s.field for s in check.signatures] == list(FIELD_NAMES)
        assert check.unsigned_fields == ()
        report = pdfsig(pdf, tmp_path)
        assert report.count("Signature Validation: Signature is Valid.") == 3, report
        for name in FIELD_NAMES:
            assert f"Signature Field Name: {name}" in report
        assert "Total document signed" in report  # the seal covers the whole file


def test_the_pdf_names_the_session_signers_at_the_xml_signing_times_and_links_its_page(
    signable: Signable,
) -> None:
    sign_chain(signable)
    engine, transcript_id = signable.world.engine, signable.ids[0]
    pdf = stored_pdf(engine, transcript_id)
    xml_times = {
        s.slot: s.signing_time for s in verify_xml(stored_xml(engine, transcript_id)).signatures
    }
    check = verify_pdf(pdf, now=AT, trust_roots=(authority().root,))
    for signature, (step, who) in zip(check.signatures, CHAIN, strict=True):
        key = seal_key() if step is SigningStep.SCHOOL else personal_key(who)
        assert signature.signer is not None
        assert signature.signer.serial == format(key.chain[0].serial_number, "x")
        assert signature.signing_time == xml_times[signature.field] == AT
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=pdf, check=True, capture_output=True
    ).stdout.decode()
    assert f"https://hocba.example.vn/xac-thuc?ma={transcript_id}" in text


def test_with_a_timestamp_authority_signatures_are_b_t_and_the_seal_embeds_validation_data(
    signable: Signable, tmp_path: Path
) -> None:
    sign_chain(signable, timestamped=True)
    pdf = stored_pdf(signable.world.engine, signable.ids[0])
    check = verify_pdf(pdf, now=AT, trust_roots=(authority().root,))
    assert check.valid, check
    assert all(s.timestamp_valid is True and s.timestamp_time == AT for s in check.signatures)
    dss = PdfFileReader(io.BytesIO(pdf)).root["/DSS"]
    assert len(dss["/Certs"]) >= 2  # the seal's certificate and the CA (and the TSA's)
    # the validation data is one more update after the seal's, which the seal's entry accepts
    assert check.signature("DonVi").modification_level == "LTA_UPDATES"  # type: ignore[union-attr]
    report = pdfsig(pdf, tmp_path)
    assert report.count("Signature Validation: Signature is Valid.") == 3, report


def test_only_the_whole_document_steps_are_handed_a_pdf_to_sign(signable: Signable) -> None:
    subject = prepare_signing(
        signable.world.uow(),
        actor=signable.world.actor("gvbm.toan", AT),
        transcript_ids=signable.ids,
        step=SigningStep.SUBJECT,
        subject_code="TOAN",
        certificate_chain=personal_key("gvbm.toan").der_chain,
        now=AT,
        pdf=pdf_options(),
    )
    assert all(item.pdf is None for item in subject.items)
    sign_subjects(signable)
    homeroom = prepare(signable, "gvcn.6a1", SigningStep.HOMEROOM)
    for item in homeroom.items:
        assert item.pdf is not None
        assert item.pdf.algorithm == "sha256WithRSA"
        assert item.pdf.to_sign[:1] == b"\x31"  # the DER SET of the CMS signed attributes


def test_a_pdf_signature_value_that_does_not_verify_refuses_the_item_and_stores_nothing(
    signable: Signable,
) -> None:
    sign_subjects(signable)
    prepared = prepare(signable, "gvcn.6a1", SigningStep.HOMEROOM)
    key, wrong = personal_key("gvcn.6a1"), personal_key("hieutruong")
    before = transcripts_state(signable.world.engine)
    results = complete_signing(
        signable.world.uow(),
        actor=signable.world.actor("gvcn.6a1", AT),
        session_id=prepared.session_id,
        signatures={i.transcript_id: key.sign(i.xml.to_sign) for i in prepared.items},
        pdf_signatures={
            i.transcript_id: wrong.sign(i.pdf.to_sign) for i in prepared.items if i.pdf
        },
        now=AT,
        pdf=pdf_options(),
    )
    assert [(r.ok, r.error, r.status) for r in results] == [
        (False, "pdf_signature_value_invalid", "subject_signed")
    ] * 2
    assert transcripts_state(signable.world.engine) == before
    assert all(transcript_row(signable.world.engine, i).pdf_sha256 is None for i in signable.ids)


def test_a_missing_pdf_signature_for_the_homeroom_step_is_refused_and_stores_nothing(
    signable: Signable,
) -> None:
    sign_subjects(signable)
    prepared = prepare(signable, "gvcn.6a1", SigningStep.HOMEROOM)
    key = personal_key("gvcn.6a1")
    first, second = signable.ids
    before = transcripts_state(signable.world.engine)
    results = complete_signing(
        signable.world.uow(),
        actor=signable.world.actor("gvcn.6a1", AT),
        session_id=prepared.session_id,
        signatures={i.transcript_id: key.sign(i.xml.to_sign) for i in prepared.items},
        pdf_signatures={
            i.transcript_id: key.sign(i.pdf.to_sign)
            for i in prepared.items
            if i.pdf and i.transcript_id == second
        },
        now=AT,
        pdf=pdf_options(),
    )
    assert [(r.transcript_id, r.ok, r.error) for r in results] == [
        (first, False, "pdf_signature_missing"),
        (second, True, None),
    ]
    after = transcripts_state(signable.world.engine)
    assert [s for s in after if s[0] == first] == [s for s in before if s[0] == first]
    assert transcript_row(signable.world.engine, second).pdf_sha256 is not None


def test_after_a_send_back_the_homeroom_teacher_signs_a_freshly_rendered_pdf(
    signable: Signable,
) -> None:
    sign_subjects(signable)
    for step, who in CHAIN[:2]:
        assert all(r.ok for r in sign_session(signable.world, who, signable.ids, step, AT))
    first = signable.ids[0]
    send_back(
        signable.world.uow(),
        transcript_id=first,
        actor=signable.world.actor("vanthu", AT),
        reason="Sai nhận xét của giáo viên chủ nhiệm",
        now=AT,
    )
    sign_subjects(Signable(signable.world, [first], signable.pending))
    results = sign_session(signable.world, "gvcn.6a1", [first], SigningStep.HOMEROOM, AT)
    assert all(r.ok for r in results), results
    fresh = stored_pdf(signable.world.engine, first)
    check = verify_pdf(fresh, now=AT, trust_roots=(authority().root,))
    assert check.valid, check
    assert [s.field for s in check.signatures] == ["GVCN"]
    assert sorted(check.unsigned_fields) == ["DonVi", "HieuTruong"]


def test_without_trust_roots_nobody_signs_and_nothing_is_stored(signable: Signable) -> None:
    sign_subjects(signable)
    before = transcripts_state(signable.world.engine)
    with pytest.raises(TrustRootsMissingError) as raised:
        sign_session(
            signable.world, "gvcn.6a1", signable.ids, SigningStep.HOMEROOM, AT, pdf=PdfSigning()
        )
    assert raised.value.code == "trust_roots_missing"
    assert "HOCBA_TRUST_ROOTS" in raised.value.message
    assert transcripts_state(signable.world.engine) == before


def test_the_qr_code_of_the_signed_pdf_opens_the_public_verification_page(
    signable: Signable,
) -> None:
    sign_subjects(signable)
    results = sign_session(signable.world, "gvcn.6a1", signable.ids, SigningStep.HOMEROOM, AT)
    assert all(r.ok for r in results), results
    pdf = stored_pdf(signable.world.engine, signable.ids[0])
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=pdf, check=True, capture_output=True
    ).stdout.decode()
    assert f"https://hocba.example.vn/xac-thuc?ma={signable.ids[0]}" in text
