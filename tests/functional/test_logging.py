"""The server's logs, access log included, carry no secret and no personal data."""

from __future__ import annotations

import io
import json
import logging
import threading
from collections.abc import Iterator

import httpx
import pytest
import uvicorn
from sqlalchemy.engine import Engine

from api import create_app
from hocba._logging import configure_logging, redact, uvicorn_log_config
from tests.api.conftest import SettableClock, settings
from tests.browser.site import free_port
from tests.support.world import BEFORE_LOCK, World

PERSONAL_ID = "079212000123"
PHONE = "0912345678"
SHARE_TOKEN = "s3cr3t-share-token-abcdefghijklmnop"
PASSWORD = "mật-khẩu-không-được-ghi"


@pytest.fixture
def captured(world: World) -> Iterator[io.StringIO]:
    """JSON logs of a real uvicorn server over the test school, captured."""
    stream = io.StringIO()
    before = logging.getLogger().handlers[:], logging.getLogger().level
    configure_logging("json", stream=stream)
    yield stream
    logging.getLogger().handlers[:], level = before
    logging.getLogger().setLevel(level)


def _serve(engine: Engine) -> tuple[uvicorn.Server, threading.Thread, str]:
    app = create_app(settings=settings(), engine=engine, clock=SettableClock(BEFORE_LOCK))
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_config=uvicorn_log_config())
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    started = threading.Event()
    for _ in range(1000):
        if server.started:
            break
        started.wait(0.01)
    assert server.started
    return server, thread, f"http://127.0.0.1:{port}"


def test_the_access_log_masks_tokens_personal_ids_and_phones_and_never_holds_a_password(
    world: World, captured: io.StringIO
) -> None:
    server, thread, url = _serve(world.engine)
    try:
        with httpx.Client(base_url=url) as client:
            client.post("/api/v1/auth/login", json={"username": "gvcn.6a1", "password": PASSWORD})
            client.get(f"/chia-se/{SHARE_TOKEN}")
            client.get(f"/api/v1/shared/{SHARE_TOKEN}/xml")
            client.get(f"/lay-lai-hoc-ba/tai/{SHARE_TOKEN}")
            client.post(
                "/api/v1/lost-files/requests", json={"personal_id": PERSONAL_ID, "phone": PHONE}
            )
            client.get(f"/xac-thuc?ma={PERSONAL_ID}&sdt={PHONE}")
    finally:
        server.should_exit = True
        thread.join(timeout=10)
    logged = captured.getvalue()
    lines = [json.loads(line) for line in logged.splitlines() if line.strip()]
    assert any(line["logger"] == "uvicorn.access" for line in lines)  # the access log is there
    assert all({"time", "level", "logger", "message"} <= set(line) for line in lines)
    for secret in (SHARE_TOKEN, PERSONAL_ID, PHONE, PASSWORD):
        assert secret not in logged
    assert "/chia-se/[redacted]" in logged
    assert "079*******23" in logged


def test_redaction_masks_each_kind_and_leaves_other_numbers_alone() -> None:
    assert redact("GET /api/v1/lost-files/downloads/abc123/transcripts") == (
        "GET /api/v1/lost-files/downloads/[redacted]/transcripts"
    )
    assert redact("id 079212000123, phone 0912345678") == "id 079*******23, phone 091****678"
    assert redact("2026-11-29 port 8000 transcript 42") == "2026-11-29 port 8000 transcript 42"
