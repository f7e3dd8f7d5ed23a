"""The PDF signing options the settings describe: public URL, timestamp authority, trust roots."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import Encoding

from domain.signatures import PadesLevel
from tests.support.demo_pki import demo_pki
from workflow import PdfSigningSetupError, Settings, pdf_signing_options


def test_without_a_tsa_or_trust_roots_every_field_is_signed_at_b_b(tmp_path: Path) -> None:
    options = pdf_signing_options(Settings(data_dir=tmp_path))
    assert options.timestamper is None and options.trust_roots == ()
    assert {options.level(f) for f in ("GVCN", "HieuTruong", "DonVi")} == {PadesLevel.B_B}
    assert options.verify_url("abc") == "http://127.0.0.1:8000/xac-thuc?ma=abc"


def test_a_tsa_and_a_trust_bundle_make_b_t_and_the_seal_b_lt(tmp_path: Path) -> None:
    bundle = tmp_path / "roots.pem"
    bundle.write_bytes(demo_pki().root.public_bytes(Encoding.PEM))
    settings = Settings(
        data_dir=tmp_path,
        public_url="https://hocba.example.vn/",
        tsa_url="http://tsa.example.vn",
        trust_roots=bundle,
    )
    options = pdf_signing_options(settings)
    assert options.trust_roots == (demo_pki().root,)
    assert options.level("GVCN") is options.level("HieuTruong") is PadesLevel.B_T
    assert options.level("DonVi") is PadesLevel.B_LT
    assert options.verify_url("abc") == "https://hocba.example.vn/xac-thuc?ma=abc"


def test_in_demo_mode_the_demo_pki_stamps_and_is_trusted(tmp_path: Path) -> None:
    pki = demo_pki()
    options = pdf_signing_options(Settings(data_dir=pki.directory.parent, demo=True))
    assert options.trust_roots == (pki.root,)
    assert options.timestamper is not None
    assert options.level("DonVi") is PadesLevel.B_LT


def test_an_unreadable_trust_bundle_is_refused_with_its_path(tmp_path: Path) -> None:
    bundle = tmp_path / "roots.pem"
    bundle.write_text("not a certificate")
    with pytest.raises(PdfSigningSetupError) as raised:
        pdf_signing_options(Settings(data_dir=tmp_path, trust_roots=bundle))
    assert raised.value.path == bundle
