"""The unsigned XML document: ``HocBa`` with ``DLHocBa`` and an empty ``DSCKS``."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from lxml import etree  # type: ignore[import-untyped]

from domain.assessment import Comment
from domain.documents._document import TranscriptDocument
from domain.documents._errors import InvalidDocumentError
from domain.documents._model import (
    DocumentHeader,
    Mark,
    StudentDetails,
    SubjectRecord,
    Summary,
    TermLevels,
)
from domain.documents._schema import validate_tree
from domain.documents._slots import Slot, default_layout, layout_problem
from domain.documents._vocabulary import FORMAT_VERSION, xml_code
from domain.model import SlotKind


def render_xml(document: TranscriptDocument, *, slots: Sequence[Slot] | None = None) -> bytes:
    """The unsigned ``HocBa`` document for ``document``: UTF-8, NFC text, indented by two spaces.

    ``slots`` lays out ``DSCKS``; by default the slots the kind requires (``default_layout``).
    A ChuyenTruong or SoHoa record may add a GVBM slot for each subject whose teacher signs.
    Raises InvalidDocumentError when the layout does not fit the kind, or when the XSD refuses
    the result (a name too long, …): no invalid document ever leaves this function.
    """
    codes = [subject.code for subject in document.subjects]
    layout = tuple(slots) if slots is not None else default_layout(document.header.kind, codes)
    problem = layout_problem(document.header.kind, codes, layout)
    if problem is not None:
        raise InvalidDocumentError("slots", problem)
    root = etree.Element("HocBa", PhienBanDinhDang=FORMAT_VERSION)
    data = etree.SubElement(root, "DLHocBa", Id="DLHocBa")
    _header(data, document.header)
    _student(data, document.student)
    results = etree.SubElement(data, "KetQuaHocTap")
    for subject in document.subjects:
        _subject(results, subject)
    _summary(data, document.summary)
    if document.original is not None:
        original = etree.SubElement(data, "BanGoc")
        _leaf(original, "SHA256", document.original.sha256)
        _leaf(original, "TenTep", document.original.file_name)
    certification = etree.SubElement(data, "XacNhan")
    _leaf(certification, "NoiCap", document.certification.place)
    _leaf(certification, "NgayCap", document.certification.issued_on.isoformat())
    _leaf(certification, "ChucVuNguoiKy", document.certification.signer_title.value)
    signatures = etree.SubElement(root, "DSCKS")
    for slot in layout:
        element = etree.SubElement(signatures, slot.kind.value)
        if slot.kind is SlotKind.GVBM:
            element.set("Mon", slot.subject)
    etree.indent(root, space="  ")
    violations = validate_tree(root.getroottree())
    if violations:
        raise InvalidDocumentError("xsd", str(violations[0]))
    xml: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    return xml + b"\n"


def _leaf(parent: Any, tag: str, text: str) -> None:
    element = etree.SubElement(parent, tag)
    element.text = unicodedata.normalize("NFC", text)


def _optional(parent: Any, tag: str, text: str | None) -> None:
    if text is not None:
        _leaf(parent, tag, text)


def _header(parent: Any, header: DocumentHeader) -> None:
    element = etree.SubElement(parent, "TTChung", Id="TTChung")
    _leaf(element, "MaHocBa", header.transcript_id)
    _leaf(element, "PhienBan", str(header.version))
    _optional(element, "ThayTheCho", header.replaces)
    _leaf(element, "LoaiHocBa", header.kind.value)
    _leaf(element, "NamHoc", header.school_year)
    _leaf(element, "MaSoGD", header.department_code)
    _leaf(element, "MaTruong", header.school_code)
    _leaf(element, "TenTruong", header.school_name)
    _leaf(element, "CapHoc", header.school_level.value)
    _leaf(element, "Khoi", str(header.grade))
    _leaf(element, "Lop", header.class_name)
    _leaf(element, "ThongTu", header.circular.value)


def _student(parent: Any, student: StudentDetails) -> None:
    element = etree.SubElement(parent, "HocSinh")
    _leaf(element, "MaDinhDanh", student.personal_id)
    _leaf(element, "HoVaTen", student.full_name)
    _leaf(element, "NgaySinh", student.date_of_birth.isoformat())
    _leaf(element, "GioiTinh", student.gender.value)
    _leaf(element, "DanToc", student.ethnicity)
    _leaf(element, "QuocTich", student.nationality)
    _leaf(element, "NoiSinh", student.birthplace)
    _optional(element, "HoTenCha", student.father_name)
    _optional(element, "HoTenMe", student.mother_name)
    _optional(element, "HoTenNguoiGiamHo", student.guardian_name)


def format_mark(mark: Mark) -> str:
    """A score with exactly one decimal (``8.4``, ``10.0``), a comment result as ``Đ``/``CĐ``."""
    if isinstance(mark, Comment):
        return xml_code(mark)
    return f"{mark.quantize(Decimal('0.1')):.1f}"


def _subject(parent: Any, subject: SubjectRecord) -> None:
    element = etree.SubElement(parent, "MonHoc", Id=f"MH-{subject.code}")
    _leaf(element, "Ma", subject.code)
    _leaf(element, "Ten", subject.name)
    _leaf(element, "HinhThucDanhGia", subject.form.value)
    for tag, mark in (
        ("HK1", subject.hk1),
        ("HK2", subject.hk2),
        ("CaNam", subject.year),
        ("DiemKiemTraLai", subject.retest),
    ):
        if mark is not None:
            _leaf(element, tag, format_mark(mark))
    _optional(element, "NhanXet", subject.comment)
    _leaf(element, "GiaoVien", subject.teacher)


def _levels(parent: Any, tag: str, levels: TermLevels) -> None:
    element = etree.SubElement(parent, tag)
    for child, level in (
        ("HK1", levels.hk1),
        ("HK2", levels.hk2),
        ("CaNam", levels.year),
        ("SauDanhGiaLai", levels.after_reassessment),
    ):
        if level is not None:
            _leaf(element, child, xml_code(level))


def _summary(parent: Any, summary: Summary) -> None:
    element = etree.SubElement(parent, "TongHop")
    _levels(element, "HocTap", summary.academic)
    _levels(element, "RenLuyen", summary.conduct)
    _leaf(element, "SoBuoiNghi", str(summary.absences))
    if summary.promoted is not None:
        _leaf(element, "DuocLenLop", "true" if summary.promoted else "false")
    _optional(element, "DanhHieu", None if summary.title is None else summary.title.value)
    _leaf(element, "NhanXetGVCN", summary.homeroom_comment)
    _optional(element, "KhenThuong", summary.awards)
