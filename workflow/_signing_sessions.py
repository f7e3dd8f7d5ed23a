"""Two-step signing (transcript-format.md): prepare → the client signs → complete.

``prepare_signing`` checks everything it can before storing anything (the actor may sign
this step on each transcript, the certificate is theirs and valid now), renders each
transcript's XML fresh with the signatures already made, and hands out the canonical
``ds:SignedInfo`` to sign; the homeroom, principal and school steps also prepare their PAdES
signature on the PDF (``workflow._signed_pdf``), at the same signing time.
``complete_signing`` assembles each item, verifies what is new in it (the new signature in
full, the rest unchanged from the stored, verified files) and only then fires the
transition, one transaction per item: an item that fails changes nothing. ``sign_with`` is
the server-side path (the demo's soft keys, the HSM seal).
"""

from __future__ import annotations

import base64
import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from sqlmodel import Session, col, select

from domain.documents import (
    DocumentError,
    PreparedSignature,
    SignatureAlgorithm,
    Slot,
    prepare_slot,
)
from domain.model import (
    Blob,
    Person,
    School,
    SchoolYear,
    SigningSession,
    SigningSessionItem,
    Transcript,
    Transfer,
)
from domain.signatures import (
    Indication,
    Signer,
    SignerError,
    TrustSettings,
)
from domain.signatures import check_certificate as check_trust
from workflow._actor import Actor
from workflow._errors import AdministratorForbiddenError, InvalidInputError, NotFoundError
from workflow._facts import TranscriptFacts
from workflow._facts_loader import load_facts_batch
from workflow._flow import EventAsker
from workflow._pdf_signing import PdfSigning
from workflow._reading import may_read
from workflow._signed_pdf import PdfPart, prepare_pdf
from workflow._signed_xml import VIETNAM, current_document
from workflow._signing_checks import check_certificate, check_may_sign, read_chain
from workflow._signing_completion import ItemResult, complete_signing
from workflow._signing_errors import (
    CertificateNotTrustedError,
    DocumentNotPreparableError,
    SignerFailedError,
    TrustRootsMissingError,
)
from workflow._signing_steps import SigningStep, slot_of_step
from workflow._transfer_freeze import freezing_transfers, refuse_frozen
from workflow._transitions import acting_person, get_transcript
from workflow._uow import UnitOfWork

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
    pdf: ToSign | None = None
    """The PDF's signed attributes (homeroom, principal and school steps only)."""


@dataclass(frozen=True, slots=True)
class PreparedSession:
    """The answer to ``POST /signing-sessions``."""

    session_id: str
    expires_at: datetime
    items: tuple[PreparedItem, ...]


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
    pdf: PdfSigning | None = None,
) -> PreparedSession:
    """Prepare ``step``'s signature on every transcript with the signer's certificate.

    The homeroom, principal and school steps sign the PDF too (``pdf``: the public URL its QR
    code opens, the timestamp authority, the trust roots; ``pdf_signing_options`` reads them
    from the settings). The certificate must chain to one of ``pdf.trust_roots``; with none
    configured nothing is signed (TrustRootsMissingError). All or nothing: any refusal (the
    actor, the certificate, a transcript's state or data) raises a typed error and stores
    nothing.
    """
    if actor.is_administrator:
        # REQ-07: the administrator touches no academic data; refused before any is read.
        raise AdministratorForbiddenError
    options = pdf or PdfSigning()
    if not options.trust_roots:
        # Without a trust root no certificate can be checked: a self-made certificate naming
        # a teacher would sign. Demo mode trusts the demo PKI's root (``pdf_signing_options``).
        raise TrustRootsMissingError
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
        batch = _SessionReads.load(session, actor, ids, step=step, now=now)
        asker = EventAsker()
        items = []
        for position, transcript_id in enumerate(ids):
            row = get_transcript(session, transcript_id)
            # Outside the actor's scope a transcript is not found, as if it did not exist
            # (the state check below would otherwise confirm it does). No role skips this.
            if not may_read(session, actor, row):
                raise NotFoundError("transcript", transcript_id)
            # A school the student transferred away from signs nothing more of theirs.
            refuse_frozen(session, batch.frozen_of(row))
            facts = batch.facts[row.id]
            check_may_sign(
                actor=actor,
                row=row,
                facts=facts,
                step=step,
                subject_code=subject_code,
                certificate=chain[0],
                now=now,
                asker=asker,
            )
            check_certificate(session, actor, row, step, chain[0], now=now)
            current = current_document(session, row, live=facts.live_slots, now=now)
            try:
                prepared = prepare_slot(current.xml, slot, chain, signing_time)
            except DocumentError as error:
                raise DocumentNotPreparableError(row.id, str(error)) from None
            pdf_part = prepare_pdf(
                session,
                row,
                step=step,
                document=current.document,
                live=facts.live_slots,
                chain=chain,
                signing_time=signing_time,
                options=options,
            )
            items.append(_item(position, row, prepared, current.base, pdf_part))
        _check_trusted(chain, roots=options.trust_roots, now=now)
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
        for item, _part in items:
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
                    item.transcript_id,
                    ToSign(item.xml_to_sign, SignatureAlgorithm(item.algorithm).client_name),
                    None
                    if part is None
                    else ToSign(part.prepared.to_sign, part.prepared.algorithm.value),
                )
                for item, part in items
            ),
        )


@dataclass(frozen=True, slots=True)
class _SessionReads:
    """What a session's items are judged by, read in a few statements for all of them.

    Everything is read in the session's one transaction, so holding the rows is what the
    ORM's identity map does anyway: ``get_transcript``, ``may_read``, ``check_certificate``
    and ``current_document`` find the transcripts, the signer, the school and the stored
    files in the session instead of asking the database once per item. Nothing is decided
    here: each item is still checked in order, by the same functions, with the same
    refusals.
    """

    held: tuple[object, ...]
    """The rows the items' checks read, kept alive for the session's identity map."""
    facts: dict[str, TranscriptFacts]
    frozen: dict[tuple[int, int], dict[int, Transfer]]
    """By (school, year): the students a transfer froze (``freezing_transfers``)."""

    @classmethod
    def load(
        cls, session: Session, actor: Actor, ids: Sequence[str], *, step: SigningStep, now: datetime
    ) -> _SessionReads:
        rows = list(session.exec(select(Transcript).where(col(Transcript.id).in_(ids))).all())
        held: list[object] = list(rows)
        schools = {row.school_id for row in rows}
        years = {row.school_year_id for row in rows}
        held += session.exec(select(School).where(col(School.id).in_(schools))).all()
        held += session.exec(select(SchoolYear).where(col(SchoolYear.id).in_(years))).all()
        if actor.person_id is not None:
            held.append(session.get(Person, actor.person_id))
        digests = {row.xml_sha256 for row in rows if row.xml_sha256 is not None}
        if step is not SigningStep.SUBJECT:  # the steps that sign the PDF read the stored one
            digests |= {row.pdf_sha256 for row in rows if row.pdf_sha256 is not None}
        if digests:
            held += session.exec(select(Blob).where(col(Blob.sha256).in_(digests))).all()
        students: dict[tuple[int, int], set[int]] = {}
        for row in rows:
            students.setdefault((row.school_id, row.school_year_id), set()).add(row.student_id)
        frozen = {
            (school_id, year_id): freezing_transfers(
                session, school_id=school_id, school_year_id=year_id, student_ids=group
            )
            for (school_id, year_id), group in students.items()
        }
        return cls(tuple(held), load_facts_batch(session, rows, now=now), frozen)

    def frozen_of(self, row: Transcript) -> dict[int, Transfer]:
        """The transfer that froze ``row``'s student, if one did (empty otherwise)."""
        found = self.frozen.get((row.school_id, row.school_year_id), {}).get(row.student_id)
        return {} if found is None else {row.student_id: found}


def _check_trusted(
    chain: Sequence[x509.Certificate], *, roots: Sequence[x509.Certificate], now: datetime
) -> None:
    """The certificate must chain to a trust root, unrevoked, at ``now`` (the signing time):
    a self-made certificate naming a teacher is refused here."""
    check = check_trust(
        chain=tuple(chain), signing_time=now, now=now, trust=TrustSettings(trust_roots=tuple(roots))
    )
    if check.indication is not Indication.TOTAL_PASSED:
        raise CertificateNotTrustedError(tuple(finding.code for finding in check.errors))


def _item(
    position: int,
    row: Transcript,
    prepared: PreparedSignature,
    base: str | None,
    pdf_part: PdfPart | None,
) -> tuple[SigningSessionItem, PdfPart | None]:
    return SigningSessionItem(
        session_id="",
        transcript_id=row.id,
        position=position,
        slot=prepared.slot.name,
        algorithm=prepared.algorithm.value,
        signing_time=prepared.signing_time,
        base_xml_sha256=base,
        base_row_version=row.row_version,
        xml_to_sign=prepared.to_be_signed,
        xml_prepared=prepared.document,
        pdf_prepared=None if pdf_part is None else pdf_part.to_json(),
    ), pdf_part


def _b64(certificate: x509.Certificate) -> str:
    return base64.b64encode(certificate.public_bytes(Encoding.DER)).decode("ascii")


def _fingerprint(certificate: x509.Certificate) -> str:
    return hashlib.sha256(certificate.public_bytes(Encoding.DER)).hexdigest()


def sign_with(
    uow: UnitOfWork,
    *,
    signer: Signer,
    actor: Actor,
    transcript_ids: Sequence[str],
    step: SigningStep,
    subject_code: str | None = None,
    now: datetime,
    pdf: PdfSigning | None = None,
) -> list[ItemResult]:
    """Prepare, sign with a server-side key and complete: the demo signer, the HSM seal.

    The XML and, for the steps that sign it, the PDF.
    """
    prepared = prepare_signing(
        uow,
        actor=actor,
        transcript_ids=transcript_ids,
        step=step,
        subject_code=subject_code,
        certificate_chain=signer.chain,
        now=now,
        pdf=pdf,
    )
    try:
        values = {item.transcript_id: signer.sign(item.xml.to_sign) for item in prepared.items}
        pdf_values = {
            item.transcript_id: signer.sign(item.pdf.to_sign)
            for item in prepared.items
            if item.pdf is not None
        }
    except SignerError as error:
        raise SignerFailedError(error.reason) from None
    return complete_signing(
        uow,
        actor=actor,
        session_id=prepared.session_id,
        signatures=values,
        pdf_signatures=pdf_values,
        now=now,
        pdf=pdf,
    )
