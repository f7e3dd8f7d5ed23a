"""Share links: a student or guardian gives one issued transcript to whom they choose (REQ-32).

A link is a random token (only its SHA-256 is stored) that opens one version, without a login,
until it expires (at most 90 days) or its creator revokes it. Creating, revoking and every
opening of a link are audit events.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from domain.model import (
    School,
    SchoolClass,
    SchoolYear,
    ShareLink,
    Student,
    Transcript,
    mask_personal_id,
)
from workflow._actor import Actor
from workflow._consent import require_sharing_consent
from workflow._errors import (
    AdministratorForbiddenError,
    InvalidInputError,
    NotFoundError,
    WorkflowError,
)
from workflow._own_copies import (
    SHAREABLE,
    AccessGoneError,
    owned_student_ids,
    signed_file,
    still_valid,
    token_digest,
)
from workflow._scoped import SignedFile, SignedFileKind
from workflow._uow import UnitOfWork

SHARE_LINK_DAYS = (7, 30, 90)
"""The lifetimes (days) a creator chooses from; 90 days is the longest a link lives."""
MAX_RECIPIENT = 120
"""The longest recipient label."""
MAX_LINKS_PER_PERSON = 200
"""The most links one person may have created (a bound on the list, not a quota to reach)."""


class NotShareableError(WorkflowError):
    """Only an issued (finalized) transcript version may be shared."""

    code = "not_shareable"

    def __init__(self, transcript_id: str) -> None:
        super().__init__(
            f"transcript {transcript_id} is not finalized; only a finalized version is shared",
            f"Học bạ {transcript_id} chưa được phát hành chính thức nên chưa thể chia sẻ",
        )


class ShareLinkQuotaError(WorkflowError):
    """The person already made the most links allowed; revoked or expired ones count too."""

    code = "share_link_quota"

    def __init__(self) -> None:
        super().__init__(
            f"at most {MAX_LINKS_PER_PERSON} share links per account",
            f"Mỗi tài khoản chỉ tạo được tối đa {MAX_LINKS_PER_PERSON} liên kết chia sẻ",
        )


class ShareLinkUnknownError(NotFoundError):
    """No link has this token (the token is not repeated: it may be someone's secret)."""

    def __init__(self) -> None:
        WorkflowError.__init__(
            self, "no such share link", "Liên kết chia sẻ không tồn tại hoặc bị sai"
        )


class ShareLinkExpiredError(AccessGoneError):
    """The link's lifetime is over."""

    code = "share_link_expired"

    def __init__(self, expires_at: datetime) -> None:
        super().__init__(
            f"the share link expired at {expires_at.isoformat()}",
            "Liên kết chia sẻ này đã hết hạn. Hãy đề nghị người chia sẻ tạo liên kết mới.",
        )
        self.expires_at = expires_at


class ShareLinkRevokedError(AccessGoneError):
    """The creator revoked the link."""

    code = "share_link_revoked"

    def __init__(self) -> None:
        super().__init__(
            "the share link was revoked by its creator",
            "Liên kết chia sẻ này đã bị người chia sẻ thu hồi.",
        )


class ShareLinkWithdrawnError(AccessGoneError):
    """The shared version is no longer the issued one (revoked or replaced by the school)."""

    code = "share_link_withdrawn"

    def __init__(self) -> None:
        super().__init__(
            "the shared transcript version has been withdrawn or replaced",
            "Phiên bản học bạ được chia sẻ đã bị thu hồi hoặc thay thế bằng phiên bản mới. "
            "Hãy đề nghị người chia sẻ tạo liên kết cho phiên bản hiện hành.",
        )


@dataclass(frozen=True, slots=True)
class ShareLinkView:
    """A link as its creator lists it."""

    id: int
    transcript_id: str
    version: int
    school_year: str
    class_name: str
    student_name: str
    recipient: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    open_count: int
    last_opened_at: datetime | None
    state: str
    """``active``, ``expired``, ``revoked`` or ``withdrawn`` (the version was replaced)."""


@dataclass(frozen=True, slots=True)
class CreatedShareLink:
    """A new link and its token: shown once, to its creator (only its hash is kept)."""

    link: ShareLinkView
    token: str


@dataclass(frozen=True, slots=True)
class SharedTranscript:
    """What a link's visitor sees: the transcript's identity and which files it has."""

    link_id: int
    recipient: str
    expires_at: datetime
    transcript_id: str
    version: int
    kind: str
    school_year: str
    school_name: str
    class_name: str
    student_name: str
    personal_id_masked: str
    date_of_birth: date
    has_xml: bool
    has_pdf: bool


def _state(link: ShareLink, transcript: Transcript, now: datetime) -> str:
    if link.revoked_at is not None:
        return "revoked"
    if transcript.status not in SHAREABLE:
        return "withdrawn"
    return "active" if still_valid(link.expires_at, now) else "expired"


def _view(session: Session, link: ShareLink, now: datetime) -> ShareLinkView:
    transcript = session.get(Transcript, link.transcript_id)
    student = session.get(Student, link.student_id)
    klass = session.get(SchoolClass, transcript.class_id) if transcript else None
    year = session.get(SchoolYear, transcript.school_year_id) if transcript else None
    assert transcript and student and klass and year and link.id is not None  # foreign keys
    return ShareLinkView(
        id=link.id,
        transcript_id=transcript.id,
        version=transcript.version,
        school_year=year.name,
        class_name=klass.name,
        student_name=student.full_name,
        recipient=link.recipient,
        created_at=link.created_at,
        expires_at=link.expires_at,
        revoked_at=link.revoked_at,
        open_count=link.open_count,
        last_opened_at=link.last_opened_at,
        state=_state(link, transcript, now),
    )


def _recipient(value: str) -> str:
    text = " ".join(value.split())
    if not text:
        raise InvalidInputError(
            "recipient", "say whom the link is for", "hãy ghi rõ liên kết dành cho ai"
        )
    if len(text) > MAX_RECIPIENT:
        raise InvalidInputError(
            "recipient",
            f"at most {MAX_RECIPIENT} characters",
            f"tối đa {MAX_RECIPIENT} ký tự",
        )
    return text


def _owner(actor: Actor) -> int:
    if actor.is_administrator:
        raise AdministratorForbiddenError
    if actor.person_id is None:
        raise NotFoundError("transcript", "-")
    return actor.person_id


def create_share_link(
    uow: UnitOfWork,
    *,
    transcript_id: str,
    recipient: str,
    days: int,
    actor: Actor,
    now: datetime,
) -> CreatedShareLink:
    """A new link to one of the actor's own issued transcript versions, valid ``days`` days
    (one of SHARE_LINK_DAYS). Only the student and their guardians may share; for anyone
    else the transcript does not exist (NotFoundError)."""
    person_id = _owner(actor)
    label = _recipient(recipient)
    if days not in SHARE_LINK_DAYS:
        allowed = ", ".join(map(str, SHARE_LINK_DAYS))
        raise InvalidInputError(
            "expires_in_days", f"one of {allowed}", f"chỉ được chọn {allowed} ngày"
        )
    token = secrets.token_urlsafe(32)
    with uow:
        session = uow.session
        row = session.get(Transcript, transcript_id)
        if row is None or row.student_id not in owned_student_ids(session, actor):
            raise NotFoundError("transcript", transcript_id)
        if row.status not in SHAREABLE:
            raise NotShareableError(transcript_id)
        require_sharing_consent(session, student_id=row.student_id, actor=actor, now=now)
        made = session.exec(
            select(sa.func.count())
            .select_from(ShareLink)
            .where(ShareLink.created_by_id == person_id)
        ).one()
        if made >= MAX_LINKS_PER_PERSON:
            raise ShareLinkQuotaError
        link = ShareLink(
            token_sha256=token_digest(token),
            transcript_id=row.id,
            student_id=row.student_id,
            created_by_id=person_id,
            recipient=label,
            created_at=now,
            expires_at=now + timedelta(days=days),
        )
        session.add(link)
        uow.flush("the share link")
        assert link.id is not None  # flushed
        uow.audit.record(
            actor=actor,
            action="share_link.create",
            object_type="share_link",
            object_id=str(link.id),
            now=now,
            details={
                "transcript_id": row.id,
                "student_id": row.student_id,
                "recipient": label,
                "expires_at": link.expires_at.isoformat(),
            },
        )
        view = _view(session, link, now)
        uow.commit("the share link")
        return CreatedShareLink(link=view, token=token)


def list_share_links(uow: UnitOfWork, *, actor: Actor, now: datetime) -> list[ShareLinkView]:
    """The links the actor created, newest first (each student named is a read: audited)."""
    person_id = _owner(actor)
    with uow:
        session = uow.session
        links = session.exec(
            select(ShareLink)
            .where(ShareLink.created_by_id == person_id)
            .order_by(sa.desc(col(ShareLink.created_at)), sa.desc(col(ShareLink.id)))
        ).all()
        views = [_view(session, link, now) for link in links]
        for student_id in sorted({link.student_id for link in links}):
            uow.audit.record(
                actor=actor,
                action="student.read",
                object_type="student",
                object_id=str(student_id),
                now=now,
                details={"via": "share_links"},
            )
        if views:
            uow.commit("the audit log")
        return views


def revoke_share_link(
    uow: UnitOfWork, *, link_id: int, actor: Actor, now: datetime
) -> ShareLinkView:
    """The creator ends a link at once (revoking a revoked link changes nothing). Another
    person's link does not exist for the actor (NotFoundError)."""
    person_id = _owner(actor)
    with uow:
        session = uow.session
        link = session.get(ShareLink, link_id)
        if link is None or link.created_by_id != person_id:
            raise NotFoundError("share link", link_id)
        if link.revoked_at is None:
            link.revoked_at = now
            session.add(link)
            uow.audit.record(
                actor=actor,
                action="share_link.revoke",
                object_type="share_link",
                object_id=str(link_id),
                now=now,
                details={"transcript_id": link.transcript_id, "student_id": link.student_id},
            )
        view = _view(session, link, now)
        uow.commit("the share link")
        return view


def _open(session: Session, token: str, now: datetime) -> tuple[ShareLink, Transcript]:
    link = session.exec(
        select(ShareLink).where(ShareLink.token_sha256 == token_digest(token))
    ).first()
    if link is None:
        raise ShareLinkUnknownError
    transcript = session.get(Transcript, link.transcript_id)
    assert transcript is not None  # transcripts are never deleted
    if link.revoked_at is not None:
        raise ShareLinkRevokedError
    if not still_valid(link.expires_at, now):
        raise ShareLinkExpiredError(link.expires_at)
    if transcript.status not in SHAREABLE:
        raise ShareLinkWithdrawnError
    return link, transcript


def _record_opening(
    uow: UnitOfWork, link: ShareLink, now: datetime, file: SignedFileKind | None
) -> None:
    assert link.id is not None  # a stored row
    uow.session.execute(
        sa.update(ShareLink)
        .where(col(ShareLink.id) == link.id)
        .values(open_count=col(ShareLink.open_count) + 1, last_opened_at=now)
    )
    uow.audit.record(
        actor=Actor(person_id=None, label=f"share-link:{link.id}"),
        action="share_link.open",
        object_type="student",
        object_id=str(link.student_id),
        now=now,
        details={
            "share_link_id": link.id,
            "transcript_id": link.transcript_id,
            "recipient": link.recipient,
            "file": file.value if file else None,
        },
    )


def open_share_link(uow: UnitOfWork, *, token: str, now: datetime) -> SharedTranscript:
    """What the link shows, for anyone holding it (no login); the opening is audited.

    ShareLinkUnknownError for a token no link has; ShareLinkRevokedError,
    ShareLinkExpiredError or ShareLinkWithdrawnError for a link that no longer opens.
    """
    with uow:
        session = uow.session
        link, row = _open(session, token, now)
        student = session.get(Student, row.student_id)
        klass = session.get(SchoolClass, row.class_id)
        year = session.get(SchoolYear, row.school_year_id)
        school = session.get(School, row.school_id)
        assert student and klass and year and school and link.id is not None  # foreign keys
        shared = SharedTranscript(
            link_id=link.id,
            recipient=link.recipient,
            expires_at=link.expires_at,
            transcript_id=row.id,
            version=row.version,
            kind=str(row.kind),
            school_year=year.name,
            school_name=school.name,
            class_name=klass.name,
            student_name=student.full_name,
            personal_id_masked=mask_personal_id(student.personal_id),
            date_of_birth=student.date_of_birth,
            has_xml=row.xml_sha256 is not None,
            has_pdf=row.pdf_sha256 is not None,
        )
        _record_opening(uow, link, now, None)
        uow.commit("the share link")
        return shared


def read_shared_file(
    uow: UnitOfWork, *, token: str, kind: SignedFileKind, now: datetime
) -> SignedFile:
    """The shared version's signed XML or PDF, for anyone holding the link; audited."""
    with uow:
        session = uow.session
        link, row = _open(session, token, now)
        found = signed_file(session, row, kind)
        _record_opening(uow, link, now, kind)
        uow.commit("the share link")
        return found
