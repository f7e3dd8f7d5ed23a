"""Completing a two-step signing session: assemble, verify, and only then transition.

One transaction per item: an item whose value does not verify, or whose transcript moved
meanwhile, changes nothing and is reported with its refusal's code. Subject teachers sign the
same transcript concurrently: a GVBM signature covers only ``TTChung``, its ``MonHoc`` and its
own properties, so it moves into the XML another teacher stored meanwhile. The result is
verified for what is new in it: the new signature in full, the others found unchanged from
the stored (verified) XML. The homeroom, principal and school steps sign the PDF too: its value is
required, the assembled PDF must verify (``workflow._signed_pdf``), and the XML and the PDF
are stored in the same transaction as the transition.
"""

from __future__ import annotations

import base64
import hashlib
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from cryptography import x509
from sqlalchemy import bindparam
from sqlmodel import Session, col, select

from domain.certificates import is_organisation_certificate
from domain.documents import (
    DocumentError,
    PreparedSignature,
    SignatureAlgorithm,
    Slot,
    complete_slot,
    verify_new_signature,
)
from domain.model import Blob, SigningSession, SigningSessionItem, Transcript
from workflow._actor import Actor
from workflow._errors import ConflictError, InvalidInputError, NotFoundError, WorkflowError
from workflow._flow import FlowRunner
from workflow._pdf_signing import PdfSigning
from workflow._policy import SignatureEvidence
from workflow._signed_pdf import (
    PdfNotCompletedError,
    PdfPart,
    PdfSignatureMissingError,
    SignedPdfInvalidError,
    complete_pdf,
    require_pdf_base,
)
from workflow._signed_xml import VIETNAM, merge_subject_signature
from workflow._signing import record_signature
from workflow._signing_checks import read_chain
from workflow._signing_errors import (
    SignedDocumentInvalidError,
    SigningSessionCompletedError,
    SigningSessionExpiredError,
    SigningSessionNotYoursError,
    TranscriptMovedError,
)
from workflow._signing_steps import SigningStep
from workflow._uow import UnitOfWork

_log = logging.getLogger("hocba.signing")

INTERNAL_ERROR = "internal_error"
"""The result code of an item whose completion failed unexpectedly (a defect, not a refusal)."""

_ATTEMPTS = 3
"""Tries of an item whose transcript another completion changed at the same moment."""


@dataclass(frozen=True, slots=True)
class ItemResult:
    """The outcome of one item of ``complete_signing``."""

    transcript_id: str
    ok: bool
    status: str | None
    """The transcript's status after the attempt (None if it cannot be read)."""
    error: str | None = None
    """The refusal's code when ``ok`` is False."""


def _claim(
    uow: UnitOfWork, *, actor: Actor, session_id: str, known: set[str], now: datetime
) -> tuple[SigningSession, list[SigningSessionItem]]:
    """Check the session may be completed by ``actor`` now and mark it completed."""
    with uow:
        session = uow.session
        record = session.get(SigningSession, session_id)
        if record is None:
            raise NotFoundError("signing session", session_id)
        if actor.person_id != record.person_id:
            raise SigningSessionNotYoursError
        if record.completed_at is not None:
            raise SigningSessionCompletedError
        if now >= record.expires_at:
            raise SigningSessionExpiredError(record.expires_at)
        items = list(
            session.exec(
                select(SigningSessionItem)
                .where(SigningSessionItem.session_id == session_id)
                .order_by(col(SigningSessionItem.position))
            ).all()
        )
        unknown = known - {item.transcript_id for item in items}
        if unknown:
            raise InvalidInputError(
                "items",
                f"not in this session: {', '.join(sorted(unknown))}",
                "có học bạ không thuộc phiên ký này",
            )
        # A conditional UPDATE: of two concurrent completions exactly one claims the session.
        claimed = session.execute(
            SigningSession.__table__.update()  # type: ignore[attr-defined]
            .where(
                SigningSession.__table__.c.id == session_id,  # type: ignore[attr-defined]
                SigningSession.__table__.c.completed_at.is_(None),  # type: ignore[attr-defined]
            )
            .values(completed_at=now)
        )
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            raise SigningSessionCompletedError
        uow.audit.record(
            actor=actor,
            action="signing_session.complete",
            object_type="signing_session",
            object_id=session_id,
            now=now,
            details={"transcripts": [item.transcript_id for item in items]},
        )
        uow.commit("the signing session")
        return record, items


def complete_signing(
    uow: UnitOfWork,
    *,
    actor: Actor,
    session_id: str,
    signatures: Mapping[str, bytes],
    now: datetime,
    pdf_signatures: Mapping[str, bytes] | None = None,
    pdf: PdfSigning | None = None,
) -> list[ItemResult]:
    """Assemble, verify and record each item's signature; one transaction per item.

    ``signatures`` are the XML signature values by transcript id, ``pdf_signatures`` the PDF
    ones (required for the homeroom, principal and school steps; ``pdf`` as when prepared).
    Only the session's signer, only before it expires, only once (typed errors). An item
    whose value does not verify, or whose transcript moved meanwhile, changes nothing and is
    reported with ``ok=False`` and the refusal's code; one that fails unexpectedly (a
    defect) changes nothing either, is logged and reported as ``internal_error``, and the
    items after it are still completed: every item's outcome is recorded.
    """
    pdf_values = pdf_signatures or {}
    options = pdf or PdfSigning()
    known = set(signatures) | set(pdf_values)
    record, items = _claim(uow, actor=actor, session_id=session_id, known=known, now=now)
    chain = read_chain([base64.b64decode(c) for c in record.certificate_chain])
    step = SigningStep(record.step)
    runner = FlowRunner()
    results = []
    for item in items:
        value = signatures.get(item.transcript_id)
        if value is None:
            outcome = ItemResult(item.transcript_id, False, None, "signature_missing")
        else:
            try:
                outcome = _complete_item(
                    uow,
                    actor=actor,
                    record=record,
                    step=step,
                    chain=chain,
                    item=item,
                    value=value,
                    pdf_value=pdf_values.get(item.transcript_id),
                    options=options,
                    now=now,
                    runner=runner,
                )
            except Exception:
                # The session is claimed already: a crash here would leave it completed with
                # no item's outcome recorded. This item failed (its transaction, if open, was
                # rolled back by the unit of work); the others keep their own results.
                _log.exception(
                    "signing session %s: item %s failed unexpectedly",
                    record.id,
                    item.transcript_id,
                )
                outcome = ItemResult(
                    item.transcript_id, False, _safe_status(uow, item), INTERNAL_ERROR
                )
        results.append(outcome)
    _record_outcomes(uow, items, results)
    return results


def _record_outcomes(
    uow: UnitOfWork, items: Sequence[SigningSessionItem], results: Sequence[ItemResult]
) -> None:
    """Each item's outcome on its row: ``ok`` or the refusal's code."""
    table = SigningSessionItem.__table__  # type: ignore[attr-defined]
    # One statement for all the items: loading each row first would read its prepared XML
    # and PDF back for nothing.
    rows = [
        {"s": item.session_id, "t": item.transcript_id, "o": "ok" if out.ok else out.error}
        for item, out in zip(items, results, strict=True)
    ]
    if not rows:
        return
    with uow:
        uow.session.execute(
            table.update()
            .where(table.c.session_id == bindparam("s"), table.c.transcript_id == bindparam("t"))
            .values(outcome=bindparam("o")),
            rows,
        )
        uow.commit("the signing session")


def _complete_item(
    uow: UnitOfWork,
    *,
    actor: Actor,
    record: SigningSession,
    step: SigningStep,
    chain: Sequence[x509.Certificate],
    item: SigningSessionItem,
    value: bytes,
    pdf_value: bytes | None,
    options: PdfSigning,
    now: datetime,
    runner: FlowRunner,
) -> ItemResult:
    prepared = PreparedSignature(
        slot=Slot.parse(item.slot),
        algorithm=SignatureAlgorithm(item.algorithm),
        to_be_signed=item.xml_to_sign,
        document=item.xml_prepared,
        signing_time=item.signing_time.astimezone(VIETNAM),
    )
    try:
        signed = complete_slot(prepared, value)
    except DocumentError as error:
        return ItemResult(item.transcript_id, False, _status(uow, item), error.code)
    # The PDF is assembled and verified before the transaction, as the XML is: the timestamp
    # authority and the seal's validation data may take a while.
    part, signed_pdf = None, None
    if item.pdf_prepared is not None:
        try:
            if pdf_value is None:
                raise PdfSignatureMissingError
            part = PdfPart.from_json(item.pdf_prepared)
            signed_pdf = complete_pdf(part, value=pdf_value, options=options, now=now)
        except PdfNotCompletedError as error:
            return ItemResult(item.transcript_id, False, _status(uow, item), error.reason)
        except (PdfSignatureMissingError, SignedPdfInvalidError) as error:
            return ItemResult(item.transcript_id, False, _status(uow, item), error.code)
    evidence = SignatureEvidence(
        certificate_sha256=record.certificate_sha256,
        certificate_subject=chain[0].subject.rfc4514_string(),
        certificate_serial=str(chain[0].serial_number),
        signed_at=prepared.signing_time,
        signed_bytes_sha256=hashlib.sha256(item.xml_to_sign).hexdigest(),
        organisation=is_organisation_certificate(chain[0]),
    )
    # Two subject teachers completing the same transcript at once: the loser of the
    # optimistic lock merges its signature into the winner's XML and tries again.
    for attempt in range(_ATTEMPTS):
        try:
            with uow:
                row, current = _transcript_and_xml(uow.session, item.transcript_id)
                final = _on_current(
                    row=row,
                    current=current,
                    item=item,
                    slot=prepared.slot,
                    step=step,
                    signed=signed,
                )
                if part is not None:
                    require_pdf_base(row, part)
                record_signature(
                    uow,
                    row,
                    step=step,
                    actor=actor,
                    evidence=evidence,
                    now=now,
                    subject_code=record.subject_code,
                    signed_xml=final,
                    signed_pdf=signed_pdf,
                    runner=runner,
                )
                uow.commit("the transcript")
                return ItemResult(item.transcript_id, True, str(row.status))
        except ConflictError as error:
            if attempt + 1 == _ATTEMPTS:
                return ItemResult(item.transcript_id, False, _status(uow, item), error.code)
        except WorkflowError as error:
            return ItemResult(item.transcript_id, False, _status(uow, item), error.code)
    raise AssertionError("unreachable: the last attempt returns")  # pragma: no cover


_TRANSCRIPT_AND_XML = (
    sa.select(Transcript, col(Blob.content))
    .outerjoin(Blob, col(Blob.sha256) == Transcript.xml_sha256)
    .where(col(Transcript.id) == sa.bindparam("id"))
)


def _transcript_and_xml(session: Session, transcript_id: str) -> tuple[Transcript, bytes | None]:
    """The transcript row and its stored signed XML, in one statement (NotFoundError)."""
    found = session.execute(_TRANSCRIPT_AND_XML, {"id": transcript_id}).first()
    if found is None:
        raise NotFoundError("transcript", transcript_id)
    row, content = found
    return row, None if content is None or row.xml_sha256 is None else bytes(content)


def _on_current(
    *,
    row: Transcript,
    current: bytes | None,
    item: SigningSessionItem,
    slot: Slot,
    step: SigningStep,
    signed: bytes,
) -> bytes:
    """The signed XML to store: ``signed``, or its GVBM signature moved into the XML another
    subject teacher stored meanwhile; its new signature verified against the stored XML.

    The transcript moved on when its row version or its signed XML differs from what the
    item was prepared on (TranscriptMovedError). The one change tolerated is another subject
    teacher's signature landing meanwhile: a new signed XML, which this GVBM signature joins.

    Only what is new is verified (``verify_new_signature``): the new slot's signature in
    full, and every other signature, with everything it references, found canonically
    identical to the stored XML's. The stored XML passed the same check when it was stored
    (by induction, each of its signatures was verified in full once, when it was new), and
    the server assembled the result itself: the signatures carried over in
    ``current_document`` or ``merge_subject_signature`` come verbatim from the stored XML,
    and the data they cover was compared with it when the signature was prepared. So the
    result is what verifying the whole document would give, at the cost of one signature
    instead of all of them (docs/verification.md).
    """
    final = signed
    moved = item.base_row_version is not None and row.row_version != item.base_row_version
    if moved or row.xml_sha256 != item.base_xml_sha256:
        if (
            step is not SigningStep.SUBJECT
            or current is None
            or row.xml_sha256 == item.base_xml_sha256
        ):
            raise TranscriptMovedError
        try:
            final = merge_subject_signature(current, signed, slot)
        except WorkflowError:
            raise TranscriptMovedError from None
    check = verify_new_signature(final, slot, current)
    if not check.intact or slot.name not in {s.slot for s in check.signatures}:
        detail = "; ".join(str(problem) for problem in check.problems()[:3])
        raise SignedDocumentInvalidError(detail or f"no signature in {slot.name}")
    return final


def _safe_status(uow: UnitOfWork, item: SigningSessionItem) -> str | None:
    """The item's status, or None when even that cannot be read after a failure."""
    try:
        return _status(uow, item)
    except Exception:  # the report of a failure must not fail in turn
        return None


def _status(uow: UnitOfWork, item: SigningSessionItem) -> str | None:
    with uow:
        row = uow.session.get(Transcript, item.transcript_id)
        return None if row is None else str(row.status)
