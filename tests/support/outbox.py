"""Reading the outbox in tests, and a delivery client and policy pointed at a fake city."""

from __future__ import annotations

import hashlib
import uuid
from datetime import date

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from domain.model import (
    Blob,
    Enrollment,
    OutboxMessage,
    Student,
    Transcript,
    TranscriptKind,
    TranscriptStatus,
)
from tests.support.city_server import TOKEN, FakeCity
from tests.support.transcripts import signed_annual
from tests.support.world import BEFORE_LOCK, World
from workflow import CityClient, DeliveryPolicy

FAST = DeliveryPolicy(max_attempts=5, backoff_seconds=30, backoff_max_seconds=3600, batch_size=20)
"""The tests' policy: the delays are the production ones in kind, the counts smaller."""


def messages(engine: Engine) -> list[OutboxMessage]:
    """Every outbox message, in id order."""
    with Session(engine) as session:
        return list(session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))).all())


def kinds_of(engine: Engine, transcript_id: str) -> list[str]:
    """The kinds queued for one transcript version, in delivery order."""
    return [str(m.kind) for m in messages(engine) if m.transcript_id == transcript_id]


def client_for(city: FakeCity, *, timeout: float = 10.0) -> CityClient:
    """A client of ``city`` with its token (``timeout``: how long an answer may take)."""
    return CityClient(base_url=city.url, token=TOKEN, connect_timeout=timeout, timeout=timeout)


def stamped_transcripts(world: World, count: int) -> tuple[list[str], str]:
    """``count`` stamped annual transcripts sharing one real signed XML; (ids, its sha256)."""
    xml = signed_annual()
    sha256 = hashlib.sha256(xml).hexdigest()
    ids = []
    with Session(world.engine) as session:
        session.add(
            Blob(
                sha256=sha256,
                media_type="application/xml",
                size=len(xml),
                content=xml,
                created_at=BEFORE_LOCK,
            )
        )
        students = [
            Student(
                personal_id=f"0793{n:08d}",
                full_name=f"Học sinh {n}",
                date_of_birth=date(2013, 1, 1),
                gender="Nữ",
            )
            for n in range(count)
        ]
        session.add_all(students)
        session.flush()
        for student in students:
            assert student.id is not None
            transcript_id = str(uuid.uuid4())
            ids.append(transcript_id)
            session.add(
                Enrollment(
                    student_id=student.id,
                    class_id=world.class_ids["6A1"],
                    school_year_id=world.year_id,
                    enrolled_on=date(2024, 9, 5),
                )
            )
            session.add(
                Transcript(
                    id=transcript_id,
                    student_id=student.id,
                    school_id=world.school_id,
                    school_year_id=world.year_id,
                    class_id=world.class_ids["6A1"],
                    kind=TranscriptKind.CA_NAM,
                    status=TranscriptStatus.SCHOOL_STAMPED,
                    data={},
                    created_at=BEFORE_LOCK,
                    updated_at=BEFORE_LOCK,
                    xml_sha256=sha256,
                )
            )
        session.commit()
    return ids, sha256
