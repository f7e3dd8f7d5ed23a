"""One worker's share of the year-end close: its classes, start to finish, by the real use cases.

For each class: the homeroom teacher proposes the year-end decisions and the principal approves
them; academic affairs builds the class's transcripts from the tracking book; every subject
teacher signs the class (XML), then the homeroom teacher, the principal and the clerk with the
school's seal (XML and PDF, the PDF rendered at the homeroom step); the clerk finalizes each
transcript. Every signature is a signing session as ``hocba/sign_client.py`` makes one:
``prepare_signing`` with the signer's certificate chain (DER), each ``to_sign`` signed with the
soft key (``Pkcs12Signer``, the algorithm checked as the client checks it), ``complete_signing``
with the values only. PDF signatures are B-T through the demo PKI's timestamp authority
(in-process), the seal B-LT, as the demo signs them.

A ``Meter`` times each phase with ``time.perf_counter`` and, by wrapping (not replacing) four
product functions for the worker's lifetime, the PDF rendering, the server's PDF signature work
and the timestamp tokens; it counts every RSA private-key operation (the client's signatures
and the timestamp authority's).
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.serialization import Encoding
from sqlmodel import Session, select

import workflow._pdf_signing as pdf_signing_module
import workflow._signed_pdf as signed_pdf_module
import workflow._signing_completion as completion_module
import workflow._signing_sessions as sessions_module
from bench._year_end_school import (
    ACADEMIC_AFFAIRS,
    CLERK,
    PRINCIPAL,
    Actors,
    Shape,
    at,
    homeroom_login,
    school_pki,
    subject_login,
)
from domain.model import DEMO_DATA_KEYS, Person, use_data_keys
from domain.signatures import Pkcs12Signer, Signer
from workflow import create_database_engine
from workflow._demo_data import SUBJECT_CODES
from workflow._demo_pki import DemoCredential
from workflow._pdf_signing import DEFAULT_PUBLIC_URL, PdfSigning, local_timestamper
from workflow._signing import finalize
from workflow._signing_completion import complete_signing
from workflow._signing_sessions import ToSign, prepare_signing
from workflow._signing_steps import SigningStep
from workflow._transcript_build import build_class_transcripts
from workflow._uow import UnitOfWork
from workflow._year_end import approve_year_end, propose_year_end

REVIEWED, BUILT, SIGNED_BY_SUBJECTS = at(5, 17, 14), at(5, 18, 8), at(5, 20, 8)
LATER_STEPS = (
    (SigningStep.HOMEROOM, at(5, 25, 9)),
    (SigningStep.PRINCIPAL, at(5, 27, 9)),
    (SigningStep.SCHOOL, at(5, 29, 9)),
)
FINALIZED = at(6, 1, 9)
PHASES = ("review", "build", "xml_sessions", "pdf_sessions", "finalize")


@dataclass
class Meter:
    """Seconds and counts of one worker, summed over its classes."""

    seconds: dict[str, float] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, name: str, seconds: float, count: int = 1) -> None:
        self.seconds[name] = self.seconds.get(name, 0.0) + seconds
        self.counts[name] = self.counts.get(name, 0) + count

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.add(name, time.perf_counter() - start)

    def wrap(self, owner: Any, attribute: str, name: str) -> Callable[[], None]:
        """Time every call of ``owner.attribute`` under ``name``; returns the undo."""
        original = getattr(owner, attribute)

        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.add(name, time.perf_counter() - start)

        setattr(owner, attribute, timed)
        return lambda: setattr(owner, attribute, original)

    @contextmanager
    def instrumented(self) -> Iterator[None]:
        """The PDF rendering, the server's PDF signature work and the TSA's tokens, timed."""
        undo = [
            self.wrap(signed_pdf_module, "render_signable_pdf", "pdf_render"),
            self.wrap(sessions_module, "prepare_pdf", "pdf_prepare"),
            self.wrap(completion_module, "complete_pdf", "pdf_complete"),
            self.wrap(pdf_signing_module._LocalTimeStamper, "_sign_tst_info", "rsa_tsa"),
        ]
        try:
            yield
        finally:
            for step in reversed(undo):
                step()


@dataclass(frozen=True)
class Job:
    """What one worker process is given (picklable)."""

    url: str
    pki_dir: Path
    shape: Shape
    classes: tuple[tuple[str, int], ...]
    """(name, id) of the classes this worker closes."""


@dataclass(frozen=True)
class WorkerFigures:
    """What one worker returns."""

    transcripts: int
    seconds: dict[str, float]
    counts: dict[str, int]
    wall: float
    cpu: float
    """The worker process's CPU seconds (user + system): on a shared machine its cost, where
    the wall time also holds the waits for a core."""


def _opened(credential: DemoCredential) -> Signer:
    return Pkcs12Signer.opened(
        credential.key, (credential.certificate, *credential.chain), source=str(credential.path)
    )


class Closer:
    """Closes classes one after the other in this process."""

    def __init__(self, job: Job, meter: Meter) -> None:
        self.engine = create_database_engine(job.url)
        self.meter = meter
        pki = school_pki(job.pki_dir, job.shape)
        self.signers = {login: _opened(credential) for login, credential in pki.staff.items()}
        self.seal = _opened(pki.seal)
        self.pdf = PdfSigning(
            public_url=DEFAULT_PUBLIC_URL,
            timestamper=local_timestamper(pki.tsa.key, (pki.tsa.certificate, *pki.tsa.chain)),
            trust_roots=(pki.root,),
        )
        with Session(self.engine) as session:
            people = {p.username: p.id for p in session.exec(select(Person)).all()}
        self.actor = Actors(self.engine, {k: v for k, v in people.items() if v is not None})

    def close(self, name: str, class_id: int) -> int:
        """The class's whole close; returns how many transcripts were finalized."""
        meter, homeroom = self.meter, homeroom_login(name)
        with meter.phase("review"):
            propose_year_end(
                UnitOfWork(self.engine),
                class_id=class_id,
                actor=self.actor(homeroom, REVIEWED),
                now=REVIEWED,
            )
            approve_year_end(
                UnitOfWork(self.engine),
                class_id=class_id,
                actor=self.actor(PRINCIPAL, REVIEWED),
                now=REVIEWED,
            )
        with meter.phase("build"):
            ids = build_class_transcripts(
                UnitOfWork(self.engine),
                class_id=class_id,
                actor=self.actor(ACADEMIC_AFFAIRS, BUILT),
                now=BUILT,
            )
        for position, code in enumerate(SUBJECT_CODES):
            teacher = subject_login(int(name[0]), code)
            when = SIGNED_BY_SUBJECTS + timedelta(minutes=position)
            with meter.phase("xml_sessions"):
                self.session(teacher, ids, SigningStep.SUBJECT, when, subject_code=code)
        for step, when in LATER_STEPS:
            login = {SigningStep.HOMEROOM: homeroom, SigningStep.PRINCIPAL: PRINCIPAL}.get(
                step, CLERK
            )
            with meter.phase("pdf_sessions"):
                self.session(login, ids, step, when)
        with meter.phase("finalize"):
            for transcript_id in ids:
                finalize(
                    UnitOfWork(self.engine),
                    transcript_id=transcript_id,
                    actor=self.actor(CLERK, FINALIZED),
                    now=FINALIZED,
                )
        return len(ids)

    def session(
        self,
        login: str,
        ids: tuple[str, ...],
        step: SigningStep,
        when: datetime,
        *,
        subject_code: str | None = None,
    ) -> None:
        """Prepare, sign every ``to_sign`` with the soft key, complete: the sign client's round."""
        signer = self.seal if step is SigningStep.SCHOOL else self.signers[login]
        actor = self.actor(login, when)
        prepared = prepare_signing(
            UnitOfWork(self.engine),
            actor=actor,
            transcript_ids=list(ids),
            step=step,
            subject_code=subject_code,
            certificate_chain=[c.public_bytes(Encoding.DER) for c in signer.chain],
            now=when,
            pdf=self.pdf,
        )
        values, pdf_values = {}, {}
        for item in prepared.items:
            values[item.transcript_id] = self.client_sign(signer, item.xml, "rsa_client_xml")
            if item.pdf is not None:
                pdf_values[item.transcript_id] = self.client_sign(
                    signer, item.pdf, "rsa_client_pdf"
                )
        results = complete_signing(
            UnitOfWork(self.engine),
            actor=actor,
            session_id=prepared.session_id,
            signatures=values,
            pdf_signatures=pdf_values,
            now=when,
            pdf=self.pdf,
        )
        refused = [(r.transcript_id, r.error) for r in results if not r.ok]
        if refused:
            raise RuntimeError(f"{step} by {login}: refused {refused}")

    def client_sign(self, signer: Signer, part: ToSign, counter: str) -> bytes:
        """``SignClient._value``: the algorithm must be the key's, then one RSA signature."""
        if part.algorithm != signer.algorithm:
            raise RuntimeError(f"server asks {part.algorithm}, the key signs {signer.algorithm}")
        start = time.perf_counter()
        value = signer.sign(part.to_sign)
        self.meter.add(counter, time.perf_counter() - start)
        return value


def close_classes(job: Job) -> WorkerFigures:
    """The worker process's entry point: close ``job.classes`` in order."""
    # A spawned process starts with no keyring; the benchmark's school is synthetic and
    # encrypted with the published demo keys, as in demo mode.
    use_data_keys(DEMO_DATA_KEYS)
    start, cpu = time.perf_counter(), time.process_time()
    meter = Meter()
    closer = Closer(job, meter)
    # As the API process does once started (api/_app.py, ``_freeze_startup_objects``): the
    # modules, the keys and the engine live as long as the process, and the collector's
    # full passes need not scan them again and again (6 % of a worker's CPU, measured).
    gc.freeze()
    transcripts, name = 0, "(none yet)"
    try:
        with meter.instrumented():
            for name, class_id in job.classes:
                transcripts += closer.close(name, class_id)
    except Exception as error:
        # The product's typed errors take keyword arguments pickle cannot rebuild: send the
        # parent a plain one naming the class, or the pool would hang on the broken result.
        raise RuntimeError(f"closing class {name}: {type(error).__name__}: {error}") from None
    finally:
        closer.engine.dispose()
    return WorkerFigures(
        transcripts,
        meter.seconds,
        meter.counts,
        time.perf_counter() - start,
        time.process_time() - cpu,
    )
