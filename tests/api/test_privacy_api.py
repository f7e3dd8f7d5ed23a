"""The access report and the personal-data export over the API."""

from __future__ import annotations

from tests.api.conftest import GUARDIAN, STUDENT, Api, assert_problem
from tests.support.clock import vn
from workflow import read_transcript

NIGHT = vn(2025, 3, 4, 22, 30)


def test_the_principal_gets_the_report_of_the_days_asked_and_a_teacher_gets_403(
    api: Api,
) -> None:
    transcript_id = api.world.new_transcript()
    read_transcript(
        api.world.uow(),
        transcript_id=transcript_id,
        actor=api.world.actor("gvcn.6a1", NIGHT),
        now=NIGHT,
    )
    api.clock.at = vn(2025, 4, 2)
    body = api.get(
        "/access-report", as_="hieutruong", params={"since": "2025-03-01", "until": "2025-03-31"}
    ).json()
    assert body["since"] == "2025-03-01T00:00:00+07:00"
    assert body["until"] == "2025-04-01T00:00:00+07:00"
    [finding] = body["findings"]
    assert (finding["username"], finding["kind"], finding["count"]) == (
        "gvcn.6a1",
        "off_hours",
        1,
    )
    assert finding["examples"][0]["student_id"] == api.world.student_ids[0]
    assert_problem(api.get("/access-report", as_="gvcn.6a1"), 403, "not_assigned")
    assert_problem(api.get("/access-report", as_="admin"), 403, "administrator_forbidden")
    refused = api.get(
        "/access-report", as_="hieutruong", params={"since": "2025-03-10", "until": "2025-03-01"}
    )
    assert_problem(refused, 422, "invalid_input")


def test_a_student_downloads_their_personal_data_and_the_principal_a_students(api: Api) -> None:
    api.world.new_transcript()
    mine = api.get("/me/personal-data", as_=STUDENT)
    assert mine.status_code == 200, mine.text
    assert mine.headers["cache-control"] == "no-store"
    assert "attachment" in mine.headers["content-disposition"]
    assert mine.json()["student"]["id"] == api.world.student_ids[0]
    assert api.get("/me/personal-data", as_=GUARDIAN).json()["student"]["full_name"] == (
        "Nguyễn Văn An"
    )
    other = api.world.student_ids[1]
    by_principal = api.get(f"/students/{other}/personal-data", as_="hieutruong")
    assert by_principal.json()["student"]["id"] == other
    assert_problem(api.get(f"/students/{other}/personal-data", as_="gvcn.6a1"), 403, "not_assigned")
    assert_problem(api.get(f"/students/{other}/personal-data", as_=STUDENT), 404, "not_found")
