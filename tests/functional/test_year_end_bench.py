"""The year-end benchmark's core closes a tiny school end to end, so the benchmark cannot rot.

One class of three students, one worker process: the school and its tracking book written
through the use cases, then the close (review, build, every signing session with the demo
PKI's soft keys, finalize) as ``bench/year_end.py`` runs it on 2,000 students.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from bench._year_end_school import Shape
from bench.year_end import build_school, close_school, report

SUBJECTS = 12
PDF_STEPS = 3


@pytest.fixture(scope="module")
def pki_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One demo PKI for both backends: its keys are issued by the first test, read by the next."""
    return tmp_path_factory.mktemp("year-end") / "pki"


def test_the_benchmark_closes_a_class_of_three_with_one_worker_and_counts_its_rsa_operations(
    engine: Engine, pki_dir: Path
) -> None:
    url = engine.url.render_as_string(hide_password=False)
    shape = Shape(students=3, class_size=3)
    build_school(url, shape, pki_dir, log=lambda _: None)

    figures = close_school(url, shape, pki_dir, workers=1)

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
