"""The printable transcript: the same ``TranscriptDocument`` the XML is made of, as an A4 PDF.

Jinja2 HTML (``templates/transcript.html.j2``) → WeasyPrint. Laid out like the paper học bạ:
page 1 the national header, the student and the subject table (running onto a second page
when long comments need it); the last page the year's result, the comments, the
certification and the signature boxes. The boxes sit at fixed positions of that last page
(``domain.signatures.SIGNATURE_BOXES``) so the PAdES step can create its visible fields
exactly over them.
Pure: no database, no clock — the verification URL is passed in.
"""

from __future__ import annotations

import gc
import threading
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Final

import segno
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

from domain.assessment import Title, Title58
from domain.documents import (
    LevelCode,
    Mark,
    SchoolLevel,
    TermLevels,
    TranscriptDocument,
    format_mark,
    xml_code,
)
from domain.model import TranscriptKind
from domain.signatures import KIND_INFO_KEY, add_signature_fields

# The layout moved to the domain; callers (and tests) still read it from here.
from domain.signatures import SIGNATURE_BOXES as SIGNATURE_BOXES  # noqa: PLC0414
from domain.signatures import SIGNATURE_PAGE as SIGNATURE_PAGE  # noqa: PLC0414

PAGE_WIDTH: Final = 595.28
"""A4 width in PDF points (210 mm)."""
PAGE_HEIGHT: Final = 841.89
"""A4 height in PDF points (297 mm)."""

_TEMPLATE: Final = "transcript.html.j2"

_PARSED_STYLESHEETS: Final = {_TEMPLATE: "transcript.css"}
"""Templates that link no stylesheet: theirs is parsed once per thread and passed in (as a
user stylesheet: it still beats the user agent's rules and loses to ``style=""`` as before)."""

_LEVEL_WORDS: Final = {
    "T": "Tốt",
    "K": "Khá",
    "Đ": "Đạt",
    "CĐ": "Chưa đạt",
    "G": "Giỏi",
    "TB": "Trung bình",
    "Y": "Yếu",
    "Kém": "Kém",
}
_TITLE_WORDS: Final[dict[Title | Title58, str]] = {
    Title.XUAT_SAC: "Học sinh Xuất sắc",
    Title.GIOI: "Học sinh Giỏi",
    Title58.HOC_SINH_GIOI: "Học sinh Giỏi",
    Title58.HOC_SINH_TIEN_TIEN: "Học sinh Tiên tiến",
}
_KIND_WORDS: Final = {
    TranscriptKind.CA_NAM: "Kết quả cả năm",
    TranscriptKind.CHUYEN_TRUONG: "Chuyển trường",
    TranscriptKind.SO_HOA: "Số hoá từ bản gốc",
}
_LEVEL_NAMES: Final = {
    SchoolLevel.THCS: "TRUNG HỌC CƠ SỞ",
    SchoolLevel.THPT: "TRUNG HỌC PHỔ THÔNG",
}


@dataclass(frozen=True, slots=True)
class BoxView:
    """One signature box as CSS needs it: points from the page's top-left corner."""

    name: str
    left: float
    top: float
    width: float
    height: float


@dataclass(frozen=True, slots=True)
class SubjectRow:
    """One line of the subject table, every cell already text."""

    name: str
    hk1: str
    hk2: str
    year: str
    retest: str
    teacher: str
    comment: str


@dataclass(frozen=True, slots=True)
class LevelRow:
    """The academic result or conduct across the year, as words."""

    label: str
    hk1: str
    hk2: str
    year: str
    after_reassessment: str


@dataclass(frozen=True, slots=True, kw_only=True)
class PdfContext:
    """Everything the template reads: strings (NFC) and boxes, nothing to compute."""

    school_name: str
    school_level: str
    department_code: str
    school_year: str
    grade: str
    class_name: str
    kind: str
    kind_code: str
    """``LoaiHocBa``, written into the document information (``KIND_INFO_KEY``): the PDF
    verifier reads from it which signatures the kind requires."""
    kind_key: str
    transcript_id: str
    version: str
    full_name: str
    personal_id: str
    date_of_birth: str
    gender: str
    ethnicity: str
    nationality: str
    birthplace: str
    father_name: str
    mother_name: str
    guardian_name: str
    subjects: tuple[SubjectRow, ...]
    levels: tuple[LevelRow, ...]
    absences: str
    promoted: str
    title: str
    awards: str
    homeroom_comment: str
    original: str
    """A digitised record's scanned paper original (file name and SHA-256); empty otherwise."""
    place_and_date: str
    signer_title: str
    boxes: tuple[BoxView, ...]
    qr_data_uri: str
    verify_url: str


def render_pdf(document: TranscriptDocument, *, verify_url: str) -> bytes:
    """The transcript as an A4 PDF (two pages, three with long comments) with a QR code
    opening ``verify_url``."""
    return render_template(_TEMPLATE, ctx=_context(document, verify_url))


def transcript_context(document: TranscriptDocument, *, verify_url: str) -> PdfContext:
    """What the transcript's two pages show (for a document that includes them)."""
    return _context(document, verify_url)


def render_template(template: str, **values: object) -> bytes:
    """Any template of ``templates/`` as a PDF, the document information from its ``meta``."""
    html = _environment().get_template(template).render(**values)
    fonts = _fonts()
    sheet = _PARSED_STYLESHEETS.get(template)
    with _collected_when_done():
        pdf: bytes = HTML(string=html, base_url=_base_url()).write_pdf(
            stylesheets=[fonts.stylesheet(sheet)] if sheet is not None else None,
            font_config=fonts.config,
            custom_metadata=True,
        )
    return pdf


def render_signable_pdf(document: TranscriptDocument, *, verify_url: str) -> bytes:
    """``render_pdf`` with every empty signature field added: the file the first signer signs."""
    return add_signature_fields(render_pdf(document, verify_url=verify_url))


@cache
def _templates_dir() -> Path:
    # The package is installed as plain files (never zipped), so this is a real directory;
    # WeasyPrint needs one as the base for the @font-face URLs.
    return Path(str(resources.files("templates")))


@cache
def _base_url() -> str:
    return _templates_dir().as_uri() + "/"


class _Fonts(threading.local):
    """One thread's WeasyPrint font configuration and the stylesheets parsed against it.

    A ``FontConfiguration`` loads Fontconfig's whole configuration and, from each stylesheet's
    @font-face, the shipped font files; Pango then caches the faces' glyphs and metrics in
    its font map. Made once, every render after the first skips all of that. Per thread,
    because a Pango font map must not be used by two threads at once.
    """

    def __init__(self) -> None:
        self.config = FontConfiguration()
        self._sheets: dict[str, CSS] = {}

    def stylesheet(self, name: str) -> CSS:
        """``templates/<name>`` parsed once, its @font-face fonts loaded into ``config``."""
        sheet = self._sheets.get(name)
        if sheet is None:
            sheet = CSS(
                filename=_templates_dir() / name, base_url=_base_url(), font_config=self.config
            )
            self._sheets[name] = sheet
        return sheet


@cache
def _fonts() -> _Fonts:
    return _Fonts()


class _GcPause:
    """How many renders run now, and whether the collector ran before the first began."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.renders = 0
        self.was_enabled = False


_GC_PAUSE: Final = _GcPause()


@contextmanager
def _collected_when_done() -> Iterator[None]:
    """Run a render with Python's cyclic collector paused, then collect its young objects.

    A render builds some hundred thousand objects in reference cycles (boxes and their
    parents) that live until it ends: the collector, running during the render, finds them
    all alive and promotes them to the oldest generation, where only full collections of the
    whole heap free them (a fifth of a render's CPU). Paused, they stay young and one
    collection of the youngest generation frees them at the end. The collector's state is
    process-wide: a count of running renders (under a lock, for threads) pauses it with the
    first and resumes it (if it was running) with the last.
    """
    with _GC_PAUSE.lock:
        if _GC_PAUSE.renders == 0:
            _GC_PAUSE.was_enabled = gc.isenabled()
            gc.disable()
        _GC_PAUSE.renders += 1
    try:
        yield
    finally:
        with _GC_PAUSE.lock:
            _GC_PAUSE.renders -= 1
            if _GC_PAUSE.renders == 0 and _GC_PAUSE.was_enabled:
                gc.enable()
        gc.collect(0)


@cache
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(_templates_dir()),
        autoescape=True,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )


def _nfc(text: str | None) -> str:
    # The fonts compose Vietnamese best from precomposed letters; input may be decomposed (NFD).
    return unicodedata.normalize("NFC", text) if text else ""


def _mark(mark: Mark | None) -> str:
    return format_mark(mark) if mark is not None else ""


def _level(level: LevelCode | None) -> str:
    return _LEVEL_WORDS[xml_code(level)] if level is not None else ""


def _level_row(label: str, levels: TermLevels) -> LevelRow:
    return LevelRow(
        label=label,
        hk1=_level(levels.hk1),
        hk2=_level(levels.hk2),
        year=_level(levels.year),
        after_reassessment=_level(levels.after_reassessment),
    )


def _box(name: str) -> BoxView:
    _page, x1, y1, x2, y2 = SIGNATURE_BOXES[name]
    # PDF space has its origin at the bottom left; CSS at the top left.
    return BoxView(name=name, left=x1, top=PAGE_HEIGHT - y2, width=x2 - x1, height=y2 - y1)


def _context(document: TranscriptDocument, verify_url: str) -> PdfContext:
    header, student, summary = document.header, document.student, document.summary
    issued = document.certification.issued_on
    promoted = {True: "Được lên lớp", False: "Không được lên lớp", None: ""}[summary.promoted]
    return PdfContext(
        school_name=_nfc(header.school_name),
        school_level=_LEVEL_NAMES[header.school_level],
        department_code=_nfc(header.department_code),
        school_year=header.school_year,
        grade=str(header.grade),
        class_name=_nfc(header.class_name),
        kind=_KIND_WORDS[header.kind],
        kind_code=header.kind.value,
        kind_key=KIND_INFO_KEY,
        transcript_id=header.transcript_id,
        version=str(header.version),
        full_name=_nfc(student.full_name),
        personal_id=student.personal_id,
        date_of_birth=student.date_of_birth.strftime("%d/%m/%Y"),
        gender=_nfc(student.gender.value),
        ethnicity=_nfc(student.ethnicity),
        nationality=_nfc(student.nationality),
        birthplace=_nfc(student.birthplace),
        father_name=_nfc(student.father_name),
        mother_name=_nfc(student.mother_name),
        guardian_name=_nfc(student.guardian_name),
        subjects=tuple(
            SubjectRow(
                name=_nfc(s.name),
                hk1=_mark(s.hk1),
                hk2=_mark(s.hk2),
                year=_mark(s.year),
                retest=_mark(s.retest),
                teacher=_nfc(s.teacher),
                comment=_nfc(s.comment),
            )
            for s in document.subjects
        ),
        levels=(
            _level_row("Kết quả học tập", summary.academic),
            _level_row("Kết quả rèn luyện", summary.conduct),
        ),
        absences=str(summary.absences),
        promoted=promoted,
        title=_TITLE_WORDS[summary.title] if summary.title is not None else "",
        awards=_nfc(summary.awards),
        homeroom_comment=_nfc(summary.homeroom_comment),
        original=(
            ""
            if document.original is None
            else _nfc(
                f"Số hoá từ học bạ giấy. Bản quét: {document.original.file_name} "
                f"(SHA-256: {document.original.sha256})"
            )
        ),
        place_and_date=_nfc(
            f"{document.certification.place}, ngày {issued.day} tháng {issued.month} "
            f"năm {issued.year}"
        ),
        signer_title=_nfc(document.certification.signer_title.value).upper(),
        boxes=tuple(_box(name) for name in SIGNATURE_BOXES),
        qr_data_uri=segno.make(verify_url, error="m").svg_data_uri(scale=4, border=2),
        verify_url=verify_url,
    )
