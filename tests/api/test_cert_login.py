"""Certificate login: a staff member signs a one-time nonce with their certificate's key."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from datetime import timedelta
from functools import cache
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import Encoding

from domain.certificates import ca_certificate, ca_name, personal_name, signer_certificate
from tests.api.conftest import Api, SettableClock, assert_problem, close_account
from tests.api.signing_scene import b64, serving
from tests.support.signing import (
    SCHOOL,
    VALID,
    Key,
    authority,
    personal_id_of,
    personal_key,
    register_personal_ids,
)
from tests.support.world import BEFORE_LOCK, World

CHALLENGE_SECONDS = 120


@pytest.fixture
def roots(tmp_path: Path) -> Path:
    return authority().write_root(tmp_path)


@pytest.fixture
def app(world: World, roots: Path) -> Iterator[Api]:
    register_personal_ids(world)
    with serving(
        world,
        SettableClock(BEFORE_LOCK),
        trust_roots=roots,
        certificate_challenge_seconds=CHALLENGE_SECONDS,
    ) as api:
        yield api


@cache
def impostor(username: str) -> Key:
    """A certificate naming ``username``'s personal ID, issued by a CA nobody trusts."""
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = ca_name("Impostor CA", "Nobody")
    root = ca_certificate(name, ca_key.public_key(), name, ca_key, serial=1, validity=VALID)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    certificate = signer_certificate(
        personal_name(username.upper(), personal_id_of(username), SCHOOL),
        key.public_key(),
        root.subject,
        ca_key,
        serial=x509.random_serial_number(),
        validity=VALID,
        organisation=False,
    )
    return Key(key, (certificate, root))


def challenge(api: Api) -> dict[str, str]:
    response = api.post("/auth/cert-challenge", as_=None)
    assert response.status_code == 201, response.text
    body: dict[str, str] = response.json()
    return body


def log_in(
    api: Api, key: Key, issued: dict[str, str], *, signing_key: Key | None = None
) -> httpx.Response:
    nonce = base64.b64decode(issued["nonce"])
    return api.post(
        "/auth/cert-login",
        as_=None,
        json={
            "challenge_id": issued["challenge_id"],
            "certificate": [b64(c) for c in key.der_chain],
            "signature": b64((signing_key or key).sign(nonce)),
        },
    )


def test_a_teacher_logs_in_by_signing_the_nonce_and_the_token_opens_their_queue(
    app: Api,
) -> None:
    issued = challenge(app)
    assert len(base64.b64decode(issued["nonce"])) == 32
    result = log_in(app, personal_key("gvbm.toan"), issued)
    assert result.status_code == 200, result.text
    body = result.json()
    assert body["token_type"] == "bearer"
    tasks = app.client.get(
        "/api/v1/tasks", headers={"Authorization": f"Bearer {body['access_token']}"}
    )
    assert tasks.status_code == 200, tasks.text


def test_a_signature_made_with_another_key_is_refused(app: Api) -> None:
    result = log_in(
        app, personal_key("gvbm.toan"), challenge(app), signing_key=personal_key("hieutruong")
    )
    assert_problem(result, 401, "login_signature_invalid")


def test_a_certificate_from_an_untrusted_authority_is_refused(app: Api) -> None:
    result = log_in(app, impostor("gvbm.toan"), challenge(app))
    assert_problem(result, 401, "certificate_untrusted")


def test_a_trusted_certificate_of_no_staff_member_is_refused(app: Api) -> None:
    result = log_in(app, personal_key("nobody.here"), challenge(app))
    assert_problem(result, 401, "certificate_not_staff")


def test_a_closed_account_cannot_log_in_with_its_certificate(app: Api) -> None:
    close_account(app.world, "gvbm.toan")
    result = log_in(app, personal_key("gvbm.toan"), challenge(app))
    assert_problem(result, 401, "certificate_not_staff")


def test_a_challenge_is_used_once_even_by_a_successful_login(app: Api) -> None:
    issued = challenge(app)
    assert log_in(app, personal_key("gvbm.toan"), issued).status_code == 200
    again = log_in(app, personal_key("gvbm.toan"), issued)
    assert_problem(again, 401, "challenge_unknown")


def test_a_failed_attempt_uses_the_challenge_up_too(app: Api) -> None:
    issued = challenge(app)
    log_in(app, personal_key("gvbm.toan"), issued, signing_key=personal_key("hieutruong"))
    again = log_in(app, personal_key("gvbm.toan"), issued)
    assert_problem(again, 401, "challenge_unknown")


def test_a_challenge_answered_after_its_expiry_is_refused(app: Api) -> None:
    issued = challenge(app)
    app.clock.at = BEFORE_LOCK + timedelta(seconds=CHALLENGE_SECONDS)
    result = log_in(app, personal_key("gvbm.toan"), issued)
    assert_problem(result, 401, "challenge_expired")


def test_an_unknown_challenge_is_refused(app: Api) -> None:
    fake = {"challenge_id": "00000000-0000-0000-0000-000000000000", "nonce": "AAAA"}
    result = log_in(app, personal_key("gvbm.toan"), fake)
    assert_problem(result, 401, "challenge_unknown")


def test_a_malformed_signature_is_invalid_input_naming_the_field(app: Api) -> None:
    issued = challenge(app)
    response = app.post(
        "/auth/cert-login",
        as_=None,
        json={
            "challenge_id": issued["challenge_id"],
            "certificate": [b64(c) for c in personal_key("gvbm.toan").der_chain],
            "signature": "***",
        },
    )
    assert assert_problem(response, 422, "invalid_input")["field"] == "signature"


def test_without_trust_roots_certificate_login_is_unavailable(world: World) -> None:
    register_personal_ids(world)
    with serving(world, SettableClock(BEFORE_LOCK), trust_roots=None) as api:
        result = log_in(api, personal_key("gvbm.toan"), challenge(api))
    assert_problem(result, 503, "unavailable")


def test_an_ecdsa_certificate_logs_in_with_a_der_ecdsa_signature(app: Api) -> None:
    ca = authority()
    key = ec.generate_private_key(ec.SECP256R1())
    certificate = signer_certificate(
        personal_name("GVBM.NGUVAN", personal_id_of("gvbm.nguvan"), SCHOOL),
        key.public_key(),
        ca.root.subject,
        ca.key,
        serial=x509.random_serial_number(),
        validity=VALID,
        organisation=False,
    )
    issued = challenge(app)
    nonce = base64.b64decode(issued["nonce"])
    response = app.post(
        "/auth/cert-login",
        as_=None,
        json={
            "challenge_id": issued["challenge_id"],
            "certificate": certificate.public_bytes(Encoding.PEM).decode(),
            "signature": b64(key.sign(nonce, ec.ECDSA(hashes.SHA256()))),
        },
    )
    assert response.status_code == 200, response.text
