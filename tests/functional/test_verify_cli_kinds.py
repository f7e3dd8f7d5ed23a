"""`hocba verify` asks a PDF for the signatures of its kind: a transfer (ChuyenTruong) or
digitised (SoHoa) record signed by the principal and sealed is valid (exit 0); an annual
record without the homeroom teacher's signature is not (exit 1)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.cli import hocba
from tests.support.kind_pdfs import digitised_document, principal_and_seal
from tests.support.live_pki import live_pki
from tests.support.transcripts import annual_document, transfer_document


@pytest.fixture
def roots(tmp_path: Path) -> str:
    return str(live_pki().write_root(tmp_path))


@pytest.mark.parametrize(
    ("document", "code", "verdict"),
    [
        (transfer_document, 0, "Kết quả: hợp lệ"),
        (digitised_document, 0, "Kết quả: hợp lệ"),
        (annual_document, 1, "Kết quả: không hợp lệ"),
    ],
)
def test_the_pdf_of_each_kind_needs_the_signatures_of_its_kind(
    tmp_path: Path, roots: str, document: object, code: int, verdict: str
) -> None:
    path = tmp_path / "hoc-ba.pdf"
    path.write_bytes(principal_and_seal(document()))  # type: ignore[operator]

    result = hocba("verify", str(path), "--trust-roots", roots, cwd=tmp_path)

    assert result.returncode == code, result.stdout + result.stderr
    assert verdict in result.stdout
