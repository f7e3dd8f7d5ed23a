"""A guardian's consent to sharing (REQ-32; Decree 13/2023 Art. 20): a student under 16
creates a share link only while a guardian's consent is in force."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import Session, col, select

from domain.model import AuditEvent, Consent, Student
from tests.api.conftest import GUARDIAN, STUDENT, add_own_readers
from tests.integration.test_share_links import NOW, finalized
from tests.support.world import World
from workflow import (
    SHARE_LINKS,
    ConsentRequiredError,
    NotFoundError,
    create_share_link,
    grant_consent,
    my_consents,
    withdraw_consent,
)


@pytest.fixture
def own(world: World) -> World:
    add_own_readers(world)
    return world


def _share(world: World, transcript_id: str, who: str = STUDENT) -> None:
    create_share_link(
        world.uow(),
        transcript_id=transcript_id,
        recipient="Trường THPT Lê Hồng Phong",
        days=30,
        actor=world.actor(who, NOW),
        now=NOW,
    )


def _decide(world: World, grant: bool, *, who: str = GUARDIAN, at: object = NOW) -> None:
    use = grant_consent if grant else withdraw_consent
    use(
        world.uow(),
        student_id=world.student_ids[0],
        purpose=SHARE_LINKS,
        actor=world.actor(who, NOW),
        now=NOW if at is NOW else at,  # type: ignore[arg-type]
    )


def test_a_student_under_16_cannot_share_without_a_guardians_consent(own: World) -> None:
    transcript_id = finalized(own)
    with pytest.raises(ConsentRequiredError) as refused:
        _share(own, transcript_id)
    assert "16" in refused.value.message_vi


def test_once_the_guardian_consents_the_student_shares_and_after_withdrawal_cannot(
    own: World,
) -> None:
    transcript_id = finalized(own)
    _decide(own, grant=True)
    _share(own, transcript_id)
    _decide(own, grant=False, at=NOW + timedelta(minutes=1))
    with pytest.raises(ConsentRequiredError):
        _share(own, transcript_id)
    with Session(own.engine) as session:
        [row] = session.exec(select(Consent)).all()
        actions = session.exec(
            select(AuditEvent.action)
            .where(col(AuditEvent.action).like("consent.%"))
            .order_by(col(AuditEvent.seq))
        ).all()
    assert row.withdrawn_at is not None and row.text_version
    assert actions == ["consent.grant", "consent.withdraw"]


def test_the_guardian_shares_without_a_recorded_consent(own: World) -> None:
    _share(own, finalized(own), who=GUARDIAN)


def test_a_student_of_16_shares_without_a_consent(own: World) -> None:
    with Session(own.engine) as session:
        student = session.get(Student, own.student_ids[0])
        assert student is not None
        student.date_of_birth = date(2009, 9, 1)  # 16 on NOW's day
        session.add(student)
        session.commit()
    _share(own, finalized(own))


def test_only_a_guardian_grants_or_withdraws(own: World) -> None:
    with pytest.raises(NotFoundError):
        _decide(own, grant=True, who=STUDENT)
    with pytest.raises(NotFoundError):
        _decide(own, grant=True, who="hieutruong")


def test_granting_twice_records_one_consent_and_the_status_shows_it(own: World) -> None:
    _decide(own, grant=True)
    _decide(own, grant=True)
    [status] = my_consents(own.uow(), actor=own.actor(STUDENT, NOW), now=NOW)
    assert status.is_child and status.in_force and not status.can_decide
    assert status.granted_by == "Nguyễn Văn Cha"
    [mine] = my_consents(own.uow(), actor=own.actor(GUARDIAN, NOW), now=NOW)
    assert mine.mine and mine.can_decide
    with Session(own.engine) as session:
        assert len(session.exec(select(Consent)).all()) == 1
