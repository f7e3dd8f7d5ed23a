"""The document model refuses data that cannot become a valid transcript, naming the field."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from domain.assessment import Circular, Comment, Learning58, Level, Title58
from domain.documents import (
    MAX_SUBJECTS,
    InvalidDocumentError,
    ScannedOriginal,
    SchoolLevel,
    Slot,
    TermLevels,
    TranscriptDocument,
    UnknownSlotError,
    covered_slots,
    default_layout,
)
from domain.model import SlotKind, TranscriptKind
from tests.support.transcripts import annual_document, subjects, transfer_document

TOAN = subjects()[0]
GDTC = subjects()[3]


def refused(build: object) -> str:
    """The field an InvalidDocumentError names for a zero-argument builder."""
    assert callable(build)
    with pytest.raises(InvalidDocumentError) as raised:
        build()
    return raised.value.field


def test_the_sample_documents_are_accepted() -> None:
    assert annual_document().header.kind is TranscriptKind.CA_NAM
    assert transfer_document().subjects[0].hk2 is None


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"hk1": Comment.D}, "subjects[TOAN].hk1"),
        ({"hk2": Decimal("10.5")}, "subjects[TOAN].hk2"),
        ({"year": Decimal("8.45")}, "subjects[TOAN].year"),
        ({"year": Decimal("-0.1")}, "subjects[TOAN].year"),
        ({"year": Decimal("NaN")}, "subjects[TOAN].year"),
        ({"year": None}, "subjects[TOAN].retest"),
        ({"hk2": None}, "subjects[TOAN].year"),
        ({"code": "toan"}, "subjects[toan].code"),
        ({"teacher": "Nguyễn Văn An\n"}, "subjects[TOAN].teacher"),
        ({"comment": "  "}, "subjects[TOAN].comment"),
        ({"comment": "Tốt\x00"}, "subjects[TOAN].comment"),
    ],
)
def test_a_subject_with_a_mark_the_profile_cannot_carry_is_refused(
    changes: dict[str, object], field: str
) -> None:
    base = replace(TOAN, retest=Decimal("6.0")) if "year" in changes else TOAN

    assert refused(lambda: replace(base, **changes)) == field  # type: ignore[arg-type]


def test_a_comment_subject_takes_comment_results_only() -> None:
    assert refused(lambda: replace(GDTC, hk2=Decimal("8.0"))) == "subjects[GDTC].hk2"


def test_an_annual_record_needs_the_whole_year() -> None:
    half = replace(TOAN, hk2=None, year=None)

    assert refused(lambda: annual_document(subjects=(half,))) == "subjects[TOAN]"


def test_an_annual_record_decides_promotion() -> None:
    summary = replace(annual_document().summary, promoted=None)

    assert refused(lambda: annual_document(summary=summary)) == "summary.promoted"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"transcript_id": "3F2B8C1E-5D4A-4E7B-9A61-2C8D0F1E7A90"}, "header.transcript_id"),
        ({"transcript_id": "not-a-uuid"}, "header.transcript_id"),
        ({"replaces": "3f2b8c1e-5d4a-4e7b-9a61-2c8d0f1e7a90"}, "header.replaces"),
        ({"version": 0}, "header.version"),
        ({"version": True}, "header.version"),
        ({"school_year": "2024-2026"}, "header.school_year"),
        ({"grade": 13}, "header.grade"),
        ({"school_level": SchoolLevel.THPT}, "header.school_level"),
        ({"class_name": " 6A1"}, "header.class_name"),
    ],
)
def test_a_header_the_profile_cannot_carry_is_refused(
    changes: dict[str, object], field: str
) -> None:
    header = annual_document().header

    assert refused(lambda: replace(header, **changes)) == field  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "personal_id", ["07921200010", "079212000101x", "999212000101", "０７９２１２０００１０１"]
)
def test_a_malformed_personal_id_is_refused(personal_id: str) -> None:
    student = annual_document().student

    assert refused(lambda: replace(student, personal_id=personal_id)) == "student.personal_id"


def test_a_digitised_record_carries_its_paper_original_and_no_other_kind_does() -> None:
    annual = annual_document()
    original = ScannedOriginal(sha256="ab" * 32, file_name="hoc-ba-giay.pdf")
    digitised_header = replace(annual.header, kind=TranscriptKind.SO_HOA)

    assert refused(lambda: annual_document(original=original)) == "original"
    assert refused(lambda: annual_document(header=digitised_header)) == "original"
    assert refused(lambda: replace(original, sha256="AB" * 32)) == "original.sha256"
    assert refused(lambda: replace(original, file_name="../etc/passwd")) == "original.file_name"


def test_levels_and_titles_follow_the_circular() -> None:
    annual = annual_document()
    c58 = replace(annual.header, circular=Circular.C58)
    learning = TermLevels(hk1=Learning58.G, hk2=Learning58.G, year=Learning58.G)

    assert refused(lambda: annual_document(header=c58)) == "summary.academic"
    c22_with_c58 = replace(annual.summary, academic=learning)
    assert refused(lambda: annual_document(summary=c22_with_c58)) == "summary.academic"
    wrong_title = replace(annual.summary, title=Title58.HOC_SINH_GIOI)
    assert refused(lambda: annual_document(summary=wrong_title)) == "summary.title"


def test_a_reassessment_needs_a_year_result_first() -> None:
    levels = TermLevels(hk1=Level.K, hk2=None, year=None, after_reassessment=Level.D)

    assert refused(lambda: replace(transfer_document().summary, academic=levels)) == (
        "summary.academic.after_reassessment"
    )


def test_subjects_are_unique_and_bounded() -> None:
    twice = (TOAN, TOAN)
    many = tuple(replace(TOAN, code=f"M{n:02d}") for n in range(MAX_SUBJECTS + 1))

    assert refused(lambda: annual_document(subjects=twice)) == "subjects"
    assert refused(lambda: annual_document(subjects=many)) == "subjects"
    assert refused(lambda: annual_document(subjects=())) == "subjects"


def test_documents_are_values() -> None:
    assert annual_document() == annual_document()
    assert hash(Slot(SlotKind.GVCN)) == hash(Slot.parse("GVCN"))
    with pytest.raises(AttributeError):
        annual_document().header.version = 2  # type: ignore[misc]
    assert isinstance(annual_document(), TranscriptDocument)


@pytest.mark.parametrize(
    ("name", "signature_id"),
    [
        ("GVBM:TOAN", "sig-gvbm-TOAN"),
        ("GVCN", "sig-gvcn"),
        ("HieuTruong", "sig-ht"),
        ("DonVi", "sig-dv"),
    ],
)
def test_a_slot_name_gives_its_signature_and_property_ids(name: str, signature_id: str) -> None:
    slot = Slot.parse(name)

    assert slot.name == name == str(slot)
    assert slot.signature_id == signature_id
    assert slot.properties_id == f"{signature_id}-props"


@pytest.mark.parametrize("name", ["", "GVBM", "GVBM:", "GVCN:TOAN", "gvcn", "GVBM:1AB"])
def test_a_malformed_slot_name_is_refused(name: str) -> None:
    with pytest.raises(UnknownSlotError):
        Slot.parse(name)


def test_the_principal_covers_the_subject_teachers_when_there_is_no_homeroom_slot() -> None:
    layout = (Slot(SlotKind.GVBM, "TOAN"), Slot(SlotKind.HIEU_TRUONG), Slot(SlotKind.DON_VI))

    assert covered_slots(Slot(SlotKind.HIEU_TRUONG), layout) == (Slot(SlotKind.GVBM, "TOAN"),)
    assert covered_slots(Slot(SlotKind.DON_VI), layout) == (Slot(SlotKind.HIEU_TRUONG),)
    assert default_layout(TranscriptKind.SO_HOA, ["TOAN"]) == layout[1:]
