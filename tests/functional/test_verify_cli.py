"""`hocba verify FILE [--json] [--trust-roots PEM]` (contracts.md), run as the real console command.

The command asks the live test PKI of this process (OCSP on 127.0.0.1) for revocation. It
reads the real clock (SystemClock), which only decides ``expired_now``: every certificate here
is valid until 2034, so no assertion depends on the date.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

from domain.documents import render_xml
from tests.support.live_pki import live_pki
from tests.support.tampering import edit, set_text
from tests.support.transcripts import annual_document, annual_slots, sign_all


@cache
def signed(role: str = "", label: str = "") -> bytes:
    pki = live_pki()
    signers = pki.with_signer(role, label) if role else pki.staff
    return sign_all(render_xml(annual_document()), signers, annual_slots())


def hocba(
    *arguments: str, cwd: Path, env: dict[str, str] | None = None, stdin: bytes | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the installed ``hocba`` script in ``cwd`` (no stray .env), with ``env`` added."""
    script = Path(sys.executable).with_name("hocba")
    command = (
        [str(script)]
        if script.exists()
        else [sys.executable, "-c", "from hocba.cli import main; main()"]
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith("HOCBA_")}
    completed = subprocess.run(
        [*command, *arguments],
        input=stdin,
        capture_output=True,
        timeout=120,
        check=False,
        cwd=cwd,
        env={**clean, **(env or {})},
    )
    return subprocess.CompletedProcess(
        completed.args,
        completed.returncode,
        completed.stdout.decode("utf-8"),
        completed.stderr.decode("utf-8"),
    )


@pytest.fixture
def roots(tmp_path: Path) -> str:
    return str(live_pki().write_root(tmp_path))


def write(tmp_path: Path, data: bytes, name: str = "hoc-ba.xml") -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def test_a_valid_transcript_exits_0_with_the_verdict_in_vietnamese(
    tmp_path: Path, roots: str
) -> None:
    result = hocba("verify", write(tmp_path, signed()), "--trust-roots", roots, cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert "Kết quả: hợp lệ (TOTAL_PASSED)" in result.stdout
    assert "Nguyễn Thị Ánh Dương (079*******01)" in result.stdout
    assert "Hiệu trưởng [HieuTruong]: Lê Hoàng Cường, ký lúc 2025-06-20 09:20:00+07:00" in (
        result.stdout
    )


def test_json_prints_the_report(tmp_path: Path, roots: str) -> None:
    result = hocba(
        "verify", write(tmp_path, signed()), "--json", "--trust-roots", roots, cwd=tmp_path
    )

    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["valid"] is True and report["format"] == "xml"
    assert {s["certificate"]["revocation"] for s in report["signatures"]} == {"good"}


def test_a_changed_grade_exits_1_with_the_reasons(tmp_path: Path, roots: str) -> None:
    xml = edit(signed(), set_text("DLHocBa/KetQuaHocTap/MonHoc[Ma='TOAN']/CaNam", "9.4"))

    result = hocba("verify", write(tmp_path, xml), "--trust-roots", roots, cwd=tmp_path)

    assert result.returncode == 1
    assert "Kết quả: không hợp lệ (TOTAL_FAILED)" in result.stdout
    assert "Nội dung đã bị thay đổi sau khi ký." in result.stdout


def test_an_indeterminate_transcript_exits_1_and_says_so(tmp_path: Path, roots: str) -> None:
    data = write(tmp_path, signed("gvcn", "unreachable"))

    result = hocba("verify", data, "--json", "--trust-roots", roots, cwd=tmp_path)
    human = hocba("verify", data, "--trust-roots", roots, cwd=tmp_path)

    assert result.returncode == 1 and json.loads(result.stdout)["indication"] == "INDETERMINATE"
    assert human.returncode == 1 and "Kết quả: chưa xác định" in human.stdout


@pytest.mark.parametrize("data", [b"", b"PK\x03\x04 not a transcript"])
def test_unusable_input_exits_2(tmp_path: Path, roots: str, data: bytes) -> None:
    result = hocba("verify", write(tmp_path, data), "--json", "--trust-roots", roots, cwd=tmp_path)

    assert result.returncode == 2
    assert json.loads(result.stdout)["format"] == "unknown"


def test_a_missing_file_or_unusable_trust_roots_exit_2(tmp_path: Path, roots: str) -> None:
    missing = hocba("verify", str(tmp_path / "nowhere.xml"), "--trust-roots", roots, cwd=tmp_path)
    bad_roots = hocba(
        "verify",
        write(tmp_path, signed()),
        "--trust-roots",
        write(tmp_path, b"not PEM", "roots.pem"),
        cwd=tmp_path,
    )
    no_roots = hocba("verify", write(tmp_path, signed()), cwd=tmp_path)

    assert (missing.returncode, bad_roots.returncode, no_roots.returncode) == (2, 2, 2)
    assert "cannot read" in missing.stderr
    assert "trust roots" in bad_roots.stderr
    assert "HOCBA_TRUST_ROOTS" in no_roots.stderr


def test_the_trust_roots_setting_and_stdin_are_used(tmp_path: Path, roots: str) -> None:
    result = hocba(
        "verify", "-", "--json", cwd=tmp_path, env={"HOCBA_TRUST_ROOTS": roots}, stdin=signed()
    )

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["valid"] is True


def test_demo_mode_trusts_the_demo_pkis_root(tmp_path: Path) -> None:
    (tmp_path / "pki").mkdir()
    live_pki().write_root(tmp_path / "pki").rename(tmp_path / "pki" / "root-ca.pem")
    env = {"HOCBA_DEMO": "true", "HOCBA_DATA_DIR": str(tmp_path)}

    result = hocba("verify", write(tmp_path, signed()), cwd=tmp_path, env=env)

    assert result.returncode == 0, result.stderr
