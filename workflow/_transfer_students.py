"""Finding a student by the 12-digit personal ID: the one look-up transfers and packages use.

Kept in one function so that a change of how the personal ID is stored (an encrypted column
with a blind index) changes this module only.
"""

from __future__ import annotations

from sqlmodel import Session, select

from domain.model import Student, personal_id_index


def find_student(session: Session, personal_id: str) -> Student | None:
    """The student whose personal ID is ``personal_id``, or None (found by its blind index:
    the column itself is encrypted)."""
    index = personal_id_index(personal_id)
    return session.exec(select(Student).where(Student.personal_id_index == index)).first()
