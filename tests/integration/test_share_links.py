"""Share links (REQ-32): a student or guardian shares an issued transcript with whom they
choose; the link expires, can be revoked, and each opening is an audit event."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, col, select

from domain.model import AuditEvent, ShareLink, TranscriptKind, TranscriptStatus
from tests.api.conftest import GUARDIAN, STUDENT, add_own_readers
from tests.support.clock import vn
from tests.support.journeys import fire, path_to
from tests.support.world import World
from workflow import (
    SHARE_LINKS,
    AdministratorForbiddenError,
    InvalidInputError,
    NotFoundError,
    NotShareableError,
    ShareLinkExpiredError,
    ShareLinkRevokedError,
    ShareLinkUnknownError,
    ShareLinkWithdrawnError,
    SignedFileKind,
    create_share_link,
    grant_consent,
    list_share_links,
    open_share_link,
    read_shared_file,
    revoke_share_link,
)

NOW = vn(2025, 9, 1)
"""After the year: the transcript was finalized before the lock date."""


def finalized(world: World, student: int = 0) -> str:
    """A transcript of ``student`` taken to ``finalized`` by its events."""
    transcript_id = world.new_transcript(student=student)
    for event, who in path_to(TranscriptKind.CA_NAM, TranscriptStatus.FINALIZED):
        fire(world, transcript_id, event, who=who)
    return transcript_id


@pytest.fixture
def own(world: World) -> World:
    add_own_readers(world)
    # Student 0 is 12: the guardian's consent lets him share himself (Decree 13/2023 Art. 20).
    grant_consent(
        world.uow(),
        student_id=world.student_ids[0],
        purpose=SHARE_LINKS,
        actor=world.actor(GUARDIAN, NOW),
        now=NOW,
    )
    return world


def _share(world: World, transcript_id: str, *, who: str = STUDENT, days: int = 30) -> str:
    made = create_share_link(
        world.uow(),
        transcript_id=transcript_id,
        recipient="Trường Đại học Bách khoa",
        days=days,
        actor=world.actor(who, NOW),
        now=NOW,
    )
    return made.token


def _events(world: World, action: str) -> list[AuditEvent]:
    with Session(world.engine) as session:
        return list(
            session.exec(
                select(AuditEvent).where(AuditEvent.action == action).order_by(col(AuditEvent.seq))
            ).all()
        )


@pytest.mark.parametrize("who", [STUDENT, GUARDIAN])
def test_a_student_or_guardian_shares_a_finalized_transcript_and_a_visitor_opens_it(
    own: World, who: str
) -> None:
    transcript_id = finalized(own)
    token = _share(own, transcript_id, who=who)
    shared = open_share_link(own.uow(), token=token, now=NOW + timedelta(days=1))
    assert shared.transcript_id == transcript_id
    assert shared.student_name == "Nguyễn Văn An"
    assert "*" in shared.personal_id_masked
    assert shared.recipient == "Trường Đại học Bách khoa"
    assert shared.has_xml and shared.has_pdf
    xml = read_shared_file(own.uow(), token=token, kind=SignedFileKind.XML, now=NOW)
    assert xml.content.startswith(b"<HocBa")


def test_only_the_hash_of_the_token_is_stored(own: World) -> None:
    token = _share(own, finalized(own))
    with Session(own.engine) as session:
        link = session.exec(select(ShareLink)).one()
    assert token not in link.token_sha256
    assert len(link.token_sha256) == 64
    assert len(token) >= 40


def test_a_link_opens_until_it_expires_and_then_is_gone(own: World) -> None:
    token = _share(own, finalized(own), days=7)
    open_share_link(own.uow(), token=token, now=NOW + timedelta(days=7) - timedelta(seconds=1))
    with pytest.raises(ShareLinkExpiredError):
        open_share_link(own.uow(), token=token, now=NOW + timedelta(days=7))
    with pytest.raises(ShareLinkExpiredError):
        read_shared_file(
            own.uow(), token=token, kind=SignedFileKind.PDF, now=NOW + timedelta(days=8)
        )


def test_a_revoked_link_no_longer_opens(own: World) -> None:
    token = _share(own, finalized(own))
    [link] = list_share_links(own.uow(), actor=own.actor(STUDENT, NOW), now=NOW)
    revoked = revoke_share_link(own.uow(), link_id=link.id, actor=own.actor(STUDENT, NOW), now=NOW)
    assert revoked.state == "revoked"
    with pytest.raises(ShareLinkRevokedError):
        open_share_link(own.uow(), token=token, now=NOW)
    with pytest.raises(ShareLinkRevokedError):
        read_shared_file(own.uow(), token=token, kind=SignedFileKind.XML, now=NOW)
    assert len(_events(own, "share_link.revoke")) == 1


def test_revoking_twice_changes_nothing_the_second_time(own: World) -> None:
    _share(own, finalized(own))
    actor = own.actor(STUDENT, NOW)
    [link] = list_share_links(own.uow(), actor=actor, now=NOW)
    first = revoke_share_link(own.uow(), link_id=link.id, actor=actor, now=NOW)
    again = revoke_share_link(own.uow(), link_id=link.id, actor=actor, now=NOW + timedelta(days=1))
    assert again.revoked_at == first.revoked_at
    assert len(_events(own, "share_link.revoke")) == 1


def test_a_link_to_a_version_the_school_replaced_is_withdrawn(own: World) -> None:
    transcript_id = finalized(own)
    token = _share(own, transcript_id)
    fire(own, transcript_id, "request_correction", who="hieutruong")
    open_share_link(own.uow(), token=token, now=NOW)  # still the issued version meanwhile
    fire(own, transcript_id, "approve_correction", who="so.gddt")
    with pytest.raises(ShareLinkWithdrawnError):
        open_share_link(own.uow(), token=token, now=NOW)
    [link] = list_share_links(own.uow(), actor=own.actor(STUDENT, NOW), now=NOW)
    assert link.state == "withdrawn"


def test_an_unknown_token_is_not_found_and_not_repeated(own: World) -> None:
    with pytest.raises(ShareLinkUnknownError) as refused:
        open_share_link(own.uow(), token="khong-co-lien-ket-nay-0123456789", now=NOW)
    assert "khong-co" not in str(refused.value)


def test_a_transcript_not_yet_finalized_cannot_be_shared(own: World) -> None:
    draft = own.new_transcript(student=0)
    with pytest.raises(NotShareableError):
        _share(own, draft)


@pytest.mark.parametrize("who", ["gvcn.6a1", "hieutruong", "so.gddt"])
def test_staff_cannot_share_a_students_transcript(own: World, who: str) -> None:
    transcript_id = finalized(own)
    with pytest.raises(NotFoundError):
        _share(own, transcript_id, who=who)


def test_the_administrator_is_refused(own: World) -> None:
    with pytest.raises(AdministratorForbiddenError):
        _share(own, finalized(own), who="admin")


def test_a_student_cannot_share_another_students_transcript(own: World) -> None:
    classmate = finalized(own, student=1)
    with pytest.raises(NotFoundError):
        _share(own, classmate)


@pytest.mark.parametrize("days", [0, 1, 91, 365, -7])
def test_the_lifetime_is_one_of_the_offered_choices_and_at_most_90_days(
    own: World, days: int
) -> None:
    with pytest.raises(InvalidInputError) as refused:
        _share(own, finalized(own), days=days)
    assert refused.value.field == "expires_in_days"


@pytest.mark.parametrize("recipient", ["", "   ", "x" * 121])
def test_the_recipient_must_be_named_briefly(own: World, recipient: str) -> None:
    with pytest.raises(InvalidInputError) as refused:
        create_share_link(
            own.uow(),
            transcript_id=finalized(own),
            recipient=recipient,
            days=30,
            actor=own.actor(STUDENT, NOW),
            now=NOW,
        )
    assert refused.value.field == "recipient"


def test_each_person_lists_and_revokes_only_their_own_links(own: World) -> None:
    transcript_id = finalized(own)
    _share(own, transcript_id, who=STUDENT)
    _share(own, transcript_id, who=GUARDIAN)
    mine = list_share_links(own.uow(), actor=own.actor(STUDENT, NOW), now=NOW)
    theirs = list_share_links(own.uow(), actor=own.actor(GUARDIAN, NOW), now=NOW)
    assert len(mine) == len(theirs) == 1
    assert mine[0].id != theirs[0].id
    with pytest.raises(NotFoundError):
        revoke_share_link(own.uow(), link_id=theirs[0].id, actor=own.actor(STUDENT, NOW), now=NOW)
    assert list_share_links(own.uow(), actor=own.actor("gvcn.6a1", NOW), now=NOW) == []


def test_creating_and_every_opening_are_audit_events(own: World) -> None:
    transcript_id = finalized(own)
    token = _share(own, transcript_id)
    open_share_link(own.uow(), token=token, now=NOW)
    read_shared_file(own.uow(), token=token, kind=SignedFileKind.XML, now=NOW)
    read_shared_file(own.uow(), token=token, kind=SignedFileKind.PDF, now=NOW)
    [created] = _events(own, "share_link.create")
    assert created.actor_label == STUDENT
    assert created.details["transcript_id"] == transcript_id
    openings = _events(own, "share_link.open")
    assert [e.details["file"] for e in openings] == [None, "xml", "pdf"]
    assert {e.object_id for e in openings} == {str(own.student_ids[0])}
    assert all(e.actor_id is None and e.actor_label.startswith("share-link:") for e in openings)
    [link] = list_share_links(own.uow(), actor=own.actor(STUDENT, NOW), now=NOW)
    assert link.open_count == 3


def test_a_refused_opening_records_nothing(own: World) -> None:
    token = _share(own, finalized(own), days=7)
    with pytest.raises(ShareLinkExpiredError):
        open_share_link(own.uow(), token=token, now=NOW + timedelta(days=30))
    assert _events(own, "share_link.open") == []
