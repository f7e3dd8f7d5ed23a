"""A certified paper copy for a school without digital transcripts (REQ-28): the clerk seals a
PDF of a student's issued transcripts with the certification page; pdfsig and our verifier
accept the seal, pdftotext finds the certification, and the school's staff download it."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from domain.model import Person
from domain.signatures import Pkcs12Signer, TrustSettings, verify_transcript_file
from tests.support.digitisation import PAPER_SCHOOL, SCAN_NAME, first_semester, scan, whole_year
from tests.support.digitisation import paper_world as fresh_world
from tests.support.signing import (
    OTHER_SCHOOL_CODE,
    authority,
    pdf_options,
    personal_key,
    seal_key,
    sign_session,
)
from tests.support.transfers import AN, MID_YEAR, SIGNED
from tests.support.world import World
from workflow import (
    CopyAlreadySealedError,
    InvalidInputError,
    NotAssignedError,
    NotFoundError,
    PdfNotCompletedError,
    SealCertificateRequiredError,
    SigningStep,
    certified_copy_pdf,
    certify_copy_with,
    complete_certified_copy,
    digitise_paper_record,
    prepare_certified_copy,
)

CERTIFIED = SIGNED.replace(hour=15)


def digitised(world: World, record: dict[str, object]) -> str:
    return digitise_paper_record(
        world.uow(),
        personal_id=AN,
        record=record,
        paper_school=PAPER_SCHOOL,
        scan=scan(),
        scan_name=SCAN_NAME,
        actor=world.actor("hocvu", MID_YEAR),
        now=MID_YEAR,
    )


@pytest.fixture
def world(engine: Engine) -> World:
    return fresh_world(engine)


@pytest.fixture
def issued(world: World) -> list[str]:
    """Two paper years of An's record, digitised, signed and sealed."""
    ids = [digitised(world, whole_year()), digitised(world, first_semester())]
    for who, step in (("hieutruong", SigningStep.PRINCIPAL), ("vanthu", SigningStep.SCHOOL)):
        results = sign_session(world, who, ids, step, SIGNED)
        assert all(r.ok for r in results), results
    return ids


def run(*command: str) -> str:
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout


def test_the_clerk_seals_a_certified_copy_that_pdfsig_and_our_verifier_accept(
    world: World, issued: list[str], tmp_path: Path
) -> None:
    actor = world.actor("vanthu", CERTIFIED)
    prepared = prepare_certified_copy(
        world.uow(),
        transcript_ids=issued,
        certificate_chain=seal_key().der_chain,
        actor=actor,
        now=CERTIFIED,
        pdf=pdf_options(),
    )
    complete_certified_copy(
        world.uow(),
        copy_id=prepared.copy_id,
        signature_value=seal_key().sign(prepared.to_sign),
        actor=actor,
        now=CERTIFIED,
        pdf=pdf_options(),
    )
    copy = certified_copy_pdf(
        world.uow(), copy_id=prepared.copy_id, actor=world.actor("hocvu", CERTIFIED), now=CERTIFIED
    )

    path = tmp_path / "ban-sao.pdf"
    path.write_bytes(copy)
    poppler = run("pdfsig", "-nocert", str(path))
    assert "Signature Field Name: DonVi" in poppler
    assert poppler.count("Signature is Valid.") == 1, poppler
    text = run("pdftotext", str(path), "-")
    with Session(world.engine) as session:
        principal = session.get(Person, world.people["hieutruong"])
        assert principal is not None
    for expected in (
        "SAO Y BẢN CHÍNH",
        "Nhà trường xác nhận bản sao đúng với bản chính",
        "ngày 11 tháng 2 năm 2025",
        principal.full_name,
        f"Số: {prepared.copy_id}/SY-HB",
        "2023-2024",
        "2024-2025",
        *issued,
    ):
        assert expected in text, expected
    assert run("pdfinfo", str(path)).count("Pages:") == 1
    assert "Pages:           5" in run("pdfinfo", str(path))
    report = verify_transcript_file(
        copy, trust=TrustSettings(trust_roots=(authority().root,), deadline=60.0), now=CERTIFIED
    )
    assert report.valid, report.to_json()
    assert [s.slot for s in report.signatures] == ["DonVi"]
    with pytest.raises(CopyAlreadySealedError):
        complete_certified_copy(
            world.uow(),
            copy_id=prepared.copy_id,
            signature_value=seal_key().sign(prepared.to_sign),
            actor=actor,
            now=CERTIFIED,
            pdf=pdf_options(),
        )


def test_a_server_held_seal_certifies_in_one_call(world: World, issued: list[str]) -> None:
    key = seal_key()
    copy_id = certify_copy_with(
        world.uow(),
        signer=Pkcs12Signer.opened(key.key, key.chain),
        transcript_ids=issued[:1],
        actor=world.actor("vanthu", CERTIFIED),
        now=CERTIFIED,
        pdf=pdf_options(timestamped=True),
    )
    copy = certified_copy_pdf(
        world.uow(), copy_id=copy_id, actor=world.actor("hieutruong", CERTIFIED), now=CERTIFIED
    )
    report = verify_transcript_file(
        copy, trust=TrustSettings(trust_roots=(authority().root,), deadline=60.0), now=CERTIFIED
    )
    assert report.valid, report.to_json()


def test_only_the_clerk_with_the_schools_own_seal_certifies(
    world: World, issued: list[str]
) -> None:
    def prepare(who: str, chain: list[bytes]) -> object:
        return prepare_certified_copy(
            world.uow(),
            transcript_ids=issued,
            certificate_chain=chain,
            actor=world.actor(who, CERTIFIED),
            now=CERTIFIED,
            pdf=pdf_options(),
        )

    with pytest.raises(NotAssignedError):
        prepare("hieutruong", seal_key().der_chain)
    with pytest.raises(SealCertificateRequiredError):
        prepare("vanthu", personal_key("vanthu").der_chain)
    with pytest.raises(SealCertificateRequiredError):
        prepare("vanthu", seal_key(OTHER_SCHOOL_CODE).der_chain)


def test_a_wrong_signature_value_stores_nothing(world: World, issued: list[str]) -> None:
    actor = world.actor("vanthu", CERTIFIED)
    prepared = prepare_certified_copy(
        world.uow(),
        transcript_ids=issued,
        certificate_chain=seal_key().der_chain,
        actor=actor,
        now=CERTIFIED,
        pdf=pdf_options(),
    )
    with pytest.raises(PdfNotCompletedError):
        complete_certified_copy(
            world.uow(),
            copy_id=prepared.copy_id,
            signature_value=personal_key("vanthu").sign(prepared.to_sign),
            actor=actor,
            now=CERTIFIED,
            pdf=pdf_options(),
        )
    with pytest.raises(NotFoundError):
        certified_copy_pdf(world.uow(), copy_id=prepared.copy_id, actor=actor, now=CERTIFIED)


def test_a_draft_is_not_copied_and_strangers_do_not_download(
    world: World, issued: list[str]
) -> None:
    draft = digitised(world, whole_year(NamHoc="2022-2023", Khoi=6))
    with pytest.raises(InvalidInputError):
        prepare_certified_copy(
            world.uow(),
            transcript_ids=[*issued, draft],
            certificate_chain=seal_key().der_chain,
            actor=world.actor("vanthu", CERTIFIED),
            now=CERTIFIED,
            pdf=pdf_options(),
        )
    key = seal_key()
    copy_id = certify_copy_with(
        world.uow(),
        signer=Pkcs12Signer.opened(key.key, key.chain),
        transcript_ids=issued,
        actor=world.actor("vanthu", CERTIFIED),
        now=CERTIFIED,
        pdf=pdf_options(),
    )
    with pytest.raises(NotFoundError):
        certified_copy_pdf(
            world.uow(), copy_id=copy_id, actor=world.actor("so.gddt", CERTIFIED), now=CERTIFIED
        )
