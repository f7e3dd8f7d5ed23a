"""Certified paper copies over HTTP: prepare with the school's seal certificate, sign on the
client, complete, download; refusals as problem details."""

from __future__ import annotations

import base64
import subprocess
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from tests.api.conftest import Api, assert_problem
from tests.support.digitisation import issued_paper_world
from tests.support.signing import personal_key, seal_key
from tests.support.transfers import AN, SIGNED
from tests.support.world import World


@pytest.fixture
def world(engine: Engine) -> World:
    return issued_paper_world(engine)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def seal_chain() -> list[str]:
    return [b64(c) for c in seal_key().der_chain]


def issued_id(api: Api) -> str:
    chain = api.get(f"/students/{AN}/record-chain", as_="hocvu").json()["items"]
    (item,) = [i for i in chain if i["kind"] == "SoHoa"]
    return str(item["transcript_id"])


def test_the_clerk_prepares_signs_and_completes_and_the_staff_download(
    api: Api, tmp_path: Path
) -> None:
    api.clock.at = SIGNED
    transcript_id = issued_id(api)
    response = api.post(
        "/certified-copies",
        as_="vanthu",
        json={
            "transcript_ids": [transcript_id],
            "certificate": [b64(c) for c in seal_key().der_chain],
        },
    )
    assert response.status_code == 201, response.text
    prepared = response.json()
    value = seal_key().sign(base64.b64decode(prepared["to_sign"]))
    done = api.post(
        f"/certified-copies/{prepared['id']}/complete", as_="vanthu", json={"signature": b64(value)}
    )
    assert done.status_code == 200, done.text
    pdf = api.get(f"/certified-copies/{prepared['id']}/pdf", as_="hocvu")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    path = tmp_path / "copy.pdf"
    path.write_bytes(pdf.content)
    poppler = subprocess.run(
        ["pdfsig", "-nocert", str(path)], check=True, capture_output=True, text=True
    ).stdout
    assert "Signature is Valid." in poppler
    verdict = api.client.post("/api/v1/verify", files={"file": ("copy.pdf", pdf.content)})
    assert verdict.status_code == 200, verdict.text
    assert verdict.json()["valid"] is True


def test_refusals_are_problem_details(api: Api) -> None:
    api.clock.at = SIGNED
    transcript_id = issued_id(api)
    body = {
        "transcript_ids": [transcript_id],
        "certificate": [b64(c) for c in seal_key().der_chain],
    }
    assert_problem(api.post("/certified-copies", as_="hieutruong", json=body), 403, "not_assigned")
    personal = {**body, "certificate": [b64(c) for c in personal_key("vanthu").der_chain]}
    assert_problem(
        api.post("/certified-copies", as_="vanthu", json=personal),
        409,
        "organisation_certificate_required",
    )
    assert_problem(api.get("/certified-copies/999/pdf", as_="hocvu"), 404, "not_found")
