"""A fake city transcript system: a real HTTP server on 127.0.0.1 that can misbehave.

It implements the contract of docs/city-exchange.md and records every request it receives
(``receipts``) and the first application of each ``Idempotency-Key`` (``applied``): a
message the server applied twice would be a bug on its side, so ``applied`` holds each key
once and the tests compare it with the outbox. How it behaves for the n-th request is up to
``behaviour(n, key)``:

- ``ok``: apply (or recognise a repeat: 409 with the first answer) and answer;
- ``fail``: answer 500 without applying anything;
- ``fail_after``: apply, then answer 500 (the client will send it again: a duplicate);
- ``hang``: apply, then hold the answer until ``release`` is set (the client times out);
- ``refuse``: answer 422 without applying anything.
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal

Behaviour = Literal["ok", "fail", "fail_after", "hang", "refuse"]
TOKEN = "city-test-token"
MINISTRY_NAMESPACE = uuid.UUID("6f1c1f9e-5a43-4c8e-9d0b-6a1d7a3f0c21")


def always_ok(_n: int, _key: str) -> Behaviour:
    """Every request is answered normally."""
    return "ok"


@dataclass
class CityRecord:
    """What the fake city received and did (guarded by ``lock``)."""

    receipts: list[tuple[str, str, str]] = field(default_factory=list)
    """(idempotency key, method, path) of every request, in arrival order."""
    applied: dict[str, tuple[int, dict[str, Any]]] = field(default_factory=dict)
    """The first answer to each key (repeats get it again with 409)."""
    registrations: dict[str, dict[str, Any]] = field(default_factory=dict)
    documents: dict[str, str] = field(default_factory=dict)
    relayed: dict[str, str] = field(default_factory=dict)
    cancelled: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)


class FakeCity:
    """The server; use ``running_city`` to start and stop it."""

    def __init__(self, behaviour: Callable[[int, str], Behaviour] = always_ok) -> None:
        self.behaviour = behaviour
        self.record = CityRecord()
        self.release = threading.Event()
        self.hanging = threading.Event()
        """Set once a ``hang`` request has been applied and is holding its answer."""
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/exchange/v1"

    def keys_received(self) -> list[str]:
        """The idempotency key of every request received, repeats included."""
        with self.record.lock:
            return [key for key, _m, _p in self.record.receipts]

    def serve(self) -> threading.Thread:
        """Answer requests in a thread of its own."""
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self._thread

    def stop(self) -> None:
        """Let held answers go, stop serving and close the port."""
        self.release.set()
        if self._thread is not None:  # shutdown() waits for a loop that must be running
            self._server.shutdown()
        self._server.server_close()

    # --- the contract ---------------------------------------------------------------------

    def answer(self, method: str, path: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """Apply one new request; (status, body). Called with the record's lock held."""
        parts = path.removeprefix("/exchange/v1").strip("/").split("/")
        record = self.record
        if method == "POST" and parts == ["registrations"]:
            tid = body["transcript_id"]
            ministry_uuid = str(uuid.uuid5(MINISTRY_NAMESPACE, tid))
            record.registrations[tid] = {**body, "ministry_uuid": ministry_uuid}
            return 201, {"transcript_id": tid, "ministry_uuid": ministry_uuid}
        if len(parts) == 3 and parts[0] == "registrations":
            tid, action = parts[1], parts[2]
            if tid not in record.registrations:
                return 404, {"title": "Not Found", "detail": f"{tid} is not registered"}
            if method == "PUT" and action == "document":
                content = base64.b64decode(body["content_base64"])
                if hashlib.sha256(content).hexdigest() != body["sha256"]:
                    return 422, {"title": "Unprocessable", "detail": "sha256 does not match"}
                record.documents[tid] = body["sha256"]
                return 201, {"transcript_id": tid, "sha256": body["sha256"]}
            if method == "POST" and action == "verification":
                return 200, {"transcript_id": tid, "sha256": record.documents.get(tid)}
            if method == "POST" and action == "cancellation":
                record.cancelled.add(tid)
                return 200, {"transcript_id": tid, "cancelled": True}
        if method == "POST" and parts == ["ministry-relays"]:
            tid = body["transcript_id"]
            registered = record.registrations.get(tid, {}).get("ministry_uuid")
            if registered != body["ministry_uuid"]:
                return 422, {"title": "Unprocessable", "detail": "unknown ministry_uuid"}
            record.relayed[tid] = body["ministry_uuid"]
            return 202, {"ministry_uuid": body["ministry_uuid"], "accepted": True}
        return 404, {"title": "Not Found", "detail": f"{method} {path}"}


def _handler_for(city: FakeCity) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # The headers and the body go out in two writes: without TCP_NODELAY each answer
        # waits for the client's delayed ACK (tens of milliseconds per request).
        disable_nagle_algorithm = True

        def log_message(self, format: str, *args: Any) -> None:
            pass  # keep the test output quiet

        def _reply(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except OSError:
                pass  # the client gave up waiting (a ``hang``)

        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                self._reply(401, {"title": "Unauthorized"})
                return
            key = self.headers.get("Idempotency-Key")
            if not key:
                self._reply(400, {"title": "Bad Request", "detail": "Idempotency-Key missing"})
                return
            body = json.loads(raw or b"{}")
            with city.record.lock:
                city.record.receipts.append((key, self.command, self.path))
                n = len(city.record.receipts)
            behaviour = city.behaviour(n, key)
            if behaviour == "fail":
                self._reply(500, {"title": "Internal Server Error"})
                return
            if behaviour == "refuse":
                self._reply(422, {"title": "Unprocessable", "detail": "refused by the test"})
                return
            with city.record.lock:
                if key in city.record.applied:
                    status, answer = 409, city.record.applied[key][1]
                else:
                    status, answer = city.answer(self.command, self.path, body)
                    if status < 400:
                        city.record.applied[key] = (status, answer)
            if behaviour == "fail_after":
                self._reply(500, {"title": "Internal Server Error"})
                return
            if behaviour == "hang":
                city.hanging.set()
                city.release.wait(timeout=60)
            self._reply(status, answer)

        def do_POST(self) -> None:
            self._handle()

        def do_PUT(self) -> None:
            self._handle()

    return Handler


@contextmanager
def running_city(behaviour: Callable[[int, str], Behaviour] = always_ok) -> Iterator[FakeCity]:
    """A fake city serving on 127.0.0.1 for the duration of the block."""
    city = FakeCity(behaviour)
    thread = city.serve()
    try:
        yield city
    finally:
        city.stop()
        thread.join(timeout=10)
