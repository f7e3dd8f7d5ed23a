"""``/signing-sessions``: two-step signing of contracts.md (prepare → the client signs →
complete). The client signs ``to_sign`` with its own key (a USB token); no key reaches the
server."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Annotated

from litestar import Controller, post
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.params import JSONBody, PathParameter

from api._base64 import decode_base64, read_certificates
from api._metrics import SIGNING_RESULTS
from api._openapi import PROBLEMS
from api._schemas_signing import (
    CompletionRequest,
    ItemResultList,
    ItemResultOut,
    PreparedItemOut,
    SigningSessionOut,
    SigningSessionRequest,
    ToSignOut,
)
from workflow import (
    Actor,
    InvalidInputError,
    ItemResult,
    PreparedSession,
    Settings,
    SigningStep,
    ToSign,
    UnitOfWork,
    complete_signing,
    prepare_signing,
)

SessionId = Annotated[
    str, PathParameter(description="The signing session's id.", pattern="^[0-9a-f-]{36}$")
]


def _to_sign_out(part: ToSign) -> ToSignOut:
    return ToSignOut(
        to_sign=base64.b64encode(part.to_sign).decode("ascii"), algorithm=part.algorithm
    )


def session_out(prepared: PreparedSession) -> SigningSessionOut:
    """The response to a prepared session."""
    items = []
    for item in prepared.items:
        # A PDF part is there once the PDF signing joins the session (optional per item).
        pdf: ToSign | None = getattr(item, "pdf", None)
        items.append(
            PreparedItemOut(
                transcript_id=item.transcript_id,
                xml=_to_sign_out(item.xml),
                pdf=_to_sign_out(pdf) if pdf is not None else None,
            )
        )
    return SigningSessionOut(
        session_id=prepared.session_id, expires_at=prepared.expires_at, items=items
    )


def results_out(results: Sequence[ItemResult]) -> ItemResultList:
    """Per-item results of a completion (counted for ``/metrics``)."""
    for r in results:
        SIGNING_RESULTS.labels(outcome="ok" if r.ok else "failed").inc()
    return ItemResultList(
        items=[
            ItemResultOut(transcript_id=r.transcript_id, ok=r.ok, status=r.status, error=r.error)
            for r in results
        ]
    )


class SigningSessionController(Controller):
    """Batch signing: one session per signer, step and class."""

    path = "/signing-sessions"
    tags = ["signing"]  # noqa: RUF012  (Litestar's class attribute)

    @post(
        "/",
        status_code=201,
        sync_to_thread=True,
        responses=PROBLEMS,
        summary="Prepare a signing session",
    )
    def prepare(
        self,
        *,
        data: JSONBody[SigningSessionRequest],
        state: State,
        uow: NamedDependency[UnitOfWork],
        actor: NamedDependency[Actor],
        now: NamedDependency[datetime],
    ) -> SigningSessionOut:
        """The exact bytes to sign for each transcript with the certificate given. All or
        nothing: 403 when the caller is not the step's signer or the certificate is not
        theirs, 404 for a transcript outside their scope, 409 when a transcript's state does
        not allow the step, 422 for a malformed certificate."""
        settings: Settings = state.settings
        chain = read_certificates(data.certificate, field="certificate")
        prepared = prepare_signing(
            uow,
            actor=actor,
            transcript_ids=data.transcript_ids,
            step=SigningStep(data.step),
            subject_code=data.subject_code,
            certificate_chain=chain,
            now=now,
            lifetime=timedelta(minutes=settings.signing_session_minutes),
            pdf=state.pdf_signing,
        )
        return session_out(prepared)

    @post(
        "/{session_id:str}/complete",
        status_code=200,
        sync_to_thread=True,
        responses=PROBLEMS,
        summary="Complete a signing session with the signature values",
    )
    def complete(
        self,
        *,
        session_id: SessionId,
        data: JSONBody[CompletionRequest],
        state: State,
        uow: NamedDependency[UnitOfWork],
        actor: NamedDependency[Actor],
        now: NamedDependency[datetime],
    ) -> ItemResultList:
        """Assembles and verifies each item, then moves its transcript; an item whose
        signature does not verify changes nothing and says why. 403 for another signer's
        session, 404 for an unknown one, 409 when it expired or was completed already."""
        signatures: dict[str, bytes] = {}
        pdf_signatures: dict[str, bytes] = {}
        for index, item in enumerate(data.items):
            if item.transcript_id in signatures:
                raise InvalidInputError(
                    f"items[{index}].transcript_id", "given twice", "học bạ bị lặp lại"
                )
            signatures[item.transcript_id] = decode_base64(
                item.xml_signature, field=f"items[{index}].xml_signature"
            )
            if item.pdf_signature is not None:
                pdf_signatures[item.transcript_id] = decode_base64(
                    item.pdf_signature, field=f"items[{index}].pdf_signature"
                )
        return results_out(
            complete_signing(
                uow,
                actor=actor,
                session_id=session_id,
                signatures=signatures,
                pdf_signatures=pdf_signatures,
                pdf=state.pdf_signing,
                now=now,
            )
        )
