"""What an actor may do to a transcript now: the same guards, asked without firing anything."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Any, cast

from sqlmodel import Session

from domain.model import Transcript, TranscriptStatus
from workflow import _policy as policy
from workflow._actor import Actor
from workflow._errors import WorkflowError
from workflow._facts import TranscriptFacts
from workflow._facts_loader import load_facts
from workflow._flow import TranscriptFlow
from workflow._policy import SignatureEvidence
from workflow._transfer_freeze import UNFROZEN_EVENTS, freezing_transfers

# Stands for "a reason will be given" and "the clerk signs with the organisation certificate":
# asking whether an action is allowed must not fail on input the user has not typed yet.
_REASON = "?"
# Fired only as part of another use case (approving an entry correction), never offered on
# the transcript's page.
_INDIRECT = frozenset({"reopen_for_correction"})
_SEAL = SignatureEvidence(
    certificate_sha256="",
    certificate_subject="",
    certificate_serial="",
    signed_at=datetime.min.replace(tzinfo=UTC),
    signed_bytes_sha256="",
    organisation=True,
)


def _candidates(
    event: str, actor: Actor, facts: TranscriptFacts, status: TranscriptStatus, now: datetime
) -> Iterator[tuple[str, Callable[[], None]]]:
    if event == "sign_subject":
        for code in sorted(facts.subjects):
            yield f"sign_subject:{code}", partial(policy.check_sign_subject, actor, facts, code)
        return
    checks: dict[str, Callable[[], None]] = {
        "sign_homeroom": lambda: policy.check_sign_homeroom(actor, facts),
        "sign_principal": lambda: policy.check_sign_principal(actor, facts),
        "stamp": lambda: policy.check_stamp(actor, facts, _SEAL),
        "finalize": lambda: policy.check_finalize(actor, facts),
        "send_back": lambda: policy.check_send_back(actor, facts, status, _REASON),
        "revoke": lambda: policy.check_revoke(actor, facts, _REASON, now),
        "request_correction": lambda: policy.check_request_correction(actor, facts, _REASON, now),
        "approve_correction": lambda: policy.check_decide_correction(actor, facts),
        "reject_correction": lambda: policy.check_decide_correction(actor, facts),
    }
    yield event, checks[event]


@dataclass
class _StatusOnly:
    """A stand-in row: the machine reads only the status, the routing guards only the facts."""

    status: TranscriptStatus


_MACHINES = threading.local()


def _enabled_events(status: TranscriptStatus, facts: TranscriptFacts) -> list[Any]:
    # Building a TranscriptFlow parses every guard expression of the machine: it was a third of
    # the server's CPU on GET /transcripts/{id}. Asking what is enabled fires nothing, so each
    # thread keeps one machine per status, over a stand-in row that is never written.
    flows: dict[TranscriptStatus, TranscriptFlow] | None = getattr(_MACHINES, "flows", None)
    if flows is None:
        flows = _MACHINES.flows = {}
    flow = flows.get(status)
    if flow is None:
        flow = flows[status] = TranscriptFlow(cast(Transcript, _StatusOnly(status)))
    return list(flow.enabled_events(facts=facts, subject_code=""))


def allowed_actions(
    session: Session, transcript: Transcript, *, actor: Actor, now: datetime
) -> tuple[str, ...]:
    """The events ``actor`` may fire on ``transcript`` at ``now``.

    Subject signatures are listed per subject, as ``sign_subject:<Ma>``.
    """
    facts = load_facts(session, transcript, now=now)
    frozen = bool(
        freezing_transfers(
            session,
            school_id=transcript.school_id,
            school_year_id=transcript.school_year_id,
            student_ids=(transcript.student_id,),
        )
    )
    status = TranscriptStatus(transcript.status)
    actions: list[str] = []
    for event in _enabled_events(status, facts):
        if event.id in _INDIRECT or (frozen and event.id not in UNFROZEN_EVENTS):
            continue
        for action, check in _candidates(event.id, actor, facts, status, now):
            try:
                check()
            except WorkflowError:
                continue
            actions.append(action)
    return tuple(actions)
