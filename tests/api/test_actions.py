"""Return, revoke, correction requests and decisions: allowed, refused, unseen, invalid."""

from __future__ import annotations

import httpx
import pytest

from domain.model import TranscriptKind, TranscriptStatus
from tests.api.conftest import STUDENT, Api, assert_problem, other_school_transcript
from tests.support.journeys import REASON, drive_to, status_of
from tests.support.world import AFTER_LOCK

S = TranscriptStatus
MISSING = "00000000-0000-0000-0000-000000000000"


def _at(api: Api, state: TranscriptStatus) -> str:
    return drive_to(api.world, TranscriptKind.CA_NAM, state)


# --- POST /transcripts/{id}/return ---------------------------------------------------------


def test_the_homeroom_teacher_returns_a_transcript_to_draft(api: Api) -> None:
    tid = _at(api, S.SUBJECT_SIGNED)
    response = api.post(f"/transcripts/{tid}/return", as_="gvcn.6a1", json={"reason": REASON})
    assert response.status_code == 200, response.text
    assert response.json() == {"transcript_id": tid, "status": "draft", "new_transcript_id": None}
    assert status_of(api.world.engine, tid) is S.DRAFT


def test_a_subject_teacher_in_scope_may_not_return_it(api: Api) -> None:
    tid = _at(api, S.SUBJECT_SIGNED)
    response = api.post(f"/transcripts/{tid}/return", as_="gvbm.toan", json={"reason": REASON})
    assert_problem(response, 403, "not_assigned")
    assert status_of(api.world.engine, tid) is S.SUBJECT_SIGNED


def test_returning_a_transcript_outside_the_callers_scope_is_404(api: Api) -> None:
    tid = _at(api, S.SUBJECT_SIGNED)
    for who in ("gvcn.6a2", "so.khac", STUDENT):
        response = api.post(f"/transcripts/{tid}/return", as_=who, json={"reason": REASON})
        assert_problem(response, 404, "not_found")
    assert_problem(
        api.post(f"/transcripts/{MISSING}/return", as_="gvcn.6a1", json={"reason": REASON}),
        404,
        "not_found",
    )


def test_a_blank_reason_is_a_422_naming_the_reason(api: Api) -> None:
    tid = _at(api, S.SUBJECT_SIGNED)
    body = assert_problem(
        api.post(f"/transcripts/{tid}/return", as_="gvcn.6a1", json={"reason": "   "}),
        422,
        "reason_required",
    )
    assert body["field"] == "reason"
    body = assert_problem(
        api.post(f"/transcripts/{tid}/return", as_="gvcn.6a1", json={"reason": ""}),
        422,
        "invalid_input",
    )
    assert body["field"] == "reason"


def test_returning_a_draft_is_a_409(api: Api) -> None:
    tid = api.world.new_transcript()
    response = api.post(f"/transcripts/{tid}/return", as_="gvcn.6a1", json={"reason": REASON})
    assert_problem(response, 409, "not_allowed_in_state")


# --- POST /transcripts/{id}/revoke ---------------------------------------------------------


def test_the_principal_revokes_a_stamped_transcript_and_a_new_draft_starts(api: Api) -> None:
    tid = _at(api, S.SCHOOL_STAMPED)
    response = api.post(f"/transcripts/{tid}/revoke", as_="hieutruong", json={"reason": REASON})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["transcript_id"] == tid and body["status"] == "superseded"
    new = api.get(f"/transcripts/{body['new_transcript_id']}", as_="hieutruong").json()
    assert (new["status"], new["version"], new["replaces_id"]) == ("draft", 2, tid)


@pytest.mark.parametrize("who", ["gvcn.6a1", "vanthu", "so.gddt"])
def test_only_the_principal_revokes(api: Api, who: str) -> None:
    tid = _at(api, S.SCHOOL_STAMPED)
    response = api.post(f"/transcripts/{tid}/revoke", as_=who, json={"reason": REASON})
    assert_problem(response, 403, "not_assigned")


def test_revoking_another_schools_transcript_is_404(api: Api) -> None:
    tid = other_school_transcript(api.world)
    response = api.post(f"/transcripts/{tid}/revoke", as_="hieutruong", json={"reason": REASON})
    assert_problem(response, 404, "not_found")


def test_the_administrator_may_not_revoke(api: Api) -> None:
    tid = _at(api, S.SCHOOL_STAMPED)
    response = api.post(f"/transcripts/{tid}/revoke", as_="admin", json={"reason": REASON})
    assert_problem(response, 403, "administrator_forbidden")


def test_revoking_without_a_reason_is_a_422(api: Api) -> None:
    tid = _at(api, S.SCHOOL_STAMPED)
    body = assert_problem(
        api.post(f"/transcripts/{tid}/revoke", as_="hieutruong", json={}), 422, "invalid_input"
    )
    assert body["field"] == "reason"


def test_revoking_after_the_lock_date_is_a_409(api: Api) -> None:
    tid = _at(api, S.FINALIZED)
    api.clock.at = AFTER_LOCK
    response = api.post(f"/transcripts/{tid}/revoke", as_="hieutruong", json={"reason": REASON})
    assert_problem(response, 409, "lock_date_passed")


# --- POST /transcripts/{id}/correction-requests --------------------------------------------


def _request(api: Api, tid: str, who: str = "hieutruong") -> httpx.Response:
    return api.post(
        f"/transcripts/{tid}/correction-requests",
        as_=who,
        json={"reason": REASON, "details": "TOAN: 6.5 → 7.5"},
    )


def test_the_principal_requests_a_correction_after_the_lock(api: Api) -> None:
    tid = _at(api, S.FINALIZED)
    api.clock.at = AFTER_LOCK
    response = _request(api, tid)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["transcript_id"] == tid and body["status"] == "pending"
    assert status_of(api.world.engine, tid) is S.CORRECTION_REQUESTED


def test_a_correction_request_before_the_lock_is_a_409(api: Api) -> None:
    tid = _at(api, S.FINALIZED)
    assert_problem(_request(api, tid), 409, "not_locked_yet")


def test_a_teacher_may_not_request_a_correction(api: Api) -> None:
    tid = _at(api, S.FINALIZED)
    api.clock.at = AFTER_LOCK
    assert_problem(_request(api, tid, "gvcn.6a1"), 403, "not_assigned")


def test_a_correction_request_for_an_unseen_transcript_is_404(api: Api) -> None:
    api.clock.at = AFTER_LOCK
    assert_problem(_request(api, MISSING), 404, "not_found")


def test_a_correction_request_needs_a_reason(api: Api) -> None:
    tid = _at(api, S.FINALIZED)
    api.clock.at = AFTER_LOCK
    response = api.post(
        f"/transcripts/{tid}/correction-requests", as_="hieutruong", json={"details": "x"}
    )
    assert assert_problem(response, 422, "invalid_input")["field"] == "reason"


# --- GET /correction-requests and POST /correction-requests/{id}/decision -----------------


@pytest.fixture
def requested(api: Api) -> tuple[str, int]:
    """A finalized transcript with a pending correction request, after the lock date."""
    tid = _at(api, S.FINALIZED)
    api.clock.at = AFTER_LOCK
    response = _request(api, tid)
    return tid, int(response.json()["id"])


def test_the_department_lists_pending_requests_of_its_schools(
    api: Api, requested: tuple[str, int]
) -> None:
    tid, request_id = requested
    items = api.get("/correction-requests?status=pending", as_="so.gddt").json()["items"]
    assert [(i["id"], i["transcript_id"], i["status"]) for i in items] == [
        (request_id, tid, "pending")
    ]
    assert items[0]["details"] == "TOAN: 6.5 → 7.5"
    assert api.get("/correction-requests", as_="so.khac").json()["items"] == []
    assert api.get("/correction-requests?status=approved", as_="so.gddt").json()["items"] == []


@pytest.mark.parametrize("who", ["hieutruong", "gvcn.6a1", STUDENT])
def test_only_department_officers_list_correction_requests(api: Api, who: str) -> None:
    assert_problem(api.get("/correction-requests", as_=who), 403, "not_assigned")


def test_an_unknown_status_of_requests_is_a_422(api: Api) -> None:
    body = assert_problem(
        api.get("/correction-requests?status=lost", as_="so.gddt"), 422, "invalid_input"
    )
    assert body["field"] == "status"


def test_the_department_approves_and_a_new_version_starts(
    api: Api, requested: tuple[str, int]
) -> None:
    tid, request_id = requested
    response = api.post(
        f"/correction-requests/{request_id}/decision",
        as_="so.gddt",
        json={"decision": "approve", "note": "Đồng ý"},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["id"], body["transcript_id"], body["status"]) == (request_id, tid, "approved")
    assert body["new_transcript_id"] and status_of(api.world.engine, tid) is S.SUPERSEDED


def test_the_department_rejects_and_the_transcript_is_finalized_again(
    api: Api, requested: tuple[str, int]
) -> None:
    tid, request_id = requested
    response = api.post(
        f"/correction-requests/{request_id}/decision", as_="so.gddt", json={"decision": "reject"}
    )
    assert response.json()["status"] == "rejected"
    assert status_of(api.world.engine, tid) is S.FINALIZED
    again = api.post(
        f"/correction-requests/{request_id}/decision", as_="so.gddt", json={"decision": "reject"}
    )
    assert_problem(again, 409, "conflict")


def test_another_departments_officer_is_told_the_request_does_not_exist(
    api: Api, requested: tuple[str, int]
) -> None:
    _, request_id = requested
    path = f"/correction-requests/{request_id}/decision"
    assert_problem(api.post(path, as_="so.khac", json={"decision": "approve"}), 404, "not_found")
    assert_problem(
        api.post("/correction-requests/99999/decision", as_="so.gddt", json={"decision": "reject"}),
        404,
        "not_found",
    )


def test_the_principal_may_not_decide_a_request(api: Api, requested: tuple[str, int]) -> None:
    _, request_id = requested
    path = f"/correction-requests/{request_id}/decision"
    assert_problem(
        api.post(path, as_="hieutruong", json={"decision": "approve"}), 403, "not_assigned"
    )
    assert_problem(
        api.post(path, as_="admin", json={"decision": "approve"}), 403, "administrator_forbidden"
    )


def test_a_decision_other_than_approve_or_reject_is_a_422_naming_it(
    api: Api, requested: tuple[str, int]
) -> None:
    _, request_id = requested
    response = api.post(
        f"/correction-requests/{request_id}/decision", as_="so.gddt", json={"decision": "maybe"}
    )
    assert assert_problem(response, 422, "invalid_input")["field"] == "decision"
