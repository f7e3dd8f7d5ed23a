"""Reading a schema-valid ``HocBa`` back into a ``TranscriptDocument``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

from lxml import etree  # type: ignore[import-untyped]

from domain.assessment import Circular, Conduct58, Learning58, Level, Title, Title58
from domain.documents._document import TranscriptDocument
from domain.documents._errors import InvalidDocumentError, SchemaInvalidError
from domain.documents._model import (
    Certification,
    DocumentHeader,
    Mark,
    ScannedOriginal,
    StudentDetails,
    SubjectRecord,
    Summary,
    TermLevels,
)
from domain.documents._parsing import MAX_DOCUMENT_BYTES, parse_untrusted
from domain.documents._schema import validate_tree
from domain.documents._vocabulary import (
    AssessmentForm,
    Gender,
    LevelCode,
    SchoolLevel,
    SignerTitle,
    comment_from_xml,
    level_from_xml,
)
from domain.model import TranscriptKind

T = TypeVar("T")


def read_xml(xml: bytes, *, max_bytes: int = MAX_DOCUMENT_BYTES) -> TranscriptDocument:
    """The transcript data of an XML document (signatures are not checked: see verify_xml).

    Raises an UnsafeXmlError, SchemaInvalidError, or InvalidDocumentError when the data breaks
    a rule the XSD cannot express (a comment result for a scored subject, …).
    """
    tree = parse_untrusted(xml, max_bytes=max_bytes)
    violations = validate_tree(tree)
    if violations:
        raise SchemaInvalidError(violations)
    return document_from_tree(tree)


def document_from_tree(tree: Any) -> TranscriptDocument:
    """The ``TranscriptDocument`` of a parsed, schema-valid tree."""
    data = tree.getroot().find("DLHocBa")
    header = _header(_children(data.find("TTChung")))
    original = data.find("BanGoc")
    certification = _children(data.find("XacNhan"))
    return TranscriptDocument(
        header=header,
        student=_student(_children(data.find("HocSinh"))),
        subjects=tuple(
            _subject(_children(element)) for element in data.iterfind("KetQuaHocTap/MonHoc")
        ),
        summary=_summary(data.find("TongHop"), header.circular),
        certification=Certification(
            place=_text(certification, "NoiCap"),
            issued_on=date.fromisoformat(_text(certification, "NgayCap")),
            signer_title=SignerTitle(_text(certification, "ChucVuNguoiKy")),
        ),
        original=None if original is None else _original(_children(original)),
    )


Children = dict[str, str]
"""An element's child elements by tag, each with its text, as ``findtext`` reads them."""


def _children(parent: Any) -> Children:
    # One pass over the children instead of a path search per field (a subject has nine):
    # like ``findtext``, the first child of a tag counts, and an empty one reads as "".
    texts: Children = {}
    for child in parent.iterchildren(tag=etree.Element):
        texts.setdefault(child.tag, child.text or "")
    return texts


def _text(texts: Children, tag: str) -> str:
    text: str = texts.get(tag)  # type: ignore[assignment]  # the XSD requires it
    return text


def _optional(texts: Children, tag: str) -> str | None:
    return texts.get(tag)


def _original(texts: Children) -> ScannedOriginal:
    return ScannedOriginal(sha256=_text(texts, "SHA256"), file_name=_text(texts, "TenTep"))


def _header(element: Children) -> DocumentHeader:
    return DocumentHeader(
        transcript_id=_text(element, "MaHocBa"),
        version=int(_text(element, "PhienBan")),
        replaces=_optional(element, "ThayTheCho"),
        kind=TranscriptKind(_text(element, "LoaiHocBa")),
        school_year=_text(element, "NamHoc"),
        department_code=_text(element, "MaSoGD"),
        school_code=_text(element, "MaTruong"),
        school_name=_text(element, "TenTruong"),
        school_level=SchoolLevel(_text(element, "CapHoc")),
        grade=int(_text(element, "Khoi")),
        class_name=_text(element, "Lop"),
        circular=Circular(_text(element, "ThongTu")),
    )


def _student(element: Children) -> StudentDetails:
    return StudentDetails(
        personal_id=_text(element, "MaDinhDanh"),
        full_name=_text(element, "HoVaTen"),
        date_of_birth=date.fromisoformat(_text(element, "NgaySinh")),
        gender=Gender(_text(element, "GioiTinh")),
        ethnicity=_text(element, "DanToc"),
        nationality=_text(element, "QuocTich"),
        birthplace=_text(element, "NoiSinh"),
        father_name=_optional(element, "HoTenCha"),
        mother_name=_optional(element, "HoTenMe"),
        guardian_name=_optional(element, "HoTenNguoiGiamHo"),
    )


def _decoded(field: str, code: str, decode: Callable[[str], T]) -> T:
    try:
        return decode(code)
    except (KeyError, ValueError):
        raise InvalidDocumentError(field, f"{code!r} is not allowed here") from None


def _subject(element: Children) -> SubjectRecord:
    code = _text(element, "Ma")
    form = AssessmentForm(_text(element, "HinhThucDanhGia"))

    def mark(tag: str) -> Mark | None:
        text = _optional(element, tag)
        if text is None:
            return None
        if form is AssessmentForm.SCORE:
            return _decoded(f"subjects[{code}].{tag}", text, _score)
        return _decoded(f"subjects[{code}].{tag}", text, comment_from_xml)

    hk1 = mark("HK1")
    assert hk1 is not None  # the XSD requires HK1
    return SubjectRecord(
        code=code,
        name=_text(element, "Ten"),
        form=form,
        hk1=hk1,
        hk2=mark("HK2"),
        year=mark("CaNam"),
        retest=mark("DiemKiemTraLai"),
        comment=_optional(element, "NhanXet"),
        teacher=_text(element, "GiaoVien"),
    )


def _score(text: str) -> Decimal:
    if text in ("Đ", "CĐ"):
        raise ValueError(text)
    return Decimal(text)


def _levels(element: Children, field: str, scale: type[LevelCode]) -> TermLevels:
    def level(tag: str) -> LevelCode | None:
        text = _optional(element, tag)
        if text is None:
            return None
        return _decoded(f"{field}.{tag}", text, lambda code: level_from_xml(code, scale))

    hk1 = level("HK1")
    assert hk1 is not None  # the XSD requires HK1
    return TermLevels(
        hk1=hk1, hk2=level("HK2"), year=level("CaNam"), after_reassessment=level("SauDanhGiaLai")
    )


def _title(code: str, c22: bool) -> Title | Title58:
    if c22:
        return _decoded("summary.title", code, Title)
    return _decoded("summary.title", code, Title58)


def _summary(summary: Any, circular: Circular) -> Summary:
    c22 = circular is Circular.C22
    element = _children(summary)
    title = _optional(element, "DanhHieu")
    promoted = _optional(element, "DuocLenLop")
    return Summary(
        academic=_levels(
            _children(summary.find("HocTap")), "summary.academic", Level if c22 else Learning58
        ),
        conduct=_levels(
            _children(summary.find("RenLuyen")), "summary.conduct", Level if c22 else Conduct58
        ),
        absences=int(_text(element, "SoBuoiNghi")),
        promoted=None if promoted is None else promoted == "true",
        title=None if title is None else _title(title, c22),
        homeroom_comment=_text(element, "NhanXetGVCN"),
        awards=_optional(element, "KhenThuong"),
    )
