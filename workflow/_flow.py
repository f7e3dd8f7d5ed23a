"""The transcript's lifecycle as an explicit state machine, bound to the Transcript row."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any, cast

from statemachine import State, StateMachine

from domain.model import SlotKind, Transcript, TranscriptStatus, slot_name
from workflow import _policy as policy
from workflow._actor import Actor
from workflow._facts import TranscriptFacts
from workflow._policy import SignatureEvidence


class TranscriptFlow(StateMachine):
    """draft → subject_signed → homeroom_signed → principal_signed → school_stamped → finalized.

    Guards (``cond``) route a transition; validators (``check_*`` of ``workflow._policy``)
    refuse it with a typed error. ``status`` on the row is written by this machine only.
    """

    draft = State("Draft", value=TranscriptStatus.DRAFT, initial=True)
    subject_signed = State("Subject signed", value=TranscriptStatus.SUBJECT_SIGNED)
    homeroom_signed = State("Homeroom signed", value=TranscriptStatus.HOMEROOM_SIGNED)
    principal_signed = State("Principal signed", value=TranscriptStatus.PRINCIPAL_SIGNED)
    school_stamped = State("School stamped", value=TranscriptStatus.SCHOOL_STAMPED)
    finalized = State("Finalized", value=TranscriptStatus.FINALIZED)
    correction_requested = State(
        "Correction requested", value=TranscriptStatus.CORRECTION_REQUESTED
    )
    superseded = State("Superseded", value=TranscriptStatus.SUPERSEDED, final=True)

    sign_subject = draft.to(
        subject_signed, cond="completes_subjects", validators="may_sign_subject"
    ) | draft.to.itself(unless="completes_subjects", validators="may_sign_subject")  # type: ignore[no-untyped-call]
    sign_homeroom = subject_signed.to(homeroom_signed, validators="may_sign_homeroom")
    sign_principal = homeroom_signed.to(
        principal_signed, validators="may_sign_principal"
    ) | draft.to(principal_signed, unless="needs_teachers", validators="may_sign_principal")
    stamp = principal_signed.to(school_stamped, validators="may_stamp")
    finalize = school_stamped.to(finalized, validators="may_finalize")
    send_back = (
        subject_signed.to(draft, validators="may_send_back")
        | homeroom_signed.to(draft, validators="may_send_back")
        | principal_signed.to(draft, validators="may_send_back")
    )
    revoke = school_stamped.to(superseded, validators="may_revoke") | finalized.to(
        superseded, validators="may_revoke"
    )
    request_correction = finalized.to(correction_requested, validators="may_request_correction")
    approve_correction = correction_requested.to(superseded, validators="may_decide")
    reject_correction = correction_requested.to(finalized, validators="may_decide")
    # An approved correction of a signed tracking-book entry (REQ-15) archives the signatures
    # it invalidates; the transcript goes back to where re-signing starts. Issued versions
    # (school_stamped and later) are corrected by the Department only (REQ-23).
    reopen_for_correction = (
        draft.to.itself(validators="may_reopen")  # type: ignore[no-untyped-call]
        | subject_signed.to.itself(  # type: ignore[no-untyped-call]
            cond="keeps_subject_signatures", validators="may_reopen"
        )
        | subject_signed.to(draft, unless="keeps_subject_signatures", validators="may_reopen")
        | homeroom_signed.to(
            subject_signed, cond="keeps_subject_signatures", validators="may_reopen"
        )
        | homeroom_signed.to(draft, unless="keeps_subject_signatures", validators="may_reopen")
        | principal_signed.to(
            subject_signed, cond="keeps_subject_signatures", validators="may_reopen"
        )
        | principal_signed.to(draft, unless="keeps_subject_signatures", validators="may_reopen")
    )

    def __init__(self, transcript: Transcript, listeners: list[object] | None = None) -> None:
        super().__init__(model=transcript, state_field="status", listeners=listeners)

    # --- routing guards -------------------------------------------------------------------

    def completes_subjects(self, facts: TranscriptFacts, subject_code: str) -> bool:
        """The signature fills the last empty required subject slot."""
        remaining = facts.unsigned_required_subjects() - {subject_code}
        return facts.needs_teacher_slots and not remaining

    def needs_teachers(self, facts: TranscriptFacts) -> bool:
        """The kind needs subject and homeroom signatures before the principal's (CaNam)."""
        return facts.needs_teacher_slots

    def keeps_subject_signatures(
        self, facts: TranscriptFacts, invalidated: frozenset[str] = frozenset()
    ) -> bool:
        """Every required subject stays signed once the ``invalidated`` slots are archived.

        Then the transcript resumes at the homeroom step (a homeroom-data correction);
        otherwise it returns to draft for the subject signatures.
        """
        if not facts.needs_teacher_slots:
            return False
        kept = facts.live_slots - invalidated
        return all(slot_name(SlotKind.GVBM, code) in kept for code in facts.required_subjects)

    # --- validators: the role policy ------------------------------------------------------

    def may_sign_subject(
        self, actor: Actor, facts: TranscriptFacts, subject_code: str, **_: Any
    ) -> None:
        policy.check_sign_subject(actor, facts, subject_code)

    def may_sign_homeroom(self, actor: Actor, facts: TranscriptFacts, **_: Any) -> None:
        policy.check_sign_homeroom(actor, facts)

    def may_sign_principal(self, actor: Actor, facts: TranscriptFacts, **_: Any) -> None:
        policy.check_sign_principal(actor, facts)

    def may_stamp(
        self, actor: Actor, facts: TranscriptFacts, evidence: SignatureEvidence, **_: Any
    ) -> None:
        policy.check_stamp(actor, facts, evidence)

    def may_finalize(self, actor: Actor, facts: TranscriptFacts, **_: Any) -> None:
        policy.check_finalize(actor, facts)

    def may_send_back(
        self, actor: Actor, facts: TranscriptFacts, reason: str | None, source: State, **_: Any
    ) -> None:
        policy.check_send_back(actor, facts, TranscriptStatus(source.value), reason)

    def may_revoke(
        self, actor: Actor, facts: TranscriptFacts, reason: str | None, now: datetime, **_: Any
    ) -> None:
        policy.check_revoke(actor, facts, reason, now)

    def may_request_correction(
        self, actor: Actor, facts: TranscriptFacts, reason: str | None, now: datetime, **_: Any
    ) -> None:
        policy.check_request_correction(actor, facts, reason, now)

    def may_decide(self, actor: Actor, facts: TranscriptFacts, **_: Any) -> None:
        policy.check_decide_correction(actor, facts)

    def may_reopen(self, actor: Actor, facts: TranscriptFacts, now: datetime, **_: Any) -> None:
        policy.check_reopen_for_correction(actor, facts, now)


class _TranscriptView:
    """The transcript at hand of a reused machine: its status, read, and written only by a
    firing machine's view (``FlowRunner``); an asking machine's (``EventAsker``) refuses."""

    __slots__ = ("row", "writable")

    def __init__(self, row: Transcript, *, writable: bool) -> None:
        self.row = row
        self.writable = writable

    @property
    def status(self) -> Any:
        return self.row.status

    @status.setter
    def status(self, value: Any) -> None:
        if not self.writable:
            # The machine that fires (``workflow._transitions.fire``) is the only writer.
            raise AttributeError("a machine that only asks never moves a transcript")
        self.row.status = value


class EventAsker:
    """Which events each of many transcripts' state and guards enable, in turn.

    One machine on a movable read-only view of the transcript at hand: building a machine
    costs about a millisecond (callbacks resolved, listeners registered), asking it a few
    microseconds. It never sends an event (its view refuses a new status), so it never
    reaches a final state or keeps anything from one transcript to the next. Not shared
    between threads: one per use case call.
    """

    def __init__(self) -> None:
        self._view: _TranscriptView | None = None
        self._flow: TranscriptFlow | None = None

    def enabled(self, transcript: Transcript, **arguments: Any) -> set[str]:
        """The ids of the events ``transcript`` enables with ``arguments`` (the guards')."""
        if self._view is None or self._flow is None:
            self._view = _TranscriptView(transcript, writable=False)
            self._flow = TranscriptFlow(cast(Transcript, self._view))
        else:
            self._view.row = transcript
        return {event.id for event in self._flow.enabled_events(**arguments)}


class _Relay:
    """A reused machine's one listener: passes each transition to the event's own listeners."""

    def __init__(self) -> None:
        self.listeners: tuple[Any, ...] = ()

    def after_transition(self, event: str, source: Any, target: Any) -> None:
        for listener in self.listeners:
            listener.after_transition(event=event, source=source, target=target)


_FINAL = frozenset(state.value for state in TranscriptFlow.states if state.final)


class FlowRunner:
    """One machine fired on many transcripts in turn, within one use case call (one thread).

    Building a machine costs about a millisecond; a completion of forty items fires forty
    events. The machine sees the transcript at hand through a view and calls the event's
    listeners through a relay, so each event runs as on a machine of its own. A machine
    that ended in a final state, or whose event raised, is not used again: the next event
    gets a fresh one.
    """

    def __init__(self) -> None:
        self._view: _TranscriptView | None = None
        self._relay = _Relay()
        self._flow: TranscriptFlow | None = None

    @contextmanager
    def bound(self, transcript: Transcript, listeners: Sequence[Any]) -> Iterator[TranscriptFlow]:
        """The machine on ``transcript``, its transitions passed to ``listeners``."""
        self._relay.listeners = tuple(listeners)
        if self._view is None or self._flow is None:
            self._view = _TranscriptView(transcript, writable=True)
            self._flow = TranscriptFlow(cast(Transcript, self._view), listeners=[self._relay])
        else:
            self._view.row = transcript
        try:
            yield self._flow
        except BaseException:
            self._flow = None
            raise
        finally:
            self._relay.listeners = ()
        if transcript.status in _FINAL:
            self._flow = None


EVENTS: tuple[str, ...] = tuple(e.id for e in TranscriptFlow.events)  # type: ignore[attr-defined]
"""Every event of the machine, in declaration order."""


def mermaid_diagram() -> str:
    """The state diagram, generated from the machine (Mermaid), as the README shows it."""
    return f"{TranscriptFlow:mermaid}".rstrip() + "\n"
