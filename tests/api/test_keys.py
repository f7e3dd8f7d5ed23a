"""The token secret: required outside demo mode, generated once and kept in demo mode."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from api import SecretKeyError
from api._keys import token_secret
from hocba.cli import main
from workflow import Settings


def test_outside_demo_mode_a_missing_secret_stops_the_start(tmp_path: Path) -> None:
    with pytest.raises(SecretKeyError, match="HOCBA_SECRET_KEY"):
        token_secret(Settings(data_dir=tmp_path, demo=False, secret_key=None))


def test_a_short_secret_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SecretKeyError, match="at least 32"):
        token_secret(Settings(data_dir=tmp_path, secret_key="kurz"))


def test_a_configured_secret_is_used_as_it_is(tmp_path: Path) -> None:
    secret = "s" * 40
    assert token_secret(Settings(data_dir=tmp_path, secret_key=secret)) == secret
    assert not (tmp_path / "secret_key").exists()


def test_demo_mode_generates_a_private_secret_once_and_keeps_it(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "var", demo=True, secret_key=None)
    first = token_secret(settings)
    kept = tmp_path / "var" / "secret_key"
    assert len(first) >= 32
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert token_secret(settings) == first
    assert token_secret(Settings(data_dir=tmp_path / "other", demo=True)) != first


def test_serve_without_a_secret_outside_demo_mode_exits_2_and_says_what_to_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOCBA_DATABASE_URL", f"sqlite:///{tmp_path / 'hocba.db'}")
    monkeypatch.setenv("HOCBA_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("HOCBA_SCHEDULER", "off")
    monkeypatch.delenv("HOCBA_SECRET_KEY", raising=False)
    monkeypatch.delenv("HOCBA_DEMO", raising=False)
    result = CliRunner().invoke(main, ["serve", "--port", "1"])
    assert result.exit_code == 2
    assert "HOCBA_SECRET_KEY" in result.output
