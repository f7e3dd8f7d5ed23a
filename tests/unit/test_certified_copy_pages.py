"""The certified copy counts its pages from what was printed: a transcript whose long
comments run its subject table onto another page makes the copy longer, the certification
says so, and the seal's field is on the certification page, the last."""

from __future__ import annotations

import io
import subprocess
from dataclasses import replace
from datetime import date
from pathlib import Path

from pyhanko.pdf_utils.reader import PdfFileReader

from bench.signing import full_document
from domain.documents import TranscriptDocument
from workflow._certified_copy_pdf import CopiedVersion, page_count, render_certified_copy

LONG_COMMENT = (
    "Học tập chăm chỉ, có tiến bộ rõ rệt trong học kì II; cần phát huy thêm tinh thần tự "
    "học và mạnh dạn phát biểu xây dựng bài."
)


def _copy(*documents: TranscriptDocument) -> tuple[bytes, int]:
    versions = [
        CopiedVersion(document=d, xml_sha256="ab" * 32, signatures=("GVCN: Nguyễn Văn An",))
        for d in documents
    ]
    return render_certified_copy(
        versions,
        number="12/SY-HB",
        place="Thành phố Hồ Chí Minh",
        certified_on=date(2026, 7, 1),
        principal_name="Lê Hoàng Cường",
        verify_url=lambda transcript_id: f"https://hocba.example/xac-thuc/{transcript_id}",
    )


def _seal_page(pdf: bytes) -> int:
    reader = PdfFileReader(io.BytesIO(pdf))
    kids = [ref.reference for ref in reader.root["/Pages"]["/Kids"]]
    (field,) = [f.get_object() for f in reader.root["/AcroForm"]["/Fields"]]
    return kids.index(field.raw_get("/P").reference)


def test_a_copy_of_two_plain_transcripts_has_five_pages_and_the_seal_on_the_fifth() -> None:
    pdf, page = _copy(full_document(), full_document())

    assert page_count(pdf) == 5
    assert page == _seal_page(pdf) == 4


def test_a_transcript_with_long_comments_makes_the_copy_longer_and_the_certification_says_so(
    tmp_path: Path,
) -> None:
    plain = full_document()
    long = replace(plain, subjects=tuple(replace(s, comment=LONG_COMMENT) for s in plain.subjects))

    pdf, page = _copy(long, plain)

    assert page_count(pdf) == 6
    assert page == _seal_page(pdf) == 5
    path = tmp_path / "copy.pdf"
    path.write_bytes(pdf)
    last = subprocess.run(
        ["pdftotext", "-f", "6", "-l", "6", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "Số trang của bản sao: 6 (kể cả trang này)." in " ".join(last.split())
