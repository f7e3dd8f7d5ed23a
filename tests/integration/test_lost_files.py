"""Lost files (REQ-33): by personal ID and a registered phone, a one-time code through the
notifier, rate limited, then a short-lived download page — revealing nothing on the way."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from sqlmodel import Session, col, select

from domain.model import AuditEvent, Person, RecoveryRequest, Student
from tests.api.conftest import GUARDIAN, STUDENT, add_own_readers
from tests.integration.test_share_links import finalized
from tests.support.clock import vn
from tests.support.racing import engine_for_racers, race
from tests.support.world import World
from workflow import (
    CollectingNotifier,
    InvalidInputError,
    LogNotifier,
    Message,
    NotFoundError,
    Notifier,
    RecoveryCodeExpiredError,
    RecoveryCodeUsedError,
    RecoveryCodeVoidError,
    RecoveryCodeWrongError,
    RecoveryDownloadExpiredError,
    RecoveryPolicy,
    RecoveryRateLimitedError,
    RecoveryStarted,
    SignedFileKind,
    UnitOfWork,
    confirm_recovery_code,
    read_recovered_file,
    recovered_files,
    request_recovery_code,
)

NOW = vn(2025, 9, 1)
STUDENT_PHONE, GUARDIAN_PHONE = "0901234567", "0912345678"
CLIENT = "203.0.113.7"
POLICY = RecoveryPolicy()


@pytest.fixture
def own(world: World) -> World:
    """The test school with student 0's login and his father's, each with a phone."""
    add_own_readers(world)
    with Session(world.engine) as session:
        for username, phone in ((STUDENT, STUDENT_PHONE), (GUARDIAN, GUARDIAN_PHONE)):
            person = session.get(Person, world.people[username])
            assert person is not None
            person.phone = phone
            session.add(person)
        session.commit()
    return world


def personal_id(world: World, student: int = 0) -> str:
    with Session(world.engine) as session:
        row = session.get(Student, world.student_ids[student])
        assert row is not None
        return row.personal_id


def _ask(
    world: World,
    notifier: Notifier,
    *,
    pid: str | None = None,
    phone: str = GUARDIAN_PHONE,
    client: str = CLIENT,
    at: datetime = NOW,
) -> str:
    return request_recovery_code(
        world.uow(),
        personal_id=personal_id(world) if pid is None else pid,
        phone=phone,
        client=client,
        notifier=notifier,
        now=at,
        policy=POLICY,
    ).request_id


def _code(notifier: CollectingNotifier) -> str:
    body = notifier.sent[-1].body
    return next(
        word.strip(".:")
        for word in body.split()
        if word.strip(".:").isdigit() and len(word.strip(".:")) == 6
    )


def _actions(world: World) -> list[str]:
    with Session(world.engine) as session:
        return list(
            session.exec(
                select(AuditEvent.action)
                .where(col(AuditEvent.action).startswith("lost_files."))
                .order_by(col(AuditEvent.seq))
            ).all()
        )


@pytest.mark.parametrize(("phone", "to"), [(GUARDIAN_PHONE, GUARDIAN), (STUDENT_PHONE, STUDENT)])
def test_the_right_personal_id_and_phone_bring_a_code_and_the_code_the_files(
    own: World, phone: str, to: str
) -> None:
    transcript_id = finalized(own)
    notifier = CollectingNotifier()
    request_id = _ask(own, notifier, phone=phone)
    [message] = notifier.sent
    assert message.username == to
    granted = confirm_recovery_code(
        own.uow(), request_id=request_id, code=_code(notifier), now=NOW + timedelta(minutes=9)
    )
    files = recovered_files(own.uow(), token=granted.download_token, now=NOW)
    assert files.student_name == "Nguyễn Văn An"
    assert [t.id for t in files.transcripts] == [transcript_id]
    xml = read_recovered_file(
        own.uow(),
        token=granted.download_token,
        transcript_id=transcript_id,
        kind=SignedFileKind.XML,
        now=NOW,
    )
    assert xml.content.startswith(b"<HocBa")
    assert _actions(own) == [
        "lost_files.request",
        "lost_files.success",
        "lost_files.open",
        "lost_files.download",
    ]


def test_the_phone_is_accepted_as_people_type_it(own: World) -> None:
    notifier = CollectingNotifier()
    _ask(own, notifier, phone="+84 912 345 678")
    _ask(own, notifier, phone="0912.345.678")
    assert len(notifier.sent) == 2


@pytest.mark.parametrize(
    ("pid", "phone"),
    [
        ("079299999999", GUARDIAN_PHONE),  # nobody has this personal ID
        (None, "0987654321"),  # the student exists, the phone is not registered
    ],
)
def test_nothing_tells_whether_the_personal_id_exists(
    own: World, pid: str | None, phone: str
) -> None:
    notifier = CollectingNotifier()
    known = request_recovery_code(
        own.uow(),
        personal_id=personal_id(own),
        phone=GUARDIAN_PHONE,
        client=CLIENT,
        notifier=notifier,
        now=NOW,
    )
    unknown = request_recovery_code(
        own.uow(),
        personal_id=personal_id(own) if pid is None else pid,
        phone=phone,
        client=CLIENT,
        notifier=notifier,
        now=NOW,
    )
    assert len(notifier.sent) == 1  # only the match was sent a code
    assert type(known) is type(unknown)
    assert len(known.request_id) == len(unknown.request_id)
    assert known.expires_at == unknown.expires_at
    # Entering codes on the unmatched request behaves like wrong codes on a real one.
    for attempt in range(1, POLICY.max_attempts):
        with pytest.raises(RecoveryCodeWrongError) as wrong:
            confirm_recovery_code(own.uow(), request_id=unknown.request_id, code="123456", now=NOW)
        assert wrong.value.attempts_left == POLICY.max_attempts - attempt
    with pytest.raises(RecoveryCodeVoidError):
        confirm_recovery_code(own.uow(), request_id=unknown.request_id, code="123456", now=NOW)


def test_a_closed_account_gets_no_code(own: World) -> None:
    with Session(own.engine) as session:
        guardian = session.get(Person, own.people[GUARDIAN])
        assert guardian is not None
        guardian.is_active = False
        session.add(guardian)
        session.commit()
    notifier = CollectingNotifier()
    _ask(own, notifier)
    assert notifier.sent == []


def test_a_wrong_code_is_counted_and_the_fifth_makes_the_code_void(own: World) -> None:
    notifier = CollectingNotifier()
    request_id = _ask(own, notifier)
    right = _code(notifier)
    wrong = "000000" if right != "000000" else "111111"
    for left in (4, 3, 2, 1):
        with pytest.raises(RecoveryCodeWrongError) as refused:
            confirm_recovery_code(own.uow(), request_id=request_id, code=wrong, now=NOW)
        assert refused.value.attempts_left == left
    with pytest.raises(RecoveryCodeVoidError):
        confirm_recovery_code(own.uow(), request_id=request_id, code=wrong, now=NOW)
    with pytest.raises(RecoveryCodeVoidError):
        confirm_recovery_code(own.uow(), request_id=request_id, code=right, now=NOW)
    assert _actions(own).count("lost_files.failure") == 5


def test_a_code_expires_after_ten_minutes(own: World) -> None:
    notifier = CollectingNotifier()
    request_id = _ask(own, notifier)
    with pytest.raises(RecoveryCodeExpiredError):
        confirm_recovery_code(
            own.uow(), request_id=request_id, code=_code(notifier), now=NOW + timedelta(minutes=10)
        )


def test_a_code_opens_the_page_once(own: World) -> None:
    notifier = CollectingNotifier()
    request_id = _ask(own, notifier)
    confirm_recovery_code(own.uow(), request_id=request_id, code=_code(notifier), now=NOW)
    with pytest.raises(RecoveryCodeUsedError):
        confirm_recovery_code(own.uow(), request_id=request_id, code=_code(notifier), now=NOW)


def test_the_download_page_expires(own: World) -> None:
    notifier = CollectingNotifier()
    request_id = _ask(own, notifier)
    granted = confirm_recovery_code(own.uow(), request_id=request_id, code=_code(notifier), now=NOW)
    recovered_files(
        own.uow(), token=granted.download_token, now=granted.expires_at - timedelta(seconds=1)
    )
    with pytest.raises(RecoveryDownloadExpiredError):
        recovered_files(own.uow(), token=granted.download_token, now=granted.expires_at)


def test_another_students_transcript_is_not_on_the_page(own: World) -> None:
    finalized(own)
    classmate = finalized(own, student=1)
    notifier = CollectingNotifier()
    request_id = _ask(own, notifier)
    granted = confirm_recovery_code(own.uow(), request_id=request_id, code=_code(notifier), now=NOW)
    files = recovered_files(own.uow(), token=granted.download_token, now=NOW)
    assert classmate not in {t.id for t in files.transcripts}
    with pytest.raises(NotFoundError):
        read_recovered_file(
            own.uow(),
            token=granted.download_token,
            transcript_id=classmate,
            kind=SignedFileKind.XML,
            now=NOW,
        )


def test_three_requests_an_hour_per_personal_id_matched_or_not(own: World) -> None:
    notifier = CollectingNotifier()
    for minute in range(3):
        _ask(
            own,
            notifier,
            phone="0987654321",
            client=f"10.0.0.{minute}",
            at=NOW + timedelta(minutes=minute),
        )
    with pytest.raises(RecoveryRateLimitedError) as refused:
        _ask(own, notifier, client="10.0.0.9", at=NOW + timedelta(minutes=5))
    assert refused.value.retry_after == 55 * 60 + 1
    assert notifier.sent == []  # the right phone, refused: no code either
    _ask(own, notifier, client="10.0.0.9", at=NOW + timedelta(hours=1, seconds=1))
    assert len(notifier.sent) == 1
    assert "lost_files.rate_limited" in _actions(own)


def test_ten_requests_an_hour_per_client_address(own: World) -> None:
    notifier = CollectingNotifier()
    for n in range(10):
        _ask(own, notifier, pid=f"0792{n:08d}", phone="0987654321")
    with pytest.raises(RecoveryRateLimitedError):
        _ask(own, notifier)
    _ask(own, notifier, client="198.51.100.1")
    assert len(notifier.sent) == 1


@pytest.mark.parametrize(
    ("pid", "phone", "field"),
    [
        ("07921200000", GUARDIAN_PHONE, "personal_id"),
        ("0792120000ab", GUARDIAN_PHONE, "personal_id"),
        (None, "12345", "phone"),
        (None, "+1 202 555 0100", "phone"),
    ],
)
def test_malformed_input_names_the_field_and_is_not_counted(
    own: World, pid: str | None, phone: str, field: str
) -> None:
    with pytest.raises(InvalidInputError) as refused:
        _ask(own, CollectingNotifier(), pid=pid, phone=phone)
    assert refused.value.field == field
    with Session(own.engine) as session:
        assert session.exec(select(RecoveryRequest)).all() == []


def test_the_log_and_the_audit_log_show_only_masked_values(
    own: World, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    pid = personal_id(own)
    request_id = _ask(own, LogNotifier(), pid=pid)
    with pytest.raises(RecoveryCodeWrongError):
        confirm_recovery_code(own.uow(), request_id=request_id, code="999999", now=NOW)
    _ask(own, LogNotifier(), pid=pid, phone="0987654321")
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "notification to ph.an" in logged  # demo mode: the code goes to the log
    assert pid[:3] + "*******" + pid[-2:] in logged
    assert "091****678" in logged
    with Session(own.engine) as session:
        audit = "\n".join(str(e.details) for e in session.exec(select(AuditEvent)).all())
        stored = "\n".join(
            f"{r.personal_id_key} {r.client_key}" for r in session.exec(select(RecoveryRequest))
        )
    for secret in (pid, GUARDIAN_PHONE, "0987654321"):
        assert secret not in logged
        assert secret not in audit
        assert secret not in stored
    assert CLIENT not in stored


def test_a_failing_sender_changes_nothing_the_requester_sees(own: World) -> None:
    class Broken:
        def send(self, message: Message) -> None:
            raise ConnectionError("SMS gateway down")

    started = request_recovery_code(
        own.uow(),
        personal_id=personal_id(own),
        phone=GUARDIAN_PHONE,
        client=CLIENT,
        notifier=Broken(),
        now=NOW,
    )
    assert started.request_id


def test_concurrent_requests_for_one_personal_id_never_pass_the_limit(own: World) -> None:
    racers = 6
    uow_engine = engine_for_racers(own.engine, racers)
    notifier = CollectingNotifier()
    pid = personal_id(own)

    def attempt(n: int) -> Callable[[], RecoveryStarted]:
        return lambda: request_recovery_code(
            UnitOfWork(uow_engine),
            personal_id=pid,
            phone=GUARDIAN_PHONE,
            client=f"10.1.0.{n}",
            notifier=notifier,
            now=NOW,
            policy=POLICY,
        )

    outcomes = race([attempt(n) for n in range(racers)], gate_flushes=False)
    refused = [o.error for o in outcomes if o.error is not None]
    assert sum(o.value is not None for o in outcomes) == POLICY.codes_per_personal_id
    assert all(isinstance(e, RecoveryRateLimitedError) for e in refused), refused
    assert len(notifier.sent) == POLICY.codes_per_personal_id
