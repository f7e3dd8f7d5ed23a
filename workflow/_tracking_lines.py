"""Storing a score line of the tracking book, audited with before/after fingerprints.

A single line (``write_line``: an approved correction) is flushed and audited at once; a batch
(``record_subject_scores``) stages every line, flushes once — one round trip instead of one per
student — and then audits each.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from domain.model import ScoreLine, state_hash
from workflow._actor import Actor
from workflow._tracking_scope import ClassYear
from workflow._tracking_values import SubjectValues
from workflow._transitions import acting_person
from workflow._uow import UnitOfWork


def line_snapshot(line: ScoreLine) -> dict[str, Any]:
    """What an audit entry fingerprints of a score line: whose, which, and its values."""
    return {
        "student_id": line.student_id,
        "class_id": line.class_id,
        "subject_code": line.subject_code,
        "semester": line.semester,
        **SubjectValues.of_line(line).stored(),
    }


def write_line(
    uow: UnitOfWork,
    where: ClassYear,
    line: ScoreLine | None,
    values: SubjectValues,
    *,
    key: tuple[int, str, int],
    actor: Actor,
    now: datetime,
    action: str,
    details: dict[str, Any] | None = None,
) -> None:
    """Store ``values`` as the line of ``key`` (student, subject, semester), audited."""
    staged = stage_line(uow, where, line, values, key=key, actor=actor, now=now)
    uow.flush("the score sheet")
    audit_line(uow, *staged, key=key, actor=actor, now=now, action=action, details=details)


def stage_line(
    uow: UnitOfWork,
    where: ClassYear,
    line: ScoreLine | None,
    values: SubjectValues,
    *,
    key: tuple[int, str, int],
    actor: Actor,
    now: datetime,
) -> tuple[ScoreLine, str | None]:
    """``values`` put on the line of ``key`` (a new one if ``line`` is None) in the session,
    and the line's fingerprint before; ``audit_line`` once flushed (a batch flushes once)."""
    before = None if line is None else state_hash(line_snapshot(line))
    if line is None:
        student_id, subject_code, semester = key
        line = ScoreLine(
            student_id=student_id,
            class_id=where.class_id,
            subject_code=subject_code,
            semester=semester,
            updated_at=now,
            updated_by_id=acting_person(actor),
        )
    values.write_to(line)
    line.updated_at, line.updated_by_id = now, acting_person(actor)
    uow.session.add(line)
    return line, before


def audit_line(
    uow: UnitOfWork,
    line: ScoreLine,
    before: str | None,
    *,
    key: tuple[int, str, int],
    actor: Actor,
    now: datetime,
    action: str,
    details: dict[str, Any] | None,
) -> None:
    """The audit entry of a flushed line's change (before/after fingerprints, no values)."""
    uow.audit.record(
        actor=actor,
        action=action,
        object_type="score_line",
        object_id=str(line.id),
        now=now,
        before_sha256=before,
        after_sha256=state_hash(line_snapshot(line)),
        details={
            "student_id": key[0],
            "subject_code": key[1],
            "semester": key[2],
            **(details or {}),
        },
    )
