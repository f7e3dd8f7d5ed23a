"""Reminders before a lock date: every signer with pending work is told, once per threshold."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import col, or_, select

from domain.model import Notification, Person, Role, RoleAssignment, School, SchoolYear
from workflow._actor import SYSTEM
from workflow._facts_loader import valid_at
from workflow._locks import LockGroup, lock_key, lock_time
from workflow._notifier import Message
from workflow._tasks import task_queue
from workflow._uow import UnitOfWork

_SIGNERS = (Role.SUBJECT_TEACHER, Role.HOMEROOM_TEACHER, Role.PRINCIPAL, Role.CLERK)


def _threshold(lock_at: datetime, now: datetime, days_before: Sequence[int]) -> int | None:
    """The most urgent threshold reached: with (7, 3, 1) and 2 days left, 3."""
    reached = [d for d in days_before if lock_at - timedelta(days=d) <= now < lock_at]
    return min(reached) if reached else None


def create_reminders(
    uow: UnitOfWork, *, now: datetime, days_before: Sequence[int], timezone: str
) -> list[Message]:
    """Record a reminder for each signer with pending work before an upcoming lock.

    Returns the new messages for the caller to send after the commit: a delivery failure
    must not undo the record, and a record is never made twice (its key is unique).
    """
    if not days_before:
        return []
    zone = ZoneInfo(timezone)
    with uow:
        session = uow.session
        known = set(session.exec(select(Notification.key)).all())
        messages: list[Message] = []
        for year in session.exec(select(SchoolYear)).all():
            assert year.id is not None
            for group in LockGroup:
                lock_at = lock_time(year, group)
                days = _threshold(lock_at, now, days_before)
                if days is None:
                    continue
                signers = session.exec(
                    select(RoleAssignment.person_id, Person.username)
                    .join(Person, col(Person.id) == RoleAssignment.person_id)
                    .join(School, col(School.id) == RoleAssignment.school_id)
                    .where(
                        col(RoleAssignment.role).in_(_SIGNERS),
                        School.department_code == year.department_code,
                        or_(
                            col(RoleAssignment.school_year_id).is_(None),
                            col(RoleAssignment.school_year_id) == year.id,
                        ),
                        valid_at(now),
                    )
                    .distinct()
                ).all()
                for person_id, username in sorted(set(signers)):
                    key = f"reminder:{lock_key(group, year.id)}:{days}:{person_id}"
                    if key in known:
                        continue
                    pending = [
                        item
                        for item in task_queue(session, person_id=person_id, now=now)
                        if item.action == "sign"
                        and item.school_year == year.name
                        and item.due_at is not None
                        and item.due_at <= lock_at
                    ]
                    if not pending:
                        continue
                    count = sum(item.count for item in pending)
                    local = lock_at.astimezone(zone).strftime("%H:%M ngày %d/%m/%Y")
                    lines = [
                        f"- Lớp {i.class_name}"
                        + (f", môn {i.subject_code}" if i.subject_code else "")
                        + f": {i.count} học bạ (bước {i.step})"
                        for i in pending
                    ]
                    message = Message(
                        person_id=person_id,
                        username=username,
                        subject=f"Nhắc việc: {count} học bạ chờ ký trước {local}",
                        body="Năm học {}: dữ liệu sẽ khoá lúc {}.\n{}".format(
                            year.name, local, "\n".join(lines)
                        ),
                        due_at=lock_at,
                    )
                    session.add(
                        Notification(
                            key=key,
                            person_id=person_id,
                            kind="lock_reminder",
                            subject=message.subject,
                            body=message.body,
                            due_at=lock_at,
                            created_at=now,
                        )
                    )
                    known.add(key)
                    messages.append(message)
        if messages:
            uow.audit.record(
                actor=SYSTEM,
                action="reminder.create",
                object_type="notification",
                object_id=str(len(messages)),
                now=now,
                details={"people": sorted(m.username for m in messages)},
            )
        uow.commit("the reminders")
        return messages
