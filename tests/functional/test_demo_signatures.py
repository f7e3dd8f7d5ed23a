"""The demo's finalized transcripts carry real XML signatures in every slot, made with the demo
PKI's keys, which our verifier and xmlsec1 both accept."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from domain.documents import verify_xml
from domain.model import Blob, SchoolClass, SchoolYear, Transcript
from tests.support.clock import vn
from tests.support.databases import MigratedDatabase
from tests.support.demo_pki import demo_pki
from tests.support.xmlsec import XMLSEC1, xmlsec_verify
from workflow import seed_demo

NOW = vn(2026, 11, 29, 9, 0)


@pytest.fixture(scope="module")
def seeded(migrated: MigratedDatabase) -> Engine:
    migrated.reset()
    seed_demo(migrated.engine, now=NOW, pki=demo_pki())
    return migrated.engine


def last_years_xml(engine: Engine) -> list[bytes]:
    with Session(engine) as session:
        rows = session.exec(
            select(Transcript)
            .join(SchoolClass, col(SchoolClass.id) == Transcript.class_id)
            .join(SchoolYear, col(SchoolYear.id) == Transcript.school_year_id)
            .where(SchoolYear.name == "2025-2026", SchoolClass.name == "6A1")
        ).all()
        assert len(rows) == 10
        blobs = [session.get(Blob, row.xml_sha256) for row in rows if row.xml_sha256]
        return [bytes(blob.content) for blob in blobs if blob is not None]


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
