"""Opening a transcript and changing its data while it is a draft."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from domain.model import (
    CorrectionRequest,
    CorrectionStatus,
    Role,
    SchoolClass,
    Student,
    Transcript,
    TranscriptKind,
    state_hash,
)
from workflow._actor import Actor
from workflow._errors import (
    AdministratorForbiddenError,
    DataLockedError,
    NotAssignedError,
    NotFoundError,
)
from workflow._facts_loader import load_facts
from workflow._transitions import get_transcript, replace_data, snapshot
from workflow._uow import UnitOfWork


def create_transcript(
    uow: UnitOfWork,
    *,
    student_id: int,
    class_id: int,
    kind: TranscriptKind,
    data: dict[str, Any],
    actor: Actor,
    now: datetime,
) -> str:
    """Open a draft transcript (version 1) for a student of a class; returns its id."""
    with uow:
        session = uow.session
        if actor.is_administrator:
            raise AdministratorForbiddenError
        klass = session.get(SchoolClass, class_id)
        if klass is None:
            raise NotFoundError("class", class_id)
        if session.get(Student, student_id) is None:
            raise NotFoundError("student", student_id)
        allowed = actor.is_system or any(
            actor.holds(role, school_id=klass.school_id, school_year_id=klass.school_year_id)
            for role in (Role.ACADEMIC_AFFAIRS, Role.PRINCIPAL)
        )
        if not allowed:
            raise NotAssignedError(
                "academic affairs or the principal of this school",
                "học vụ hoặc hiệu trưởng của trường này",
            )
        row = Transcript(
            id=str(uuid.uuid4()),
            student_id=student_id,
            school_id=klass.school_id,
            school_year_id=klass.school_year_id,
            class_id=class_id,
            kind=kind,
            data=data,
            created_at=now,
            updated_at=now,
        )
        session.add(row)
        uow.audit.record(
            actor=actor,
            action="transcript.create",
            object_type="transcript",
            object_id=row.id,
            now=now,
            after_sha256=state_hash(snapshot(row)),
            details={"kind": str(kind)},
        )
        uow.commit("the transcript")
        return row.id


def record_data(
    uow: UnitOfWork, *, transcript_id: str, data: dict[str, Any], actor: Actor, now: datetime
) -> None:
    """Replace a draft transcript's results snapshot (refused once signed, locked or final)."""
    with uow:
        session = uow.session
        row = get_transcript(session, transcript_id)
        facts = load_facts(session, row, now=now)
        if actor.is_administrator:
            raise AdministratorForbiddenError
        correction = _approved_correction(session, row)
        if row.locked_at is not None or (now >= facts.lock_at and correction is None):
            raise DataLockedError(
                f"the lock date {facts.lock_at.isoformat()} has passed",
                f"đã qua thời hạn khoá {facts.lock_at.isoformat()}",
            )
        if row.status != "draft" or facts.live_slots:
            raise DataLockedError(
                "signed data can change only after it is returned to draft",
                "dữ liệu đã ký chỉ được sửa sau khi trả về bản nháp",
            )
        school, year = row.school_id, row.school_year_id
        if not (
            actor.holds(
                Role.HOMEROOM_TEACHER, school_id=school, school_year_id=year, class_id=row.class_id
            )
            or actor.holds(Role.ACADEMIC_AFFAIRS, school_id=school, school_year_id=year)
        ):
            raise NotAssignedError(
                "the homeroom teacher of this class or academic affairs",
                "giáo viên chủ nhiệm lớp này hoặc học vụ",
            )
        replace_data(
            uow,
            row,
            data,
            action="transcript.record_data",
            actor=actor,
            now=now,
            details={} if correction is None else {"correction_request_id": correction.id},
        )
        uow.commit("the transcript")


def _approved_correction(session: Session, row: Transcript) -> CorrectionRequest | None:
    """The Department's approval this version was made for (REQ-23), if it is one.

    After the lock date nothing changes, except the draft a correction approval opened: the
    school re-creates the transcript with the approved correction, then signs it again.
    """
    if row.replaces_id is None:
        return None
    return session.exec(
        select(CorrectionRequest).where(
            CorrectionRequest.new_transcript_id == row.id,
            CorrectionRequest.status == CorrectionStatus.APPROVED,
        )
    ).first()
