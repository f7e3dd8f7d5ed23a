"""Reading back the scanned paper original of a digitised record (REQ-27)."""

from __future__ import annotations

from datetime import datetime
from typing import Final

from domain.model import Blob, Role, Transcript, TranscriptKind
from workflow._actor import Actor
from workflow._errors import AdministratorForbiddenError, NotFoundError
from workflow._uow import UnitOfWork

_SCAN_READERS: Final = frozenset({Role.ACADEMIC_AFFAIRS, Role.PRINCIPAL, Role.CLERK})


def scanned_original(
    uow: UnitOfWork, *, transcript_id: str, actor: Actor, now: datetime
) -> tuple[str, bytes]:
    """The scanned paper original of a digitised record: its file name and bytes.

    For the staff of the record's school who exchange records (academic affairs, the
    principal) and its clerk; anyone else is told it does not exist. Audited
    (``student.read``).
    """
    if actor.is_administrator:
        raise AdministratorForbiddenError
    with uow:
        session = uow.session
        row = session.get(Transcript, transcript_id)
        # Any year's assignment at the school: the scan stays readable after the year.
        allowed = row is not None and any(
            g.role in _SCAN_READERS and g.school_id == row.school_id for g in actor.grants
        )
        if row is None or not allowed or row.kind != TranscriptKind.SO_HOA:
            raise NotFoundError("digitised record", transcript_id)
        original = row.data.get("BanGoc", {})
        blob = session.get(Blob, original.get("SHA256"))
        if blob is None:
            raise NotFoundError("scanned original", transcript_id)
        uow.audit.record(
            actor=actor,
            action="student.read",
            object_type="student",
            object_id=str(row.student_id),
            now=now,
            details={"via": "scanned_original", "transcript_id": row.id},
        )
        uow.commit("the audit log")
        return str(original.get("TenTep")), bytes(blob.content)
