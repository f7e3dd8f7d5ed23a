"""Reading what a school inherited: the issued transcripts of the schools a student came from
through completed transfers are readable by the receiving school's academic affairs and
principal (REQ-25, REQ-26), exactly as signed."""

from __future__ import annotations

from sqlmodel import Session

from domain.model import Transcript
from workflow._actor import Actor
from workflow._record_package import ISSUED, inherited_schools, record_schools


def reads_as_receiving_school(session: Session, actor: Actor, transcript: Transcript) -> bool:
    """Whether ``actor`` reads ``transcript`` as the record a school of theirs inherited."""
    if transcript.status not in ISSUED:
        return False
    return any(
        transcript.school_id in inherited_schools(session, transcript.student_id, school)
        for school in record_schools(actor)
    )
