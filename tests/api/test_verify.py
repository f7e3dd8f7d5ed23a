"""``POST /verify``: the verification report of an uploaded transcript, for anyone."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from tests.api.conftest import Api, SettableClock, assert_problem
from tests.api.signing_scene import serving, sign_step, signable_scene
from tests.support.signing import authority
from tests.support.world import BEFORE_LOCK
from tests.support.year_end import SUBJECTS

STUDENT_NAME = "Nguyễn Văn An"


@pytest.fixture
def verifying(engine: Engine, tmp_path: Path) -> Iterator[tuple[Api, bytes]]:
    """The app with the test CA as trust root, and An's transcript signed in every slot."""
    scene = signable_scene(engine)
    roots = authority().write_root(tmp_path)
    with serving(scene.world, SettableClock(BEFORE_LOCK), trust_roots=roots) as api:
        ids = scene.ids[:1]
        for code in SUBJECTS:
            sign_step(api, f"gvbm.{code.lower()}", ids, "subject", subject_code=code)
        for step, who in (("homeroom", "gvcn.6a1"), ("principal", "hieutruong")):
            sign_step(api, who, ids, step)
        sign_step(api, "vanthu", ids, "school")
        xml = api.get(f"/transcripts/{ids[0]}/xml", as_="hieutruong")
        assert xml.status_code == 200
        yield api, xml.content


def upload(api: Api, content: bytes, name: str = "hocba.xml") -> dict[str, object]:
    response = api.client.post("/api/v1/verify", files={"file": (name, content)})
    assert response.status_code == 200, response.text
    report: dict[str, object] = response.json()
    return report


def test_a_signed_transcript_verifies_as_valid_for_an_anonymous_visitor(
    verifying: tuple[Api, bytes],
) -> None:
    api, xml = verifying
    report = upload(api, xml)
    assert report["valid"] is True, report
    assert report["indication"] == "TOTAL_PASSED"
    assert report["format"] == "xml"
    signatures = report["signatures"]
    assert isinstance(signatures, list) and len(signatures) == len(SUBJECTS) + 3
    assert report["missing_signatures"] == []


def test_a_changed_name_makes_the_transcript_not_valid_with_a_hash_failure(
    verifying: tuple[Api, bytes],
) -> None:
    api, xml = verifying
    assert STUDENT_NAME.encode() in xml
    report = upload(api, xml.replace(STUDENT_NAME.encode(), "Nguyễn Văn Ân".encode()))
    assert report["valid"] is False
    assert report["indication"] == "TOTAL_FAILED"
    signatures = report["signatures"]
    assert isinstance(signatures, list)
    assert "HASH_FAILURE" in {s["sub_indication"] for s in signatures}


def test_a_file_that_is_no_transcript_gets_a_report_saying_so(api: Api, tmp_path: Path) -> None:
    roots = authority().write_root(tmp_path)
    with serving(api.world, api.clock, trust_roots=roots) as app:
        report = upload(app, b"%%% not a transcript %%%", "notes.txt")
    assert report["valid"] is False
    assert report["format"] == "unknown"
    errors = report["errors"]
    assert isinstance(errors, list) and errors[0]["code"] == "not_a_transcript"


def test_an_upload_without_the_file_field_is_refused(api: Api, tmp_path: Path) -> None:
    roots = authority().write_root(tmp_path)
    with serving(api.world, api.clock, trust_roots=roots) as app:
        response = app.client.post("/api/v1/verify", files={"other": ("x.xml", b"<a/>")})
    assert 400 <= response.status_code < 500
    assert response.headers["content-type"].startswith("application/problem+json")


def test_an_upload_over_the_size_cap_is_refused_unread(api: Api, tmp_path: Path) -> None:
    roots = authority().write_root(tmp_path)
    with serving(api.world, api.clock, trust_roots=roots) as app:
        big = b"<" + b" " * (21 * 1024 * 1024)
        response = app.client.post("/api/v1/verify", files={"file": ("big.xml", big)})
    assert_problem(response, 413, "too_large")


def test_without_trust_roots_verification_is_unavailable(api: Api) -> None:
    with serving(api.world, api.clock, trust_roots=None) as app:
        response = app.client.post("/api/v1/verify", files={"file": ("a.xml", b"<a/>")})
    assert_problem(response, 503, "unavailable")
