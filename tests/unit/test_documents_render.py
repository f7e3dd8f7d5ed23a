"""render_xml: the unsigned document, valid against the shipped XSD, read back unchanged."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree  # type: ignore[import-untyped]

from domain.assessment import Circular, Comment, Conduct58, Learning58, Level, Title58
from domain.documents import (
    AssessmentForm,
    InvalidDocumentError,
    ScannedOriginal,
    SchoolLevel,
    Slot,
    TermLevels,
    TranscriptDocument,
    format_mark,
    read_xml,
    render_xml,
    validate,
    xml_code,
)
from domain.model import SlotKind, TranscriptKind
from tests.support.transcripts import annual_document, transfer_document

DOCS = Path(__file__).resolve().parents[2] / "docs" / "transcript-xml.md"


def digitised_document() -> TranscriptDocument:
    annual = annual_document()
    return replace(
        annual,
        header=replace(annual.header, kind=TranscriptKind.SO_HOA),
        original=ScannedOriginal(sha256="ab" * 32, file_name="hoc-ba-giay-2019.pdf"),
    )


def c58_document() -> TranscriptDocument:
    annual = annual_document()
    return replace(
        annual,
        header=replace(
            annual.header,
            circular=Circular.C58,
            grade=12,
            school_level=SchoolLevel.THPT,
            class_name="12A3",
            school_year="2023-2024",
        ),
        summary=replace(
            annual.summary,
            academic=TermLevels(hk1=Learning58.KEM, hk2=Learning58.Y, year=Learning58.Y),
            conduct=TermLevels(hk1=Conduct58.TB, hk2=Conduct58.K, year=Conduct58.K),
            title=Title58.HOC_SINH_TIEN_TIEN,
        ),
    )


SAMPLES: dict[str, Callable[[], TranscriptDocument]] = {
    "annual": annual_document,
    "transfer": transfer_document,
    "digitised": digitised_document,
    "Circular 58": c58_document,
}


@pytest.mark.parametrize("name", SAMPLES)
def test_the_rendered_document_is_valid_and_reads_back_unchanged(name: str) -> None:
    document = SAMPLES[name]()

    xml = render_xml(document)

    assert validate(xml) == ()
    assert read_xml(xml) == document


def test_an_annual_record_has_a_slot_per_subject_then_homeroom_principal_and_school() -> None:
    root = etree.fromstring(render_xml(annual_document()))

    slots = [(e.tag, e.get("Mon")) for e in root.find("DSCKS")]

    assert slots == [
        ("GVBM", "TOAN"),
        ("GVBM", "NGUVAN"),
        ("GVBM", "NGOAINGU1"),
        ("GVBM", "GDTC"),
        ("GVCN", None),
        ("HieuTruong", None),
        ("DonVi", None),
    ]
    assert all(len(slot) == 0 for slot in root.find("DSCKS"))


@pytest.mark.parametrize("name", ["transfer", "digitised"])
def test_transfer_and_digitised_records_have_principal_and_school_slots(name: str) -> None:
    root = etree.fromstring(render_xml(SAMPLES[name]()))

    assert [e.tag for e in root.find("DSCKS")] == ["HieuTruong", "DonVi"]


def test_a_slot_layout_that_does_not_fit_the_kind_is_refused() -> None:
    without_homeroom = (
        *(Slot(SlotKind.GVBM, s.code) for s in annual_document().subjects),
        Slot(SlotKind.HIEU_TRUONG),
        Slot(SlotKind.DON_VI),
    )

    with pytest.raises(InvalidDocumentError) as raised:
        render_xml(annual_document(), slots=without_homeroom)

    assert raised.value.field == "slots"


def test_the_ids_are_the_ones_references_use() -> None:
    root = etree.fromstring(render_xml(annual_document()))

    ids = [e.get("Id") for e in root.iter() if e.get("Id")]

    assert ids == ["DLHocBa", "TTChung", "MH-TOAN", "MH-NGUVAN", "MH-NGOAINGU1", "MH-GDTC"]


def test_data_elements_carry_no_namespace() -> None:
    xml = render_xml(annual_document())

    assert b"xmlns" not in xml
    assert xml.startswith(
        b"<?xml version='1.0' encoding='UTF-8'?>\n<HocBa PhienBanDinhDang=\"1.0\">"
    )


@pytest.mark.parametrize(
    ("mark", "text"),
    [
        (Decimal("8.4"), "8.4"),
        (Decimal(8), "8.0"),
        (Decimal("10"), "10.0"),
        (Decimal("0"), "0.0"),
        (Decimal("6.50"), "6.5"),
        (Comment.D, "Đ"),
        (Comment.CD, "CĐ"),
    ],
)
def test_marks_are_written_with_one_decimal_or_as_the_national_codes(
    mark: Decimal | Comment, text: str
) -> None:
    assert format_mark(mark) == text


@pytest.mark.parametrize(
    ("level", "code"),
    [
        (Level.T, "T"),
        (Level.K, "K"),
        (Level.D, "Đ"),
        (Level.CD, "CĐ"),
        (Learning58.KEM, "Kém"),
        (Learning58.TB, "TB"),
        (Conduct58.Y, "Y"),
    ],
)
def test_engine_levels_map_to_the_national_codes(
    level: Level | Learning58 | Conduct58, code: str
) -> None:
    assert xml_code(level) == code


def test_an_engine_level_d_is_written_with_the_vietnamese_letter() -> None:
    document = annual_document(
        summary=replace(
            annual_document().summary,
            conduct=TermLevels(hk1=Level.D, hk2=Level.CD, year=Level.D, after_reassessment=Level.K),
        )
    )

    conduct = etree.fromstring(render_xml(document)).find("DLHocBa/TongHop/RenLuyen")

    assert [(e.tag, e.text) for e in conduct] == [
        ("HK1", "Đ"),
        ("HK2", "CĐ"),
        ("CaNam", "Đ"),
        ("SauDanhGiaLai", "K"),
    ]


def test_text_is_written_in_nfc() -> None:
    decomposed = unicodedata.normalize("NFD", "Nguyễn Thị Ánh Dương")
    document = annual_document(student=replace(annual_document().student, full_name=decomposed))

    xml = render_xml(document).decode()

    assert "<HoVaTen>Nguyễn Thị Ánh Dương</HoVaTen>" in xml
    assert unicodedata.is_normalized("NFC", xml)


def test_a_value_the_xsd_refuses_is_refused_before_any_xml_leaves() -> None:
    document = annual_document(student=replace(annual_document().student, ethnicity="K" * 101))

    with pytest.raises(InvalidDocumentError) as raised:
        render_xml(document)

    assert raised.value.field == "xsd"


def test_a_comment_subject_is_written_with_its_form() -> None:
    root = etree.fromstring(render_xml(annual_document()))

    gdtc = root.find("DLHocBa/KetQuaHocTap/MonHoc[Ma='GDTC']")

    assert gdtc.findtext("HinhThucDanhGia") == AssessmentForm.COMMENT.value
    assert [gdtc.findtext(t) for t in ("HK1", "HK2", "CaNam")] == ["Đ", "Đ", "Đ"]


def test_the_integrators_guide_shows_the_document_this_code_renders() -> None:
    guide = DOCS.read_text(encoding="utf-8")
    example = guide.split("<!-- example:unsigned -->\n```xml\n", 1)[1].split("```", 1)[0]

    assert example == render_xml(annual_document()).decode(), (
        "docs/transcript-xml.md is out of date: paste render_xml(annual_document()) "
        "(tests/support/transcripts.py) into its unsigned example"
    )
