"""Renders share one font configuration and one parsed stylesheet per thread: no leftovers."""

from __future__ import annotations

import gc
import io
import subprocess
import threading
import unicodedata
from dataclasses import replace
from pathlib import Path

from pyhanko.pdf_utils.reader import PdfFileReader
from weasyprint.formatting_structure.boxes import Box

from domain.documents import TranscriptDocument
from tests.support.transcripts import annual_document, transfer_document
from workflow import _pdf
from workflow._pdf import render_pdf

VERIFY_URL = "https://hocba.example.vn/xac-thuc/3f2b8c1e-5d4a-4e7b-9a61-2c8d0f1e7a90"
OTHER_URL = "https://hocba.example.vn/xac-thuc/00000000-0000-4000-8000-000000000001"


def layout(pdf: bytes, tmp_path: Path) -> str:
    """Every word poppler finds with its box: equal strings mean the same layout."""
    source = tmp_path / "layout.pdf"
    source.write_bytes(pdf)
    out = subprocess.run(
        ["pdftotext", "-bbox", str(source), "-"], check=True, capture_output=True
    ).stdout
    return unicodedata.normalize("NFC", out.decode("utf-8"))


def other_document() -> TranscriptDocument:
    """A transfer record of another student: other name, other rows, other summary."""
    document = transfer_document()
    student = replace(document.student, full_name="Phạm Quốc Khánh", personal_id="079212000999")
    return replace(document, student=student)


def test_two_renders_in_one_process_give_the_same_layout(tmp_path: Path) -> None:
    first = render_pdf(annual_document(), verify_url=VERIFY_URL)
    second = render_pdf(annual_document(), verify_url=VERIFY_URL)
    assert layout(second, tmp_path) == layout(first, tmp_path)


def test_a_render_after_another_document_keeps_nothing_of_it(tmp_path: Path) -> None:
    before = render_pdf(annual_document(), verify_url=VERIFY_URL)
    other = render_pdf(other_document(), verify_url=OTHER_URL)
    after = render_pdf(annual_document(), verify_url=VERIFY_URL)
    assert layout(after, tmp_path) == layout(before, tmp_path)
    text = layout(after, tmp_path)
    assert "Khánh" not in text
    assert "000000000001" not in text
    assert "Khánh" in layout(other, tmp_path)


def test_the_stylesheet_is_parsed_once_per_thread_with_its_own_fonts() -> None:
    fonts = _pdf._fonts()
    sheet = fonts.stylesheet("transcript.css")
    render_pdf(annual_document(), verify_url=VERIFY_URL)
    assert fonts.stylesheet("transcript.css") is sheet
    seen: dict[str, object] = {}

    def in_a_thread() -> None:
        seen["config"] = _pdf._fonts().config
        seen["pdf"] = render_pdf(annual_document(), verify_url=VERIFY_URL)

    worker = threading.Thread(target=in_a_thread)
    worker.start()
    worker.join()
    # A Pango font map is not shared across threads: each thread has its configuration.
    assert seen["config"] is not fonts.config
    assert isinstance(seen["pdf"], bytes) and seen["pdf"].startswith(b"%PDF-")


def test_every_render_embeds_its_fonts() -> None:
    for _ in range(2):
        reader = PdfFileReader(io.BytesIO(render_pdf(annual_document(), verify_url=VERIFY_URL)))
        embedded = set()
        for page in reader.root["/Pages"]["/Kids"]:
            resources = page.get_object()["/Resources"]
            for reference in resources["/Font"].values():
                font = reference.get_object()
                for descendant in font.get("/DescendantFonts", []):
                    descriptor = descendant.get_object()["/FontDescriptor"]
                    if "/FontFile2" in descriptor:
                        embedded.add(str(descendant.get_object()["/BaseFont"]).split("+")[-1])
        assert {"HocBa-Sans", "HocBa-Sans-Bold"} <= embedded, embedded


def test_a_render_leaves_the_collector_as_it_found_it_and_its_garbage_freed() -> None:
    render_pdf(annual_document(), verify_url=VERIFY_URL)
    assert gc.isenabled()
    # Nothing of the render is left for a later full collection to find.
    assert not [o for o in gc.get_objects() if isinstance(o, Box)]
    gc.disable()
    try:
        render_pdf(annual_document(), verify_url=VERIFY_URL)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_renders_in_threads_at_once_leave_the_collector_running() -> None:
    errors: list[BaseException] = []

    def render() -> None:
        try:
            render_pdf(annual_document(), verify_url=VERIFY_URL)
        except BaseException as error:
            errors.append(error)

    workers = [threading.Thread(target=render) for _ in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    assert gc.isenabled()
    assert _pdf._GC_PAUSE.renders == 0
