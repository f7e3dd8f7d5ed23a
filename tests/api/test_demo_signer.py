"""``POST /demo/sign``: the demo-only server-side signer with the demo PKI's keys."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import httpx
from cryptography.x509.oid import NameOID
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from domain.model import Person, Transcript
from tests.api.conftest import PASSWORD, Api, SettableClock, assert_problem, set_password
from tests.api.signing_scene import serving, signable_scene
from tests.support.demo_pki import demo_pki
from tests.support.tracking import transcript_row
from tests.support.world import BEFORE_LOCK, World
from workflow import my_tasks

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


CSRF = re.compile(r'name="_csrf" value="([^"]+)"')


def _own_demo_identity(world: World, login: str, demo_login: str) -> None:
    """``login`` holds the personal ID of ``demo_login``'s demo certificate, and a password."""
    certificate = demo_pki().staff[demo_login].certificate
    (uid,) = certificate.subject.get_attributes_for_oid(NameOID.USER_ID)
    with Session(world.engine) as session:
        person = session.get(Person, world.people[login])
        assert person is not None
        person.personal_id = str(uid.value).removeprefix(PERSONAL_ID_PREFIX)
        session.add(person)
        session.commit()
    set_password(world, login)


def _sign_on_the_page(api: Api, login: str, class_id: int) -> httpx.Response:
    """``login`` logs in to the pages and signs their first task of the class."""
    client = api.client
    token = CSRF.search(client.get("/dang-nhap").text)
    assert token is not None
    client.post(
        "/dang-nhap",
        data={"_csrf": token.group(1), "username": login, "password": PASSWORD},
        follow_redirects=False,
    )
    page = client.get(f"/ky/{class_id}")
    assert page.status_code == 200, page.text
    (task,) = [
        t
        for t in my_tasks(api.world.uow(), actor=api.world.actor(login), now=BEFORE_LOCK)
        if t.action == "sign" and t.class_id == class_id
    ]
    token = CSRF.search(page.text)
    assert token is not None
    return client.post(f"/ky/{class_id}", data={"_csrf": token.group(1), "task": task.id})


def test_in_demo_mode_the_signing_page_signs_with_the_api_demo_signers_key(engine: Engine) -> None:
    scene = signable_scene(engine)
    _own_demo_identity(scene.world, "gvbm.toan", "gvbm.toan")
    with Session(engine) as session:  # the class's task holds only the complete transcripts
        for row in session.exec(select(Transcript).where(col(Transcript.id).not_in(scene.ids))):
            session.delete(row)
        session.commit()
    with serving(
        scene.world, SettableClock(BEFORE_LOCK), demo=True, data_dir=demo_pki().directory.parent
    ) as api:
        response = _sign_on_the_page(api, "gvbm.toan", scene.world.class_ids["6A1"])
    assert response.status_code == 200, response.text
    assert all(transcript_row(engine, t).xml_sha256 is not None for t in scene.ids)


def test_the_signing_page_refuses_a_login_outside_the_demo_pki_whatever_key_file_lies_there(
    engine: Engine, tmp_path: Path
) -> None:
    # Someone put a PKCS#12 named after a login the demo PKI never issued next to the demo
    # keys: the page, like the API's demo signer, uses only the demo staff's keys.
    scene = signable_scene(engine)
    with Session(engine) as session:
        person = session.get(Person, scene.world.people["gvbm.gdtc"])
        assert person is not None
        person.username = "gv.theduc"
        session.add(person)
        session.commit()
    scene.world.people["gv.theduc"] = scene.world.people.pop("gvbm.gdtc")
    _own_demo_identity(scene.world, "gv.theduc", "gvbm.gdtc")
    shutil.copytree(demo_pki().directory, tmp_path / "pki")
    shutil.copy(tmp_path / "pki" / "gvbm.gdtc.p12", tmp_path / "pki" / "gv.theduc.p12")
    before = [transcript_row(engine, t).xml_sha256 for t in scene.ids]
    with serving(scene.world, SettableClock(BEFORE_LOCK), demo=True, data_dir=tmp_path) as api:
        response = _sign_on_the_page(api, "gv.theduc", scene.world.class_ids["6A1"])
    assert response.status_code == 403
    assert "Không có chứng thư số thử nghiệm" in response.text
    assert [transcript_row(engine, t).xml_sha256 for t in scene.ids] == before
