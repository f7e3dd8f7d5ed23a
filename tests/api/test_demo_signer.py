"""``POST /demo/sign``: the demo-only server-side signer with the demo PKI's keys."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import Session

from domain.model import Person
from tests.api.conftest import Api, SettableClock, assert_problem
from tests.api.signing_scene import serving, signable_scene
from tests.support.demo_pki import demo_pki
from tests.support.world import BEFORE_LOCK

PERSONAL_ID_PREFIX = "CCCD:"


def test_the_demo_signer_does_not_exist_outside_demo_mode(api: Api) -> None:
    response = api.post(
        "/demo/sign",
        as_="gvbm.toan",
        json={"transcript_ids": ["x"], "step": "subject", "subject_code": "TOAN"},
    )
    assert_problem(response, 404, "not_found")


def test_in_demo_mode_a_teacher_signs_the_class_with_their_demo_key(engine: Engine) -> None:
    scene = signable_scene(engine)
    pki = demo_pki()
    certificate = pki.staff["gvbm.toan"].certificate
    (uid,) = [
        a.value for a in certificate.subject if a.oid.dotted_string == "0.9.2342.19200300.100.1.1"
    ]
    with Session(engine) as session:
        person = session.get(Person, scene.world.people["gvbm.toan"])
        assert person is not None
        person.personal_id = str(uid).removeprefix(PERSONAL_ID_PREFIX)
        session.add(person)
        session.commit()
    with serving(
        scene.world, SettableClock(BEFORE_LOCK), demo=True, data_dir=pki.directory.parent
    ) as api:
        response = api.post(
            "/demo/sign",
            as_="gvbm.toan",
            json={"transcript_ids": scene.ids, "step": "subject", "subject_code": "TOAN"},
        )
    assert response.status_code == 200, response.text
    assert [(i["ok"], i["status"]) for i in response.json()["items"]] == [
        (True, "draft"),
        (True, "draft"),
    ]


def test_in_demo_mode_a_login_without_a_demo_key_is_refused(engine: Engine) -> None:
    scene = signable_scene(engine)
    with serving(
        scene.world, SettableClock(BEFORE_LOCK), demo=True, data_dir=demo_pki().directory.parent
    ) as api:
        response = api.post(
            "/demo/sign",
            as_="gvbm.toan.6a2",
            json={"transcript_ids": scene.ids, "step": "subject", "subject_code": "TOAN"},
        )
    assert_problem(response, 404, "not_found")
