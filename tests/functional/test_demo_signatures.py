"""The demo's finalized transcripts carry real XML signatures in every slot and a PDF signed in
GVCN, HieuTruong and DonVi, made with the demo PKI's keys, which our verifiers, xmlsec1 and
pdfsig all accept."""

from __future__ import annotations

import io
import json
import subprocess
from pathlib import Path

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from domain.documents import verify_xml
from domain.model import Blob, SchoolClass, SchoolYear, Transcript, TranscriptStatus
from domain.signatures import FIELD_NAMES, verify_pdf
from tests.support.cli import hocba
from tests.support.clock import vn
from tests.support.databases import MigratedDatabase
from tests.support.demo_pki import demo_pki
from tests.support.demo_snapshot import seeded_demo
from tests.support.xmlsec import XMLSEC1, xmlsec_verify

NOW = vn(2026, 11, 29, 9, 0)


@pytest.fixture(scope="module")
def seeded(migrated: MigratedDatabase) -> Engine:
    migrated.reset()
    seeded_demo(migrated.engine, now=NOW)
    return migrated.engine


def last_years_rows(session: Session) -> list[Transcript]:
    rows = session.exec(
        select(Transcript)
        .join(SchoolClass, col(SchoolClass.id) == Transcript.class_id)
        .join(SchoolYear, col(SchoolYear.id) == Transcript.school_year_id)
        .where(SchoolYear.name == "2025-2026", SchoolClass.name == "6A1")
    ).all()
    assert len(rows) == 10
    return list(rows)


def last_years_xml(engine: Engine) -> list[bytes]:
    with Session(engine) as session:
        blobs = [session.get(Blob, row.xml_sha256) for row in last_years_rows(session)]
        return [bytes(blob.content) for blob in blobs if blob is not None]


def last_years_finalized_pdfs(engine: Engine) -> list[tuple[Transcript, bytes]]:
    with Session(engine) as session:
        rows = [r for r in last_years_rows(session) if r.status is TranscriptStatus.FINALIZED]
        assert rows
        found = []
        for row in rows:
            assert row.pdf_sha256 is not None, row.id
            blob = session.get(Blob, row.pdf_sha256)
            assert blob is not None
            found.append((row, bytes(blob.content)))
        return found


def test_every_finalized_transcript_of_last_year_verifies_in_every_slot(seeded: Engine) -> None:
    documents = last_years_xml(seeded)
    assert len(documents) == 10
    for xml in documents:
        check = verify_xml(xml)
        assert check.ok, check.problems()
        assert len(check.signatures) == 12 + 3  # a GVBM per subject, GVCN, HieuTruong, DonVi
        seal = check.signatures[-1]
        assert seal.slot == "DonVi"
        assert seal.certificates[0] == demo_pki().seal.certificate


def test_xmlsec1_accepts_every_signature_of_a_demo_transcript(
    seeded: Engine, tmp_path: Path
) -> None:
    assert XMLSEC1 is not None
    xml = last_years_xml(seeded)[0]
    document = tmp_path / "demo.xml"
    document.write_bytes(xml)
    for signature in verify_xml(xml).signatures:
        code, output = xmlsec_verify(document, signature.signature_id, demo_pki().root_path)
        assert code == 0, output


def test_every_finalized_transcript_of_last_year_has_a_pdf_signed_by_the_three_signers(
    seeded: Engine,
) -> None:
    pki = demo_pki()
    for row, pdf in last_years_finalized_pdfs(seeded):
        check = verify_pdf(pdf, now=NOW, trust_roots=(pki.root,))
        assert check.valid, (row.id, check)
        assert [s.field for s in check.signatures] == list(FIELD_NAMES)
        assert all(s.timestamp_valid for s in check.signatures)  # B-T: the demo PKI's TSA
        seal = check.signatures[-1]
        assert seal.signer is not None
        assert seal.signer.serial == format(pki.seal.certificate.serial_number, "x")
        # the seal at B-LT: the validation data in the document security store
        assert "/DSS" in PdfFileReader(io.BytesIO(pdf)).root


def test_pdfsig_accepts_every_signature_of_the_demos_signed_pdfs(
    seeded: Engine, tmp_path: Path
) -> None:
    for row, pdf in last_years_finalized_pdfs(seeded):
        path = tmp_path / f"{row.id}.pdf"
        path.write_bytes(pdf)
        report = subprocess.run(
            ["pdfsig", "-nocert", str(path)], check=True, capture_output=True, text=True
        ).stdout
        assert report.count("Signature Validation: Signature is Valid.") == 3, report
        for name in FIELD_NAMES:
            assert f"Signature Field Name: {name}" in report


def test_hocba_verify_says_valid_for_a_finalized_demo_transcripts_xml_and_pdf(
    seeded: Engine, tmp_path: Path
) -> None:
    # The acceptance line of the signing issue, through the real console command.
    row, pdf = last_years_finalized_pdfs(seeded)[0]
    with Session(seeded) as session:
        stored = session.get(Transcript, row.id)
        assert stored is not None and stored.xml_sha256 is not None
        blob = session.get(Blob, stored.xml_sha256)
        assert blob is not None
        xml = bytes(blob.content)
    root = str(demo_pki().root_path)
    for name, content in (("transcript.xml", xml), ("transcript.pdf", pdf)):
        path = tmp_path / name
        path.write_bytes(content)
        done = hocba("verify", "--json", "--trust-roots", root, str(path), cwd=tmp_path)
        assert done.returncode == 0, (name, done.stdout, done.stderr)
        report = json.loads(done.stdout)
        assert report["valid"] and report["indication"] == "TOTAL_PASSED", report
        assert report["format"] == name.rsplit(".", 1)[1]
