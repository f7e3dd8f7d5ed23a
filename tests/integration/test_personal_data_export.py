"""The data subject's access export: everything held about one student, nothing of another."""

from __future__ import annotations

import json

import pytest
from sqlmodel import Session, col, select

from domain.model import AuditEvent, Transcript
from tests.api.conftest import GUARDIAN, STUDENT, add_own_readers
from tests.integration.test_share_links import NOW, finalized
from tests.support.world import World
from workflow import (
    FORMAT_VERSION,
    SHARE_LINKS,
    AdministratorForbiddenError,
    NotAssignedError,
    NotFoundError,
    create_share_link,
    export_personal_data,
    grant_consent,
    read_transcript,
)

SECTIONS = (
    "student",
    "account",
    "guardians",
    "enrollments",
    "score_lines",
    "homeroom_records",
    "year_end_records",
    "transcripts",
    "signatures",
    "correction_requests",
    "share_links",
    "consents",
    "lost_files_requests",
    "audit_events",
)


@pytest.fixture
def own(world: World) -> World:
    add_own_readers(world)
    for student in (0, 1):
        transcript_id = finalized(world, student)
        read_transcript(
            world.uow(), transcript_id=transcript_id, actor=world.actor("gvcn.6a1", NOW), now=NOW
        )
    grant_consent(
        world.uow(),
        student_id=world.student_ids[0],
        purpose=SHARE_LINKS,
        actor=world.actor(GUARDIAN, NOW),
        now=NOW,
    )
    [mine] = [t for t in _transcripts(world) if t[1] == world.student_ids[0]]
    create_share_link(
        world.uow(),
        transcript_id=mine[0],
        recipient="Đại học Quốc gia",
        days=30,
        actor=world.actor(STUDENT, NOW),
        now=NOW,
    )
    return world


def _transcripts(world: World) -> list[tuple[str, int]]:
    with Session(world.engine) as session:
        return [(t.id, t.student_id) for t in session.exec(select(Transcript)).all()]


@pytest.mark.parametrize("who", [STUDENT, GUARDIAN])
def test_the_student_or_guardian_exports_every_section(own: World, who: str) -> None:
    document = export_personal_data(own.uow(), actor=own.actor(who, NOW), now=NOW)
    assert document["format_version"] == FORMAT_VERSION
    assert all(section in document for section in SECTIONS)
    assert document["student"]["id"] == own.student_ids[0]
    assert document["student"]["full_name"] == "Nguyễn Văn An"
    assert len(document["transcripts"]) == 1 and document["transcripts"][0]["data"]
    assert document["signatures"] and document["enrollments"]
    assert [c["purpose"] for c in document["consents"]] == [SHARE_LINKS]
    assert [link["recipient"] for link in document["share_links"]] == ["Đại học Quốc gia"]
    actions = {e["action"] for e in document["audit_events"]}
    assert {"student.read", "consent.grant", "share_link.create"} <= actions
    assert all("token_sha256" not in link for link in document["share_links"])


def test_the_export_holds_nothing_of_another_student(own: World) -> None:
    document = export_personal_data(own.uow(), actor=own.actor(STUDENT, NOW), now=NOW)
    text = json.dumps(document, ensure_ascii=False)
    other_transcript = next(t for t, s in _transcripts(own) if s == own.student_ids[1])
    assert "Trần Thị Bình" not in text
    assert "079312000102" not in text
    assert other_transcript not in text
    for event in document["audit_events"]:
        assert event["object_id"] != str(own.student_ids[1])


def test_the_principal_exports_a_student_of_the_school_on_request(own: World) -> None:
    document = export_personal_data(
        own.uow(), actor=own.actor("hieutruong", NOW), now=NOW, student_id=own.student_ids[1]
    )
    assert document["student"]["full_name"] == "Trần Thị Bình"
    with Session(own.engine) as session:
        events = session.exec(
            select(AuditEvent).where(col(AuditEvent.action) == "personal_data.export")
        ).all()
    assert [(e.object_id, e.actor_id) for e in events] == [
        (str(own.student_ids[1]), own.people["hieutruong"])
    ]


def test_a_teacher_may_not_export_and_a_student_may_not_export_another(own: World) -> None:
    with pytest.raises(NotAssignedError):
        export_personal_data(
            own.uow(), actor=own.actor("gvcn.6a1", NOW), now=NOW, student_id=own.student_ids[0]
        )
    with pytest.raises(NotFoundError):
        export_personal_data(
            own.uow(), actor=own.actor(STUDENT, NOW), now=NOW, student_id=own.student_ids[1]
        )
    with pytest.raises(AdministratorForbiddenError):
        export_personal_data(
            own.uow(), actor=own.actor("admin", NOW), now=NOW, student_id=own.student_ids[0]
        )
