"""Granting and ending duties: the administrator's work (REQ-07), hand-overs (REQ-29)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import col, or_, select

from domain.model import ACADEMIC_ROLES, Person, Role, RoleAssignment
from workflow._actor import Actor
from workflow._errors import InvalidInputError, NotAssignedError, NotFoundError
from workflow._uow import UnitOfWork


def _administrator_only(actor: Actor) -> None:
    if not actor.is_administrator:
        raise NotAssignedError("the administrator", "quản trị viên")


def assign_role(
    uow: UnitOfWork,
    *,
    person_id: int,
    role: Role,
    actor: Actor,
    now: datetime,
    valid_from: datetime,
    school_id: int | None = None,
    school_year_id: int | None = None,
    class_id: int | None = None,
    subject_code: str | None = None,
    department_code: str | None = None,
    handover_note: str | None = None,
) -> int:
    """Give a person a duty from ``valid_from``; returns the assignment id.

    The administrator role never sits beside an academic one on the same account (REQ-07):
    the head of school owns a separate administrator account.
    """
    _administrator_only(actor)
    if role is Role.SUBJECT_TEACHER and (class_id is None or subject_code is None):
        raise InvalidInputError(
            "subject_code",
            "a subject teacher needs a class and a subject",
            "giáo viên bộ môn cần có lớp và môn",
        )
    if role is Role.HOMEROOM_TEACHER and class_id is None:
        raise InvalidInputError(
            "class_id", "a homeroom teacher needs a class", "giáo viên chủ nhiệm cần có lớp"
        )
    if role is Role.DEPARTMENT_OFFICER and not department_code:
        raise InvalidInputError(
            "department_code",
            "a Department officer needs a department code",
            "cán bộ Sở cần có mã Sở",
        )
    with uow:
        session = uow.session
        if session.get(Person, person_id) is None:
            raise NotFoundError("person", person_id)
        held = set(
            session.exec(
                select(RoleAssignment.role).where(
                    RoleAssignment.person_id == person_id,
                    or_(
                        col(RoleAssignment.valid_until).is_(None),
                        col(RoleAssignment.valid_until) > valid_from,
                    ),
                )
            ).all()
        )
        mixes = (role is Role.ADMINISTRATOR and held & ACADEMIC_ROLES) or (
            role in ACADEMIC_ROLES and Role.ADMINISTRATOR in held
        )
        if mixes:
            raise InvalidInputError(
                "role",
                "the administrator role cannot be combined with an academic role",
                "không được kết hợp vai trò quản trị với vai trò chuyên môn",
            )
        assignment = RoleAssignment(
            person_id=person_id,
            role=role,
            department_code=department_code,
            school_id=school_id,
            school_year_id=school_year_id,
            class_id=class_id,
            subject_code=subject_code,
            valid_from=valid_from,
            handover_note=handover_note,
        )
        session.add(assignment)
        uow.flush("the role assignment")
        assert assignment.id is not None
        uow.audit.record(
            actor=actor,
            action="role.assign",
            object_type="person",
            object_id=str(person_id),
            now=now,
            details={
                "assignment": assignment.id,
                "role": role.value,
                "class_id": class_id,
                "subject_code": subject_code,
                "school_id": school_id,
            },
        )
        uow.commit("the role assignment")
        return assignment.id


def end_assignment(
    uow: UnitOfWork,
    *,
    assignment_id: int,
    valid_until: datetime,
    handover_note: str,
    actor: Actor,
    now: datetime,
) -> None:
    """End a duty (a teacher leaves); the hand-over record is kept on the assignment."""
    _administrator_only(actor)
    if not handover_note.strip():
        raise InvalidInputError(
            "handover_note", "a hand-over record is required", "cần có biên bản bàn giao"
        )
    with uow:
        session = uow.session
        assignment = session.get(RoleAssignment, assignment_id)
        if assignment is None:
            raise NotFoundError("role assignment", assignment_id)
        if valid_until <= assignment.valid_from:
            raise InvalidInputError(
                "valid_until",
                "must be after the assignment started",
                "phải sau ngày bắt đầu phân công",
            )
        assignment.valid_until = valid_until
        assignment.handover_note = handover_note
        session.add(assignment)
        uow.audit.record(
            actor=actor,
            action="role.end",
            object_type="person",
            object_id=str(assignment.person_id),
            now=now,
            details={
                "assignment": assignment_id,
                "until": valid_until.isoformat(),
                "handover_note": handover_note,
            },
        )
        uow.commit("the role assignment")
