"""Delivering the outbox to the city transcript system: claim, send, record, back off.

Several workers may run at once (the scheduler's tick, ``hocba scheduler run-due``, another
instance): a claim takes due messages under a lease in one short transaction (PostgreSQL
``FOR UPDATE SKIP LOCKED``; SQLite has one writer at a time), the requests go out with no
transaction open, and each outcome is written only under the claim's token. A message is
sent at least once; the city applies it once, by its ``Idempotency-Key``.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, or_, select

from domain.model import CityRegistration, OutboxKind, OutboxMessage, OutboxState
from workflow._actor import SYSTEM
from workflow._city_client import REFUSED, SUCCESS, CityAnswer, CityClient, CityRequest
from workflow._database import is_postgresql
from workflow._outbox_requests import PayloadMissingError, build_request
from workflow._settings import Settings
from workflow._uow import UnitOfWork


@dataclass(frozen=True, slots=True)
class DeliveryPolicy:
    """How hard the delivery tries."""

    max_attempts: int = 12
    """Attempts after which a message is dead."""
    backoff_seconds: int = 30
    """The delay before the first retry; it doubles with every further attempt."""
    backoff_max_seconds: int = 6 * 3600
    """The longest delay between two attempts."""
    batch_size: int = 50
    """Messages claimed at a time."""
    request_seconds: float = 35.0
    """The longest one request can take (connect + answer): the lease covers a whole batch."""

    @classmethod
    def from_settings(cls, settings: Settings) -> DeliveryPolicy:
        """The policy of ``HOCBA_OUTBOX_*`` and the city timeouts."""
        return cls(
            max_attempts=settings.outbox_max_attempts,
            backoff_seconds=settings.outbox_backoff_seconds,
            backoff_max_seconds=settings.outbox_backoff_max_seconds,
            batch_size=settings.outbox_batch_size,
            request_seconds=settings.city_connect_timeout_seconds + settings.city_timeout_seconds,
        )

    @property
    def lease(self) -> timedelta:
        """How long a claim keeps other workers off its messages."""
        return timedelta(seconds=self.batch_size * self.request_seconds + 60)


@dataclass(frozen=True, slots=True)
class CityExchange:
    """The connector to the city system: its HTTP client and how hard delivery tries."""

    client: CityClient
    policy: DeliveryPolicy

    @classmethod
    def from_settings(cls, settings: Settings) -> CityExchange | None:
        """The connector of ``HOCBA_CITY_*``; None while ``HOCBA_CITY_URL`` is unset (off)."""
        client = CityClient.from_settings(settings)
        if client is None:
            return None
        return cls(client=client, policy=DeliveryPolicy.from_settings(settings))


def backoff_delay(key: str, attempts: int, *, policy: DeliveryPolicy) -> timedelta:
    """The wait after the ``attempts``-th failure: exponential, capped, with jitter.

    Half the ceiling is fixed and half drawn from a generator seeded by the message's key
    and the attempt, so workers that failed together do not retry together, and the same
    message and attempt always wait the same (tests need no control over randomness).
    """
    ceiling = min(policy.backoff_max_seconds, policy.backoff_seconds * 2 ** min(attempts - 1, 32))
    draw = random.Random(f"{key}#{attempts}").random()  # noqa: S311  (jitter, not a secret)
    return timedelta(seconds=ceiling * (0.5 + draw / 2))


@dataclass(frozen=True, slots=True)
class DeliveryReport:
    """What one delivery run did."""

    delivered: tuple[int, ...] = ()
    retrying: tuple[int, ...] = ()
    dead: tuple[int, ...] = ()
    deferred: tuple[int, ...] = ()
    """Claimed but not sent, because the city stopped answering during the run."""

    def lines(self) -> list[str]:
        """The report as a person reads it (nothing when nothing was sent)."""
        if not (self.delivered or self.retrying or self.dead or self.deferred):
            return []
        return [
            f"city exchange: {len(self.delivered)} delivered, {len(self.retrying)} to retry, "
            f"{len(self.dead)} dead, {len(self.deferred)} left for the next run"
        ]


@dataclass(frozen=True, slots=True)
class _Claimed:
    id: int
    token: str
    kind: OutboxKind
    transcript_id: str
    attempts: int
    key: str
    sha256: str | None
    request: CityRequest | None
    missing: str | None


@dataclass(frozen=True, slots=True)
class _Verdict:
    delivered: bool
    permanent: bool = False
    error: str | None = None
    ministry_uuid: str | None = None


def deliver_outbox(
    uow: UnitOfWork,
    *,
    client: CityClient,
    now: datetime,
    policy: DeliveryPolicy,
    limit: int = 1000,
) -> DeliveryReport:
    """Send every message due at ``now`` (at most ``limit``); returns what happened to each.

    A delivered message frees the next one of its transcript version, which goes out in the
    same run. Each claim and each batch's outcomes are one transaction.
    """
    delivered: list[int] = []
    retrying: list[int] = []
    dead: list[int] = []
    deferred: list[int] = []
    lists = {"delivered": delivered, "retrying": retrying, "dead": dead, "deferred": deferred}
    unreachable = False
    while not unreachable and len(delivered) + len(retrying) + len(dead) < limit:
        claimed = _claim(uow, now=now, policy=policy)
        if not claimed:
            break
        answers: list[CityAnswer | None] = []
        for item in claimed:
            if item.request is None:
                answers.append(CityAnswer(None, {}))  # nothing to send: judged dead
            elif unreachable:
                answers.append(None)  # not sent: released for the next run
            else:
                answer = client.send(item.request)
                # No answer at all (refused, timed out): the rest of the batch would most
                # likely wait as long, so a city that is down costs one timeout per run.
                unreachable = answer.status is None
                answers.append(answer)
        for message_id, outcome in _record(uow, claimed, answers, now=now, policy=policy):
            lists[outcome].append(message_id)
    return DeliveryReport(tuple(delivered), tuple(retrying), tuple(dead), tuple(deferred))


def _claim(uow: UnitOfWork, *, now: datetime, policy: DeliveryPolicy) -> list[_Claimed]:
    """Take the due messages under a lease; only the first undelivered one of a version."""
    earlier = aliased(OutboxMessage)
    blocked = (
        sa.select(col(earlier.id))
        .where(
            col(earlier.transcript_id) == col(OutboxMessage.transcript_id),
            col(earlier.id) < col(OutboxMessage.id),
            col(earlier.state) != OutboxState.DELIVERED,
        )
        .exists()
    )
    statement = (
        select(OutboxMessage)
        .where(
            OutboxMessage.state == OutboxState.PENDING,
            col(OutboxMessage.next_attempt_at) <= now,
            or_(
                col(OutboxMessage.claimed_until).is_(None),
                col(OutboxMessage.claimed_until) <= now,
            ),
            ~blocked,
        )
        .order_by(col(OutboxMessage.next_attempt_at), col(OutboxMessage.id))
        .limit(policy.batch_size)
    )
    token = str(uuid.uuid4())
    with uow:
        session = uow.session
        if is_postgresql(session.get_bind().engine):
            # Another worker's claim in progress is skipped, not waited for; PostgreSQL
            # re-checks the lease on a row whose lock it did get.
            statement = statement.with_for_update(skip_locked=True, of=OutboxMessage)
        claimed = []
        for message in session.exec(statement).all():
            assert message.id is not None
            message.claimed_until = now + policy.lease
            message.claim_token = token
            session.add(message)
            try:
                request, missing = build_request(session, message), None
            except PayloadMissingError as error:
                request, missing = None, error.message
            claimed.append(
                _Claimed(
                    id=message.id,
                    token=token,
                    kind=OutboxKind(message.kind),
                    transcript_id=message.transcript_id,
                    attempts=message.attempts,
                    key=message.idempotency_key,
                    sha256=message.document_sha256,
                    request=request,
                    missing=missing,
                )
            )
        uow.commit("the outbox")
        return claimed


def _judge(claimed: _Claimed, answer: CityAnswer) -> _Verdict:
    if claimed.missing is not None:
        return _Verdict(False, permanent=True, error=claimed.missing)
    status = answer.status
    if status is None:
        return _Verdict(False, error=answer.error or "no answer")
    if status in SUCCESS:
        if claimed.kind is OutboxKind.REGISTER_CREATE:
            ministry_uuid = _uuid(answer.body.get("ministry_uuid"))
            if ministry_uuid is None:
                return _Verdict(False, error=f"HTTP {status} without a valid ministry_uuid")
            return _Verdict(True, ministry_uuid=ministry_uuid)
        if (
            claimed.kind is OutboxKind.REGISTER_VERIFY
            and answer.body.get("sha256") != claimed.sha256
        ):
            held = str(answer.body.get("sha256"))[:64]
            return _Verdict(
                False, permanent=True, error=f"the city holds another document (sha256 {held})"
            )
        return _Verdict(True)
    detail = str(answer.body.get("detail") or answer.body.get("title") or "")
    error = f"HTTP {status}" + (f": {detail}" if detail else "")
    return _Verdict(False, permanent=status in REFUSED, error=error[:1000])


def _uuid(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return None


def _record(
    uow: UnitOfWork,
    claimed: list[_Claimed],
    answers: list[CityAnswer | None],
    *,
    now: datetime,
    policy: DeliveryPolicy,
) -> list[tuple[int, str]]:
    """Write each outcome under its claim's token (a claim that lost its lease writes nothing)."""
    outcomes = []
    with uow:
        session = uow.session
        for item, answer in zip(claimed, answers, strict=True):
            outcome, verdict, values = _outcome(item, answer, now=now, policy=policy)
            written = session.execute(
                sa.update(OutboxMessage)
                .where(
                    col(OutboxMessage.id) == item.id,
                    col(OutboxMessage.claim_token) == item.token,
                    col(OutboxMessage.state) == OutboxState.PENDING,
                )
                .values(**values)
                .execution_options(synchronize_session=False)
            )
            if written.rowcount != 1:  # type: ignore[attr-defined]
                continue  # the lease ran out and another worker took the message over
            _apply(session, item, verdict, now=now)
            outcomes.append((item.id, outcome))
        summary = {
            name: [i for i, o in outcomes if o == name]
            for name in ("delivered", "retrying", "dead")
        }
        if any(summary.values()):
            uow.audit.record(
                actor=SYSTEM,
                action="outbox.deliver",
                object_type="outbox",
                object_id=str(outcomes[0][0]),
                now=now,
                details=summary,
            )
        uow.commit("the outbox")
    return outcomes


def _outcome(
    item: _Claimed, answer: CityAnswer | None, *, now: datetime, policy: DeliveryPolicy
) -> tuple[str, _Verdict, dict[str, object]]:
    """The outcome's name, the verdict, and the columns to write (the lease always ends)."""
    values: dict[str, object] = {"claimed_until": None, "claim_token": None}
    if answer is None:  # not sent: no attempt is counted
        return "deferred", _Verdict(False), values
    verdict = _judge(item, answer)
    attempts = item.attempts + 1
    values |= {"attempts": attempts, "last_status": answer.status, "updated_at": now}
    if verdict.delivered:
        values |= {"state": OutboxState.DELIVERED, "delivered_at": now, "last_error": None}
        return "delivered", verdict, values
    if verdict.permanent or attempts >= policy.max_attempts:
        values |= {"state": OutboxState.DEAD, "last_error": verdict.error}
        return "dead", verdict, values
    delay = backoff_delay(item.key, attempts, policy=policy)
    if answer.retry_after_seconds is not None:
        delay = max(delay, timedelta(seconds=answer.retry_after_seconds))
    values |= {"next_attempt_at": now + delay, "last_error": verdict.error}
    return "retrying", verdict, values


def _apply(session: Session, item: _Claimed, verdict: _Verdict, *, now: datetime) -> None:
    """What an acknowledged message changes here: the registration and its Ministry UUID."""
    if not verdict.delivered:
        return
    transcript_id = item.transcript_id
    if item.kind is OutboxKind.REGISTER_CREATE and verdict.ministry_uuid is not None:
        registration = session.get(CityRegistration, transcript_id)
        if registration is None:
            registration = CityRegistration(
                transcript_id=transcript_id, ministry_uuid=verdict.ministry_uuid, registered_at=now
            )
        registration.ministry_uuid = verdict.ministry_uuid
        session.add(registration)
    elif item.kind is OutboxKind.REGISTER_CANCEL:
        cancelled = session.get(CityRegistration, transcript_id)
        if cancelled is not None:
            cancelled.cancelled_at = now
            session.add(cancelled)
