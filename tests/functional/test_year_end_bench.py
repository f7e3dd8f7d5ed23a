"""The year-end benchmark's core closes a tiny school end to end, so the benchmark cannot rot.

One class of three students, one worker process: the school and its tracking book written
through the use cases, then the close (review, build, every signing session with the demo
PKI's soft keys, finalize) as ``bench/year_end.py`` runs it on 2,000 students.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import Engine

from bench._year_end_school import Shape
from bench.year_end import build_school, close_school, report

SUBJECTS = 12
PDF_STEPS = 3


def test_the_benchmark_closes_a_class_of_three_with_one_worker_and_counts_its_rsa_operations(
    engine: Engine, tmp_path: Path
) -> None:
    url = engine.url.render_as_string(hide_password=False)
    shape = Shape(students=3, class_size=3)
    build_school(url, shape, tmp_path / "pki", log=lambda _: None)

    figures = close_school(url, shape, tmp_path / "pki", workers=1)

    assert figures.transcripts == 3
    assert figures.count("rsa_client_xml") == 3 * (SUBJECTS + PDF_STEPS)
    assert figures.count("rsa_client_pdf") == 3 * PDF_STEPS
    assert figures.count("rsa_tsa") == 3 * PDF_STEPS
    assert figures.count("pdf_render") == 3
    lines = report(figures, unit_ms=0.5, cores=2)
    assert lines[0].startswith("1 worker(s): 3 transcripts")
    assert set(figures.phases) == {
        "review",
        "build",
        "XML signatures",
        "PDF render",
        "PDF signatures",
        "finalize",
    }
