"""Lost files (REQ-33): a student or guardian gets the issued transcripts again by the
student's personal ID and a registered phone number, through a one-time code.

1. ``request_recovery_code``: if the personal ID names a student and the phone is the
   registered phone of the student's account or of a guardian's, a 6-digit code is sent to
   that account through the notifier (the log in demo mode) and stored hashed for 10 minutes.
   The answer is the same whether anything matched or not; the request is counted either way
   (per personal ID and per client address, in the database).
2. ``confirm_recovery_code``: the right code opens a short-lived download page; each wrong
   code is counted and the fifth makes the code void.
3. ``recovered_files`` / ``read_recovered_file``: that page's list and files.

Every step is an audit event. The personal ID and phone are never logged or stored in full:
the look-up by them is ``find_recipient`` and the rate limit key ``personal_id_key``, both
here, so that storing them encrypted with a blind index (issue 8) changes only this module.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from domain.model import (
    GuardianLink,
    InvalidPhoneError,
    Person,
    RecoveryRequest,
    SchoolClass,
    SchoolYear,
    Student,
    data_keys,
    mask_personal_id,
    mask_phone,
    normalize_phone,
    phone_index,
)
from workflow._actor import Actor
from workflow._errors import InvalidInputError, NotFoundError, WorkflowError
from workflow._notifier import Message, Notifier
from workflow._own_copies import (
    AccessGoneError,
    TooManyRequestsError,
    issued_transcript,
    shareable_transcripts,
    signed_file,
    still_valid,
    token_digest,
)
from workflow._scoped import SignedFile, SignedFileKind
from workflow._settings import Settings
from workflow._transfer_students import find_student
from workflow._uow import UnitOfWork

_log = logging.getLogger("hocba.lost_files")
_PERSONAL_ID = re.compile(r"[0-9]{12}")
_CODE = re.compile(r"[0-9]{6}")
_RETENTION = timedelta(days=1)
"""Requests older than this are deleted (their audit entries stay)."""


@dataclass(frozen=True, slots=True)
class RecoveryPolicy:
    """The limits of the lost-files recovery."""

    code_lifetime: timedelta = timedelta(minutes=10)
    """How long a one-time code may be entered."""
    max_attempts: int = 5
    """Wrong codes after which the code is void."""
    window: timedelta = timedelta(hours=1)
    """The period the request limits count over."""
    codes_per_personal_id: int = 3
    """Requests for one personal ID within ``window`` (matched or not)."""
    requests_per_client: int = 10
    """Requests from one client address within ``window``."""
    download_lifetime: timedelta = timedelta(minutes=30)
    """How long the download page opened by a right code lasts."""


def recovery_policy(settings: Settings) -> RecoveryPolicy:
    """The limits an operator configured (``HOCBA_RECOVERY_*``)."""
    return RecoveryPolicy(
        code_lifetime=timedelta(minutes=settings.recovery_code_minutes),
        max_attempts=settings.recovery_max_attempts,
        codes_per_personal_id=settings.recovery_codes_per_hour,
        requests_per_client=settings.recovery_requests_per_hour_per_address,
        download_lifetime=timedelta(minutes=settings.recovery_download_minutes),
    )


class RecoveryRateLimitedError(TooManyRequestsError):
    """Too many requests for this personal ID, or from this address, within the window."""

    code = "recovery_rate_limited"

    def __init__(self, retry_after: int) -> None:
        minutes = max(1, (retry_after + 59) // 60)
        super().__init__(
            f"too many lost-files requests; try again in {retry_after} seconds",
            f"Đã có quá nhiều yêu cầu lấy lại học bạ; hãy thử lại sau khoảng {minutes} phút.",
            retry_after=retry_after,
        )


class RecoveryCodeWrongError(InvalidInputError):
    """The code is not the one sent; ``attempts_left`` more may be tried."""

    code = "recovery_code_wrong"

    def __init__(self, attempts_left: int) -> None:
        WorkflowError.__init__(
            self,
            f"code: wrong code; {attempts_left} attempts left",
            f"Mã xác nhận không đúng; còn {attempts_left} lần thử.",
        )
        self.field = "code"
        self.attempts_left = attempts_left


class RecoveryRequestUnknownError(NotFoundError):
    """No request has this id."""

    def __init__(self) -> None:
        WorkflowError.__init__(
            self,
            "no such lost-files request",
            "Không tìm thấy yêu cầu lấy lại học bạ; hãy gửi yêu cầu mới.",
        )


class RecoveryCodeExpiredError(AccessGoneError):
    """The code's ten minutes are over."""

    code = "recovery_code_expired"

    def __init__(self) -> None:
        super().__init__(
            "the code has expired; request a new one",
            "Mã xác nhận đã hết hạn; hãy gửi yêu cầu mới để nhận mã khác.",
        )


class RecoveryCodeVoidError(AccessGoneError):
    """Too many wrong codes were entered: this code no longer opens anything."""

    code = "recovery_code_void"

    def __init__(self) -> None:
        super().__init__(
            "too many wrong codes; this code is void, request a new one",
            "Đã nhập sai mã quá số lần cho phép nên mã này không còn dùng được; "
            "hãy gửi yêu cầu mới.",
        )


class RecoveryCodeUsedError(AccessGoneError):
    """The code was entered correctly once already."""

    code = "recovery_code_used"

    def __init__(self) -> None:
        super().__init__(
            "the code has been used already; request a new one",
            "Mã xác nhận này đã được dùng; hãy gửi yêu cầu mới nếu cần tải lại.",
        )


class RecoveryDownloadUnknownError(NotFoundError):
    """No download page has this token."""

    def __init__(self) -> None:
        WorkflowError.__init__(
            self, "no such download page", "Trang tải học bạ không tồn tại hoặc địa chỉ bị sai."
        )


class RecoveryDownloadExpiredError(AccessGoneError):
    """The download page's lifetime is over."""

    code = "recovery_download_expired"

    def __init__(self) -> None:
        super().__init__(
            "the download page has expired; request a new code",
            "Trang tải học bạ đã hết hạn; hãy gửi yêu cầu lấy lại học bạ mới.",
        )


@dataclass(frozen=True, slots=True)
class RecoveryStarted:
    """The answer to a request, the same whether anything matched or not."""

    request_id: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class RecoveryGranted:
    """A right code: the download page's token (shown once) and its end."""

    download_token: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class RecoveredTranscript:
    """One issued transcript on the download page."""

    id: str
    version: int
    kind: str
    school_year: str
    class_name: str
    has_xml: bool
    has_pdf: bool


@dataclass(frozen=True, slots=True)
class RecoveredFiles:
    """The download page: whose transcripts, until when, which."""

    student_name: str
    date_of_birth: date
    expires_at: datetime
    transcripts: tuple[RecoveredTranscript, ...]


# --- Look-ups by personal ID and phone: the one place that reads them (issue 8). ------------


def personal_id_key(personal_id: str) -> str:
    """The key the per-personal-ID rate limit counts under (not the ID itself)."""
    # Keyed: an unkeyed hash of a 12-digit number is reversed by trying them all.
    return data_keys().blind_index("lost_files", personal_id)


def find_recipient(session: Session, personal_id: str, phone: str) -> tuple[Student, Person] | None:
    """The student ``personal_id`` names and the active account (the student's own or a
    guardian's) whose registered phone is ``phone`` (both already normalised); None if
    either does not match."""
    student = find_student(session, personal_id)
    if student is None or student.id is None:
        return None
    guardians = select(GuardianLink.person_id).where(GuardianLink.student_id == student.id)
    accounts = (col(Person.id) == student.person_id) | col(Person.id).in_(guardians)
    person = session.exec(
        select(Person)
        .where(accounts, Person.phone_index == phone_index(phone), col(Person.is_active))
        .order_by(col(Person.id))
    ).first()
    return None if person is None else (student, person)


# ---------------------------------------------------------------------------------------------


def _client_key(client: str) -> str:
    return hashlib.sha256(b"hocba-client:" + client.encode("utf-8", "replace")).hexdigest()


def _code_digest(request_id: str, code: str) -> str:
    return hashlib.sha256(f"{request_id}:{code}".encode("ascii")).hexdigest()


def _visitor(label: str) -> Actor:
    return Actor(person_id=None, label=label)


def _checked_personal_id(value: str) -> str:
    text = value.strip()
    if not _PERSONAL_ID.fullmatch(text):
        # The value is not repeated: error messages are logged.
        raise InvalidInputError(
            "personal_id",
            "must be exactly 12 digits",
            "mã định danh cá nhân phải gồm đúng 12 chữ số",
        )
    return text


def _checked_phone(value: str) -> str:
    try:
        return normalize_phone(value.strip())
    except InvalidPhoneError:
        raise InvalidInputError(
            "phone",
            "must be a phone number of 10 digits starting with 0",
            "số điện thoại phải gồm 10 chữ số, bắt đầu bằng 0",
        ) from None


def _retry_after(
    session: Session,
    *,
    where: sa.ColumnElement[bool],
    limit: int,
    since: datetime,
    window: timedelta,
    now: datetime,
) -> int | None:
    times = session.exec(
        select(RecoveryRequest.requested_at)
        .where(where, col(RecoveryRequest.requested_at) > since)
        .order_by(sa.desc(col(RecoveryRequest.requested_at)))
        .limit(limit)
    ).all()
    if len(times) < limit:
        return None
    oldest_counted = times[-1]
    return max(1, int((oldest_counted + window - now).total_seconds()) + 1)


def _serialise(session: Session, *keys: str) -> None:
    # Count-then-insert must not interleave for one personal ID or address, or concurrent
    # requests would all see room under the limit. SQLite's unit of work already holds the
    # write lock from BEGIN; on PostgreSQL a transaction-level advisory lock per key does it
    # (always taken in the same order, so two requests cannot wait on each other).
    if session.get_bind().dialect.name != "postgresql":
        return
    for key in keys:
        session.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": int(key[:15], 16)})


def request_recovery_code(
    uow: UnitOfWork,
    *,
    personal_id: str,
    phone: str,
    client: str,
    notifier: Notifier,
    now: datetime,
    policy: RecoveryPolicy = RecoveryPolicy(),
) -> RecoveryStarted:
    """Step 1: send a one-time code to the registered phone if personal ID and phone match.

    Malformed input is InvalidInputError naming the field; too many requests for the personal
    ID or from ``client`` (the caller's address) is RecoveryRateLimitedError. Otherwise the
    answer is the same whether anything matched or not.
    """
    pid = _checked_personal_id(personal_id)
    number = _checked_phone(phone)
    masked = {"personal_id": mask_personal_id(pid), "phone": mask_phone(number)}
    pid_key, client_key = personal_id_key(pid), _client_key(client)
    since = now - policy.window
    request_id = uuid.uuid4().hex
    code = f"{secrets.randbelow(10**6):06d}"
    with uow:
        session = uow.session
        session.execute(
            sa.delete(RecoveryRequest).where(col(RecoveryRequest.requested_at) < now - _RETENTION)
        )
        _serialise(session, pid_key, client_key)
        for where, limit in (
            (col(RecoveryRequest.personal_id_key) == pid_key, policy.codes_per_personal_id),
            (col(RecoveryRequest.client_key) == client_key, policy.requests_per_client),
        ):
            retry = _retry_after(
                session, where=where, limit=limit, since=since, window=policy.window, now=now
            )
            if retry is not None:
                uow.audit.record(
                    actor=_visitor("lost-files"),
                    action="lost_files.rate_limited",
                    object_type="recovery_request",
                    object_id="-",
                    now=now,
                    details=masked,
                )
                uow.commit("the lost-files request")
                _log.info("lost-files request refused (rate limit) for %s", masked["personal_id"])
                raise RecoveryRateLimitedError(retry)
        found = find_recipient(session, pid, number)
        student, person = found if found else (None, None)
        row = RecoveryRequest(
            id=request_id,
            personal_id_key=pid_key,
            client_key=client_key,
            student_id=student.id if student else None,
            person_id=person.id if person else None,
            code_sha256=_code_digest(request_id, code) if found else None,
            requested_at=now,
            expires_at=now + policy.code_lifetime,
        )
        session.add(row)
        uow.audit.record(
            actor=_visitor(f"lost-files:{request_id[:8]}"),
            action="lost_files.request",
            object_type="student" if student else "recovery_request",
            object_id=str(student.id) if student else request_id,
            now=now,
            details={**masked, "request_id": request_id, "matched": found is not None},
        )
        uow.commit("the lost-files request")
    _log.info(
        "lost-files request %s for %s, phone %s",
        request_id[:8],
        masked["personal_id"],
        masked["phone"],
    )
    if person is not None and person.id is not None:
        minutes = int(policy.code_lifetime.total_seconds() // 60)
        message = Message(
            person_id=person.id,
            username=person.username,
            subject="Mã lấy lại học bạ",
            body=(
                f"Mã xác nhận lấy lại học bạ của học sinh mã định danh {masked['personal_id']}: "
                f"{code}. Mã có hiệu lực {minutes} phút. Không cung cấp mã này cho người khác."
            ),
            due_at=row.expires_at,
        )
        try:
            notifier.send(message)
        except Exception:  # the sender's failure must not tell the requester anything
            _log.exception("the lost-files code for %s could not be sent", masked["phone"])
    return RecoveryStarted(request_id=request_id, expires_at=row.expires_at)


def confirm_recovery_code(
    uow: UnitOfWork,
    *,
    request_id: str,
    code: str,
    now: datetime,
    policy: RecoveryPolicy = RecoveryPolicy(),
) -> RecoveryGranted:
    """Step 2: the right code opens the download page (its token, shown once).

    A wrong code is counted (RecoveryCodeWrongError with the attempts left); the last one
    allowed makes the code void (RecoveryCodeVoidError), as it stays after that. An expired or
    used code is RecoveryCodeExpiredError or RecoveryCodeUsedError.
    """
    typed = code.strip()
    if not _CODE.fullmatch(typed):
        raise InvalidInputError("code", "must be 6 digits", "mã xác nhận gồm 6 chữ số")
    if len(request_id) > 36:
        raise RecoveryRequestUnknownError
    actor = _visitor(f"lost-files:{request_id[:8]}")
    with uow:
        session = uow.session
        row = session.exec(
            select(RecoveryRequest).where(RecoveryRequest.id == request_id).with_for_update()
        ).first()
        if row is None:
            raise RecoveryRequestUnknownError
        if row.confirmed_at is not None:
            raise RecoveryCodeUsedError
        if row.voided_at is not None:
            raise RecoveryCodeVoidError
        if not still_valid(row.expires_at, now):
            raise RecoveryCodeExpiredError
        subject = (
            ("student", str(row.student_id)) if row.student_id else ("recovery_request", row.id)
        )
        expected = row.code_sha256
        if expected is None or not hmac.compare_digest(expected, _code_digest(row.id, typed)):
            row.attempts += 1
            void = row.attempts >= policy.max_attempts
            if void:
                row.voided_at = now
            session.add(row)
            uow.audit.record(
                actor=actor,
                action="lost_files.failure",
                object_type=subject[0],
                object_id=subject[1],
                now=now,
                details={"request_id": row.id, "attempts": row.attempts, "void": void},
            )
            uow.commit("the lost-files request")
            if void:
                raise RecoveryCodeVoidError
            raise RecoveryCodeWrongError(policy.max_attempts - row.attempts)
        token = secrets.token_urlsafe(32)
        row.confirmed_at = now
        row.download_token_sha256 = token_digest(token)
        row.download_expires_at = now + policy.download_lifetime
        session.add(row)
        uow.audit.record(
            actor=actor,
            action="lost_files.success",
            object_type=subject[0],
            object_id=subject[1],
            now=now,
            details={
                "request_id": row.id,
                "download_expires_at": row.download_expires_at.isoformat(),
            },
        )
        uow.commit("the lost-files request")
        return RecoveryGranted(download_token=token, expires_at=row.download_expires_at)


def _granted(session: Session, token: str, now: datetime) -> tuple[RecoveryRequest, Student]:
    row = session.exec(
        select(RecoveryRequest).where(RecoveryRequest.download_token_sha256 == token_digest(token))
    ).first()
    if row is None or row.student_id is None or row.download_expires_at is None:
        raise RecoveryDownloadUnknownError
    if not still_valid(row.download_expires_at, now):
        raise RecoveryDownloadExpiredError
    student = session.get(Student, row.student_id)
    assert student is not None  # foreign key
    return row, student


def _record_download(
    uow: UnitOfWork,
    row: RecoveryRequest,
    now: datetime,
    transcript_id: str | None,
    kind: SignedFileKind | None,
) -> None:
    uow.audit.record(
        actor=_visitor(f"lost-files:{row.id[:8]}"),
        action="lost_files.open" if kind is None else "lost_files.download",
        object_type="student",
        object_id=str(row.student_id),
        now=now,
        details={
            "request_id": row.id,
            "transcript_id": transcript_id,
            "file": kind.value if kind else None,
        },
    )


def recovered_files(uow: UnitOfWork, *, token: str, now: datetime) -> RecoveredFiles:
    """The download page: the student's issued transcripts; audited as a read."""
    with uow:
        session = uow.session
        row, student = _granted(session, token, now)
        assert student.id is not None and row.download_expires_at is not None  # checked
        items = []
        for t in shareable_transcripts(session, student.id):
            klass = session.get(SchoolClass, t.class_id)
            year = session.get(SchoolYear, t.school_year_id)
            assert klass and year  # foreign keys
            items.append(
                RecoveredTranscript(
                    id=t.id,
                    version=t.version,
                    kind=str(t.kind),
                    school_year=year.name,
                    class_name=klass.name,
                    has_xml=t.xml_sha256 is not None,
                    has_pdf=t.pdf_sha256 is not None,
                )
            )
        _record_download(uow, row, now, None, None)
        uow.commit("the audit log")
        return RecoveredFiles(
            student_name=student.full_name,
            date_of_birth=student.date_of_birth,
            expires_at=row.download_expires_at,
            transcripts=tuple(items),
        )


def read_recovered_file(
    uow: UnitOfWork, *, token: str, transcript_id: str, kind: SignedFileKind, now: datetime
) -> SignedFile:
    """One file of the download page; another student's transcript does not exist here."""
    with uow:
        session = uow.session
        row, student = _granted(session, token, now)
        assert student.id is not None  # a stored row
        transcript = issued_transcript(session, transcript_id, student.id)
        found = signed_file(session, transcript, kind)
        _record_download(uow, row, now, transcript.id, kind)
        uow.commit("the audit log")
        return found
