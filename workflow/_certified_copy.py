"""A certified paper copy for a school without digital transcripts (REQ-28).

The school's clerk prepares a copy of a student's issued transcript versions
(``prepare_certified_copy``: the PDF of ``_certified_copy_pdf`` with the seal's field prepared
for the school's organisation certificate; the bytes to sign go to the clerk's token), then
completes it with the signature value (``complete_certified_copy``: assembled, verified as
a whole, kept as a blob). ``certify_copy_with`` does both with a key held by the server
(the demo's seal, an HSM). The school's staff download the sealed copy
(``_certified_copy_download``). Each step is one transaction, audited.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final
from zoneinfo import ZoneInfo

from cryptography import x509
from sqlmodel import Session, col, select

from domain.certificates import is_organisation_certificate, names_organisation
from domain.documents import DocumentError, read_xml
from domain.model import (
    Blob,
    CertifiedCopy,
    Person,
    Role,
    RoleAssignment,
    School,
    Transcript,
    TranscriptSignature,
)
from domain.signatures import (
    FIELD_DON_VI,
    PdfSignatureError,
    PreparedPdfSignature,
    PreparedPdfSignatureError,
    Signer,
    SignerError,
    prepare_pdf_signature,
    verify_pdf,
)
from workflow._actor import Actor
from workflow._certified_copy_errors import (
    CopyAlreadySealedError,
    PrincipalMissingError,
    SealCertificateRequiredError,
)
from workflow._certified_copy_pdf import CopiedVersion, render_certified_copy
from workflow._document import DEPARTMENT_PLACES
from workflow._errors import (
    AdministratorForbiddenError,
    InvalidInputError,
    NotAssignedError,
    NotFoundError,
)
from workflow._pdf_signing import PdfSigning
from workflow._record_package import ISSUED
from workflow._signed_pdf import (
    PdfNotCompletedError,
    SignedPdfInvalidError,
    appearance,
    assemble_pdf,
)
from workflow._signing import store_blob
from workflow._signing_checks import read_chain
from workflow._signing_errors import SignerFailedError
from workflow._uow import UnitOfWork

MAX_COPIED: Final = 12
"""At most this many versions in one copy (a student's whole secondary schooling is seven)."""
_ZONE: Final = ZoneInfo("Asia/Ho_Chi_Minh")
_SLOT_WORDS: Final = {
    "GVCN": "Giáo viên chủ nhiệm",
    "HieuTruong": "Hiệu trưởng",
    "DonVi": "Con dấu nhà trường",
}


@dataclass(frozen=True, slots=True)
class PreparedCopy:
    """What the clerk's token signs for a copy."""

    copy_id: int
    to_sign: bytes
    """The DER of the CMS signed attributes (SHA256withRSA / SHA256withECDSA over these)."""
    algorithm: str


def _clerk_of(actor: Actor, school_id: int) -> None:
    if actor.is_administrator:
        raise AdministratorForbiddenError
    if not any(g.role is Role.CLERK and g.school_id == school_id for g in actor.grants):
        raise NotAssignedError("the clerk of this school", "văn thư của trường này")


def _versions(session: Session, transcript_ids: Sequence[str]) -> list[Transcript]:
    ids = list(dict.fromkeys(transcript_ids))
    if not ids or len(ids) > MAX_COPIED:
        raise InvalidInputError(
            "transcript_ids", f"1 to {MAX_COPIED} transcripts", f"từ 1 đến {MAX_COPIED} học bạ"
        )
    rows = {r.id: r for r in session.exec(select(Transcript).where(col(Transcript.id).in_(ids)))}
    missing = [i for i in ids if i not in rows]
    if missing:
        raise NotFoundError("transcript", missing[0])
    versions = [rows[i] for i in ids]
    if len({r.student_id for r in versions}) > 1 or len({r.school_id for r in versions}) > 1:
        raise InvalidInputError(
            "transcript_ids",
            "one student's transcripts of one school",
            "các học bạ của cùng một học sinh, cùng một trường",
        )
    for row in versions:
        if row.status not in ISSUED or row.xml_sha256 is None:
            raise InvalidInputError(
                "transcript_ids",
                f"{row.id} is not issued (sealed by the school)",
                f"học bạ {row.id} chưa được phát hành",
            )
    return versions


def _principal_name(session: Session, school_id: int, now: datetime) -> str:
    row = session.exec(
        select(Person.full_name)
        .join(RoleAssignment, col(RoleAssignment.person_id) == Person.id)
        .where(
            RoleAssignment.role == Role.PRINCIPAL,
            RoleAssignment.school_id == school_id,
            col(RoleAssignment.valid_from) <= now,
            (col(RoleAssignment.valid_until).is_(None)) | (col(RoleAssignment.valid_until) > now),
        )
        .order_by(col(RoleAssignment.valid_from).desc())
    ).first()
    if row is None:
        raise PrincipalMissingError
    return str(row)


def _copied(session: Session, row: Transcript) -> CopiedVersion:
    assert row.xml_sha256 is not None
    blob = session.get(Blob, row.xml_sha256)
    if blob is None:
        raise NotFoundError("signed XML", row.xml_sha256)
    try:
        document = read_xml(bytes(blob.content))
    except DocumentError as error:  # pragma: no cover - stored XML was verified when signed
        raise NotFoundError("readable signed XML", f"{row.id} ({error})") from None
    signed = session.exec(
        select(TranscriptSignature, Person.full_name)
        .join(Person, col(Person.id) == TranscriptSignature.signer_id)
        .where(
            TranscriptSignature.transcript_id == row.id,
            col(TranscriptSignature.archived_at).is_(None),
        )
        .order_by(col(TranscriptSignature.signed_at))
    ).all()
    lines = tuple(
        f"{_SLOT_WORDS.get(s.slot, s.slot.replace('GVBM:', 'GV môn '))}: {name}, "
        f"{s.signed_at.astimezone(_ZONE):%d/%m/%Y %H:%M}"
        for s, name in signed
    )
    return CopiedVersion(document, row.xml_sha256, lines)


def _seal_chain(
    chain: Sequence[bytes | x509.Certificate], school: School
) -> list[x509.Certificate]:
    certificates = list(read_chain(chain))
    seal = certificates[0]
    if not is_organisation_certificate(seal) or not names_organisation(seal, school.code):
        raise SealCertificateRequiredError
    return certificates


def prepare_certified_copy(
    uow: UnitOfWork,
    *,
    transcript_ids: Sequence[str],
    certificate_chain: Sequence[bytes | x509.Certificate],
    actor: Actor,
    now: datetime,
    pdf: PdfSigning,
) -> PreparedCopy:
    """The clerk prepares a certified copy of one student's issued versions of the school.

    Refuses another role (NotAssignedError), another certificate than the school's seal
    (SealCertificateRequiredError), versions not issued or of several students
    (InvalidInputError), a school without a principal (PrincipalMissingError).
    """
    with uow:
        session = uow.session
        versions = _versions(session, transcript_ids)
        school = session.get(School, versions[0].school_id)
        assert school is not None and school.id is not None
        _clerk_of(actor, school.id)
        chain = _seal_chain(certificate_chain, school)
        assert actor.person_id is not None  # a clerk is a person, never the scheduler
        copy = CertifiedCopy(
            school_id=school.id,
            student_id=versions[0].student_id,
            transcript_ids=[r.id for r in versions],
            prepared_by_id=actor.person_id,
            prepared_at=now,
        )
        session.add(copy)
        uow.flush("the certified copy")
        assert copy.id is not None
        rendered, _page = render_certified_copy(
            [_copied(session, r) for r in versions],
            number=f"{copy.id}/SY-HB",
            place=DEPARTMENT_PLACES.get(school.department_code, school.name),
            certified_on=now.astimezone(_ZONE).date(),
            principal_name=_principal_name(session, school.id, now),
            verify_url=pdf.verify_url,
        )
        try:
            prepared = prepare_pdf_signature(
                rendered,
                field=FIELD_DON_VI,
                chain=chain,
                signing_time=now,
                appearance=appearance(FIELD_DON_VI, chain[0], now),
                level=pdf.level(FIELD_DON_VI),
            )
        except PdfSignatureError as error:
            raise PdfNotCompletedError(error) from None
        copy.prepared = json.loads(prepared.to_bytes())
        session.add(copy)
        uow.audit.record(
            actor=actor,
            action="certified_copy.prepare",
            object_type="student",
            object_id=str(copy.student_id),
            now=now,
            details={"copy_id": copy.id, "transcript_ids": copy.transcript_ids},
        )
        uow.commit("the certified copy")
        return PreparedCopy(copy.id, prepared.to_sign, prepared.algorithm.value)


def complete_certified_copy(
    uow: UnitOfWork,
    *,
    copy_id: int,
    signature_value: bytes,
    actor: Actor,
    now: datetime,
    pdf: PdfSigning,
) -> str:
    """The clerk's signature value seals the prepared copy; returns the copy's SHA-256.

    The assembled PDF must verify: the seal intact, valid and trusted, nothing after it
    (PdfNotCompletedError, SignedPdfInvalidError otherwise; nothing is stored).
    """
    with uow:
        session = uow.session
        copy = session.get(CertifiedCopy, copy_id)
        if copy is None:
            raise NotFoundError("certified copy", copy_id)
        _clerk_of(actor, copy.school_id)
        if copy.prepared is None:
            raise CopyAlreadySealedError(copy_id)
        try:
            prepared = PreparedPdfSignature.from_bytes(json.dumps(copy.prepared).encode())
        except PreparedPdfSignatureError as error:
            raise PdfNotCompletedError(error) from None
        signed = assemble_pdf(prepared, value=signature_value, options=pdf, now=now)
        check = verify_pdf(signed, now=now, trust_roots=pdf.trust_roots)
        fields = [s.field for s in check.signatures]
        if check.errors or fields != [FIELD_DON_VI] or check.signatures[0].errors:
            problems = [*check.errors, *(e for s in check.signatures for e in s.errors)]
            raise SignedPdfInvalidError(f"fields {fields}: {', '.join(problems) or 'unexpected'}")
        digest = store_blob(session, signed, "application/pdf", now)
        uow.flush("the sealed copy")  # the blob first: the copy's row refers to it
        copy.pdf_sha256 = digest
        copy.sealed_at = now
        copy.prepared = None
        session.add(copy)
        uow.audit.record(
            actor=actor,
            action="certified_copy.seal",
            object_type="student",
            object_id=str(copy.student_id),
            now=now,
            details={"copy_id": copy.id, "pdf_sha256": digest},
        )
        uow.commit("the certified copy")
        return digest


def certify_copy_with(
    uow: UnitOfWork,
    *,
    signer: Signer,
    transcript_ids: Sequence[str],
    actor: Actor,
    now: datetime,
    pdf: PdfSigning,
) -> int:
    """Prepare, seal with a key held by the server (the demo's seal, an HSM), complete;
    returns the copy's id."""
    prepared = prepare_certified_copy(
        uow,
        transcript_ids=transcript_ids,
        certificate_chain=signer.chain,
        actor=actor,
        now=now,
        pdf=pdf,
    )
    try:
        value = signer.sign(prepared.to_sign)
    except SignerError as error:
        raise SignerFailedError(error.reason) from None
    complete_certified_copy(
        uow, copy_id=prepared.copy_id, signature_value=value, actor=actor, now=now, pdf=pdf
    )
    return prepared.copy_id
