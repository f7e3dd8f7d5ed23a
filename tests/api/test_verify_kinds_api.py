"""`POST /verify` asks a PDF for the signatures of its kind: the leaving school's sealed
ChuyenTruong record and a sealed SoHoa record are valid without a homeroom signature."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine

from tests.api.conftest import Api
from tests.support.digitisation import PAPER_SCHOOL, SCAN_NAME, scan, whole_year
from tests.support.signing import sign_session, stored_pdf
from tests.support.transfers import AN, MID_YEAR, RECEIVING, SIGNED, transfer_world
from tests.support.world import World
from workflow import SigningStep, accept_transfer, digitise_paper_record, request_transfer


@pytest.fixture
def world(engine: Engine) -> World:
    return transfer_world(engine)


def sealed(world: World, transcript_id: str) -> bytes:
    for who, step in (("hieutruong", SigningStep.PRINCIPAL), ("vanthu", SigningStep.SCHOOL)):
        (result,) = sign_session(world, who, [transcript_id], step, SIGNED)
        assert result.ok, result
    return stored_pdf(world.engine, transcript_id)


def transfer_record(world: World) -> str:
    transfer_id = request_transfer(
        world.uow(),
        personal_id=AN,
        to_school_code=RECEIVING,
        to_class_id=world.class_ids["6B1"],
        actor=world.actor("hocvu.b", MID_YEAR),
        now=MID_YEAR,
    )
    return accept_transfer(
        world.uow(), transfer_id=transfer_id, actor=world.actor("hocvu", MID_YEAR), now=MID_YEAR
    )


def digitised_record(world: World) -> str:
    return digitise_paper_record(
        world.uow(),
        personal_id=AN,
        record=whole_year(),
        paper_school=PAPER_SCHOOL,
        scan=scan(),
        scan_name=SCAN_NAME,
        actor=world.actor("hocvu", MID_YEAR),
        now=MID_YEAR,
    )


@pytest.mark.parametrize("make", [transfer_record, digitised_record])
def test_a_sealed_record_without_a_homeroom_signature_verifies_over_http(
    api: Api, make: object
) -> None:
    pdf = sealed(api.world, make(api.world))  # type: ignore[operator]

    response = api.client.post("/api/v1/verify", files={"file": ("hoc-ba.pdf", pdf)})

    assert response.status_code == 200, response.text
    report = response.json()
    assert report["valid"] is True, report
    assert [s["slot"] for s in report["signatures"]] == ["HieuTruong", "DonVi"]
    assert report["missing_signatures"] == []
