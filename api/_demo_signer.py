"""``POST /demo/sign``: the demo's server-side signer, so the demo can be clicked through.

DEMO ONLY, registered only when ``HOCBA_DEMO`` is on (404 otherwise) and announced in the log
at start-up. It can use nothing but the demo PKI's keys: ``<data_dir>/pki/<login>.p12`` of a
demo staff login, and ``school-seal.p12`` for the school's seal (the clerk's step). Each
PKCS#12 file is opened once per process.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime
from pathlib import Path

from litestar import post
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import JSONBody

from api._openapi import PROBLEMS
from api._schemas_signing import DemoSignRequest, ItemResultList
from api._signing import results_out
from domain.signatures import Pkcs12Signer, SignerError
from workflow import (
    DEMO_PASSWORD,
    Actor,
    Settings,
    SignerFailedError,
    SigningStep,
    UnitOfWork,
    demo_staff_identities,
    sign_with,
)

SEAL_FILE = "school-seal.p12"

_log = logging.getLogger("hocba.api")


class DemoKeys:
    """The demo PKI's signers, each opened on first use and kept for the process."""

    def __init__(self, directory: Path) -> None:
        self._directory = directory
        self._logins = frozenset(identity.login for identity in demo_staff_identities())
        self._opened: dict[str, Pkcs12Signer] = {}
        self._lock = threading.Lock()

    def signer_for(self, *, login: str, step: SigningStep) -> Pkcs12Signer:
        """The seal for the school step, else ``login``'s own key; NotFoundException for a
        login the demo PKI has no key of."""
        if step is SigningStep.SCHOOL:
            name = SEAL_FILE
        elif login in self._logins:
            name = f"{login}.p12"
        else:
            raise NotFoundException("the demo PKI holds no key for this login")
        with self._lock:
            signer = self._opened.get(name)
            if signer is None:
                try:
                    signer = Pkcs12Signer.from_file(self._directory / name, DEMO_PASSWORD.encode())
                except SignerError as error:
                    raise SignerFailedError(error.reason) from None
                self._opened[name] = signer
            return signer


def demo_keys(settings: Settings) -> DemoKeys:
    """The demo signer's keys; logs the warning that the demo signer is on."""
    directory = Path(settings.data_dir) / "pki"
    _log.warning(
        "DEMO SIGNER ON (HOCBA_DEMO=true): POST /api/v1/demo/sign signs with the demo keys "
        "in %s; never enable demo mode in production",
        directory,
    )
    return DemoKeys(directory)


@post(
    "/demo/sign",
    status_code=200,
    sync_to_thread=True,
    responses=PROBLEMS,
    tags=["demo"],
    summary="Sign a batch with the caller's demo key (demo mode only)",
)
def demo_sign(
    *,
    data: JSONBody[DemoSignRequest],
    state: State,
    uow: NamedDependency[UnitOfWork],
    actor: NamedDependency[Actor],
    now: NamedDependency[datetime],
) -> ItemResultList:
    """Prepares, signs with the demo PKI's key of the caller (the school seal for the
    `school` step) and completes: the same checks and per-item results as the two-step
    signing. Exists only in demo mode."""
    keys: DemoKeys = state.demo_keys
    step = SigningStep(data.step)
    signer = keys.signer_for(login=actor.label, step=step)
    return results_out(
        sign_with(
            uow,
            signer=signer,
            actor=actor,
            transcript_ids=data.transcript_ids,
            step=step,
            subject_code=data.subject_code,
            now=now,
            pdf=state.pdf_signing,
        )
    )
