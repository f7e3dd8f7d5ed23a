"""The transcript's PDF between signatures: rendered once, then one PAdES update per signer.

The homeroom step (or, for a kind without one, the first whole-document step) renders the
PDF from the same ``TranscriptDocument`` its XML is made from, adds the three signature
fields in one revision and prepares its own field; the principal and the school seal prepare
on the stored signed PDF. Each prepared signature waits in the session item's
``pdf_prepared``; completion assembles it (B-T with a timestamp authority, the seal at B-LT
when trust roots are known too), verifies what is new in the file (the stored PDF unchanged
at its start, what was appended allowed, the new signature in full) and hands it to the
transition.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Final
from zoneinfo import ZoneInfo

from cryptography import x509
from sqlmodel import Session

from domain.documents import TranscriptDocument
from domain.model import Blob, Transcript
from domain.signatures import (
    FIELD_DON_VI,
    FIELD_GVCN,
    FIELD_HIEU_TRUONG,
    FIELD_NAMES,
    PadesLevel,
    PdfSignatureError,
    PdfUpdateVerification,
    PreparedPdfSignature,
    PreparedPdfSignatureError,
    SignatureAppearance,
    complete_pdf_signature,
    prepare_pdf_signature,
    verify_pdf_update,
)
from workflow._errors import WorkflowError
from workflow._pdf import render_signable_pdf
from workflow._pdf_signing import PdfSigning
from workflow._signing_errors import DocumentNotPreparableError, TranscriptMovedError
from workflow._signing_steps import SigningStep

FIELD_OF_STEP: Final = {
    SigningStep.HOMEROOM: FIELD_GVCN,
    SigningStep.PRINCIPAL: FIELD_HIEU_TRUONG,
    SigningStep.SCHOOL: FIELD_DON_VI,
}
"""The steps that sign the PDF too, and the field each one signs."""

_TITLES: Final = {
    FIELD_GVCN: "Giáo viên chủ nhiệm",
    FIELD_HIEU_TRUONG: "Hiệu trưởng",
    FIELD_DON_VI: "Đóng dấu của nhà trường",
}
_ZONE: Final = ZoneInfo("Asia/Ho_Chi_Minh")
_WHOLE_DOCUMENT: Final = frozenset(FIELD_NAMES)
_FORMAT: Final = "hocba-session-pdf/1"


class PdfSignatureMissingError(WorkflowError):
    """The step signs the PDF too, and no PDF signature value came back."""

    code = "pdf_signature_missing"

    def __init__(self) -> None:
        super().__init__(
            "this step signs the PDF too: pdf_signature is required",
            "Bước ký này cần cả chữ ký trên tệp PDF",
        )


class PdfNotCompletedError(WorkflowError):
    """The PDF signature could not be assembled; ``reason`` is ``pdf_`` + the domain's code
    (``pdf_signature_value_invalid``, ``pdf_timestamp_unavailable`` …)."""

    code = "pdf_signature_error"

    def __init__(self, error: PdfSignatureError) -> None:
        super().__init__(f"the PDF signature is refused: {error}", "Chữ ký trên tệp PDF bị từ chối")
        self.reason = f"pdf_{error.code}"
        """The item's error code."""


class SignedPdfInvalidError(WorkflowError):
    """The assembled PDF does not verify: its new signature, the stored PDF at its start, or
    what was appended."""

    code = "pdf_invalid"

    def __init__(self, detail: str) -> None:
        super().__init__(f"the signed PDF does not verify: {detail}", "Tệp PDF đã ký không hợp lệ")


@dataclass(frozen=True, slots=True)
class PdfPart:
    """The PDF half of a session item, as ``pdf_prepared`` stores it."""

    prepared: PreparedPdfSignature
    base_sha256: str | None
    """The stored signed PDF it was prepared on (None: rendered afresh)."""
    signed_before: tuple[str, ...]
    """The fields already signed in it, in signing order."""

    def to_json(self) -> dict[str, Any]:
        """The value of the ``pdf_prepared`` column."""
        return {
            "format": _FORMAT,
            "prepared": json.loads(self.prepared.to_bytes()),
            "base_sha256": self.base_sha256,
            "signed_before": list(self.signed_before),
        }

    @classmethod
    def from_json(cls, record: dict[str, Any]) -> PdfPart:
        """What ``to_json`` wrote (PdfNotCompletedError for anything else)."""
        damaged = PreparedPdfSignatureError("the stored PDF part of the session is damaged")
        base = record.get("base_sha256")
        before = record.get("signed_before")
        if (
            record.get("format") != _FORMAT
            or not (base is None or isinstance(base, str))
            or not isinstance(before, list)
            or not all(name in FIELD_NAMES for name in before)
        ):
            raise PdfNotCompletedError(damaged)
        try:
            prepared = PreparedPdfSignature.from_bytes(json.dumps(record["prepared"]).encode())
        except (PreparedPdfSignatureError, KeyError, TypeError, ValueError):
            raise PdfNotCompletedError(damaged) from None
        return cls(prepared, base, tuple(before))


@cache
def _font() -> bytes:
    # The shipped DejaVu Sans draws Vietnamese; read once per process (the domain caches
    # its reduced form by these bytes).
    return (Path(str(resources.files("templates"))) / "fonts" / "DejaVuSans.ttf").read_bytes()


def appearance(pdf_field: str, certificate: x509.Certificate, at: datetime) -> SignatureAppearance:
    """The stamp: the signer's name from the certificate, the title, the time in Vietnam."""
    names = certificate.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
    name = unicodedata.normalize("NFC", str(names[0].value)) if names else "?"
    local = at.astimezone(_ZONE)
    return SignatureAppearance(
        lines=(f"Ký bởi: {name}", _TITLES[pdf_field], f"Ngày ký: {local:%d/%m/%Y %H:%M}"),
        font=_font(),
    )


def _stored_pdf(session: Session, row: Transcript) -> bytes | None:
    if row.pdf_sha256 is None:
        return None
    blob = session.get(Blob, row.pdf_sha256)
    return None if blob is None else bytes(blob.content)


def prepare_pdf(
    session: Session,
    row: Transcript,
    *,
    step: SigningStep,
    document: TranscriptDocument,
    live: frozenset[str],
    chain: Sequence[x509.Certificate],
    signing_time: datetime,
    options: PdfSigning,
) -> PdfPart | None:
    """Prepare ``step``'s PDF signature on ``row`` (None for a step that signs XML only).

    With no whole-document signature live (the first such step, or a re-signing after a
    send-back) the PDF is rendered afresh from ``document``; otherwise the stored signed
    PDF is the base. Raises DocumentNotPreparableError.
    """
    pdf_field = FIELD_OF_STEP.get(step)
    if pdf_field is None:
        return None
    signed_before = tuple(name for name in FIELD_NAMES if name in live & _WHOLE_DOCUMENT)
    base_sha256 = None
    try:
        if not signed_before:
            pdf = render_signable_pdf(document, verify_url=options.verify_url(row.id))
        else:
            stored = _stored_pdf(session, row)
            if stored is None:
                raise DocumentNotPreparableError(
                    row.id, f"no signed PDF for {', '.join(signed_before)}"
                )
            pdf, base_sha256 = stored, row.pdf_sha256
        prepared = prepare_pdf_signature(
            pdf,
            field=pdf_field,
            chain=chain,
            signing_time=signing_time,
            appearance=appearance(pdf_field, chain[0], signing_time),
            level=options.level(pdf_field),
        )
    except PdfSignatureError as error:
        raise DocumentNotPreparableError(row.id, f"PDF: {error}") from None
    return PdfPart(prepared, base_sha256, signed_before)


def complete_pdf(part: PdfPart, *, value: bytes, options: PdfSigning, now: datetime) -> bytes:
    """The signed PDF, assembled and its new signature verified.

    Only what is new is verified (``verify_pdf_update``): the file must begin with the stored
    PDF it was prepared on, byte for byte (found by its SHA-256, ``part.base_sha256``), so
    the earlier signatures cover exactly the bytes they covered when that file was stored —
    and it was stored only after the same check, each of its signatures validated in full
    once, when it was new. What was appended must be what the earlier signatures allow (this
    signer's field filled, validation data) and this signature must pass in full: chain,
    trust, timestamp. The whole file is then what ``verify_pdf`` would accept, at the cost of
    one signature (docs/verification.md). Raises PdfNotCompletedError (the value, the
    timestamp, the validation data) or SignedPdfInvalidError (the file does not verify).
    """
    signed = assemble_pdf(part.prepared, value=value, options=options, now=now)
    base = None
    if part.base_sha256 is not None:
        base = _prefix_with_digest(signed, part.base_sha256)
        if base is None:
            raise SignedPdfInvalidError("the file does not begin with the stored signed PDF")
    check = verify_pdf_update(
        signed, base=base, field=part.prepared.field, now=now, trust_roots=options.trust_roots
    )
    _require_verified(check, part)
    return signed


def _prefix_with_digest(data: bytes, sha256: str) -> bytes | None:
    """The start of ``data`` whose SHA-256 is ``sha256``, if there is one.

    A PDF ends with ``%%EOF`` and at most one end-of-line: the stored file, if ``data``
    begins with it, ends at one of those places.
    """
    start = data.find(b"%%EOF")
    while start != -1:
        end = start + len(b"%%EOF")
        for length in (end, end + 1, end + 2):
            if length <= len(data) and hashlib.sha256(data[:length]).hexdigest() == sha256:
                return data[:length]
        start = data.find(b"%%EOF", end)
    return None


def assemble_pdf(
    prepared: PreparedPdfSignature, *, value: bytes, options: PdfSigning, now: datetime
) -> bytes:
    """The prepared signature completed with the signer's ``value``, with the timestamp and
    validation data its level asks for; not verified yet (the caller knows what to require).

    Raises PdfNotCompletedError.
    """
    tsa = options.timestamper(now) if options.timestamper is not None else None
    try:
        return complete_pdf_signature(
            prepared,
            signature_value=value,
            timestamper=tsa if prepared.level.timestamped else None,
            validation_context=(
                options.validation_context(now) if prepared.level is PadesLevel.B_LT else None
            ),
        )
    except PdfSignatureError as error:
        raise PdfNotCompletedError(error) from None


def _require_verified(check: PdfUpdateVerification, part: PdfPart) -> None:
    expected = (*part.signed_before, part.prepared.field)
    if check.errors or check.fields != expected:
        raise SignedPdfInvalidError(
            f"signed fields {', '.join(check.fields) or 'none'} (expected {', '.join(expected)})"
            + (f"; {', '.join(check.errors)}" if check.errors else "")
        )
    # Trust is required too: prepare_signing refuses to sign without trust roots, so a PDF
    # completed without them fails here as untrusted rather than passing on integrity alone.
    newest = check.new
    if newest is None or newest.errors:
        detail = "not checked" if newest is None else ", ".join(newest.errors)
        raise SignedPdfInvalidError(f"{part.prepared.field}: {detail}")
    certificate = x509.load_der_x509_certificate(part.prepared.chain[0])
    if newest.signer is None or newest.signer.serial != format(certificate.serial_number, "x"):
        raise SignedPdfInvalidError(f"{newest.field} is not signed by the session's certificate")


def require_pdf_base(row: Transcript, part: PdfPart) -> None:
    """The stored PDF is still the one the signature was prepared on (TranscriptMovedError)."""
    if part.base_sha256 is not None and row.pdf_sha256 != part.base_sha256:
        raise TranscriptMovedError
