"""Transfers and record packages over HTTP: the same use cases, scope and refusals."""

from __future__ import annotations

import io
import zipfile

import pytest
from sqlalchemy.engine import Engine

from tests.api.conftest import Api, assert_problem
from tests.support.signing import sign_session
from tests.support.transfers import AN, INHERITED, MID_YEAR, RECEIVING, SIGNED, transfer_world
from tests.support.world import World
from workflow import SigningStep


@pytest.fixture
def world(engine: Engine) -> World:
    return transfer_world(engine)


def test_a_transfer_runs_through_the_api_and_the_record_package_travels(api: Api) -> None:
    world = api.world
    api.clock.at = MID_YEAR
    response = api.post(
        "/transfers",
        as_="hocvu.b",
        json={
            "personal_id": AN,
            "to_school_code": RECEIVING,
            "to_class_id": world.class_ids["6B1"],
            "reason": "Chuyển nơi ở",
        },
    )
    assert response.status_code == 201, response.text
    transfer_id = response.json()["id"]
    items = api.get("/tasks", as_="hocvu").json()["items"]
    assert [(i["action"], i["step"]) for i in items if i["action"] == "accept_transfer"] == [
        ("accept_transfer", "request")
    ]
    response = api.post(f"/transfers/{transfer_id}/accept", as_="hocvu", json={})
    assert response.status_code == 200, response.text
    record_id = response.json()["transcript_id"]

    api.clock.at = SIGNED
    early = api.post(
        f"/transfers/{transfer_id}/complete", as_="hocvu.b", json={"effective_on": "2025-02-12"}
    )
    assert_problem(early, 409, "transfer_not_signed")
    for who, step in (("hieutruong", SigningStep.PRINCIPAL), ("vanthu", SigningStep.SCHOOL)):
        (result,) = sign_session(world, who, [record_id], step, SIGNED)
        assert result.ok, result

    api.clock.at = INHERITED
    response = api.post(
        f"/transfers/{transfer_id}/complete", as_="hocvu.b", json={"effective_on": "2025-02-12"}
    )
    assert response.status_code == 204, response.text
    chain = api.get(f"/students/{AN}/record-chain", as_="hocvu.b").json()["items"]
    assert [(c["transcript_id"], c["kind"], c["source"]) for c in chain] == [
        (record_id, "ChuyenTruong", "transferred")
    ]

    package = api.get(f"/students/{AN}/record-package", as_="hocvu.b")
    assert package.status_code == 200, package.text
    assert package.headers["content-type"].startswith("application/zip")
    assert AN not in package.headers["content-disposition"]
    assert_problem(api.get(f"/students/{AN}/record-package", as_="gvcn.6a2"), 404, "not_found")

    with zipfile.ZipFile(io.BytesIO(package.content)) as archive:
        files = {i.filename: archive.read(i) for i in archive.infolist()}
    xml_path = next(name for name in files if name.endswith(".xml"))
    files[xml_path] = files[xml_path].replace(b"<HK1>", b"<HK1>1", 1)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    refused = api.post(
        "/record-packages",
        as_="hocvu.b",
        files={"file": ("record.zip", buffer.getvalue(), "application/zip")},
    )
    body = assert_problem(refused, 422, "package_rejected")
    assert body["problems"][0]["file"] == xml_path
    assert body["detail_vi"]

    stored = api.post(
        "/record-packages",
        as_="hocvu.b",
        files={"file": ("record.zip", package.content, "application/zip")},
    )
    assert stored.status_code == 201, stored.text
    assert [v["transcript_id"] for v in stored.json()["versions"]] == [record_id]
