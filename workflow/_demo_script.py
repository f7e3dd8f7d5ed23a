"""Playing the demo's script: every step is a real use case call by the account on duty.

``create_transcript``, ``sign``, ``finalize`` and ``request_correction`` judge the demo exactly
as they judge real work: the guards, the state machine and the audit chain all apply.

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

from domain.model import TranscriptKind, state_hash
from workflow._actor import SYSTEM, Actor, load_actor
from workflow._demo_data import SCHOOL_CODE, SCHOOL_NAME
from workflow._demo_plan import Action, Step, TranscriptKey
from workflow._demo_setup import DemoRoster
from workflow._drafting import create_transcript
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
        self.transcript_ids: dict[TranscriptKey, str] = {}
        self._actors: dict[tuple[str, datetime], Actor] = {}
        self._handlers: dict[Action, Callable[[Step], None]] = {
            "create": self._create,
            "sign": self._sign,
            "finalize": self._finalize,
            "request_correction": self._request_correction,
        }

    def play(self, steps: Iterable[Step]) -> None:
        """Run every step; a refused one raises the use case's error (a bug in the plan)."""
        for step in steps:
            self._handlers[step.action](step)

    def _actor(self, step: Step) -> Actor:
        if step.login is None:
            return SYSTEM
        key = (step.login, step.at)
        if key not in self._actors:  # a batch (a class, one subject) shares signer and instant
            with Session(self._engine) as session:
                person_id = self._roster.people[step.login]
                self._actors[key] = load_actor(session, person_id, at=step.at)
        return self._actors[key]

    def _create(self, step: Step) -> None:
        key, index = step.transcript
        self.transcript_ids[step.transcript] = create_transcript(
            UnitOfWork(self._engine),
            student_id=self._roster.students[key][index],
            class_id=self._roster.class_ids[key],
            kind=TranscriptKind.CA_NAM,
            data=self._data[step.transcript],
            actor=self._actor(step),
            now=step.at,
        )

    def _sign(self, step: Step) -> None:
        assert step.step is not None and step.login is not None  # the plan sets both for "sign"
        transcript_id = self.transcript_ids[step.transcript]
        certificate = SCHOOL_SEAL if step.step is SigningStep.SCHOOL else step.login
        evidence = demo_evidence(
            login=certificate,
            full_name=self._roster.full_names[step.login],
            transcript_id=transcript_id,
            slot=slot_of_step(step.step, step.subject_code),
            data=self._data[step.transcript],
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
            transcript_id=self.transcript_ids[step.transcript],
            actor=self._actor(step),
            now=step.at,
        )

    def _request_correction(self, step: Step) -> None:
        final = self._data[step.transcript]["subjects"]["NGUVAN"]["hk2"]["final"]
        right = min(10.0, final + 1.0)
        request_correction(
            UnitOfWork(self._engine),
            transcript_id=self.transcript_ids[step.transcript],
            actor=self._actor(step),
            reason="Nhập sai điểm kiểm tra cuối kì II môn Ngữ văn",
            details=(
                f"Điểm cuối kì II môn Ngữ văn được nhập là {_decimal_comma(final)}; "
                f"điểm đúng theo bài kiểm tra lưu tại trường là {_decimal_comma(right)}. "
                "Đề nghị Sở GDĐT cho phép chỉnh lý học bạ."
            ),
            now=step.at,
        )
