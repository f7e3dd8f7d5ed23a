"""Every (state, event, role) of the transcript lifecycle, judged against an explicit table.

For each kind of transcript and each state it can reach, every event of ``workflow.EVENTS``
is fired, through the public use cases, by every member of the roster: the staff of
tests/support/world.py and the system (the scheduler). A combination the table below allows
moves the transcript to the state the table names and writes the rows that event writes;
every other combination is refused with the error the refusal rule names, and changes
nothing: not the status, the row version, the signatures, the correction requests, the
stored files, nor the length of the audit log.

Instants: every event is fired on the right side of the lock date for it (revoke before,
a correction request and the Department's decision after; the rest before). The wrong side
of the lock date, empty reasons, a second signature in a filled slot, a seal without the
organisation certificate and the principal standing in for a teacher who left are tested
in test_transition_rules.py.

``reopen_for_correction`` is fired the only way there is: the actor approves a pending entry
correction (REQ-15) that names the transcript, of its student's TOAN line (semester 1).

Runtime: a refusal changes nothing, so refusals borrow one transcript per (kind, state)
from a ``StateShelf`` (which rebuilds a transcript that was changed after all); each allowed
combination drives a fresh transcript there. On SQLite every combination runs for CaNam and
ChuyenTruong; SoHoa has ChuyenTruong's table, so for it the allowed combinations run and,
of the refusals, a representative subset: in every state, for every event, the
administrator and the nearest miss (``NEAR_MISS``, the role most likely to be mistaken for
the right one). On PostgreSQL the allowed combinations of CaNam and ChuyenTruong run, and
that same subset of their refusals.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from domain.model import (
    AuditEvent,
    CorrectionRequest,
    CorrectionStatus,
    EntryCorrection,
    Transcript,
    TranscriptKind,
    TranscriptSignature,
)
from domain.model import TranscriptStatus as S
from tests.support.databases import backends
from tests.support.footprints import footprint
from tests.support.journeys import EVENT_INSTANT, REASON, drive_to, fire, subject_for
from tests.support.shelf import Shelves
from workflow import (
    EVENTS,
    AdministratorForbiddenError,
    NotAllowedInStateError,
    NotAssignedError,
    WorkflowError,
)

CA_NAM, CHUYEN_TRUONG, SO_HOA = TranscriptKind

ROSTER: dict[str, str] = {
    "principal": "hieutruong",
    "clerk": "vanthu",
    "academic-affairs": "hocvu",
    "administrator": "admin",
    "homeroom-teacher": "gvcn.6a1",
    "homeroom-teacher-of-6A2": "gvcn.6a2",
    "TOAN-teacher": "gvbm.toan",
    "NGUVAN-teacher": "gvbm.nguvan",
    "GDTC-teacher": "gvbm.gdtc",
    "TOAN-teacher-of-6A2": "gvbm.toan.6a2",
    "department-officer": "so.gddt",
    "officer-of-another-department": "so.khac",
    "system": "system",
}
"""Who fires events: a readable name → the username in tests/support/world.py (or system).

The transcripts belong to class 6A1 of the school under Department 79. A subject teacher
signs their own subject; everyone else who tries ``sign_subject`` tries TOAN.
"""

Allowed = dict[tuple[S, str], tuple[frozenset[str], S]]


def who(*names: str) -> frozenset[str]:
    """A set of roster names (checked, so a typo cannot silently forbid everyone)."""
    assert set(names) <= ROSTER.keys(), set(names) - ROSTER.keys()
    return frozenset(names)


SUBJECT_TEACHERS = who("TOAN-teacher", "NGUVAN-teacher", "GDTC-teacher")

ALLOWED_CA_NAM: Allowed = {
    # The first subject signature leaves the draft a draft; the last one moves it on
    # (test_transition_rules.py).
    (S.DRAFT, "sign_subject"): (SUBJECT_TEACHERS, S.DRAFT),
    (S.SUBJECT_SIGNED, "sign_homeroom"): (who("homeroom-teacher"), S.HOMEROOM_SIGNED),
    (S.SUBJECT_SIGNED, "send_back"): (who("homeroom-teacher", "principal", "clerk"), S.DRAFT),
    (S.HOMEROOM_SIGNED, "sign_principal"): (who("principal"), S.PRINCIPAL_SIGNED),
    (S.HOMEROOM_SIGNED, "send_back"): (who("principal", "clerk"), S.DRAFT),
    (S.PRINCIPAL_SIGNED, "stamp"): (who("clerk"), S.SCHOOL_STAMPED),
    (S.PRINCIPAL_SIGNED, "send_back"): (who("clerk"), S.DRAFT),
    (S.SCHOOL_STAMPED, "finalize"): (who("clerk", "principal", "system"), S.FINALIZED),
    (S.SCHOOL_STAMPED, "revoke"): (who("principal"), S.SUPERSEDED),
    (S.FINALIZED, "revoke"): (who("principal"), S.SUPERSEDED),
    (S.FINALIZED, "request_correction"): (who("principal"), S.CORRECTION_REQUESTED),
    (S.CORRECTION_REQUESTED, "approve_correction"): (who("department-officer"), S.SUPERSEDED),
    (S.CORRECTION_REQUESTED, "reject_correction"): (who("department-officer"), S.FINALIZED),
    # Approving a correction of a signed TOAN score archives GVBM:TOAN and every later
    # signature: the subjects are incomplete again, so the transcript returns to draft.
    (S.DRAFT, "reopen_for_correction"): (who("principal"), S.DRAFT),
    (S.SUBJECT_SIGNED, "reopen_for_correction"): (who("principal"), S.DRAFT),
    (S.HOMEROOM_SIGNED, "reopen_for_correction"): (who("principal"), S.DRAFT),
    (S.PRINCIPAL_SIGNED, "reopen_for_correction"): (who("principal"), S.DRAFT),
}
"""CaNam (the annual transcript): every subject teacher, the homeroom teacher, the principal,
then the school seal. Nothing else is allowed; in particular the principal may not sign a
draft, and once the seal is on, an entry correction can no longer reopen it."""

ALLOWED_DIRECT: Allowed = {
    # Subject teachers may sign what they taught; no subject signature is required.
    (S.DRAFT, "sign_subject"): (SUBJECT_TEACHERS, S.DRAFT),
    (S.DRAFT, "sign_principal"): (who("principal"), S.PRINCIPAL_SIGNED),
    (S.PRINCIPAL_SIGNED, "stamp"): (who("clerk"), S.SCHOOL_STAMPED),
    (S.PRINCIPAL_SIGNED, "send_back"): (who("clerk"), S.DRAFT),
    (S.SCHOOL_STAMPED, "finalize"): (who("clerk", "principal", "system"), S.FINALIZED),
    (S.SCHOOL_STAMPED, "revoke"): (who("principal"), S.SUPERSEDED),
    (S.FINALIZED, "revoke"): (who("principal"), S.SUPERSEDED),
    (S.FINALIZED, "request_correction"): (who("principal"), S.CORRECTION_REQUESTED),
    (S.CORRECTION_REQUESTED, "approve_correction"): (who("department-officer"), S.SUPERSEDED),
    (S.CORRECTION_REQUESTED, "reject_correction"): (who("department-officer"), S.FINALIZED),
    (S.DRAFT, "reopen_for_correction"): (who("principal"), S.DRAFT),
    (S.PRINCIPAL_SIGNED, "reopen_for_correction"): (who("principal"), S.DRAFT),
}
"""ChuyenTruong (transfer out mid-year) and SoHoa (digitised paper record): the principal
signs straight from draft, then the seal (REQ-26, REQ-27). They never pass through
subject_signed or homeroom_signed."""

ALLOWED_DIGITISED: Allowed = {
    key: value for key, value in ALLOWED_DIRECT.items() if key != (S.DRAFT, "sign_subject")
}
"""SoHoa: ChuyenTruong's table without subject signatures: only the principal and the clerk
certify a digitised paper record (REQ-27); a subject teacher is refused by the guard."""

TABLES: dict[TranscriptKind, Allowed] = {
    CA_NAM: ALLOWED_CA_NAM,
    CHUYEN_TRUONG: ALLOWED_DIRECT,
    SO_HOA: ALLOWED_DIGITISED,
}

REACHABLE: dict[TranscriptKind, tuple[S, ...]] = {
    CA_NAM: tuple(S),
    CHUYEN_TRUONG: tuple(s for s in S if s not in (S.SUBJECT_SIGNED, S.HOMEROOM_SIGNED)),
    SO_HOA: tuple(s for s in S if s not in (S.SUBJECT_SIGNED, S.HOMEROOM_SIGNED)),
}


def refusal(kind: TranscriptKind, state: S, event: str, name: str) -> type[WorkflowError]:
    """The refusal rule: the state is judged first, then the administrator, then the duty."""
    guarded = kind is SO_HOA and (state, event) == (S.DRAFT, "sign_subject")
    if (state, event) not in TABLES[kind] and not guarded:
        return NotAllowedInStateError
    if name == "administrator":
        return AdministratorForbiddenError
    return NotAssignedError


NEAR_MISS: dict[str, str] = {
    "sign_subject": "TOAN-teacher-of-6A2",
    "sign_homeroom": "homeroom-teacher-of-6A2",
    "sign_principal": "clerk",
    "stamp": "principal",
    "finalize": "academic-affairs",
    "send_back": "TOAN-teacher",
    "revoke": "clerk",
    "request_correction": "clerk",
    "approve_correction": "officer-of-another-department",
    "reject_correction": "officer-of-another-department",
    "reopen_for_correction": "academic-affairs",
}
"""Per event, the wrong actor closest to the right one: part of the PostgreSQL subset."""


@dataclass(frozen=True)
class Case:
    """One (kind, state, event, role) of the table."""

    kind: TranscriptKind
    state: S
    event: str
    name: str

    @property
    def username(self) -> str:
        return ROSTER[self.name]

    @property
    def allowed(self) -> bool:
        rule = TABLES[self.kind].get((self.state, self.event))
        return rule is not None and self.name in rule[0]

    @property
    def target(self) -> S:
        return TABLES[self.kind][(self.state, self.event)][1]

    def __str__(self) -> str:
        return f"{self.kind} {self.state}: {self.name} {self.event}"


EVERY_CASE = [
    Case(kind, state, event, name)
    for kind in TranscriptKind
    for state in REACHABLE[kind]
    for event in EVENTS
    for name in ROSTER
]


def runs_on(case: Case, backend: str) -> bool:
    """Where a case runs (see the module docstring): SoHoa shares ChuyenTruong's table, so
    its refusals run for the subset only; PostgreSQL runs the subset of refusals."""
    subset = case.name in ("administrator", NEAR_MISS[case.event])
    if case.allowed:
        return backend == "sqlite" or case.kind is not SO_HOA
    if backend == "sqlite":
        return case.kind is not SO_HOA or subset
    return case.kind is not SO_HOA and subset


ALLOWED_CASES = [
    pytest.param(backend, case, id=f"{backend}-{case} -> {case.target}")
    for case in EVERY_CASE
    if case.allowed
    for backend in backends()
    if runs_on(case, backend)
]
REFUSED_CASES = [
    pytest.param(
        backend,
        case,
        id=f"{backend}-{case} -> {refusal(case.kind, case.state, case.event, case.name).__name__}",
    )
    for case in EVERY_CASE
    if not case.allowed
    for backend in backends()
    if runs_on(case, backend)
]


def test_the_table_names_only_real_states_events_and_roles() -> None:
    for table in TABLES.values():
        for (state, event), (names, target) in table.items():
            assert state in S and target in S and event in EVENTS
            assert names <= ROSTER.keys()
    assert set(NEAR_MISS) == set(EVENTS)
    assert len(EVERY_CASE) == (8 + 6 + 6) * len(EVENTS) * len(ROSTER)


@pytest.mark.parametrize(("backend", "case"), REFUSED_CASES)
def test_an_event_the_table_does_not_allow_is_refused_and_changes_nothing(
    backend: str, case: Case, shelves: Shelves
) -> None:
    shelf = shelves[backend]
    transcript_id, before = shelf.lend(case.kind, case.state)

    with pytest.raises(WorkflowError) as refused:
        fire(shelf.world, transcript_id, case.event, who=case.username)

    assert type(refused.value) is refusal(case.kind, case.state, case.event, case.name)
    assert footprint(shelf.world.engine, transcript_id) == before


SLOTS: dict[str, str] = {
    "sign_homeroom": "GVCN",
    "sign_principal": "HieuTruong",
    "stamp": "DonVi",
}
"""The slot each signing event fills (sign_subject fills ``GVBM:<subject>``)."""

AUDITED: dict[str, tuple[str, ...]] = {
    "sign_subject": ("transcript.sign_subject", "signature.add"),
    "sign_homeroom": ("transcript.sign_homeroom", "signature.add"),
    "sign_principal": ("transcript.sign_principal", "signature.add"),
    "stamp": ("transcript.stamp", "signature.add"),
    "finalize": ("transcript.finalize",),
    "send_back": ("transcript.send_back", "signature.archive"),
    "revoke": ("transcript.revoke", "transcript.new_version"),
    "request_correction": ("transcript.request_correction", "correction.request"),
    "approve_correction": (
        "transcript.approve_correction",
        "transcript.new_version",
        "correction.approve",
    ),
    "reject_correction": ("transcript.reject_correction", "correction.reject"),
    "reopen_for_correction": (
        "transcript.reopen_for_correction",
        "signature.archive",
        "tracking.scores.correct",
        "entry_correction.approve",
    ),
}
"""The audit entries each event appends, in order (``signature.archive`` only when there was
a signature to archive)."""

INVALIDATED_BY_TOAN = frozenset({"GVBM:TOAN", "GVCN", "HieuTruong", "DonVi"})
"""The slots an approved correction of a TOAN line archives (where live)."""


@dataclass(frozen=True)
class Seen:
    """A transcript and what hangs off it, as stored."""

    row: Transcript
    live: dict[str, TranscriptSignature]
    archived: list[TranscriptSignature]
    requests: list[CorrectionRequest]
    versions: list[Transcript]
    """Newer versions that replace it."""
    audit_seq: int
    """The last audit entry's position."""


def look(engine: Engine, transcript_id: str) -> Seen:
    with Session(engine) as session:
        row = session.get(Transcript, transcript_id)
        assert row is not None
        signatures = session.exec(
            select(TranscriptSignature).where(TranscriptSignature.transcript_id == transcript_id)
        ).all()
        return Seen(
            row=row,
            live={s.slot: s for s in signatures if s.archived_at is None},
            archived=[s for s in signatures if s.archived_at is not None],
            requests=list(
                session.exec(
                    select(CorrectionRequest).where(
                        CorrectionRequest.transcript_id == transcript_id
                    )
                ).all()
            ),
            versions=list(
                session.exec(
                    select(Transcript).where(Transcript.replaces_id == transcript_id)
                ).all()
            ),
            audit_seq=session.exec(select(func.max(AuditEvent.seq))).one() or 0,
        )


def audit_actions_after(engine: Engine, seq: int) -> tuple[str, ...]:
    with Session(engine) as session:
        return tuple(
            session.exec(
                select(AuditEvent.action).where(AuditEvent.seq > seq).order_by(col(AuditEvent.seq))
            ).all()
        )


@pytest.mark.parametrize(("backend", "case"), ALLOWED_CASES)
def test_an_event_the_table_allows_moves_the_transcript_and_writes_its_rows(
    backend: str, case: Case, shelves: Shelves
) -> None:
    world = shelves[backend].world
    transcript_id = drive_to(world, case.kind, case.state)
    before = look(world.engine, transcript_id)
    now = EVENT_INSTANT[case.event]
    person = world.people.get(case.username)

    result = fire(world, transcript_id, case.event, who=case.username)

    after = look(world.engine, transcript_id)
    assert after.row.status == case.target
    assert (after.row.row_version or 0) > (before.row.row_version or 0)
    expected = AUDITED[case.event]
    invalidated = INVALIDATED_BY_TOAN & set(before.live)
    if case.event == "reopen_for_correction" and not invalidated:
        expected = tuple(a for a in expected if a != "signature.archive")
    assert audit_actions_after(world.engine, before.audit_seq) == expected

    if case.event in ("sign_subject", *SLOTS):
        slot = SLOTS.get(case.event) or f"GVBM:{subject_for(case.username)}"
        assert set(after.live) == {*before.live, slot}
        assert after.live[slot].signer_id == person
        assert after.live[slot].on_behalf_of_id is None
    elif case.event == "send_back":
        assert before.live and not after.live
        assert {s.slot for s in after.archived} == set(before.live)
        assert all(s.archived_at == now and s.archive_reason == REASON for s in after.archived)
    elif case.event == "reopen_for_correction":
        assert set(after.live) == set(before.live) - invalidated
        assert {s.slot for s in after.archived} == invalidated
        with Session(world.engine) as session:
            correction = session.get(EntryCorrection, result)
        assert correction is not None and correction.status == CorrectionStatus.APPROVED
        assert correction.decided_by_id == person and correction.decided_at == now
    else:
        assert set(after.live) == set(before.live)

    if case.event == "finalize":
        assert after.row.locked_at == now

    if case.event in ("revoke", "approve_correction"):
        (new,) = after.versions
        assert result == new.id
        assert new.status == S.DRAFT and new.version == after.row.version + 1
        assert new.data == after.row.data
    else:
        assert not after.versions

    if case.event == "request_correction":
        (request,) = after.requests
        assert request.id == result and request.status == CorrectionStatus.PENDING
        assert request.requested_by_id == person and request.reason == REASON
    elif case.event in ("approve_correction", "reject_correction"):
        (request,) = after.requests
        approved = case.event == "approve_correction"
        assert request.status == (
            CorrectionStatus.APPROVED if approved else CorrectionStatus.REJECTED
        )
        assert request.decided_by_id == person and request.decided_at == now
        assert request.new_transcript_id == (result if approved else None)
    else:
        assert [r.id for r in after.requests] == [r.id for r in before.requests]
