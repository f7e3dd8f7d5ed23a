"""Correcting an entry after it was signed (REQ-15): request, decision, re-signing.

The scene: entry open, An's (student 0) TOAN line and homeroom record entered, and An's
annual transcript signed up to the state a test needs. A refusal is checked for its exact
error and for changing nothing (the tracking book, transcripts, signatures, the audit log).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal

import pytest
from sqlmodel import Session, col, select

from domain.model import (
    ConductLevel,
    CorrectionStatus,
    EntryPeriod,
    TranscriptKind,
    TranscriptSignature,
    WindowAction,
    state_hash,
)
from domain.model import TranscriptStatus as S
from tests.support.journeys import fire
from tests.support.tracking import (
    audit_entries,
    last_seq,
    live_slots,
    open_entry,
    set_window,
    sign_step,
    sign_subject,
    tracking_footprint,
    transcript_row,
)
from tests.support.world import BEFORE_LOCK, MAIN_LOCK, World
from workflow import (
    ConflictError,
    DataLockedError,
    EntryCorrectionConcern,
    EntryNotSignedError,
    EntrySignedError,
    HomeroomEntry,
    HomeroomValues,
    InvalidEntryError,
    InvalidInputError,
    NotAllowedInStateError,
    ReasonRequiredError,
    ScoreInput,
    SigningStep,
    SubjectEntry,
    SubjectValues,
    WorkflowError,
    decide_entry_correction,
    entry_corrections_for,
    read_student_year,
    record_homeroom_data,
    record_subject_scores,
    request_entry_correction,
    verify_audit_chain,
)

D = Decimal
SUBJECTS = ("TOAN", "NGUVAN", "GDTC")
REASON = "Nhập nhầm điểm giữa kỳ: bài làm được 7,5"
SIGNED_UP_TO = (S.SUBJECT_SIGNED, S.HOMEROOM_SIGNED, S.PRINCIPAL_SIGNED)
LATER_STEPS = ((SigningStep.HOMEROOM, "gvcn.6a1"), (SigningStep.PRINCIPAL, "hieutruong"))


def an_toan(world: World, midterm: ScoreInput = 6) -> SubjectEntry:
    """An's TOAN line of semester 1: regular 8 and 7, final 7, and ``midterm``."""
    return SubjectEntry(world.student_ids[0], regular=[8, 7], midterm=midterm, final=7)


def an_conduct(world: World, conduct: str) -> HomeroomEntry:
    """An's homeroom record of semester 1 with ``conduct``."""
    return HomeroomEntry(world.student_ids[0], conduct=conduct, absences=2)


def enter_toan(world: World, midterm: ScoreInput = 6) -> None:
    record_subject_scores(
        world.uow(),
        class_id=world.class_ids["6A1"],
        subject_code="TOAN",
        semester=1,
        lines=[an_toan(world, midterm)],
        actor=world.actor("gvbm.toan"),
        now=BEFORE_LOCK,
    )


def signed_to(world: World, state: S, kind: TranscriptKind = TranscriptKind.CA_NAM) -> str:
    """An's transcript of ``kind``, with the data entered, signed up to ``state``."""
    open_entry(world)
    enter_toan(world)
    record_homeroom_data(
        world.uow(),
        class_id=world.class_ids["6A1"],
        semester=1,
        entries=[an_conduct(world, "K")],
        actor=world.actor("gvcn.6a1"),
        now=BEFORE_LOCK,
    )
    tid = world.new_transcript(student=0, kind=kind)
    for code in SUBJECTS:
        sign_subject(world, tid, code)
    for step, who in LATER_STEPS[: SIGNED_UP_TO.index(state)]:
        sign_step(world, tid, step, who)
    assert transcript_row(world.engine, tid).status == state
    return tid


def request(
    world: World,
    entry: SubjectEntry | HomeroomEntry | None = None,
    *,
    who: str = "gvbm.toan",
    reason: str = REASON,
    at: datetime = BEFORE_LOCK,
) -> int:
    """Ask for a correction (by default: An's TOAN mid-term 6 → 7.5)."""
    entry = entry or an_toan(world, "7,5")
    return request_entry_correction(
        world.uow(),
        class_id=world.class_ids["6A1"],
        semester=1,
        subject_code="TOAN" if isinstance(entry, SubjectEntry) else None,
        entry=entry,
        reason=reason,
        actor=world.actor(who, at),
        now=at,
    )


def decide(world: World, correction: int, *, approve: bool = True) -> None:
    decide_entry_correction(
        world.uow(),
        correction_id=correction,
        approve=approve,
        note="Đã đối chiếu bài kiểm tra",
        actor=world.actor("hieutruong"),
        now=BEFORE_LOCK,
    )


def an_year(world: World) -> tuple[SubjectValues, HomeroomValues]:
    """An's TOAN line and homeroom record of semester 1, as the principal reads them."""
    year = read_student_year(
        world.uow(),
        student_id=world.student_ids[0],
        class_id=world.class_ids["6A1"],
        actor=world.actor("hieutruong"),
        now=BEFORE_LOCK,
    )
    line = next(x for x in year.lines if x.subject_code == "TOAN" and x.semester == 1)
    return line.values, year.homeroom[0].values


def refused(
    world: World, action: Callable[[], object], error: type[WorkflowError]
) -> WorkflowError:
    """Run ``action``; it must fail with exactly ``error`` and change nothing."""
    before = tracking_footprint(world.engine)
    with pytest.raises(WorkflowError) as raised:
        action()
    assert type(raised.value) is error
    assert tracking_footprint(world.engine) == before
    return raised.value


def archived(world: World, transcript_id: str) -> dict[str, str | None]:
    with Session(world.engine) as session:
        return {
            s.slot: s.archive_reason
            for s in session.exec(
                select(TranscriptSignature).where(
                    TranscriptSignature.transcript_id == transcript_id,
                    col(TranscriptSignature.archived_at).is_not(None),
                )
            ).all()
        }


# --- the route end to end -------------------------------------------------------------------


def test_a_signed_score_is_corrected_and_the_transcript_goes_back_for_re_signing(
    world: World,
) -> None:
    tid = signed_to(world, S.PRINCIPAL_SIGNED)
    old_values, _ = an_year(world)
    start = last_seq(world.engine)

    correction = request(world)
    decided = last_seq(world.engine)
    decide(world, correction)

    new_values, _ = an_year(world)
    assert (old_values.midterm, new_values.midterm) == (D("6.0"), D("7.5"))
    assert new_values.regular == old_values.regular and new_values.final == D("7.0")
    # The change invalidates the TOAN signature and every later one; the rest stay.
    assert live_slots(world.engine, tid) == {"GVBM:NGUVAN", "GVBM:GDTC"}
    reasons = archived(world, tid)
    assert set(reasons) == {"GVBM:TOAN", "GVCN", "HieuTruong"}
    assert all(f"entry correction {correction}" in (r or "") for r in reasons.values())
    assert transcript_row(world.engine, tid).status == S.DRAFT

    entries = audit_entries(world.engine, after=decided)
    assert [e.action for e in entries if e.action != "student.read"] == [
        "transcript.reopen_for_correction",
        "signature.archive",
        "tracking.scores.correct",
        "entry_correction.approve",
    ]
    line = {
        "student_id": world.student_ids[0],
        "class_id": world.class_ids["6A1"],
        "subject_code": "TOAN",
        "semester": 1,
    }
    (change,) = [e for e in entries if e.action == "tracking.scores.correct"]
    assert change.before_sha256 == state_hash({**line, **old_values.stored()})
    assert change.after_sha256 == state_hash({**line, **new_values.stored()})
    assert change.details["entry_correction"] == correction
    (asked,) = [e for e in audit_entries(world.engine, after=start) if "request" in e.action]
    assert asked.details["inform"] == [world.people["gvcn.6a1"]]
    assert asked.details["signed_slot"] == "GVBM:TOAN"

    # Re-signing: the TOAN teacher, then the homeroom teacher and the principal again.
    sign_subject(world, tid, "TOAN")
    assert transcript_row(world.engine, tid).status == S.SUBJECT_SIGNED
    for step, who in LATER_STEPS:
        sign_step(world, tid, step, who)
    assert transcript_row(world.engine, tid).status == S.PRINCIPAL_SIGNED
    with Session(world.engine) as session:
        assert verify_audit_chain(session).ok


@pytest.mark.parametrize("state", SIGNED_UP_TO)
def test_a_score_correction_returns_the_transcript_to_draft_from_any_signed_step(
    world: World, state: S
) -> None:
    tid = signed_to(world, state)

    decide(world, request(world))

    assert transcript_row(world.engine, tid).status == S.DRAFT
    assert "GVBM:TOAN" not in live_slots(world.engine, tid)


def test_a_draft_holding_the_subjects_signature_is_corrected_and_stays_a_draft(
    world: World,
) -> None:
    open_entry(world)
    enter_toan(world)
    tid = world.new_transcript(student=0)
    sign_subject(world, tid, "TOAN")
    sign_subject(world, tid, "NGUVAN")

    decide(world, request(world))

    assert transcript_row(world.engine, tid).status == S.DRAFT
    assert live_slots(world.engine, tid) == {"GVBM:NGUVAN"}
    assert an_year(world)[0].midterm == D("7.5")


def test_a_homeroom_correction_keeps_the_subject_signatures_and_resumes_at_the_homeroom_step(
    world: World,
) -> None:
    tid = signed_to(world, S.PRINCIPAL_SIGNED)

    decide(world, request(world, an_conduct(world, "T"), who="gvcn.6a1"))

    _, homeroom = an_year(world)
    assert homeroom.conduct == ConductLevel.TOT
    assert live_slots(world.engine, tid) == {f"GVBM:{code}" for code in SUBJECTS}
    assert set(archived(world, tid)) == {"GVCN", "HieuTruong"}
    assert transcript_row(world.engine, tid).status == S.SUBJECT_SIGNED
    sign_step(world, tid, SigningStep.HOMEROOM, "gvcn.6a1")
    assert transcript_row(world.engine, tid).status == S.HOMEROOM_SIGNED


def test_a_rejected_request_changes_nothing_but_its_own_status(world: World) -> None:
    tid = signed_to(world, S.HOMEROOM_SIGNED)
    correction = request(world)
    values, slots = an_year(world)[0], live_slots(world.engine, tid)
    start = last_seq(world.engine)

    decide(world, correction, approve=False)

    assert an_year(world)[0] == values and live_slots(world.engine, tid) == slots
    assert transcript_row(world.engine, tid).status == S.HOMEROOM_SIGNED
    assert audit_entries(world.engine, after=start)[0].action == "entry_correction.reject"
    (view,) = entry_corrections_for(world.uow(), actor=world.actor("gvbm.toan"), now=BEFORE_LOCK)
    assert view.status == CorrectionStatus.REJECTED and view.decided_by == "HIEUTRUONG"


# --- who sees it ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reader", "concern"),
    [
        ("hieutruong", EntryCorrectionConcern.DECIDE),
        ("gvcn.6a1", EntryCorrectionConcern.INFORMED),
        ("gvbm.toan", EntryCorrectionConcern.REQUESTED),
        ("gvbm.nguvan", None),
        ("gvcn.6a2", None),
        ("hocvu", None),
        ("admin", None),
    ],
)
def test_the_principal_the_homeroom_teacher_and_the_requester_see_the_request(
    world: World, reader: str, concern: EntryCorrectionConcern | None
) -> None:
    signed_to(world, S.SUBJECT_SIGNED)
    correction = request(world)
    start = last_seq(world.engine)

    views = entry_corrections_for(world.uow(), actor=world.actor(reader), now=BEFORE_LOCK)

    if concern is None:
        assert views == () and audit_entries(world.engine, after=start) == []
        return
    (view,) = views
    assert (view.id, view.concern, view.status) == (correction, concern, CorrectionStatus.PENDING)
    assert view.current == SubjectValues((D("8.0"), D("7.0")), D("6.0"), D("7.0"))
    assert isinstance(view.proposed, SubjectValues) and view.proposed.midterm == D("7.5")
    assert view.reason == REASON
    assert view.student_name == "Nguyễn Văn An" and view.requested_by == "GVBM.TOAN"
    (read,) = audit_entries(world.engine, after=start)
    assert (read.action, read.object_id) == ("student.read", str(world.student_ids[0]))


# --- refusals -------------------------------------------------------------------------------


def test_an_entry_nobody_signed_is_written_directly_not_corrected(world: World) -> None:
    open_entry(world)
    enter_toan(world)
    world.new_transcript(student=0)

    error = refused(world, lambda: request(world), EntryNotSignedError)

    assert "change it directly" in error.message


def test_a_request_needs_a_reason_valid_values_and_a_change(world: World) -> None:
    signed_to(world, S.SUBJECT_SIGNED)

    refused(world, lambda: request(world, reason=" "), ReasonRequiredError)
    invalid = refused(world, lambda: request(world, an_toan(world, 11)), InvalidEntryError)
    same = refused(world, lambda: request(world, an_toan(world, 6)), InvalidInputError)

    assert isinstance(invalid, InvalidEntryError) and invalid.field == "midterm"
    assert isinstance(same, InvalidInputError) and same.field == "entry"


def test_a_request_is_decided_once(world: World) -> None:
    signed_to(world, S.SUBJECT_SIGNED)
    correction = request(world)
    decide(world, correction)

    refused(world, lambda: decide(world, correction), ConflictError)
    refused(world, lambda: decide(world, correction, approve=False), ConflictError)


def test_once_the_school_stamped_the_transcript_only_the_department_corrects_it(
    world: World,
) -> None:
    tid = signed_to(world, S.PRINCIPAL_SIGNED)
    correction = request(world)
    fire(world, tid, "stamp", who="vanthu")

    refused(world, lambda: decide(world, correction), NotAllowedInStateError)
    error = refused(world, lambda: request(world, an_toan(world, 8)), NotAllowedInStateError)

    assert "school_stamped" in error.message


def test_a_request_gone_stale_is_refused_rather_than_overwrite_a_newer_entry(
    world: World,
) -> None:
    tid = signed_to(world, S.HOMEROOM_SIGNED)
    correction = request(world)
    fire(world, tid, "send_back", who="hieutruong")  # every signature archived: unfrozen
    enter_toan(world, midterm=9)

    refused(world, lambda: decide(world, correction), ConflictError)


def test_an_entry_still_signed_on_another_current_transcript_is_not_changed(
    world: World,
) -> None:
    signed_to(world, S.SUBJECT_SIGNED)
    transfer = world.new_transcript(student=0, kind=TranscriptKind.CHUYEN_TRUONG)
    correction = request(world)
    fire(world, transfer, "sign_principal", who="hieutruong")

    error = refused(world, lambda: decide(world, correction), EntrySignedError)

    assert "HieuTruong" in error.message


def test_a_correction_goes_through_while_entry_is_closed_but_not_after_the_lock(
    world: World,
) -> None:
    signed_to(world, S.SUBJECT_SIGNED)
    set_window(world, EntryPeriod.HK1, WindowAction.CLOSE, at=BEFORE_LOCK)

    decide(world, request(world))
    refused(world, lambda: request(world, an_toan(world, 8), at=MAIN_LOCK), DataLockedError)

    assert an_year(world)[0].midterm == D("7.5")
