"""The printable transcript: rendered from the document model, A4, Vietnamese, boxes in place."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import unicodedata
from functools import cache
from pathlib import Path

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader

from domain.documents import format_mark
from tests.support.transcripts import annual_document
from workflow._pdf import PAGE_HEIGHT, SIGNATURE_BOXES, SIGNATURE_PAGE, render_pdf

VERIFY_URL = "https://hocba.example.vn/xac-thuc/3f2b8c1e-5d4a-4e7b-9a61-2c8d0f1e7a90"


def test_poppler_is_installed_as_the_independent_reader() -> None:
    # `make test` installs it (.ci/debian-packages.txt); a missing reader fails, never skips.
    assert shutil.which("pdftotext") is not None, "poppler-utils is missing: make system-packages"


@cache
def rendered() -> bytes:
    """The sample annual record rendered once per process (a render takes about a second)."""
    return render_pdf(annual_document(), verify_url=VERIFY_URL)


def pdftotext(pdf: bytes, tmp_path: Path, *args: str) -> str:
    """The text poppler extracts from ``pdf``, NFC (the test strings are NFC)."""
    source = tmp_path / "transcript.pdf"
    source.write_bytes(pdf)
    out = subprocess.run(
        ["pdftotext", *args, str(source), "-"], check=True, capture_output=True
    ).stdout
    return unicodedata.normalize("NFC", out.decode("utf-8"))


def test_is_a_pdf_of_one_or_two_a4_pages() -> None:
    pdf = rendered()
    assert pdf.startswith(b"%PDF-")
    reader = PdfFileReader(io.BytesIO(pdf))
    count = int(reader.root["/Pages"]["/Count"])
    assert count in (1, 2)
    # WeasyPrint writes a flat page tree: every kid is a page.
    kids = reader.root["/Pages"]["/Kids"]
    assert len(kids) == count
    for kid in kids:
        _x0, _y0, width, height = (float(v) for v in kid.get_object()["/MediaBox"])
        assert width == pytest.approx(595.28, abs=0.5)
        assert height == pytest.approx(841.89, abs=0.5)


def test_text_holds_the_header_the_student_and_every_subject(tmp_path: Path) -> None:
    document = annual_document()
    text = pdftotext(rendered(), tmp_path, "-layout")
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Độc lập - Tự do - Hạnh phúc" in text
    assert document.student.full_name in text
    assert document.header.school_name in text
    assert document.summary.homeroom_comment in text
    assert VERIFY_URL in text
    lines = text.splitlines()
    for subject in document.subjects:
        assert subject.year is not None
        row = next(line for line in lines if subject.name in line)
        assert format_mark(subject.year) in row.split()


def test_pages_are_counted_by_poppler_too(tmp_path: Path) -> None:
    text = pdftotext(rendered(), tmp_path)
    assert text.count("\f") in (1, 2)


def test_donvi_is_the_left_third_of_hieutruong() -> None:
    page, x1, y1, x2, y2 = SIGNATURE_BOXES["HieuTruong"]
    assert SIGNATURE_BOXES["DonVi"] == pytest.approx((page, x1, y1, x1 + (x2 - x1) / 3, y2))
    assert SIGNATURE_BOXES["GVCN"][0] == page == SIGNATURE_PAGE


def test_boxes_lie_on_the_page_and_do_not_overlap_except_donvi() -> None:
    for _page, x1, y1, x2, y2 in SIGNATURE_BOXES.values():
        assert 0 <= x1 < x2 <= 595.28
        assert 0 <= y1 < y2 <= PAGE_HEIGHT
    assert SIGNATURE_BOXES["GVCN"][3] < SIGNATURE_BOXES["HieuTruong"][1]


def test_each_box_is_drawn_where_its_field_will_be(tmp_path: Path) -> None:
    # The field name printed inside each box must fall inside that box's geometry.
    html = pdftotext(rendered(), tmp_path, "-bbox")
    pages = html.split("<page ")[1:]
    words = re.findall(
        r'<word xMin="([0-9.]+)" yMin="([0-9.]+)" xMax="([0-9.]+)" yMax="([0-9.]+)">([^<]*)</word>',
        pages[SIGNATURE_PAGE],
    )
    found = {name: (float(a), float(b), float(c), float(d)) for a, b, c, d, name in words}
    for name, (_page, x1, y1, x2, y2) in SIGNATURE_BOXES.items():
        wx1, wy1, wx2, wy2 = found[name]
        # pdftotext measures from the top; the boxes from the bottom.
        assert x1 <= wx1 and wx2 <= x2, name
        assert PAGE_HEIGHT - y2 <= wy1 and wy2 <= PAGE_HEIGHT - y1, name


def test_rendering_twice_gives_the_same_text(tmp_path: Path) -> None:
    again = render_pdf(annual_document(), verify_url=VERIFY_URL)
    assert pdftotext(again, tmp_path) == pdftotext(rendered(), tmp_path)


def test_decomposed_input_is_printed_composed(tmp_path: Path) -> None:
    document = annual_document()
    nfd = unicodedata.normalize("NFD", "Trần Thị Ngọc Ánh")
    student = type(document.student)(
        **{
            **{f: getattr(document.student, f) for f in document.student.__slots__},
            "full_name": nfd,
        }
    )
    pdf = render_pdf(annual_document(student=student), verify_url=VERIFY_URL)
    assert "Trần Thị Ngọc Ánh" in pdftotext(pdf, tmp_path)
