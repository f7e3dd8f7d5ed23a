"""Random events by random actors at random instants: the lifecycle's invariants always hold.

Hypothesis drives a few transcripts (two annual, one transfer) of the test school with any
event of ``workflow.EVENTS`` fired by anyone on the roster (the staff and the system), and
with edits of the data (``workflow.record_data``), at instants on both sides of the lock
dates; one rule has the right person act (``FORWARD``, sometimes ``SIDEWAYS``), so the
transcripts also travel deep into the lifecycle and back; and the principal approves
corrections of signed tracking-book entries (``reopen_for_correction``). After every step:

- a status moves only along an edge of the diagram (``EDGES``, written out here);
- a transcript once finalized never changes its data, its files' hashes or its live
  signatures, whatever happens to it later;
- an event that succeeded appended at least one audit entry and bumped the row version; one
  that was refused (a ``WorkflowError``) changed nothing at all, the audit log included;
- a new version appears only from a revocation or an approved correction, as a draft that
  names the version it replaces;
- ``workflow.verify_audit_chain`` reports the chain intact.

Every example starts from an emptied database (``migrated.reset()``) and a freshly built
school. Examples are derandomized (no example database), so a run is repeatable. SQLite runs
more examples than PostgreSQL, where each step costs a few round trips more.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, ClassVar

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from sqlmodel import Session, col, func, select

from domain.model import (
    AuditEvent,
    CorrectionRequest,
    CorrectionStatus,
    Transcript,
    TranscriptKind,
    TranscriptSignature,
)
from domain.model import TranscriptStatus as S
from tests.support.clock import vn
from tests.support.databases import MigratedDatabase
from tests.support.journeys import (
    SYSTEM_NAME,
    TEACHER_OF,
    actor_of,
    file_entry_correction,
    fire,
)
from tests.support.shelf import SteadyWorld
from tests.support.world import (
    AFTER_LOCK,
    BEFORE_LOCK,
    MAIN_LOCK,
    STAFF,
    SUBJECTS_6A1,
    SUPPLEMENTARY_LOCK,
    build_world,
)
from workflow import EVENTS, ConflictError, WorkflowError, record_data, verify_audit_chain

EDGES: frozenset[tuple[S, str, S]] = frozenset(
    {
        (S.DRAFT, "sign_subject", S.DRAFT),
        (S.DRAFT, "sign_subject", S.SUBJECT_SIGNED),
        (S.DRAFT, "sign_principal", S.PRINCIPAL_SIGNED),
        (S.SUBJECT_SIGNED, "sign_homeroom", S.HOMEROOM_SIGNED),
        (S.SUBJECT_SIGNED, "send_back", S.DRAFT),
        (S.HOMEROOM_SIGNED, "sign_principal", S.PRINCIPAL_SIGNED),
        (S.HOMEROOM_SIGNED, "send_back", S.DRAFT),
        (S.PRINCIPAL_SIGNED, "stamp", S.SCHOOL_STAMPED),
        (S.PRINCIPAL_SIGNED, "send_back", S.DRAFT),
        (S.SCHOOL_STAMPED, "finalize", S.FINALIZED),
        (S.SCHOOL_STAMPED, "revoke", S.SUPERSEDED),
        (S.FINALIZED, "revoke", S.SUPERSEDED),
        (S.FINALIZED, "request_correction", S.CORRECTION_REQUESTED),
        (S.CORRECTION_REQUESTED, "approve_correction", S.SUPERSEDED),
        (S.CORRECTION_REQUESTED, "reject_correction", S.FINALIZED),
        (S.DRAFT, "reopen_for_correction", S.DRAFT),
        (S.SUBJECT_SIGNED, "reopen_for_correction", S.SUBJECT_SIGNED),
        (S.SUBJECT_SIGNED, "reopen_for_correction", S.DRAFT),
        (S.HOMEROOM_SIGNED, "reopen_for_correction", S.SUBJECT_SIGNED),
        (S.HOMEROOM_SIGNED, "reopen_for_correction", S.DRAFT),
        (S.PRINCIPAL_SIGNED, "reopen_for_correction", S.SUBJECT_SIGNED),
        (S.PRINCIPAL_SIGNED, "reopen_for_correction", S.DRAFT),
    }
)
"""The diagram of README.md: (from, event, to)."""

ROSTER = (*STAFF, SYSTEM_NAME)

INSTANTS: tuple[datetime, ...] = (
    vn(2024, 8, 20),  # before the school year: nobody holds a duty yet
    BEFORE_LOCK,
    MAIN_LOCK - timedelta(seconds=1),
    MAIN_LOCK,
    AFTER_LOCK,
    SUPPLEMENTARY_LOCK + timedelta(days=1),
)

FORWARD: dict[S, tuple[str, str]] = {
    S.SUBJECT_SIGNED: ("sign_homeroom", "gvcn.6a1"),
    S.HOMEROOM_SIGNED: ("sign_principal", "hieutruong"),
    S.PRINCIPAL_SIGNED: ("stamp", "vanthu"),
    S.SCHOOL_STAMPED: ("finalize", "vanthu"),
    S.FINALIZED: ("request_correction", "hieutruong"),
    S.CORRECTION_REQUESTED: ("approve_correction", "so.gddt"),
    S.SUPERSEDED: ("revoke", "hieutruong"),
}
"""What the right person does next to move a transcript on (from draft: the teacher of a
subject not signed yet, or for a transfer the principal)."""

SIDEWAYS: dict[S, tuple[str, str]] = {
    S.DRAFT: ("sign_principal", "hieutruong"),
    S.SUBJECT_SIGNED: ("send_back", "gvcn.6a1"),
    S.HOMEROOM_SIGNED: ("send_back", "hieutruong"),
    S.PRINCIPAL_SIGNED: ("send_back", "vanthu"),
    S.SCHOOL_STAMPED: ("revoke", "hieutruong"),
    S.FINALIZED: ("revoke", "hieutruong"),
    S.CORRECTION_REQUESTED: ("reject_correction", "so.gddt"),
    S.SUPERSEDED: ("finalize", SYSTEM_NAME),
}
"""What the right person may do instead: return, revoke, reject. Either may still be
refused: the instant can be on the wrong side of the lock date or before the school year,
and the principal may not sign an annual draft."""


@dataclass(frozen=True)
class Seen:
    """One transcript as stored."""

    status: S
    version: int
    replaces_id: str | None
    row_version: int
    data: Any
    xml_sha256: str | None
    pdf_sha256: str | None
    live_signatures: frozenset[tuple[int | None, str]]


@dataclass(frozen=True)
class Everything:
    """Every transcript and the audit log's length."""

    transcripts: dict[str, Seen]
    audit_entries: int


class TranscriptLifecycle(RuleBasedStateMachine):
    """The test school with three transcripts, and whatever happens to them."""

    database: ClassVar[MigratedDatabase]

    def __init__(self) -> None:
        super().__init__()
        self.database.reset()
        # Nobody's duties change in this test, so each actor is loaded once per instant.
        self.world = SteadyWorld.of(build_world(self.database.engine))
        self.ids = [
            self.world.new_transcript(kind=TranscriptKind.CA_NAM, student=0),
            self.world.new_transcript(kind=TranscriptKind.CA_NAM, student=1),
            self.world.new_transcript(kind=TranscriptKind.CHUYEN_TRUONG, student=0),
        ]
        self.finalized: dict[str, Seen] = {}
        self.edits = 0
        # The database as last looked at: only the rules write to it, so it is each step's
        # "before" and what the invariants check.
        self.seen = self.look()

    # --- observing ----------------------------------------------------------------------

    def look(self) -> Everything:
        with Session(self.world.engine) as session:
            live: dict[str, set[tuple[int | None, str]]] = {}
            for signature in session.exec(
                select(TranscriptSignature).where(col(TranscriptSignature.archived_at).is_(None))
            ).all():
                live.setdefault(signature.transcript_id, set()).add((signature.id, signature.slot))
            transcripts = {
                t.id: Seen(
                    status=S(t.status),
                    version=t.version,
                    replaces_id=t.replaces_id,
                    row_version=t.row_version or 0,
                    data=t.data,
                    xml_sha256=t.xml_sha256,
                    pdf_sha256=t.pdf_sha256,
                    live_signatures=frozenset(live.get(t.id, ())),
                )
                for t in session.exec(select(Transcript)).all()
            }
            entries = session.exec(select(func.count()).select_from(AuditEvent)).one()
        return Everything(transcripts, entries)

    def attempt(
        self,
        transcript_id: str,
        event: str,
        action: Callable[[], object],
        *,
        decided_request: bool = False,
    ) -> None:
        """Run ``action`` (firing ``event`` on the transcript) and check what it did.

        ``decided_request``: the Department is deciding a request decided already.
        """
        before = self.seen
        try:
            action()
        except WorkflowError as refusal:
            # One actor at a time: a conflict can only be a request decided already.
            assert decided_request or not isinstance(refusal, ConflictError), refusal
            assert self.look() == before, f"the refused {event} changed something"
            return
        assert not decided_request, "a decided correction request was decided again"
        after = self.seen = self.look()
        assert after.audit_entries > before.audit_entries, f"{event} left no audit entry"
        was, now = before.transcripts[transcript_id], after.transcripts[transcript_id]
        assert now.row_version > was.row_version
        if event == "record_data":
            assert was.status == now.status == S.DRAFT and not was.live_signatures
        else:
            assert (was.status, event, now.status) in EDGES, (was.status, event, now.status)
        for other, seen in before.transcripts.items():
            if other != transcript_id:
                # A tracking-book write holds the student's other current transcripts with an
                # optimistic row-version bump (so a racing signature conflicts); that bump is
                # the only change another transcript may see.
                held = replace(after.transcripts[other], row_version=seen.row_version)
                assert held == seen, f"{event} changed another transcript"
        new = set(after.transcripts) - set(before.transcripts)
        if event in ("revoke", "approve_correction"):
            (new_id,) = new
            version = after.transcripts[new_id]
            assert version.status == S.DRAFT and version.replaces_id == transcript_id
            assert version.version == now.version + 1 and version.data == now.data
            self.ids.append(new_id)
        else:
            assert not new, f"{event} made a new version"
        if now.status == S.FINALIZED:
            self.finalized.setdefault(transcript_id, now)

    # --- rules --------------------------------------------------------------------------

    def pick(self, n: int) -> str:
        return self.ids[n % len(self.ids)]

    def fire(
        self,
        transcript_id: str,
        event: str,
        who: str,
        at: datetime,
        *,
        subject: str | None = None,
        request: int = -1,
    ) -> None:
        """Fire through ``journeys.fire``; the Department decides the transcript's
        ``request``-th correction request (by default its latest); the principal approves a
        fresh entry correction of the transcript's student (its current values, so only the
        rules can refuse it)."""
        request_id, decided = None, False
        if event == "reopen_for_correction":
            request_id = file_entry_correction(self.world, transcript_id)
        if event in ("approve_correction", "reject_correction"):
            with Session(self.world.engine) as session:
                requests = session.exec(
                    select(CorrectionRequest)
                    .where(CorrectionRequest.transcript_id == transcript_id)
                    .order_by(col(CorrectionRequest.id))
                ).all()
            if not requests:
                return  # nothing on file for the Department to decide
            chosen = requests[request % len(requests)]
            request_id, decided = chosen.id, chosen.status != CorrectionStatus.PENDING
        self.attempt(
            transcript_id,
            event,
            lambda: fire(
                self.world,
                transcript_id,
                event,
                who=who,
                at=at,
                subject_code=subject,
                request_id=request_id,
            ),
            decided_request=decided,
        )

    @rule(
        n=st.integers(0, 7),
        event=st.sampled_from(EVENTS),
        who=st.sampled_from(ROSTER),
        at=st.sampled_from(INSTANTS),
        subject=st.sampled_from(SUBJECTS_6A1),
        request=st.integers(0, 3),
    )
    def anyone_fires_anything(
        self, n: int, event: str, who: str, at: datetime, subject: str, request: int
    ) -> None:
        self.fire(self.pick(n), event, who, at, subject=subject, request=request)

    @rule(n=st.integers(0, 7), sideways=st.integers(0, 2), at=st.sampled_from(INSTANTS))
    def the_right_person_acts(self, n: int, sideways: int, at: datetime) -> None:
        """Mostly forward (two times in three), sometimes sideways."""
        transcript_id = self.pick(n)
        with Session(self.world.engine) as session:
            row = session.get(Transcript, transcript_id)
            assert row is not None
            status, kind = S(row.status), TranscriptKind(row.kind)
            signed = set(
                session.exec(
                    select(TranscriptSignature.slot).where(
                        TranscriptSignature.transcript_id == transcript_id,
                        col(TranscriptSignature.archived_at).is_(None),
                    )
                ).all()
            )
        subject = None
        if sideways == 0:
            event, who = SIDEWAYS[status]
        elif status is S.DRAFT and kind is TranscriptKind.CA_NAM:
            subject = next((c for c in SUBJECTS_6A1 if f"GVBM:{c}" not in signed), "TOAN")
            event, who = "sign_subject", TEACHER_OF[subject]
        elif status is S.DRAFT:
            event, who = "sign_principal", "hieutruong"
        else:
            event, who = FORWARD[status]
        self.fire(transcript_id, event, who, at, subject=subject)

    @rule(n=st.integers(0, 7), at=st.sampled_from(INSTANTS))
    def the_principal_approves_an_entry_correction(self, n: int, at: datetime) -> None:
        """A signed score corrected (REQ-15): the transcript goes back for re-signing."""
        self.fire(self.pick(n), "reopen_for_correction", "hieutruong", at)

    @rule(n=st.integers(0, 7), who=st.sampled_from(ROSTER), at=st.sampled_from(INSTANTS))
    def someone_edits_the_data(self, n: int, who: str, at: datetime) -> None:
        transcript_id = self.pick(n)
        self.edits += 1
        data = {"note": f"edit {self.edits}", "TOAN": 5 + self.edits % 5}
        actor = actor_of(self.world, who, at)

        def edit() -> None:
            record_data(
                self.world.uow(), transcript_id=transcript_id, data=data, actor=actor, now=at
            )

        self.attempt(transcript_id, "record_data", edit)

    # --- invariants ---------------------------------------------------------------------

    @invariant()
    def a_finalized_transcript_never_changes(self) -> None:
        for transcript_id, frozen in self.finalized.items():
            now = self.seen.transcripts[transcript_id]
            assert (now.data, now.xml_sha256, now.pdf_sha256, now.live_signatures) == (
                frozen.data,
                frozen.xml_sha256,
                frozen.pdf_sha256,
                frozen.live_signatures,
            )

    @invariant()
    def the_audit_chain_is_intact(self) -> None:
        with Session(self.world.engine) as session:
            report = verify_audit_chain(session)
        assert report.ok, report.first_break


EXAMPLES = {"sqlite": 25, "postgresql": 6}


def test_random_events_never_break_the_lifecycle(migrated: MigratedDatabase) -> None:
    machine = type("Lifecycle", (TranscriptLifecycle,), {"database": migrated})
    run_state_machine_as_test(
        machine,
        settings=settings(
            max_examples=EXAMPLES[migrated.backend],
            stateful_step_count=40,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
