"""``hocba seal-copy`` against a real server: the clerk seals a certified paper copy with the
school's organisation certificate from a PKCS#12 file; only the signature value travels."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from api import create_app
from domain.model import Transcript
from tests.api.conftest import SettableClock, set_password, settings
from tests.functional.test_sign_client import p12_file, real_server, sign_client
from tests.support.digitisation import issued_paper_world
from tests.support.signing import personal_key, seal_key
from tests.support.transfers import SIGNED
from tests.support.world import World


@pytest.fixture
def world(engine: Engine) -> World:
    world = issued_paper_world(engine)
    set_password(world, "vanthu")
    return world


@pytest.fixture
def server(world: World) -> Iterator[str]:
    app = create_app(settings=settings(), engine=world.engine, clock=SettableClock(SIGNED))
    with real_server(app) as url:
        yield url


def issued_record(world: World) -> str:
    with Session(world.engine) as session:
        return session.exec(select(Transcript.id).where(Transcript.kind == "SoHoa")).one()


def seal_copy(*arguments: str) -> subprocess.CompletedProcess[str]:
    return sign_client(*arguments, command="seal-copy")


def test_the_clerk_seals_a_copy_with_the_school_certificate_and_the_pdf_verifies(
    world: World, server: str, tmp_path: Path
) -> None:
    key_file = p12_file(seal_key(), tmp_path)
    output = tmp_path / "ban-sao.pdf"
    result = seal_copy(
        "--server", server, "--username", "vanthu", "--p12", str(key_file),
        "--transcript", issued_record(world), "--output", str(output),
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "/SY-HB" in result.stdout and str(output) in result.stdout
    poppler = subprocess.run(
        ["pdfsig", "-nocert", str(output)], check=True, capture_output=True, text=True
    ).stdout
    assert "Signature is Valid." in poppler


def test_a_personal_certificate_is_refused_naming_why_and_nothing_is_saved(
    world: World, server: str, tmp_path: Path
) -> None:
    key_file = p12_file(personal_key("vanthu"), tmp_path)
    output = tmp_path / "ban-sao.pdf"
    result = seal_copy(
        "--server", server, "--username", "vanthu", "--p12", str(key_file),
        "--transcript", issued_record(world), "--output", str(output),
    )  # fmt: skip
    assert result.returncode == 1
    assert "Chuẩn bị bản sao y" in result.stderr
    assert not output.exists()
