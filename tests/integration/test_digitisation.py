"""A student arrives from a school on paper (REQ-27): the receiving school's academic affairs
officer types each paper year and uploads the scan, its principal signs the SoHoa record as
consistent with the original and its clerk seals it; both files verify, with our verifier
and with xmlsec1 and pdfsig."""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from domain.documents import read_xml, verify_xml
from domain.model import AuditEvent, Blob, Transcript, TranscriptKind, TranscriptStatus
from domain.signatures import TrustSettings, verify_transcript_file
from tests.support.digitisation import (
    PAPER_SCHOOL,
    SCAN_NAME,
    first_semester,
    paper_world,
    scan,
    whole_year,
)
from tests.support.signing import authority, sign_session, stored_pdf, stored_xml
from tests.support.transfers import AN, INHERITED, MID_YEAR, SIGNED
from tests.support.world import World
from tests.support.xmlsec import xmlsec_verify
from workflow import (
    AlreadyDigitisedError,
    InvalidInputError,
    NotAllowedInStateError,
    NotAssignedError,
    NotFoundError,
    SigningStep,
    check_package,
    digitise_paper_record,
    export_student_record,
    scanned_original,
    student_record_chain,
    task_queue,
)


@pytest.fixture
def world(engine: Engine) -> World:
    return paper_world(engine)


def trust() -> TrustSettings:
    return TrustSettings(trust_roots=(authority().root,), deadline=60.0)


def digitise(world: World, record: dict[str, Any], who: str = "hocvu", **kw: Any) -> str:
    arguments: dict[str, Any] = {
        "personal_id": AN,
        "record": record,
        "paper_school": PAPER_SCHOOL,
        "scan": scan(),
        "scan_name": SCAN_NAME,
        "actor": world.actor(who, MID_YEAR),
        "now": MID_YEAR,
        **kw,
    }
    return digitise_paper_record(world.uow(), **arguments)


def steps_for(world: World, who: str, transcript_id: str) -> list[str | None]:
    with Session(world.engine) as session:
        items = task_queue(session, person_id=world.people[who], now=MID_YEAR)
    return [i.step for i in items if transcript_id in i.transcript_ids]


def test_a_digitised_paper_year_is_signed_by_the_principal_and_sealed_and_verifies(
    world: World, tmp_path: Path
) -> None:
    record_id = digitise(world, whole_year())

    with Session(world.engine) as session:
        row = session.get(Transcript, record_id)
        assert row is not None
        assert (row.kind, row.status) == (TranscriptKind.SO_HOA, TranscriptStatus.DRAFT)
        digest = hashlib.sha256(scan()).hexdigest()
        assert row.data["BanGoc"] == {
            "SHA256": digest,
            "TenTep": SCAN_NAME,
            "TruongGoc": PAPER_SCHOOL,
        }
        blob = session.get(Blob, digest)
        assert blob is not None and bytes(blob.content) == scan()
        actions = session.exec(
            select(AuditEvent.action).where(AuditEvent.object_id == record_id)
        ).all()
        assert set(actions) == {"transcript.create", "record.digitise"}
    # The principal's queue has the record at their step; the clerk's once signed.
    assert steps_for(world, "hieutruong", record_id) == ["principal"]
    assert steps_for(world, "vanthu", record_id) == []

    (result,) = sign_session(world, "hieutruong", [record_id], SigningStep.PRINCIPAL, SIGNED)
    assert result.ok, result
    assert steps_for(world, "vanthu", record_id) == ["school"]
    (result,) = sign_session(world, "vanthu", [record_id], SigningStep.SCHOOL, SIGNED)
    assert result.ok, result

    xml, pdf = stored_xml(world.engine, record_id), stored_pdf(world.engine, record_id)
    check = verify_xml(xml)
    assert check.ok, check.problems()
    assert [s.slot for s in check.signatures] == ["HieuTruong", "DonVi"]
    document = read_xml(xml)
    assert document.header.kind is TranscriptKind.SO_HOA
    assert (document.header.school_year, document.header.class_name) == ("2023-2024", "6/3")
    assert document.original is not None
    assert (document.original.sha256, document.original.file_name) == (digest, SCAN_NAME)
    for report in (
        verify_transcript_file(xml, trust=trust(), now=INHERITED),
        verify_transcript_file(pdf, trust=trust(), now=INHERITED),
    ):
        assert report.valid, report.to_json()
    # Independent verifiers: xmlsec1 for each XML signature, pdfsig for the PDF's.
    path = tmp_path / "sohoa.xml"
    path.write_bytes(xml)
    root = authority().write_root(tmp_path)
    for signature in check.signatures:
        code, output = xmlsec_verify(path, signature.signature_id, root)
        assert code == 0, output
    (tmp_path / "sohoa.pdf").write_bytes(pdf)
    poppler = subprocess.run(
        ["pdfsig", "-nocert", str(tmp_path / "sohoa.pdf")],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert "Signature Field Name: HieuTruong" in poppler
    assert "Signature Field Name: DonVi" in poppler
    assert poppler.count("Signature is Valid.") == 2, poppler
    # The record travels: the package names the paper year the signed XML says, and its
    # checks (every hash and signature, the manifest against the XML) pass.
    package = export_student_record(
        world.uow(), personal_id=AN, actor=world.actor("hocvu", INHERITED), now=INHERITED
    )
    checked = check_package(package, trust=trust(), now=INHERITED)
    (entry,) = [e for e in checked.manifest.entries if e.kind == "SoHoa"]
    assert (entry.school_year, entry.class_name, entry.grade) == ("2023-2024", "6/3", 6)
    chain = student_record_chain(
        world.uow(), personal_id=AN, actor=world.actor("hocvu", INHERITED), now=INHERITED
    )
    (link,) = [link for link in chain if link.kind is TranscriptKind.SO_HOA]
    assert (link.school_year, link.source) == ("2023-2024", "own")
    # The printed copy names the scanned original.
    text = subprocess.run(
        ["pdftotext", str(tmp_path / "sohoa.pdf"), "-"], check=True, capture_output=True, text=True
    ).stdout
    assert "Số hoá từ học bạ giấy" in text and SCAN_NAME in text


def test_no_subject_or_homeroom_teacher_signs_a_digitised_record(world: World) -> None:
    record_id = digitise(world, whole_year())

    with pytest.raises(NotAllowedInStateError):
        sign_session(world, "gvcn.6a1", [record_id], SigningStep.HOMEROOM, SIGNED)


def test_several_paper_years_are_digitised_and_each_only_once(world: World) -> None:
    first = digitise(world, whole_year())
    second = digitise(world, first_semester())

    with Session(world.engine) as session:
        rows = session.exec(select(Transcript).where(col(Transcript.id).in_([first, second]))).all()
        assert sorted(r.data["TTChung"]["NamHoc"] for r in rows) == ["2023-2024", "2024-2025"]
        # Both belong to the receiving school's current year, version 1.
        assert {(r.school_year_id, r.version) for r in rows} == {(world.year_id, 1)}
    with pytest.raises(AlreadyDigitisedError) as refused:
        digitise(world, whole_year())
    assert refused.value.transcript_id == first


def test_only_academic_affairs_of_the_students_school_digitises(world: World) -> None:
    with pytest.raises(NotAssignedError):
        digitise(world, whole_year(), who="gvcn.6a1")
    with pytest.raises(NotFoundError):
        digitise(world, whole_year(), personal_id="079299999999")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"scan": b"not a pdf"}, "scan"),
        ({"scan": b""}, "scan"),
        ({"scan_name": "../../etc/passwd"}, "scan_name"),
        ({"paper_school": " "}, "paper_school"),
        ({"record": whole_year(NamHoc="2026-2027")}, "record.NamHoc"),
        ({"record": whole_year(NamHoc="2023-2025")}, "record.NamHoc"),
        ({"record": whole_year(Khoi=5)}, "record.header.grade"),
        ({"record": whole_year(KetQuaHocTap=[])}, "record.KetQuaHocTap"),
        ({"record": {**whole_year(), "Thua": 1}}, "record"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_nothing_is_stored(
    world: World, change: dict[str, Any], field: str
) -> None:
    with pytest.raises(InvalidInputError) as refused:
        digitise(world, **{"record": whole_year(), **change})

    assert refused.value.field == field
    with Session(world.engine) as session:
        kinds = session.exec(select(Transcript.kind)).all()
        assert TranscriptKind.SO_HOA not in kinds


def test_a_score_the_profile_refuses_is_named_by_subject(world: World) -> None:
    record = whole_year()
    record["KetQuaHocTap"][0]["HK1"] = "11.0"

    with pytest.raises(InvalidInputError) as refused:
        digitise(world, record)

    assert "KetQuaHocTap[TOAN].HK1" in refused.value.field


def test_the_scan_is_read_back_by_the_schools_staff_only(world: World) -> None:
    record_id = digitise(world, whole_year())

    name, content = scanned_original(
        world.uow(),
        transcript_id=record_id,
        actor=world.actor("hieutruong", MID_YEAR),
        now=MID_YEAR,
    )
    assert (name, content) == (SCAN_NAME, scan())
    with pytest.raises(NotFoundError):
        scanned_original(
            world.uow(),
            transcript_id=record_id,
            actor=world.actor("gvcn.6a1", MID_YEAR),
            now=MID_YEAR,
        )


def test_no_subject_teacher_signs_a_digitised_record(world: World) -> None:
    record_id = digitise(world, whole_year())

    with pytest.raises(NotAssignedError):
        sign_session(
            world, "gvbm.toan", [record_id], SigningStep.SUBJECT, SIGNED, subject_code="TOAN"
        )
