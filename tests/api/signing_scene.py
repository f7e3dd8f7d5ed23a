"""A class ready to sign, served by the API: 6A1 with its year approved and two annual
transcripts (An and Dũng) built as XML-ready drafts; every staff login has a certificate."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from litestar.testing import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from api import create_app
from domain.model import Transcript, TranscriptSignature
from tests.api.conftest import Api, SettableClock, settings
from tests.support.signing import (
    Key,
    personal_key,
    record_birthplaces,
    register_personal_ids,
    seal_key,
)
from tests.support.world import BEFORE_LOCK, World
from tests.support.year_end import enter_homeroom, saved_scene
from workflow import HomeroomEntry, build_class_transcripts


@dataclass(frozen=True)
class Scene:
    """The world and its signable transcripts."""

    world: World
    ids: list[str]
    """An's and Dũng's annual transcripts (complete data)."""


def signable_scene(engine: Engine) -> Scene:
    """6A1's year approved, homeroom data entered, the annual transcripts built."""
    scene = saved_scene(engine, "approved")
    world = scene.world
    register_personal_ids(world)
    record_birthplaces(world)
    comments = ("Chăm ngoan, học tốt.", "Cần cố gắng hơn.", "Cần rèn luyện thêm.", "Ngoan.")
    conduct = ("T", "K", "CD", "T")
    enter_homeroom(
        world,
        2,
        [
            HomeroomEntry(student, level, 1, comment)
            for student, level, comment in zip(scene.students, conduct, comments, strict=True)
        ],
    )
    ids = build_class_transcripts(
        world.uow(), class_id=scene.class_id, actor=world.actor("gvcn.6a1"), now=BEFORE_LOCK
    )
    return Scene(world, [ids[0], ids[3]])


@contextmanager
def serving(world: World, clock: SettableClock, **overrides: Any) -> Iterator[Api]:
    """The app over ``world`` with the given settings overrides."""
    app = create_app(settings=settings(**overrides), engine=world.engine, clock=clock)
    with TestClient(app) as client:
        yield Api(client=client, world=world, clock=clock)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def key_of(who: str, step: str) -> Key:
    """The key ``who`` signs ``step`` with: the school's seal for the school step."""
    return seal_key() if step == "school" else personal_key(who)


def prepare(
    api: Api,
    who: str,
    ids: list[str],
    step: str,
    *,
    subject_code: str | None = None,
    certificate: object = None,
) -> httpx.Response:
    """``who`` asks for a session with their certificate chain (base64 DER list)."""
    body: dict[str, Any] = {
        "transcript_ids": ids,
        "step": step,
        "certificate": certificate
        if certificate is not None
        else [b64(c) for c in key_of(who, step).der_chain],
    }
    if subject_code is not None:
        body["subject_code"] = subject_code
    return api.post("/signing-sessions", as_=who, json=body)


def signed_items(session: dict[str, Any], key: Key) -> list[dict[str, str]]:
    """The completion items: each ``to_sign`` (the XML's, and the PDF's from the homeroom
    step on) signed with ``key``."""
    items = []
    for item in session["items"]:
        signed = {
            "transcript_id": item["transcript_id"],
            "xml_signature": b64(key.sign(base64.b64decode(item["xml"]["to_sign"]))),
        }
        if item.get("pdf"):
            signed["pdf_signature"] = b64(key.sign(base64.b64decode(item["pdf"]["to_sign"])))
        items.append(signed)
    return items


def sign_step(
    api: Api, who: str, ids: list[str], step: str, *, subject_code: str | None = None
) -> list[dict[str, Any]]:
    """Prepare, sign and complete through the API; the per-item results."""
    prepared = prepare(api, who, ids, step, subject_code=subject_code)
    assert prepared.status_code == 201, prepared.text
    session = prepared.json()
    done = api.post(
        f"/signing-sessions/{session['session_id']}/complete",
        as_=who,
        json={"items": signed_items(session, key_of(who, step))},
    )
    assert done.status_code == 200, done.text
    items: list[dict[str, Any]] = done.json()["items"]
    return items


def transcripts_state(engine: Engine) -> list[tuple[object, ...]]:
    """What a refused signature must leave as it was: every transcript and signature."""
    with Session(engine) as session:
        rows = session.exec(select(Transcript).order_by(col(Transcript.id))).all()
        signatures = session.exec(select(TranscriptSignature)).all()
        return [
            *((r.id, r.status, r.xml_sha256, r.row_version) for r in rows),
            *((s.transcript_id, s.slot) for s in signatures),
        ]
