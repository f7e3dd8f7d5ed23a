"""Two-step signing (transcript-format.md): prepare → the client signs → complete.

``prepare_signing`` checks everything it can before storing anything (the actor may sign
this step on each transcript, the certificate is theirs and valid now), renders each
transcript's XML fresh with the signatures already made, and hands out the canonical
``ds:SignedInfo`` to sign. ``complete_signing`` assembles each item, verifies the whole
document and only then fires the transition, one transaction per item: an item that fails
changes nothing. ``sign_with`` is the server-side path (the demo's soft keys, the HSM seal).
"""

from __future__ import annotations

import base64
import hashlib
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from sqlmodel import Session, col, select

from domain.certificates import is_organisation_certificate
from domain.documents import (
    DocumentError,
    PreparedSignature,
    SignatureAlgorithm,
    Slot,
    complete_slot,
    prepare_slot,
    verify_xml,
)
from domain.model import SigningSession, SigningSessionItem, Transcript
from domain.signatures import Signer, SignerError
from workflow._actor import Actor
from workflow._errors import ConflictError, InvalidInputError, NotFoundError, WorkflowError
from workflow._facts_loader import load_facts
from workflow._policy import SignatureEvidence
from workflow._signed_xml import VIETNAM, current_document, merge_subject_signature, stored_xml
from workflow._signing import record_signature
from workflow._signing_checks import check_certificate, check_may_sign, read_chain
from workflow._signing_errors import (
    DocumentNotPreparableError,
    SignedDocumentInvalidError,
    SignerFailedError,
    SigningSessionCompletedError,
    SigningSessionExpiredError,
    SigningSessionNotYoursError,
    TranscriptMovedError,
)
from workflow._signing_steps import SigningStep, slot_of_step
from workflow._transitions import acting_person, get_transcript
from workflow._uow import UnitOfWork

_ATTEMPTS = 3
SESSION_LIFETIME = timedelta(minutes=15)
"""How long a prepared session may be completed (``Settings.signing_session_minutes``)."""


@dataclass(frozen=True, slots=True)
class ToSign:
    """What the client signs for one format."""

    to_sign: bytes
    """The exact bytes (the API sends them base64)."""
    algorithm: str
    """``sha256WithRSA`` (PKCS#1 v1.5) or ``sha256WithECDSA``."""


@dataclass(frozen=True, slots=True)
class PreparedItem:
    """One transcript of a prepared session."""

    transcript_id: str
    xml: ToSign


@dataclass(frozen=True, slots=True)
class PreparedSession:
    """The answer to ``POST /signing-sessions``."""

    session_id: str
    expires_at: datetime
    items: tuple[PreparedItem, ...]


@dataclass(frozen=True, slots=True)
class ItemResult:
    """The outcome of one item of ``complete_signing``."""

    transcript_id: str
    ok: bool
    status: str | None
    """The transcript's status after the attempt (None if it cannot be read)."""
    error: str | None = None
    """The refusal's code when ``ok`` is False."""


def prepare_signing(
    uow: UnitOfWork,
    *,
    actor: Actor,
    transcript_ids: Sequence[str],
    step: SigningStep,
    subject_code: str | None = None,
    certificate_chain: Sequence[bytes | x509.Certificate],
    now: datetime,
    lifetime: timedelta = SESSION_LIFETIME,
) -> PreparedSession:
    """Prepare ``step``'s signature on every transcript with the signer's certificate.

    All or nothing: any refusal (the actor, the certificate, a transcript's state or data)
    raises a typed error and stores nothing.
    """
    if (step is SigningStep.SUBJECT) != (subject_code is not None):
        raise InvalidInputError(
            "subject_code",
            "required for the subject step and only for it",
            "chỉ và bắt buộc ghi ở bước ký của giáo viên bộ môn",
        )
    ids = list(transcript_ids)
    if not ids or len(set(ids)) != len(ids):
        raise InvalidInputError(
            "transcript_ids", "one or more distinct ids", "cần ít nhất một học bạ, không trùng"
        )
    chain = read_chain(certificate_chain)
    signing_time = now.astimezone(VIETNAM)
    try:
        slot = Slot.parse(slot_of_step(step, subject_code))
    except DocumentError:
        raise InvalidInputError(
            "subject_code", "not a subject code", "mã môn học không hợp lệ"
        ) from None
    with uow:
        session = uow.session
        items = []
        for position, transcript_id in enumerate(ids):
            row = get_transcript(session, transcript_id)
            facts = load_facts(session, row, now=now)
            check_may_sign(
                actor=actor,
                row=row,
                facts=facts,
                step=step,
                subject_code=subject_code,
                certificate=chain[0],
                now=now,
            )
            check_certificate(session, actor, row, step, chain[0], now=now)
            xml, base = current_document(session, row, live=facts.live_slots, now=now)
            try:
                prepared = prepare_slot(xml, slot, chain, signing_time)
            except DocumentError as error:
                raise DocumentNotPreparableError(row.id, str(error)) from None
            items.append(_item(position, row, prepared, base))
        record = SigningSession(
            id=str(uuid.uuid4()),
            person_id=acting_person(actor),
            step=step.value,
            subject_code=subject_code,
            certificate_chain=[_b64(c) for c in chain],
            certificate_sha256=_fingerprint(chain[0]),
            created_at=now,
            expires_at=now + lifetime,
        )
        session.add(record)
        uow.flush("the signing session")
        for item in items:
            item.session_id = record.id
            session.add(item)
        uow.audit.record(
            actor=actor,
            action="signing_session.prepare",
            object_type="signing_session",
            object_id=record.id,
            now=now,
            details={"step": step.value, "slot": slot.name, "transcripts": ids},
        )
        uow.commit("the signing session")
        return PreparedSession(
            session_id=record.id,
            expires_at=record.expires_at,
            items=tuple(
                PreparedItem(
                    i.transcript_id,
                    ToSign(i.xml_to_sign, SignatureAlgorithm(i.algorithm).client_name),
                )
                for i in items
            ),
        )


def _item(
    position: int, row: Transcript, prepared: PreparedSignature, base: str | None
) -> SigningSessionItem:
    return SigningSessionItem(
        session_id="",
        transcript_id=row.id,
        position=position,
        slot=prepared.slot.name,
        algorithm=prepared.algorithm.value,
        signing_time=prepared.signing_time,
        base_xml_sha256=base,
        xml_to_sign=prepared.to_be_signed,
        xml_prepared=prepared.document,
    )


def _b64(certificate: x509.Certificate) -> str:
    return base64.b64encode(certificate.public_bytes(Encoding.DER)).decode("ascii")


def _fingerprint(certificate: x509.Certificate) -> str:
    return hashlib.sha256(certificate.public_bytes(Encoding.DER)).hexdigest()


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
) -> list[ItemResult]:
    """Assemble, verify and record each item's signature; one transaction per item.

    Only the session's signer, only before it expires, only once (typed errors). An item
    whose value does not verify, or whose transcript moved meanwhile, changes nothing and is
    reported with ``ok=False`` and the refusal's code.
    """
    record, items = _claim(uow, actor=actor, session_id=session_id, known=set(signatures), now=now)
    chain = read_chain([base64.b64decode(c) for c in record.certificate_chain])
    step = SigningStep(record.step)
    results = []
    for item in items:
        value = signatures.get(item.transcript_id)
        if value is None:
            outcome = ItemResult(item.transcript_id, False, None, "signature_missing")
        else:
            outcome = _complete_item(
                uow,
                actor=actor,
                record=record,
                step=step,
                chain=chain,
                item=item,
                value=value,
                now=now,
            )
        results.append(outcome)
    with uow:
        for item, outcome in zip(items, results, strict=True):
            stored = uow.session.get(SigningSessionItem, (item.session_id, item.transcript_id))
            if stored is not None:
                stored.outcome = "ok" if outcome.ok else outcome.error
                uow.session.add(stored)
        uow.commit("the signing session")
    return results


def _complete_item(
    uow: UnitOfWork,
    *,
    actor: Actor,
    record: SigningSession,
    step: SigningStep,
    chain: Sequence[x509.Certificate],
    item: SigningSessionItem,
    value: bytes,
    now: datetime,
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
                row = get_transcript(uow.session, item.transcript_id)
                final = _on_current(
                    uow.session, row=row, item=item, slot=prepared.slot, step=step, signed=signed
                )
                record_signature(
                    uow,
                    row,
                    step=step,
                    actor=actor,
                    evidence=evidence,
                    now=now,
                    subject_code=record.subject_code,
                    signed_xml=final,
                )
                uow.commit("the transcript")
                return ItemResult(item.transcript_id, True, str(row.status))
        except ConflictError as error:
            if attempt + 1 == _ATTEMPTS:
                return ItemResult(item.transcript_id, False, _status(uow, item), error.code)
        except WorkflowError as error:
            return ItemResult(item.transcript_id, False, _status(uow, item), error.code)
    raise AssertionError("unreachable: the last attempt returns")  # pragma: no cover
    evidence = SignatureEvidence(
        certificate_sha256=record.certificate_sha256,
        certificate_subject=chain[0].subject.rfc4514_string(),
        certificate_serial=str(chain[0].serial_number),
        signed_at=prepared.signing_time,
        signed_bytes_sha256=hashlib.sha256(item.xml_to_sign).hexdigest(),
        organisation=is_organisation_certificate(chain[0]),
    )
    try:
        with uow:
            row = get_transcript(uow.session, item.transcript_id)
            final = _on_current(
                uow.session, row=row, item=item, slot=prepared.slot, step=step, signed=signed
            )
            record_signature(
                uow,
                row,
                step=step,
                actor=actor,
                evidence=evidence,
                now=now,
                subject_code=record.subject_code,
                signed_xml=final,
            )
            uow.commit("the transcript")
            return ItemResult(item.transcript_id, True, str(row.status))
    except WorkflowError as error:
        return ItemResult(item.transcript_id, False, _status(uow, item), error.code)


def _on_current(
    session: Session,
    *,
    row: Transcript,
    item: SigningSessionItem,
    slot: Slot,
    step: SigningStep,
    signed: bytes,
) -> bytes:
    """The signed XML to store: ``signed``, or its GVBM signature moved into the XML another
    subject teacher stored meanwhile; verified as a whole."""
    final = signed
    if row.xml_sha256 != item.base_xml_sha256:
        current = stored_xml(session, row)
        if step is not SigningStep.SUBJECT or current is None:
            raise TranscriptMovedError
        try:
            final = merge_subject_signature(current, signed, slot)
        except WorkflowError:
            raise TranscriptMovedError from None
    check = verify_xml(final)
    if not check.intact or slot.name not in {s.slot for s in check.signatures}:
        detail = "; ".join(str(problem) for problem in check.problems()[:3])
        raise SignedDocumentInvalidError(detail or f"no signature in {slot.name}")
    return final


def _status(uow: UnitOfWork, item: SigningSessionItem) -> str | None:
    with uow:
        row = uow.session.get(Transcript, item.transcript_id)
        return None if row is None else str(row.status)


def sign_with(
    uow: UnitOfWork,
    *,
    signer: Signer,
    actor: Actor,
    transcript_ids: Sequence[str],
    step: SigningStep,
    subject_code: str | None = None,
    now: datetime,
) -> list[ItemResult]:
    """Prepare, sign with a server-side key and complete: the demo signer, the HSM seal."""
    prepared = prepare_signing(
        uow,
        actor=actor,
        transcript_ids=transcript_ids,
        step=step,
        subject_code=subject_code,
        certificate_chain=signer.chain,
        now=now,
    )
    try:
        values = {item.transcript_id: signer.sign(item.xml.to_sign) for item in prepared.items}
    except SignerError as error:
        raise SignerFailedError(error.reason) from None
    return complete_signing(
        uow, actor=actor, session_id=prepared.session_id, signatures=values, now=now
    )
