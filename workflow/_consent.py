"""Guardians' consents for a child's personal data (REQ-32; Decree 13/2023/ND-CP Art. 20).

Processing the personal data of a child (under 16, Law on Children 2016 Art. 1) needs the
consent of a parent or guardian, and from 7 the child's own agreement too. Sharing a
transcript with a third party by a link is such processing: a student under 16 creates a link
only while a guardian's consent for ``share_links`` is in force (the student's own request is
their agreement). A guardian who creates the link gives their consent by that act, recorded
in the audit log with the link. Granting and withdrawing are audit events; a withdrawn
consent stays on record.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from domain.model import Consent, GuardianLink, Person, Student
from workflow._actor import Actor
from workflow._errors import (
    AdministratorForbiddenError,
    InvalidInputError,
    NotFoundError,
    WorkflowError,
)
from workflow._own_copies import owned_student_ids
from workflow._uow import UnitOfWork

SHARE_LINKS = "share_links"
"""The purpose a consent to share-link creation is recorded under."""
CONSENT_TEXTS: dict[str, tuple[str, str]] = {
    SHARE_LINKS: (
        "2026-11",
        "Tôi là cha, mẹ hoặc người giám hộ của học sinh và đồng ý để học sinh tự tạo liên kết "
        "chia sẻ bản học bạ số đã phát hành cho người nhận do học sinh lựa chọn. Mỗi liên kết "
        "có thời hạn, có thể bị thu hồi, và mỗi lần mở đều được ghi nhật ký. Tôi có thể rút "
        "lại sự đồng ý này bất cứ lúc nào; việc rút lại không ảnh hưởng đến các liên kết đã "
        "tạo trước đó, tôi có thể thu hồi chúng riêng.",
    )
}
"""Each purpose's current text version and wording (what the guardian agrees to)."""
ADULT_AGE = 16
"""From this age a person is no longer a child (Law on Children 2016, Art. 1)."""
LEGAL_ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
"""Ages are counted in Vietnam's calendar days."""


class ConsentRequiredError(WorkflowError):
    """The student is a child and no guardian's consent to the purpose is in force."""

    code = "consent_required"

    def __init__(self, purpose: str) -> None:
        super().__init__(
            f"the student is under {ADULT_AGE}: a guardian's consent to '{purpose}' must be "
            "in force first (Decree 13/2023 Art. 20)",
            f"Học sinh chưa đủ {ADULT_AGE} tuổi: cần cha, mẹ hoặc người giám hộ đồng ý trên "
            "trang Học bạ của tôi trước khi tạo liên kết chia sẻ.",
        )
        self.purpose = purpose


class UnknownPurposeError(InvalidInputError):
    """No consent text exists for this purpose."""

    def __init__(self, purpose: str) -> None:
        super().__init__(
            "purpose",
            f"no consent is recorded for '{purpose}'",
            f"không có nội dung đồng ý cho '{purpose}'",
        )


@dataclass(frozen=True, slots=True)
class ConsentStatus:
    """Where one student's consent to one purpose stands, as the student or guardian sees it."""

    student_id: int
    student_name: str
    purpose: str
    is_child: bool
    """Under 16 today: the consent is needed."""
    in_force: bool
    granted_by: str | None
    """The guardian whose consent is in force (full name)."""
    granted_at: datetime | None
    mine: bool
    """The consent in force is the viewer's own (they may withdraw it)."""
    can_decide: bool
    """The viewer is a guardian of the student (may grant or withdraw)."""
    text_version: str
    text: str


def age_on(born: date, day: date) -> int:
    """Full years of age on ``day``."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def is_child(student: Student, now: datetime) -> bool:
    """Whether ``student`` is under 16 on ``now``'s day in Vietnam."""
    return age_on(student.date_of_birth, now.astimezone(LEGAL_ZONE).date()) < ADULT_AGE


def _text(purpose: str) -> tuple[str, str]:
    found = CONSENT_TEXTS.get(purpose)
    if found is None:
        raise UnknownPurposeError(purpose)
    return found


def consent_in_force(session: Session, student_id: int, purpose: str) -> Consent | None:
    """The earliest consent to ``purpose`` still in force for the student, if any."""
    return session.exec(
        select(Consent)
        .where(
            Consent.student_id == student_id,
            Consent.purpose == purpose,
            col(Consent.withdrawn_at).is_(None),
        )
        .order_by(col(Consent.granted_at), col(Consent.id))
    ).first()


def is_guardian_of(session: Session, actor: Actor, student_id: int) -> bool:
    """Whether ``actor`` is linked to the student as a parent or guardian."""
    if actor.person_id is None:
        return False
    return session.get(GuardianLink, (student_id, actor.person_id)) is not None


def require_sharing_consent(
    session: Session, *, student_id: int, actor: Actor, now: datetime
) -> None:
    """ConsentRequiredError unless ``actor`` may create a share link for the student now:
    the student is 16 or older, or the actor is their guardian, or a guardian's consent to
    ``share_links`` is in force."""
    student = session.get(Student, student_id)
    assert student is not None  # the caller holds the student's transcript
    if not is_child(student, now) or is_guardian_of(session, actor, student_id):
        return
    if consent_in_force(session, student_id, SHARE_LINKS) is None:
        raise ConsentRequiredError(SHARE_LINKS)


def _guardian(session: Session, actor: Actor, student_id: int) -> int:
    if actor.is_administrator:
        raise AdministratorForbiddenError
    if actor.person_id is None or not is_guardian_of(session, actor, student_id):
        # Only a guardian decides; for anyone else the student is not theirs to decide for.
        raise NotFoundError("student", student_id)
    return actor.person_id


def grant_consent(
    uow: UnitOfWork, *, student_id: int, purpose: str, actor: Actor, now: datetime
) -> ConsentStatus:
    """A guardian of the student consents to ``purpose``; granting while their own consent
    is in force changes nothing. Audited (``consent.grant``)."""
    version, _ = _text(purpose)
    with uow:
        session = uow.session
        guardian_id = _guardian(session, actor, student_id)
        mine = session.exec(
            select(Consent).where(
                Consent.student_id == student_id,
                Consent.purpose == purpose,
                Consent.guardian_id == guardian_id,
                col(Consent.withdrawn_at).is_(None),
            )
        ).first()
        if mine is None:
            row = Consent(
                student_id=student_id,
                guardian_id=guardian_id,
                purpose=purpose,
                text_version=version,
                granted_at=now,
            )
            session.add(row)
            uow.flush("the consent")
            uow.audit.record(
                actor=actor,
                action="consent.grant",
                object_type="student",
                object_id=str(student_id),
                now=now,
                details={"consent_id": row.id, "purpose": purpose, "text_version": version},
            )
        status = _status(session, actor, student_id, purpose, now)
        uow.commit("the consent")
        return status


def withdraw_consent(
    uow: UnitOfWork, *, student_id: int, purpose: str, actor: Actor, now: datetime
) -> ConsentStatus:
    """A guardian withdraws their own consent to ``purpose`` from ``now`` (links made before
    stay until revoked; new ones need a consent in force again). Audited
    (``consent.withdraw``); withdrawing with nothing in force changes nothing."""
    _text(purpose)
    with uow:
        session = uow.session
        guardian_id = _guardian(session, actor, student_id)
        rows = session.exec(
            select(Consent).where(
                Consent.student_id == student_id,
                Consent.purpose == purpose,
                Consent.guardian_id == guardian_id,
                col(Consent.withdrawn_at).is_(None),
            )
        ).all()
        for row in rows:
            row.withdrawn_at = now
            session.add(row)
            uow.audit.record(
                actor=actor,
                action="consent.withdraw",
                object_type="student",
                object_id=str(student_id),
                now=now,
                details={"consent_id": row.id, "purpose": purpose},
            )
        status = _status(session, actor, student_id, purpose, now)
        uow.commit("the consent")
        return status


def _status(
    session: Session, actor: Actor, student_id: int, purpose: str, now: datetime
) -> ConsentStatus:
    student = session.get(Student, student_id)
    assert student is not None and student.id is not None  # checked by the caller
    version, text = _text(purpose)
    found = consent_in_force(session, student_id, purpose)
    guardian = session.get(Person, found.guardian_id) if found else None
    return ConsentStatus(
        student_id=student.id,
        student_name=student.full_name,
        purpose=purpose,
        is_child=is_child(student, now),
        in_force=found is not None,
        granted_by=guardian.full_name if guardian else None,
        granted_at=found.granted_at if found else None,
        mine=found is not None and found.guardian_id == actor.person_id,
        can_decide=is_guardian_of(session, actor, student_id),
        text_version=version,
        text=text,
    )


def my_consents(uow: UnitOfWork, *, actor: Actor, now: datetime) -> list[ConsentStatus]:
    """The ``share_links`` consent of each of the actor's own students (themselves or their
    children), by student id. Reading it names the student: audited as a read."""
    with uow:
        session = uow.session
        ids = sorted(owned_student_ids(session, actor))
        statuses = [_status(session, actor, i, SHARE_LINKS, now) for i in ids]
        for student_id in ids:
            uow.audit.record(
                actor=actor,
                action="student.read",
                object_type="student",
                object_id=str(student_id),
                now=now,
                details={"via": "consents"},
            )
        if ids:
            uow.commit("the audit log")
        return statuses


def consents_of(session: Session, student_id: int) -> list[Consent]:
    """Every consent recorded for the student, oldest first (the personal-data export)."""
    return list(
        session.exec(
            select(Consent)
            .where(Consent.student_id == student_id)
            .order_by(col(Consent.granted_at), col(Consent.id))
        ).all()
    )
