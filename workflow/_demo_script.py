"""Playing the demo's script: every step is a real use case call by the account on duty.

The tracking book's use cases and ``build_class_transcripts`` (``workflow._demo_tracking``),
then the signing sessions, ``finalize`` and ``request_correction`` judge the demo exactly as
they judge real work: the guards, the state machine and the audit chain all apply.

Every signature is a real one: each signer's demo key (``var/pki/<login>.p12``, the school
seal ``school-seal.p12``; opened once by ``ensure_demo_pki``) signs through ``sign_with``, the
server-side path of two-step signing, one session per class, step and subject, as a teacher
signs a whole class at once. The homeroom teacher, the principal and the seal sign the PDF too
(rendered once per transcript at the homeroom step): B-T through the demo PKI's TSA
(``tsa.p12``, stamping in-process at the step's instant), the seal at B-LT against the demo
root. This year's transcripts are signed the same way: the demo plays its year as already
assessed (both semesters entered and the year-end decisions approved), so that every role has
real work to sign in the browser.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from itertools import groupby
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from domain.signatures import Pkcs12Signer, Signer
from workflow._actor import SYSTEM, Actor, load_actor
from workflow._demo_pki import DemoCredential, DemoPki
from workflow._demo_plan import Action, Step, TranscriptKey
from workflow._demo_setup import DemoRoster
from workflow._demo_tracking import EntryPlayer, EntryStep
from workflow._errors import WorkflowError
from workflow._pdf_signing import DEFAULT_PUBLIC_URL, PdfSigning, local_timestamper
from workflow._signing import finalize
from workflow._signing_sessions import sign_with
from workflow._signing_steps import SigningStep
from workflow._uow import UnitOfWork
from workflow._versions import request_correction

# The demo PKI names no OCSP/CRL, so collecting the seal's validation data warns, once per
# transcript, that revocation data may be incomplete: true, and noise in the demo's output.
logging.getLogger("pyhanko.sign.validation.dss").setLevel(logging.ERROR)

SCHOOL_SEAL = "school-seal"
"""The login the school's organisation certificate is derived from (the clerk holds it)."""


class DemoSigningError(WorkflowError):
    """A signature of the demo's script was refused (a bug in the plan or the demo PKI)."""

    code = "demo_signing_failed"

    def __init__(self, transcript_id: str, error: str | None) -> None:
        super().__init__(
            f"the demo could not sign transcript {transcript_id}: {error}",
            f"Không ký được học bạ mẫu {transcript_id}: {error}",
        )


def _signer(credential: DemoCredential) -> Signer:
    return Pkcs12Signer.opened(
        credential.key, (credential.certificate, *credential.chain), source=str(credential.path)
    )


def _decimal_comma(value: float) -> str:
    return f"{value:.1f}".replace(".", ",")


class ScriptPlayer:
    """Runs the steps in order, one use case (one transaction) each."""

    def __init__(
        self,
        engine: Engine,
        roster: DemoRoster,
        data: dict[TranscriptKey, dict[str, Any]],
        pki: DemoPki,
        *,
        public_url: str = DEFAULT_PUBLIC_URL,
    ) -> None:
        self._engine, self._roster, self._data = engine, roster, data
        self._signers = {login: _signer(c) for login, c in pki.staff.items()}
        self._seal = _signer(pki.seal)
        self._pdf = PdfSigning(
            public_url=public_url,
            timestamper=local_timestamper(pki.tsa.key, (pki.tsa.certificate, *pki.tsa.chain)),
            trust_roots=(pki.root,),
        )
        self._actors: dict[tuple[str, datetime], Actor] = {}
        self._entries = EntryPlayer(engine, roster, data, self._login_at)
        self._built = self._entries.built
        self._handlers: dict[Action, Callable[[Step], None]] = {
            "finalize": self._finalize,
            "request_correction": self._request_correction,
        }

    def play(self, steps: Iterable[Step | EntryStep]) -> None:
        """Run every step; a refused one raises the use case's error (a bug in the plan)."""
        for batch in _batches(steps):
            first = batch[0]
            if isinstance(first, EntryStep):
                self._entries.play(first)
            elif first.action == "sign":
                self._sign([step for step in batch if isinstance(step, Step)])
            else:
                self._handlers[first.action](first)

    def _actor(self, step: Step) -> Actor:
        return SYSTEM if step.login is None else self._login_at(step.login, step.at)

    def _login_at(self, login: str, at: datetime) -> Actor:
        key = (login, at)
        if key not in self._actors:  # a batch (a class, one subject) shares signer and instant
            with Session(self._engine) as session:
                self._actors[key] = load_actor(session, self._roster.people[login], at=at)
        return self._actors[key]

    def _sign(self, steps: list[Step]) -> None:
        first = steps[0]
        assert first.step is not None and first.login is not None  # the plan sets both
        signer = self._seal if first.step is SigningStep.SCHOOL else self._signers[first.login]
        results = sign_with(
            UnitOfWork(self._engine),
            signer=signer,
            actor=self._actor(first),
            transcript_ids=[self._built.ids[step.transcript] for step in steps],
            step=first.step,
            subject_code=first.subject_code,
            now=first.at,
            pdf=self._pdf,
        )
        for result in results:
            if not result.ok:
                raise DemoSigningError(result.transcript_id, result.error)

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


def _batch_key(step: Step | EntryStep) -> tuple[Any, ...] | None:
    """Consecutive signatures by one signer, at one instant, of one step, subject and class
    form one session; every other step is alone."""
    if isinstance(step, Step) and step.action == "sign":
        return (step.at, step.login, step.step, step.subject_code, step.transcript[0])
    return None


def _batches(steps: Iterable[Step | EntryStep]) -> Iterator[list[Step | EntryStep]]:
    for key, group in groupby(steps, key=_batch_key):
        if key is None:
            yield from ([step] for step in group)
        else:
            yield list(group)
