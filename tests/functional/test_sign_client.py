"""``hocba sign-client`` against a real server: uvicorn on 127.0.0.1, the CLI in a subprocess
signing with a PKCS#12 file; only signature values travel, the key stays in the file."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import uvicorn
from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, pkcs12
from litestar import Litestar
from sqlalchemy.engine import Engine

from api import create_app
from tests.api.conftest import PASSWORD, SettableClock, set_password, settings
from tests.api.signing_scene import Scene, signable_scene, transcripts_state
from tests.support.signing import Key, personal_key
from tests.support.tracking import transcript_row
from tests.support.world import BEFORE_LOCK

P12_PASSWORD = "mat-khau-tep-khoa"


@contextmanager
def real_server(app: Litestar) -> Iterator[str]:
    """``app`` served by uvicorn in a thread on a free port of 127.0.0.1."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    # Listening before the server runs: a client that connects early waits in the backlog
    # instead of being refused, so no polling is needed.
    listener.listen(16)
    port = listener.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        listener.close()


def p12_file(key: Key, directory: Path) -> Path:
    path = directory / "chu-ky.p12"
    path.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"gvbm.toan",
            key.key,
            key.chain[0],
            list(key.chain[1:]),
            BestAvailableEncryption(P12_PASSWORD.encode()),
        )
    )
    return path


def sign_client(*arguments: str, command: str = "sign-client") -> subprocess.CompletedProcess[str]:
    script = Path(sys.executable).with_name("hocba")
    program = (
        [str(script)]
        if script.exists()
        else [sys.executable, "-c", "from hocba.cli import main; main()"]
    )
    environment = {
        **os.environ,
        "HOCBA_PASSWORD": PASSWORD,
        "HOCBA_P12_PASSWORD": P12_PASSWORD,
    }
    return subprocess.run(
        [*program, command, *arguments],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def scene(engine: Engine) -> Scene:
    scene = signable_scene(engine)
    set_password(scene.world, "gvbm.toan")
    return scene


@pytest.fixture
def server(scene: Scene) -> Iterator[str]:
    app = create_app(
        settings=settings(), engine=scene.world.engine, clock=SettableClock(BEFORE_LOCK)
    )
    with real_server(app) as url:
        yield url


def test_the_client_signs_a_batch_with_a_pkcs12_file_over_the_api(
    scene: Scene, server: str, tmp_path: Path
) -> None:
    key_file = p12_file(personal_key("gvbm.toan"), tmp_path)
    transcripts = [argument for t in scene.ids for argument in ("--transcript", t)]
    result = sign_client(
        "--server", server, "--username", "gvbm.toan", "--p12", str(key_file),
        "--step", "subject", "--subject", "TOAN", *transcripts,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Đã ký 2/2 học bạ" in result.stdout
    for transcript_id in scene.ids:
        assert f"✓ {transcript_id}" in result.stdout
        assert transcript_row(scene.world.engine, transcript_id).xml_sha256 is not None


def test_a_key_of_another_person_is_refused_and_the_client_exits_non_zero(
    scene: Scene, server: str, tmp_path: Path
) -> None:
    key_file = p12_file(personal_key("gvbm.nguvan"), tmp_path)
    before = transcripts_state(scene.world.engine)
    result = sign_client(
        "--server", server, "--username", "gvbm.toan", "--p12", str(key_file),
        "--step", "subject", "--subject", "TOAN", "--transcript", scene.ids[0],
    )  # fmt: skip
    assert result.returncode == 1
    assert "403" in result.stderr
    assert transcripts_state(scene.world.engine) == before


def test_a_wrong_key_file_password_is_unusable_input(tmp_path: Path) -> None:
    key_file = p12_file(personal_key("gvbm.toan"), tmp_path)
    result = subprocess.run(
        [sys.executable, "-c", "from hocba.cli import main; main()", "sign-client",
         "--server", "http://127.0.0.1:9", "--username", "x", "--p12", str(key_file),
         "--step", "principal", "--from-tasks"],
        env={**os.environ, "HOCBA_PASSWORD": "x", "HOCBA_P12_PASSWORD": "wrong"},
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 2
    assert "PKCS#12" in result.stderr


def test_the_client_signs_the_class_from_the_queue_and_reports_what_cannot_be_signed_yet(
    scene: Scene, server: str, tmp_path: Path
) -> None:
    key_file = p12_file(personal_key("gvbm.toan"), tmp_path)
    class_id = scene.world.class_ids["6A1"]
    result = sign_client(
        "--server", server, "--username", "gvbm.toan", "--p12", str(key_file),
        "--step", "subject", "--subject", "TOAN", "--class-id", str(class_id),
    )  # fmt: skip
    # Two students of 6A1 await their retest or summer training: their transcripts cannot
    # become XML yet, so the client signs the others and exits 1 naming those two.
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Lô 6A1 TOAN:" in result.stdout
    for transcript_id in scene.ids:
        assert f"✓ {transcript_id}: đã ký" in result.stdout
    assert result.stdout.count("✗ ") == 2
    assert "Đã ký 2/4 học bạ" in result.stdout
