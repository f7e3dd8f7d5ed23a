"""``/signing-sessions`` over HTTP: a class batch signed with real keys, and every refusal."""

from __future__ import annotations

import base64
import logging
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from cryptography.hazmat.primitives.serialization import Encoding
from sqlalchemy.engine import Engine

from domain.documents import verify_xml
from tests.api.conftest import Api, SettableClock, assert_problem, other_school_transcript
from tests.api.signing_scene import (
    Scene,
    b64,
    key_of,
    prepare,
    serving,
    sign_step,
    signable_scene,
    signed_items,
    transcripts_state,
)
from tests.support.signing import personal_key
from tests.support.world import BEFORE_LOCK
from tests.support.year_end import SUBJECTS

SESSION_MINUTES = 7


@pytest.fixture
def scene(engine: Engine) -> Scene:
    return signable_scene(engine)


@pytest.fixture
def signing(scene: Scene) -> Iterator[Api]:
    with serving(
        scene.world, SettableClock(BEFORE_LOCK), signing_session_minutes=SESSION_MINUTES
    ) as api:
        yield api


def test_a_class_is_signed_through_every_step_with_the_two_endpoints(
    signing: Api, scene: Scene
) -> None:
    for code in SUBJECTS:
        results = sign_step(
            signing, f"gvbm.{code.lower()}", scene.ids, "subject", subject_code=code
        )
        assert [r["ok"] for r in results] == [True, True], results
    assert {r["status"] for r in results} == {"subject_signed"}
    for step, who, status in (
        ("homeroom", "gvcn.6a1", "homeroom_signed"),
        ("principal", "hieutruong", "principal_signed"),
        ("school", "vanthu", "school_stamped"),
    ):
        results = sign_step(signing, who, scene.ids, step)
        assert results == [
            {"transcript_id": t, "ok": True, "status": status, "error": None} for t in scene.ids
        ]
    xml = signing.get(f"/transcripts/{scene.ids[0]}/xml", as_="hieutruong")
    assert xml.status_code == 200
    check = verify_xml(xml.content)
    assert check.intact, check.problems()
    assert len(check.signatures) == len(SUBJECTS) + 3


def test_a_prepared_session_names_the_bytes_to_sign_and_lasts_the_configured_minutes(
    signing: Api, scene: Scene
) -> None:
    response = prepare(signing, "gvbm.toan", scene.ids, "subject", subject_code="TOAN")
    assert response.status_code == 201, response.text
    body = response.json()
    assert [i["transcript_id"] for i in body["items"]] == scene.ids
    assert {i["xml"]["algorithm"] for i in body["items"]} == {"sha256WithRSA"}
    assert all(
        base64.b64decode(i["xml"]["to_sign"]).startswith(b"<ds:SignedInfo") for i in body["items"]
    )
    expires = datetime.fromisoformat(body["expires_at"].replace("Z", "+00:00"))
    assert expires == BEFORE_LOCK + timedelta(minutes=SESSION_MINUTES)


def test_a_pem_chain_in_one_text_is_accepted(signing: Api, scene: Scene) -> None:
    pem = "".join(c.public_bytes(Encoding.PEM).decode() for c in personal_key("gvbm.toan").chain)
    response = prepare(
        signing, "gvbm.toan", scene.ids, "subject", subject_code="TOAN", certificate=pem
    )
    assert response.status_code == 201, response.text


def test_another_signers_session_is_forbidden(signing: Api, scene: Scene) -> None:
    session = prepare(signing, "gvbm.toan", scene.ids, "subject", subject_code="TOAN").json()
    response = signing.post(
        f"/signing-sessions/{session['session_id']}/complete",
        as_="gvbm.nguvan",
        json={"items": signed_items(session, personal_key("gvbm.toan"))},
    )
    assert_problem(response, 403, "signing_session_not_yours")


def test_signing_as_someone_not_assigned_is_forbidden(signing: Api, scene: Scene) -> None:
    response = prepare(signing, "gvbm.nguvan", scene.ids, "subject", subject_code="TOAN")
    assert_problem(response, 403, "not_assigned")


def test_another_persons_certificate_is_forbidden(signing: Api, scene: Scene) -> None:
    someone_else = [b64(c) for c in personal_key("gvbm.nguvan").der_chain]
    response = prepare(
        signing, "gvbm.toan", scene.ids, "subject", subject_code="TOAN", certificate=someone_else
    )
    assert_problem(response, 403, "certificate_not_owned")


def test_a_transcript_outside_the_callers_scope_is_not_found(signing: Api, scene: Scene) -> None:
    elsewhere = other_school_transcript(scene.world)
    before = transcripts_state(scene.world.engine)
    response = prepare(signing, "hieutruong", [elsewhere], "principal")
    assert_problem(response, 404, "not_found")
    assert transcripts_state(scene.world.engine) == before


def test_an_unknown_session_is_not_found(signing: Api) -> None:
    response = signing.post(
        "/signing-sessions/00000000-0000-0000-0000-000000000000/complete",
        as_="gvbm.toan",
        json={"items": [{"transcript_id": "x", "xml_signature": "AAAA"}]},
    )
    assert_problem(response, 404, "not_found")


def test_an_expired_session_is_a_conflict_and_changes_nothing(signing: Api, scene: Scene) -> None:
    session = prepare(signing, "gvbm.toan", scene.ids, "subject", subject_code="TOAN").json()
    signing.clock.at = BEFORE_LOCK + timedelta(minutes=SESSION_MINUTES)
    before = transcripts_state(scene.world.engine)
    response = signing.post(
        f"/signing-sessions/{session['session_id']}/complete",
        as_="gvbm.toan",
        json={"items": signed_items(session, personal_key("gvbm.toan"))},
    )
    assert_problem(response, 409, "signing_session_expired")
    assert transcripts_state(scene.world.engine) == before


def test_a_completed_session_cannot_be_completed_again(signing: Api, scene: Scene) -> None:
    session = prepare(signing, "gvbm.toan", scene.ids, "subject", subject_code="TOAN").json()
    path = f"/signing-sessions/{session['session_id']}/complete"
    body = {"items": signed_items(session, personal_key("gvbm.toan"))}
    assert signing.post(path, as_="gvbm.toan", json=body).status_code == 200
    assert_problem(signing.post(path, as_="gvbm.toan", json=body), 409, "signing_session_completed")


def test_a_signature_that_does_not_verify_changes_nothing_and_says_why(
    signing: Api, scene: Scene
) -> None:
    session = prepare(signing, "gvbm.toan", scene.ids, "subject", subject_code="TOAN").json()
    items = signed_items(session, personal_key("gvbm.nguvan"))  # the wrong key
    before = transcripts_state(scene.world.engine)
    response = signing.post(
        f"/signing-sessions/{session['session_id']}/complete",
        as_="gvbm.toan",
        json={"items": items},
    )
    assert response.status_code == 200, response.text
    results = response.json()["items"]
    assert [(r["ok"], r["status"]) for r in results] == [(False, "draft"), (False, "draft")]
    assert all(r["error"] for r in results)
    assert transcripts_state(scene.world.engine) == before


@pytest.mark.parametrize(
    ("certificate", "field"),
    [("@@not base64@@", "certificate"), (["MIIB", "%%%"], "certificate[1]")],
)
def test_a_malformed_certificate_is_invalid_input_naming_the_field(
    signing: Api, scene: Scene, certificate: object, field: str
) -> None:
    response = prepare(
        signing, "gvbm.toan", scene.ids, "subject", subject_code="TOAN", certificate=certificate
    )
    assert assert_problem(response, 422, "invalid_input")["field"] == field


def test_base64_that_is_no_certificate_is_invalid_input(signing: Api, scene: Scene) -> None:
    response = prepare(
        signing, "gvbm.toan", scene.ids, "subject", subject_code="TOAN", certificate="AAAA"
    )
    assert assert_problem(response, 422, "certificate_unreadable")["field"] == "certificate"


def test_a_malformed_signature_value_is_invalid_input_naming_the_item(
    signing: Api, scene: Scene
) -> None:
    session = prepare(signing, "gvbm.toan", scene.ids, "subject", subject_code="TOAN").json()
    items = signed_items(session, key_of("gvbm.toan", "subject"))
    items[1]["xml_signature"] = "not*base64"
    response = signing.post(
        f"/signing-sessions/{session['session_id']}/complete",
        as_="gvbm.toan",
        json={"items": items},
    )
    body = assert_problem(response, 422, "invalid_input")
    assert body["field"] == "items[1].xml_signature"


def test_a_session_needs_a_login(signing: Api, scene: Scene) -> None:
    response = signing.post(
        "/signing-sessions",
        as_=None,
        json={"transcript_ids": scene.ids, "step": "principal", "certificate": "AAAA"},
    )
    assert_problem(response, 401, "not_authenticated")


def test_without_trust_roots_signing_is_refused_naming_the_setting_and_warned_at_start(
    scene: Scene, caplog: pytest.LogCaptureFixture
) -> None:
    before = transcripts_state(scene.world.engine)
    with (
        caplog.at_level(logging.WARNING, logger="hocba.signing"),
        serving(scene.world, SettableClock(BEFORE_LOCK), trust_roots=None) as api,
    ):
        response = prepare(api, "gvbm.toan", scene.ids, "subject", subject_code="TOAN")
    body = assert_problem(response, 503, "trust_roots_missing")
    assert "HOCBA_TRUST_ROOTS" in body["detail"]
    assert any("HOCBA_TRUST_ROOTS" in r.getMessage() for r in caplog.records)
    assert transcripts_state(scene.world.engine) == before
