"""Playing the demo's script: every step is a real use case call by the account on duty.

The tracking book's use cases and ``build_class_transcripts`` (``workflow._demo_tracking``),
then ``sign``, ``finalize`` and ``request_correction`` judge the demo exactly as they judge real
work: the guards, the state machine and the audit chain all apply.

Until the signing issue lands (XMLDSig for the XML, PAdES for the PDF, the demo PKI in
``var/pki/``), a signature is recorded from ``SignatureEvidence`` describing the signer's demo
certificate: its fingerprint, subject and serial are derived deterministically from the login
(``sha256("hocba-demo/<school code>/<login>")``, the school seal under the login
``school-seal``), and ``signed_bytes_sha256`` fingerprints what would have been signed (the
transcript, the slot, its data and the time). No XML or PDF bytes are stored yet, and these
fingerprints will not match the certificates of the future demo PKI.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from domain.model import state_hash
from workflow._actor import SYSTEM, Actor, load_actor
from workflow._demo_data import SCHOOL_CODE, SCHOOL_NAME
from workflow._demo_plan import Action, Step, TranscriptKey
from workflow._demo_setup import DemoRoster
from workflow._demo_tracking import EntryPlayer, EntryStep
from workflow._policy import SignatureEvidence
from workflow._signing import finalize, sign
from workflow._signing_steps import SigningStep, slot_of_step
from workflow._uow import UnitOfWork
from workflow._versions import request_correction

SCHOOL_SEAL = "school-seal"
"""The login the school's organisation certificate is derived from (the clerk holds it)."""


def demo_evidence(
    *,
    login: str,
    full_name: str,
    transcript_id: str,
    slot: str,
    data: dict[str, Any],
    at: datetime,
) -> SignatureEvidence:
    """The record of a signature by ``login``'s demo certificate (see the module docstring)."""
    fingerprint = hashlib.sha256(f"hocba-demo/{SCHOOL_CODE}/{login}".encode()).hexdigest()
    school = SCHOOL_NAME.replace(",", "\\,")  # RFC 4514: a comma inside a value is escaped
    organisation = login == SCHOOL_SEAL
    subject = (
        f"CN={school},O={school},C=VN"
        if organisation
        else f"CN={full_name},UID={login},O={school},C=VN"
    )
    signed = {"transcript": transcript_id, "slot": slot, "data": data, "at": at.isoformat()}
    return SignatureEvidence(
        certificate_sha256=fingerprint,
        certificate_subject=subject,
        certificate_serial=str(int(fingerprint[:16], 16)),
        signed_at=at,
        signed_bytes_sha256=state_hash(signed),
        organisation=organisation,
    )


def _decimal_comma(value: float) -> str:
    return f"{value:.1f}".replace(".", ",")


class ScriptPlayer:
    """Runs the steps in order, one use case (one transaction) each."""

    def __init__(
        self, engine: Engine, roster: DemoRoster, data: dict[TranscriptKey, dict[str, Any]]
    ) -> None:
        self._engine, self._roster, self._data = engine, roster, data
        self._actors: dict[tuple[str, datetime], Actor] = {}
        self._entries = EntryPlayer(engine, roster, data, self._login_at)
        self._built = self._entries.built
        self._handlers: dict[Action, Callable[[Step], None]] = {
            "sign": self._sign,
            "finalize": self._finalize,
            "request_correction": self._request_correction,
        }

    def play(self, steps: Iterable[Step | EntryStep]) -> None:
        """Run every step; a refused one raises the use case's error (a bug in the plan)."""
        for step in steps:
            if isinstance(step, EntryStep):
                self._entries.play(step)
            else:
                self._handlers[step.action](step)

    def _actor(self, step: Step) -> Actor:
        return SYSTEM if step.login is None else self._login_at(step.login, step.at)

    def _login_at(self, login: str, at: datetime) -> Actor:
        key = (login, at)
        if key not in self._actors:  # a batch (a class, one subject) shares signer and instant
            with Session(self._engine) as session:
                self._actors[key] = load_actor(session, self._roster.people[login], at=at)
        return self._actors[key]

    def _sign(self, step: Step) -> None:
        assert step.step is not None and step.login is not None  # the plan sets both for "sign"
        transcript_id = self._built.ids[step.transcript]
        certificate = SCHOOL_SEAL if step.step is SigningStep.SCHOOL else step.login
        evidence = demo_evidence(
            login=certificate,
            full_name=self._roster.full_names[step.login],
            transcript_id=transcript_id,
            slot=slot_of_step(step.step, step.subject_code),
            data=self._built.data[step.transcript],
            at=step.at,
        )
        sign(
            UnitOfWork(self._engine),
            transcript_id=transcript_id,
            step=step.step,
            subject_code=step.subject_code,
            actor=self._actor(step),
            evidence=evidence,
            now=step.at,
        )

    def _finalize(self, step: Step) -> None:
        finalize(
            UnitOfWork(self._engine),
            transcript_id=self._built.ids[step.transcript],
            actor=self._actor(step),
            now=step.at,
        )

    def _request_correction(self, step: Step) -> None:
        final = self._data[step.transcript]["subjects"]["NGUVAN"]["hk2"]["final"]
        right = min(10.0, final + 1.0)
        request_correction(
            UnitOfWork(self._engine),
            transcript_id=self._built.ids[step.transcript],
            actor=self._actor(step),
            reason="Nhập sai điểm kiểm tra cuối kì II môn Ngữ văn",
            details=(
                f"Điểm cuối kì II môn Ngữ văn được nhập là {_decimal_comma(final)}; "
                f"điểm đúng theo bài kiểm tra lưu tại trường là {_decimal_comma(right)}. "
                "Đề nghị Sở GDĐT cho phép chỉnh lý học bạ."
            ),
            now=step.at,
        )
