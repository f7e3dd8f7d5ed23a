"""Taking transcripts through their lifecycle with the public use cases, and watching them.

``fire`` sends one event the way a user (or the scheduler) would: through ``workflow.sign``,
``send_back``, ``finalize``, ``revoke``, ``request_correction``, ``decide_correction`` or
``decide_entry_correction`` (which fires ``reopen_for_correction``).
``drive_to`` takes a new transcript along the shortest path to a state, firing events only:
no test writes ``status``.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from domain.model import (
    CorrectionRequest,
    CorrectionStatus,
    Enrollment,
    EntryCorrection,
    ScoreLine,
    Student,
    Transcript,
    TranscriptKind,
    TranscriptStatus,
)
from tests.support.world import AFTER_LOCK, BEFORE_LOCK, SUBJECTS_6A1, World, evidence
from workflow import (
    SYSTEM,
    Actor,
    SigningStep,
    SubjectValues,
    decide_correction,
    decide_entry_correction,
    finalize,
    request_correction,
    revoke,
    send_back,
    sign,
)

S = TranscriptStatus

SYSTEM_NAME = "system"
"""The name ``fire`` and the tables use for ``workflow.SYSTEM`` (the scheduler)."""

REASON = "Nhập sai điểm kiểm tra giữa kỳ môn Toán"
"""The reason given wherever one is needed."""

TEACHER_OF: dict[str, str] = {code: f"gvbm.{code.lower()}" for code in SUBJECTS_6A1}
"""The 6A1 subject teacher of each subject (tests/support/world.py)."""

EVENT_INSTANT: dict[str, datetime] = {
    "sign_subject": BEFORE_LOCK,
    "sign_homeroom": BEFORE_LOCK,
    "sign_principal": BEFORE_LOCK,
    "stamp": BEFORE_LOCK,
    "finalize": BEFORE_LOCK,
    "send_back": BEFORE_LOCK,
    "revoke": BEFORE_LOCK,
    "request_correction": AFTER_LOCK,
    "approve_correction": AFTER_LOCK,
    "reject_correction": AFTER_LOCK,
    "reopen_for_correction": BEFORE_LOCK,
}
"""When each event is fired unless a test says otherwise: the right side of the lock date."""

_STEP_OF_EVENT: dict[str, SigningStep] = {
    "sign_subject": SigningStep.SUBJECT,
    "sign_homeroom": SigningStep.HOMEROOM,
    "sign_principal": SigningStep.PRINCIPAL,
    "stamp": SigningStep.SCHOOL,
}


def subject_for(who: str) -> str:
    """The subject ``who`` signs with ``sign_subject``: their own in 6A1, else TOAN."""
    for code, teacher in TEACHER_OF.items():
        if teacher == who:
            return code
    return "TOAN"


def actor_of(world: World, who: str, at: datetime) -> Actor:
    """The actor named ``who`` (a username of STAFF, or ``system``) as of ``at``."""
    return SYSTEM if who == SYSTEM_NAME else world.actor(who, at)


def latest_request(engine: Engine, transcript_id: str) -> int | None:
    """The most recent correction request naming the transcript."""
    with Session(engine) as session:
        return session.exec(
            select(CorrectionRequest.id)
            .where(CorrectionRequest.transcript_id == transcript_id)
            .order_by(col(CorrectionRequest.id).desc())
        ).first()


CORRECTED_SUBJECT = "TOAN"
"""The subject whose semester-1 line the entry corrections of ``fire`` change."""


def file_entry_correction(world: World, transcript_id: str) -> int:
    """A pending entry correction of the transcript's student (TOAN, semester 1), naming the
    transcript, put on file directly with the line's current values.

    Only a signed entry can be the subject of a real request; the tables need one on every
    transcript so ``reopen_for_correction`` can be fired at any state (and be refused).
    """
    with Session(world.engine) as session:
        row = session.get(Transcript, transcript_id)
        assert row is not None
        line = session.exec(
            select(ScoreLine).where(
                ScoreLine.student_id == row.student_id,
                ScoreLine.class_id == row.class_id,
                ScoreLine.subject_code == CORRECTED_SUBJECT,
                ScoreLine.semester == 1,
            )
        ).first()
        current = SubjectValues.of_line(line)
        midterm = Decimal("6.5") if current.midterm == Decimal("7.5") else Decimal("7.5")
        proposed = SubjectValues(regular=(Decimal("8.0"),), midterm=midterm)
        correction = EntryCorrection(
            transcript_id=transcript_id,
            student_id=row.student_id,
            class_id=row.class_id,
            semester=1,
            subject_code=CORRECTED_SUBJECT,
            current=current.stored(),
            proposed=proposed.stored(),
            reason=REASON,
            requested_by_id=world.people["gvbm.toan"],
            requested_at=BEFORE_LOCK,
        )
        session.add(correction)
        session.commit()
        assert correction.id is not None
        return correction.id


def pending_entry_correction(engine: Engine, transcript_id: str) -> int | None:
    """The most recent pending entry correction naming the transcript."""
    with Session(engine) as session:
        return session.exec(
            select(EntryCorrection.id)
            .where(
                EntryCorrection.transcript_id == transcript_id,
                EntryCorrection.status == CorrectionStatus.PENDING,
            )
            .order_by(col(EntryCorrection.id).desc())
        ).first()


def fire(
    world: World,
    transcript_id: str,
    event: str,
    *,
    who: str,
    at: datetime | None = None,
    subject_code: str | None = None,
    reason: str = REASON,
    organisation: bool = True,
    request_id: int | None = None,
) -> str | int | None:
    """Send ``event`` by ``who`` at ``at`` through the use case that fires it.

    Returns what the use case returns that a test may need: the new version's id (revoke,
    approve_correction) or the correction request's id (request_correction,
    reopen_for_correction). A subject signature signs ``subject_code`` (default: the subject
    ``who`` teaches in 6A1, else TOAN); the Department decides ``request_id`` (default: the
    transcript's latest request); ``reopen_for_correction`` is ``who`` approving the entry
    correction ``request_id`` (default: the transcript's latest pending one, filed by
    ``file_entry_correction`` if there is none).
    """
    now = EVENT_INSTANT[event] if at is None else at
    actor = actor_of(world, who, now)
    uow = world.uow()
    if event in _STEP_OF_EVENT:
        step = _STEP_OF_EVENT[event]
        code = (subject_code or subject_for(who)) if step is SigningStep.SUBJECT else None
        sign(
            uow,
            transcript_id=transcript_id,
            step=step,
            subject_code=code,
            actor=actor,
            evidence=evidence(who, now, organisation=organisation and event == "stamp"),
            signed_xml=f"<HocBa ky='{who}' luc='{now.isoformat()}'/>".encode(),
            signed_pdf=f"%PDF ky={who} luc={now.isoformat()}".encode(),
            now=now,
        )
        return None
    if event == "finalize":
        finalize(uow, transcript_id=transcript_id, actor=actor, now=now)
        return None
    if event == "send_back":
        send_back(uow, transcript_id=transcript_id, actor=actor, reason=reason, now=now)
        return None
    if event == "revoke":
        return revoke(uow, transcript_id=transcript_id, actor=actor, reason=reason, now=now)
    if event == "request_correction":
        return request_correction(
            uow,
            transcript_id=transcript_id,
            actor=actor,
            reason=reason,
            details="TOAN: 6.5 → 7.5",
            now=now,
        )
    if event in ("approve_correction", "reject_correction"):
        request = (
            request_id if request_id is not None else latest_request(world.engine, transcript_id)
        )
        assert request is not None, f"transcript {transcript_id} has no correction request"
        return decide_correction(
            uow,
            request_id=request,
            actor=actor,
            approve=event == "approve_correction",
            note="Sở GDĐT đã xem xét",
            now=now,
        )
    if event == "reopen_for_correction":
        correction = (
            request_id
            or pending_entry_correction(world.engine, transcript_id)
            or file_entry_correction(world, transcript_id)
        )
        decide_entry_correction(
            uow,
            correction_id=correction,
            approve=True,
            note="Hiệu trưởng đồng ý sửa",
            actor=actor,
            now=now,
        )
        return correction
    raise AssertionError(f"unknown event {event}")


Step = tuple[str, str]
"""(event, who): one step of a path."""

_SUBJECTS_SIGNED: tuple[Step, ...] = tuple(("sign_subject", t) for t in TEACHER_OF.values())


def path_to(kind: TranscriptKind, state: TranscriptStatus) -> tuple[Step, ...]:
    """The events that take a new draft of ``kind`` to ``state`` (the shortest way)."""
    if kind is TranscriptKind.CA_NAM:
        principal: tuple[Step, ...] = (
            *_SUBJECTS_SIGNED,
            ("sign_homeroom", "gvcn.6a1"),
            ("sign_principal", "hieutruong"),
        )
    else:
        principal = (("sign_principal", "hieutruong"),)
    stamped = (*principal, ("stamp", "vanthu"))
    finalized = (*stamped, ("finalize", "vanthu"))
    paths: dict[TranscriptStatus, tuple[Step, ...]] = {
        S.DRAFT: (),
        S.SUBJECT_SIGNED: _SUBJECTS_SIGNED,
        S.HOMEROOM_SIGNED: (*_SUBJECTS_SIGNED, ("sign_homeroom", "gvcn.6a1")),
        S.PRINCIPAL_SIGNED: principal,
        S.SCHOOL_STAMPED: stamped,
        S.FINALIZED: finalized,
        S.CORRECTION_REQUESTED: (*finalized, ("request_correction", "hieutruong")),
        S.SUPERSEDED: (*stamped, ("revoke", "hieutruong")),
    }
    if kind is not TranscriptKind.CA_NAM and state in (S.SUBJECT_SIGNED, S.HOMEROOM_SIGNED):
        raise ValueError(f"a {kind} transcript never reaches {state}")
    return paths[state]


def new_student(world: World) -> int:
    """Enrol one more student in 6A1; returns their index in ``world.student_ids``."""
    with Session(world.engine) as session:
        n = session.exec(select(func.count()).select_from(Student)).one() + 1
        student = Student(
            personal_id=f"0792{n:08d}",
            full_name=f"Học sinh {n}",
            date_of_birth=date(2013, 1, 1),
            gender="Nam",
        )
        session.add(student)
        session.flush()
        assert student.id is not None
        session.add(
            Enrollment(
                student_id=student.id,
                class_id=world.class_ids["6A1"],
                school_year_id=world.year_id,
                enrolled_on=date(2024, 9, 5),
            )
        )
        session.commit()
        world.student_ids.append(student.id)
        return len(world.student_ids) - 1


def drive_to(world: World, kind: TranscriptKind, state: TranscriptStatus) -> str:
    """A new transcript of ``kind`` (for a new student) taken to ``state`` by its events."""
    transcript_id = world.new_transcript(kind=kind, student=new_student(world))
    for event, who in path_to(kind, state):
        fire(world, transcript_id, event, who=who)
    assert status_of(world.engine, transcript_id) is state
    return transcript_id


def status_of(engine: Engine, transcript_id: str) -> TranscriptStatus:
    """The stored status of a transcript."""
    with Session(engine) as session:
        row = session.get(Transcript, transcript_id)
        assert row is not None
        return TranscriptStatus(row.status)
