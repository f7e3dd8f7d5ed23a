"""Reading through the API: each role sees its scope, nobody else's, and every read is audited."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlmodel import Session, col, select

from domain.model import AuditEvent, Transcript
from tests.api.conftest import (
    GUARDIAN,
    STUDENT,
    Api,
    assert_problem,
    class_6a2_transcript,
    other_school_transcript,
)
from tests.support.journeys import fire
from workflow import may_read

CONTRACT_KEYS = {"id", "version", "kind", "status", "school_year", "student", "signatures"}


@dataclass(frozen=True)
class Scene:
    """Four draft transcripts: two of 6A1 (students 0 and 1), one of 6A2, one elsewhere."""

    own: str
    classmate: str
    other_class: str
    other_school: str


@pytest.fixture
def scene(api: Api) -> Scene:
    return Scene(
        own=api.world.new_transcript(student=0),
        classmate=api.world.new_transcript(student=1),
        other_class=class_6a2_transcript(api.world),
        other_school=other_school_transcript(api.world),
    )


def _visible(scene: Scene, who: str) -> set[str]:
    school = {scene.own, scene.classmate, scene.other_class}
    class_6a1 = {scene.own, scene.classmate}
    return {
        "hieutruong": school,
        "vanthu": school,
        "hocvu": school,
        "gvcn.6a1": class_6a1,
        "gvbm.toan": class_6a1,
        "gvbm.nguvan": class_6a1,
        "gvbm.gdtc": class_6a1,
        "gvcn.6a2": {scene.other_class},
        "gvbm.toan.6a2": {scene.other_class},
        "so.gddt": {*school, scene.other_school},
        "so.khac": set(),
        STUDENT: {scene.own},
        GUARDIAN: {scene.own},
    }[who]


READERS = [
    "hieutruong",
    "vanthu",
    "hocvu",
    "gvcn.6a1",
    "gvbm.toan",
    "gvbm.nguvan",
    "gvbm.gdtc",
    "gvcn.6a2",
    "gvbm.toan.6a2",
    "so.gddt",
    "so.khac",
    STUDENT,
    GUARDIAN,
]


def _reads(api: Api) -> list[tuple[str | None, str]]:
    with Session(api.world.engine) as session:
        rows = session.exec(
            select(AuditEvent.actor_label, AuditEvent.object_id)
            .where(AuditEvent.action == "student.read")
            .order_by(col(AuditEvent.seq))
        ).all()
    return [(label, object_id) for label, object_id in rows]


@pytest.mark.parametrize("who", READERS)
def test_each_role_lists_exactly_the_transcripts_in_its_scope(
    api: Api, scene: Scene, who: str
) -> None:
    response = api.get("/transcripts", as_=who)
    assert response.status_code == 200, response.text
    assert {i["id"] for i in response.json()["items"]} == _visible(scene, who)


@pytest.mark.parametrize("who", READERS)
def test_each_role_reads_a_transcript_in_scope_and_is_told_404_outside_it(
    api: Api, scene: Scene, who: str
) -> None:
    visible = _visible(scene, who)
    for tid in (scene.own, scene.classmate, scene.other_class, scene.other_school):
        response = api.get(f"/transcripts/{tid}", as_=who)
        if tid in visible:
            assert response.status_code == 200, response.text
            assert set(response.json()) >= CONTRACT_KEYS
        else:
            assert_problem(response, 404, "not_found")


def test_a_transcript_of_another_school_looks_exactly_like_one_that_does_not_exist(
    api: Api, scene: Scene
) -> None:
    other = api.get(f"/transcripts/{scene.other_school}", as_="gvcn.6a1").json()
    missing_id = "00000000-0000-0000-0000-000000000000"
    missing = api.get(f"/transcripts/{missing_id}", as_="gvcn.6a1").json()
    for body, tid in ((other, scene.other_school), (missing, missing_id)):
        body["detail"] = body["detail"].replace(tid, "<id>")
        body["detail_vi"] = body["detail_vi"].replace(tid, "<id>")
        body["instance"] = body["instance"].replace(tid, "<id>")
    assert other == missing


def test_the_transcript_page_has_the_contract_shape(api: Api, scene: Scene) -> None:
    fire(api.world, scene.own, "sign_subject", who="gvbm.toan")
    body = api.get(f"/transcripts/{scene.own}", as_="gvcn.6a1").json()
    assert body["student"]["personal_id_masked"] == "079*******01"
    assert body["student"]["full_name"] == "Nguyễn Văn An"
    assert [(s["slot"], s["signer"]) for s in body["signatures"]] == [("GVBM:TOAN", "GVBM.TOAN")]
    assert body["signatures"][0]["signed_at"].startswith("2025-05-20")
    assert body["status"] == "draft" and body["version"] == 1 and body["kind"] == "CaNam"
    teacher = api.get(f"/transcripts/{scene.own}", as_="gvbm.nguvan").json()
    assert teacher["allowed_actions"] == ["sign_subject:NGUVAN"]


def test_filters_narrow_the_list(api: Api, scene: Scene) -> None:
    fire(api.world, scene.own, "sign_subject", who="gvbm.toan")
    class_6a2 = api.world.class_ids["6A2"]
    by_class = api.get(f"/transcripts?class_id={class_6a2}", as_="hieutruong").json()
    assert [i["id"] for i in by_class["items"]] == [scene.other_class]
    by_year = api.get("/transcripts?school_year=2023-2024", as_="hieutruong").json()
    assert by_year["items"] == []
    drafts = api.get("/transcripts?status=draft&limit=1&offset=0", as_="hieutruong").json()
    assert len(drafts["items"]) == 1 and drafts["limit"] == 1


def test_an_unknown_status_filter_is_a_422_naming_it(api: Api) -> None:
    body = assert_problem(api.get("/transcripts?status=lost", as_="hocvu"), 422, "invalid_input")
    assert body["field"] == "status"


def test_every_student_listed_or_read_is_an_audit_event(api: Api, scene: Scene) -> None:
    api.get("/transcripts", as_="gvcn.6a1")
    api.get(f"/transcripts/{scene.own}", as_="gvcn.6a1")
    api.get(f"/transcripts/{scene.other_school}", as_="gvcn.6a1")  # refused: not a read
    students = {str(i) for i in api.world.student_ids[:2]}
    reads = _reads(api)
    assert len(reads) == 3
    assert {label for label, _ in reads} == {"gvcn.6a1"}
    assert {object_id for _, object_id in reads} == students


def test_the_administrator_sees_no_academic_data(api: Api, scene: Scene) -> None:
    # The administrator's queue holds only window decisions to carry out (none here).
    assert api.get("/tasks", as_="admin").json() == {"items": []}
    for path in (
        "/transcripts",
        f"/transcripts/{scene.own}",
        f"/transcripts/{scene.own}/xml",
        f"/transcripts/{scene.own}/pdf",
        "/me/transcripts",
        "/correction-requests",
    ):
        assert_problem(api.get(path, as_="admin"), 403, "administrator_forbidden")
    assert _reads(api) == []


@pytest.mark.parametrize("who", [STUDENT, GUARDIAN])
def test_a_student_and_a_guardian_see_only_their_own_records(
    api: Api, scene: Scene, who: str
) -> None:
    mine = api.get("/me/transcripts", as_=who).json()["items"]
    assert [i["id"] for i in mine] == [scene.own]
    assert mine[0]["student_name"] == "Nguyễn Văn An"


def test_staff_have_no_own_records_of_their_own(api: Api, scene: Scene) -> None:
    assert api.get("/me/transcripts", as_="gvcn.6a1").json()["items"] == []


def test_the_signed_files_are_404_until_something_is_signed(api: Api, scene: Scene) -> None:
    for kind in ("xml", "pdf"):
        assert_problem(api.get(f"/transcripts/{scene.own}/{kind}", as_=STUDENT), 404, "not_found")


def test_the_student_downloads_the_current_signed_files_and_outsiders_get_404(
    api: Api, scene: Scene
) -> None:
    fire(api.world, scene.own, "sign_subject", who="gvbm.toan")
    xml = api.get(f"/transcripts/{scene.own}/xml", as_=STUDENT)
    assert xml.status_code == 200
    assert xml.headers["content-type"].startswith("application/xml")
    assert xml.content.startswith(b"<HocBa ky='gvbm.toan'")
    pdf = api.get(f"/transcripts/{scene.own}/pdf", as_=GUARDIAN)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert "attachment" in pdf.headers["content-disposition"]
    for outsider in ("gvcn.6a2", "so.khac"):
        assert_problem(api.get(f"/transcripts/{scene.own}/xml", as_=outsider), 404, "not_found")
    assert len(_reads(api)) == 2


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("gvbm.toan", [("sign", "subject", "TOAN", 2)]),
        ("gvbm.toan.6a2", [("sign", "subject", "TOAN", 1)]),
        ("gvcn.6a1", []),
        ("hieutruong", []),
        ("so.gddt", []),
        ("so.khac", []),
    ],
)
def test_staff_see_their_queue(
    api: Api, scene: Scene, who: str, expected: list[tuple[str, str, str, int]]
) -> None:
    response = api.get("/tasks", as_=who)
    assert response.status_code == 200, response.text
    items = response.json()["items"]
    assert [(i["action"], i["step"], i["subject_code"], i["count"]) for i in items] == expected
    for item in items:
        assert set(item) == {
            "id",
            "action",
            "step",
            "school_year",
            "class_id",
            "class_name",
            "subject_code",
            "transcript_ids",
            "count",
            "due_at",
        }


@pytest.mark.parametrize("who", [STUDENT, GUARDIAN])
def test_students_and_guardians_have_no_queue(api: Api, who: str) -> None:
    assert_problem(api.get("/tasks", as_=who), 403, "not_assigned")


def test_the_queue_moves_as_transcripts_are_signed(api: Api, scene: Scene) -> None:
    for tid in (scene.own, scene.classmate):
        for who in ("gvbm.toan", "gvbm.nguvan", "gvbm.gdtc"):
            fire(api.world, tid, "sign_subject", who=who)
    items = api.get("/tasks", as_="gvcn.6a1").json()["items"]
    assert [(i["step"], sorted(i["transcript_ids"])) for i in items] == [
        ("homeroom", sorted([scene.own, scene.classmate]))
    ]


@pytest.mark.parametrize("who", READERS)
def test_the_list_admits_exactly_what_the_single_read_check_admits(
    api: Api, scene: Scene, who: str
) -> None:
    actor = api.world.actor(who)
    with Session(api.world.engine) as session:
        readable = {
            row.id
            for row in session.exec(select(Transcript)).all()
            if may_read(session, actor, row)
        }
    listed = {i["id"] for i in api.get("/transcripts", as_=who).json()["items"]}
    assert listed == readable
