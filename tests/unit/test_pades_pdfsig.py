"""poppler's pdfsig, an independent verifier, accepts every signature the project makes.

pdfsig checks certificates against an NSS database; these machines have no NSS tools
(certutil) to build one, so it runs with ``-nocert``: it checks the ByteRange digest and the
CMS signature, and our own verifier checks the chains (test_pades_signing).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from tests.support.pdfs import signed_three, signed_three_timestamped


def pdfsig(pdf: bytes, tmp_path: Path) -> str:
    """pdfsig's report on ``pdf``."""
    path = tmp_path / "signed.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdfsig", "-nocert", str(path)], check=True, capture_output=True, text=True
    ).stdout


def test_pdfsig_is_installed() -> None:
    assert shutil.which("pdfsig") is not None, "poppler-utils is missing: make system-packages"


def test_pdfsig_lists_the_three_fields_and_finds_each_signature_valid(tmp_path: Path) -> None:
    report = pdfsig(signed_three(), tmp_path)
    assert report.count("Signature Validation: Signature is Valid.") == 3, report
    for field in ("GVCN", "HieuTruong", "DonVi"):
        assert f"Signature Field Name: {field}" in report
    assert "Signer Certificate Common Name: Lê Hoàng Cường" in report
    assert report.count("Signature Type: ETSI.CAdES.detached") == 3
    assert "Total document signed" in report  # the seal covers the whole file


def test_pdfsig_accepts_the_timestamped_signatures_and_the_seal_with_validation_data(
    tmp_path: Path,
) -> None:
    report = pdfsig(signed_three_timestamped(), tmp_path)
    assert report.count("Signature Validation: Signature is Valid.") == 3, report
