"""Downloading a sealed certified paper copy (REQ-28): the school's staff only, audited."""

from __future__ import annotations

from datetime import datetime
from typing import Final

from domain.model import Blob, CertifiedCopy, Role
from workflow._actor import Actor
from workflow._errors import AdministratorForbiddenError, NotFoundError
from workflow._uow import UnitOfWork

_STAFF: Final = frozenset(
    {
        Role.PRINCIPAL,
        Role.ACADEMIC_AFFAIRS,
        Role.CLERK,
        Role.HOMEROOM_TEACHER,
        Role.SUBJECT_TEACHER,
    }
)


def certified_copy_pdf(uow: UnitOfWork, *, copy_id: int, actor: Actor, now: datetime) -> bytes:
    """The sealed copy, for the school's staff (anyone else: not found). Audited as a read."""
    if actor.is_administrator:
        raise AdministratorForbiddenError
    with uow:
        session = uow.session
        copy = session.get(CertifiedCopy, copy_id)
        staff = copy is not None and any(
            g.role in _STAFF and g.school_id == copy.school_id for g in actor.grants
        )
        if copy is None or not staff or copy.pdf_sha256 is None:
            raise NotFoundError("certified copy", copy_id)
        blob = session.get(Blob, copy.pdf_sha256)
        assert blob is not None
        uow.audit.record(
            actor=actor,
            action="student.read",
            object_type="student",
            object_id=str(copy.student_id),
            now=now,
            details={"via": "certified_copy", "copy_id": copy.id},
        )
        uow.commit("the audit log")
        return bytes(blob.content)
