"""The certified paper copy as a PDF: every copied transcript's pages, then the certification.

Each transcript is printed from its signed XML (exactly what was signed), without the empty
signature boxes: a copy carries no signature of the original, so the certification page
lists them instead (who signed each slot, and when). That page says "SAO Y BẢN CHÍNH"
(a copy made from the original, Decree 30/2020/NĐ-CP), gives the copy's number, the place
and date, the principal's title and name, and the box of the school's seal: the copy's only
signature (field ``DonVi``), added by ``domain.signatures.add_seal_field``. The document
information names the kind ``BanSao``, so a verifier asks for the seal alone.
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Final

from pyhanko.pdf_utils.reader import PdfFileReader

from domain.documents import TranscriptDocument
from domain.signatures import COPY_KIND, KIND_INFO_KEY, add_seal_field
from workflow._pdf import PAGE_HEIGHT, BoxView, PdfContext, render_template, transcript_context

_TEMPLATE: Final = "certified_copy.html.j2"
SEAL_BOX: Final = (329.28, 300.0, 539.28, 420.0)
"""Where the seal goes on the certification page (x1, y1, x2, y2 in points, origin bottom
left): the principal's place, as on the transcript."""
PAGES_PER_TRANSCRIPT: Final = 2
"""Pages of one transcript in the copy, unless long comments need a third."""

_KIND_WORDS: Final = {"CaNam": "Cả năm", "ChuyenTruong": "Chuyển trường", "SoHoa": "Số hoá"}


@dataclass(frozen=True, slots=True)
class CopiedVersion:
    """One copied transcript version, as the certification page lists it."""

    document: TranscriptDocument
    """The signed XML's data."""
    xml_sha256: str
    """SHA-256 of the signed XML (the original)."""
    signatures: tuple[str, ...]
    """One line per signature of the original: who, in which role, when."""


@dataclass(frozen=True, slots=True)
class CopyLine:
    """One row of the certification page's table."""

    school_year: str
    class_name: str
    kind: str
    transcript_id: str
    version: str
    xml_sha256: str
    signatures: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class CopyContext:
    """Everything the copy's template reads."""

    full_name: str
    department_code: str
    school_name: str
    number: str
    statement: str
    lines: tuple[CopyLine, ...]
    pages: str
    place_and_date: str
    principal_name: str
    box: BoxView
    kind_key: str
    kind_code: str
    transcripts: tuple[PdfContext, ...]


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def render_certified_copy(
    versions: Sequence[CopiedVersion],
    *,
    number: str,
    place: str,
    certified_on: date,
    principal_name: str,
    verify_url: Callable[[str], str],
) -> tuple[bytes, int]:
    """The copy with the seal's empty field; returns the PDF and the seal's page (0-based)."""
    first = versions[0].document
    x1, y1, x2, y2 = SEAL_BOX
    pages = PAGES_PER_TRANSCRIPT * len(versions) + 1
    context = CopyContext(
        full_name=_nfc(first.student.full_name),
        department_code=first.header.department_code,
        school_name=_nfc(first.header.school_name),
        number=number,
        statement=_nfc(
            f"Bản sao này được in từ học bạ số (bản điện tử đã ký số) của học sinh "
            f"{first.student.full_name}, mã định danh {first.student.personal_id}, "
            f"lưu tại {first.header.school_name}. Nhà trường xác nhận bản sao đúng với bản chính."
        ),
        lines=tuple(
            CopyLine(
                school_year=v.document.header.school_year,
                class_name=_nfc(v.document.header.class_name),
                kind=_KIND_WORDS.get(v.document.header.kind.value, v.document.header.kind.value),
                transcript_id=v.document.header.transcript_id,
                version=str(v.document.header.version),
                xml_sha256=v.xml_sha256,
                signatures=tuple(_nfc(line) for line in v.signatures),
            )
            for v in versions
        ),
        pages=str(pages),
        place_and_date=_nfc(
            f"{place}, ngày {certified_on.day} tháng {certified_on.month} năm {certified_on.year}"
        ),
        principal_name=_nfc(principal_name),
        box=BoxView(name="DonVi", left=x1, top=PAGE_HEIGHT - y2, width=x2 - x1, height=y2 - y1),
        kind_key=KIND_INFO_KEY,
        kind_code=COPY_KIND,
        transcripts=tuple(
            # A copy shows no empty signature box: the originals' signatures are listed.
            replace(
                transcript_context(
                    v.document, verify_url=verify_url(v.document.header.transcript_id)
                ),
                boxes=(),
            )
            for v in versions
        ),
    )
    pdf = render_template(_TEMPLATE, copy=context)
    counted = page_count(pdf)
    if counted != pages:
        # A transcript whose long comments run its subject table onto another page: the
        # certification states how many pages the copy has, so it is printed again with
        # the count (the number's width does not move a page break).
        pdf = render_template(_TEMPLATE, copy=replace(context, pages=str(counted)))
    page = counted - 1
    return add_seal_field(pdf, page=page, box=SEAL_BOX), page


def page_count(pdf: bytes) -> int:
    """How many pages ``pdf`` has (its page tree's count)."""
    count = PdfFileReader(io.BytesIO(pdf)).root["/Pages"]["/Count"]
    return int(count)
