"""The signature fields: created in one update before any signature, at the REQ-11 boxes."""

from __future__ import annotations

import io
import re
from dataclasses import replace

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader

from bench.signing import full_document
from domain.signatures import (
    FIELD_NAMES,
    SIGNATURE_BOXES,
    PdfUnreadableError,
    add_signature_fields,
)
from tests.support.pdfs import VERIFY_URL, signed_three, unsigned_pdf
from tests.support.transcripts import annual_document
from workflow._pdf import render_pdf


def _fields(pdf: bytes) -> dict[str, tuple[int, tuple[float, ...]]]:
    reader = PdfFileReader(io.BytesIO(pdf))
    pages = [ref.reference for ref in reader.root["/Pages"]["/Kids"]]
    found = {}
    for field_ref in reader.root["/AcroForm"]["/Fields"]:
        field = field_ref.get_object()
        page = pages.index(field.raw_get("/P").reference)
        found[str(field["/T"])] = (page, tuple(float(v) for v in field["/Rect"]))
    return found


def test_all_three_fields_are_added_in_one_incremental_update() -> None:
    bare = render_pdf(annual_document(), verify_url=VERIFY_URL)
    with_fields = add_signature_fields(bare)
    assert with_fields.startswith(bare)
    revisions = PdfFileReader(io.BytesIO(with_fields)).xrefs.total_revisions
    assert revisions == PdfFileReader(io.BytesIO(bare)).xrefs.total_revisions + 1
    assert set(_fields(with_fields)) == set(FIELD_NAMES)


def test_donvi_is_the_left_third_of_hieutruong_on_the_last_page_read_back_from_the_pdf() -> None:
    fields = _fields(signed_three())
    page, (x1, y1, x2, y2) = fields["HieuTruong"]
    assert page == 1  # the second and last page
    donvi_page, donvi = fields["DonVi"]
    assert donvi_page == page
    assert donvi == pytest.approx((x1, y1, x1 + (x2 - x1) / 3, y2), abs=0.01)
    gvcn_page, gvcn = fields["GVCN"]
    assert gvcn_page == page
    assert gvcn == pytest.approx(SIGNATURE_BOXES["GVCN"][1:], abs=0.01)


def test_the_fields_go_on_the_signature_sheet_when_long_comments_push_it_to_a_third_page() -> None:
    document = full_document()  # the twelve subjects of grade 6
    comment = (
        "Học tập chăm chỉ, có tiến bộ rõ rệt trong học kì II; cần phát huy thêm tinh thần tự "
        "học và mạnh dạn phát biểu xây dựng bài."
    )
    long = replace(document, subjects=tuple(replace(s, comment=comment) for s in document.subjects))
    with_fields = add_signature_fields(render_pdf(long, verify_url=VERIFY_URL))

    pages = len(PdfFileReader(io.BytesIO(with_fields)).root["/Pages"]["/Kids"])
    assert pages == 3
    assert {page for page, _ in _fields(with_fields).values()} == {pages - 1}


def test_fields_cannot_be_added_twice() -> None:
    with pytest.raises(PdfUnreadableError):
        add_signature_fields(unsigned_pdf())


def test_bytes_that_are_not_a_pdf_get_no_fields() -> None:
    with pytest.raises(PdfUnreadableError):
        add_signature_fields(b"%PDF-1.7 not really")


def _actual_text(stream: bytes) -> list[str]:
    """The ``/ActualText`` strings pyHanko marks each stamp line with, decoded."""
    escapes = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}

    def unescape(match: re.Match[bytes]) -> bytes:
        code = match.group(1)
        if code[:1].isdigit():
            return bytes([int(code, 8)])
        return escapes.get(code, code)

    texts = []
    for raw in re.findall(rb"/ActualText \(((?:\\.|[^\\)])*)\)", stream, flags=re.S):
        data = re.sub(rb"\\([0-7]{1,3}|.)", unescape, raw, flags=re.S)
        # pyHanko writes UTF-16 with a BOM, or PDFDocEncoding (Latin-1 for these letters)
        texts.append(
            data[2:].decode("utf-16-be") if data[:2] == b"\xfe\xff" else data.decode("latin-1")
        )
    return texts


def test_each_stamp_shows_who_signed_in_what_role_and_when_in_vietnamese() -> None:
    reader = PdfFileReader(io.BytesIO(signed_three()))
    shown = {}
    for field_ref in reader.root["/AcroForm"]["/Fields"]:
        field = field_ref.get_object()
        shown[str(field["/T"])] = _actual_text(field["/AP"]["/N"].get_object().data)
    assert shown["GVCN"] == [
        "Ký bởi: Trần Thị Bình",
        "Giáo viên chủ nhiệm",
        "Ngày ký: 20/06/2025 09:15",
    ]
    assert shown["HieuTruong"] == [
        "Ký bởi: Lê Hoàng Cường",
        "Hiệu trưởng",
        "Ngày ký: 20/06/2025 09:16",
    ]
    assert shown["DonVi"][0] == "Ký bởi: Trường THCS, THPT Phan Châu Trinh"
