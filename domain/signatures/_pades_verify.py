"""Verification of the PDF transcript's signatures: one plain entry per signature field.

pyHanko does the work (integrity, CMS signature, chain, timestamp, coverage and the
incremental-update analysis); this module reads untrusted bytes defensively (size cap,
pyHanko's decode limits tightened, every failure turned into an English error code, never
an exception) and applies the profile's rule on changes after signing: only further
signatures and validation data may follow a signature (modification level NONE,
LTA_UPDATES or FORM_FILLING).

pyHanko's analysis of a hostile file could take minutes (its difference analysis walks every
object of every later revision). Two bounds keep it inside a verifier's second: hard caps
checked before pyHanko analyses anything (size, revisions, signatures, and objects — what
the file declares, then what its cross-reference sections list), and a deadline pyHanko
meets at every object it reads (the reader is ours), after which the file is reported as
timed out, never as judged. A replaced page, an added annotation, a ``/ByteRange`` with
a gap each fail the signature they follow. Trust policy and the JSON report are built on top
of this value elsewhere.
"""

from __future__ import annotations

import io
import re
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Final

from cryptography import x509
from pyhanko.pdf_utils.decode_limits import DecodeLimits, DocumentDecodeBudget, StreamDecodeLimits
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.fields import SigSeedSubFilter, enumerate_sig_fields
from pyhanko.sign.validation import (
    EmbeddedPdfSignature,
    PdfSignatureStatus,
    SignatureCoverageLevel,
    async_validate_pdf_signature,
)
from pyhanko_certvalidator import ValidationContext

from domain.signatures._fields import FIELD_NAMES, KIND_INFO_KEY
from domain.signatures._pades_common import run_sync, to_asn1

MAX_PDF_BYTES: Final = 8 * 1024 * 1024
"""The largest PDF the verifier reads (a signed transcript is ~120 kB)."""

MAX_SIGNATURES: Final = 8
"""More filled signature fields than this and the file is refused unverified (three are
expected; each costs a modification analysis, and a verifier must answer within a second)."""
MAX_REVISIONS: Final = 32
"""More incremental updates than this and the file is refused unverified."""
MAX_OBJECTS: Final = 4096
"""More objects than this (declared by a cross-reference ``/Size`` or ``/Index``, or listed
over all revisions) and the file is refused unverified: a signed transcript has under a
hundred; each one costs the difference analysis time."""

_SIZE: Final = re.compile(rb"/Size\s+(\d{1,15})")
_INDEX: Final = re.compile(rb"/Index\s*\[([\d\s]{0,4096})\]")

_MiB: Final = 1024 * 1024
_LIMITS: Final = DecodeLimits(
    per_stream=StreamDecodeLimits(max_output_size=16 * _MiB),
    document_budget=DocumentDecodeBudget(base_allowance=64 * _MiB, max_ratio=20),
)
_ALLOWED_AFTER_SIGNING: Final = frozenset(
    {ModificationLevel.NONE, ModificationLevel.LTA_UPDATES, ModificationLevel.FORM_FILLING}
)

# Error codes (English, stable: the JSON report carries them).
PDF_TOO_LARGE: Final = "pdf_too_large"
PDF_UNPARSEABLE: Final = "pdf_unparseable"
TOO_MANY_SIGNATURES: Final = "too_many_signatures"
TOO_MANY_REVISIONS: Final = "too_many_revisions"
TOO_MANY_OBJECTS: Final = "too_many_objects"
TIMED_OUT: Final = "validation_timed_out"
DUPLICATE_FIELD: Final = "duplicate_field"
UNEXPECTED_FIELD: Final = "unexpected_field"
NOT_A_SIGNATURE: Final = "not_a_signature"
SUBFILTER_NOT_ALLOWED: Final = "subfilter_not_allowed"
SIGNATURE_UNPARSEABLE: Final = "signature_unparseable"
SIGNATURE_UNVERIFIABLE: Final = "signature_unverifiable"
DIGEST_MISMATCH: Final = "digest_mismatch"
SIGNATURE_INVALID: Final = "signature_invalid"
BYTE_RANGE_INCOMPLETE: Final = "byte_range_incomplete"
MODIFIED_AFTER_SIGNING: Final = "modified_after_signing"
CERTIFICATE_REVOKED: Final = "certificate_revoked"
CERTIFICATE_UNTRUSTED: Final = "certificate_untrusted"
TIMESTAMP_INVALID: Final = "timestamp_invalid"

ValidationContextFactory = Callable[[], ValidationContext]
"""Makes a fresh pyHanko validation context (they cache revocation data per use)."""


@dataclass(frozen=True, slots=True)
class PdfSignerIdentity:
    """Who the signer's certificate names."""

    subject: str
    """RFC 4514 distinguished name."""
    common_name: str
    """The CN (a person's or the school's name); empty if the certificate has none."""
    serial: str
    """Serial number, hexadecimal."""
    issuer: str
    """The issuer's RFC 4514 distinguished name."""
    not_before: datetime
    """Start of the certificate's validity (UTC)."""
    not_after: datetime
    """End of the certificate's validity (UTC)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class PdfSignatureCheck:
    """What verification found for one filled signature field."""

    field: str
    """The field's name (``GVCN``, ``HieuTruong``, ``DonVi``, or whatever a file says)."""
    intact: bool
    """The ``/ByteRange`` digest matches the signed message digest."""
    valid: bool
    """The CMS signature value verifies with the signer's key."""
    trusted: bool
    """The signer's certificate chains to a trust root (pyHanko's judgement)."""
    revoked: bool
    """The signer's certificate (or its chain) is revoked."""
    coverage: str | None
    """pyHanko's coverage level: ``ENTIRE_FILE``, ``ENTIRE_REVISION``,
    ``CONTIGUOUS_BLOCK_FROM_START`` or ``UNCLEAR``."""
    modification_level: str | None
    """What changed after this signature: ``NONE``, ``LTA_UPDATES``, ``FORM_FILLING``,
    ``ANNOTATIONS`` or ``OTHER``."""
    docmdp_ok: bool | None
    """The changes respect the DocMDP / field-lock policy in force."""
    bottom_line: bool
    """pyHanko's overall judgement (intact, valid, trusted, timestamp, DocMDP)."""
    signer: PdfSignerIdentity | None
    """The signer's certificate, when the CMS could be read."""
    signing_time: datetime | None
    """The time the signer claims: the signature dictionary's ``/M``, covered by the
    signature (PAdES forbids the CMS signing-time attribute)."""
    timestamp_time: datetime | None
    """The signature timestamp's time (B-T and up), None without one."""
    timestamp_valid: bool | None
    """The timestamp token is intact, valid and trusted; None without one."""
    errors: tuple[str, ...]
    """Why this signature fails, as English codes; empty when it passes."""
    certificates: tuple[x509.Certificate, ...] = ()
    """The signer's certificate first, then the others the CMS carries (for the trust layer)."""

    @property
    def ok(self) -> bool:
        """No error: intact, valid, trusted, fully covering, nothing unexplained after it."""
        return not self.errors


@dataclass(frozen=True, slots=True)
class PdfVerification:
    """Every signature of a PDF, and what is wrong with the file as a whole."""

    signatures: tuple[PdfSignatureCheck, ...]
    """One entry per filled signature field, in signing order."""
    unsigned_fields: tuple[str, ...]
    """Signature fields that are still empty."""
    errors: tuple[str, ...]
    """File-level errors (``pdf_unparseable``, ``pdf_too_large``, ``too_many_signatures``,
    ``too_many_revisions``, ``too_many_objects``, ``duplicate_field``, and
    ``validation_timed_out`` when the deadline passed before every signature was judged)."""
    kind: str | None = None
    """The transcript kind (``LoaiHocBa``) the original revision's document information
    names, as written; None when it names none. Every signature covers that revision."""

    @property
    def valid(self) -> bool:
        """At least one signature, every one ok, and no file-level error."""
        return bool(self.signatures) and not self.errors and all(s.ok for s in self.signatures)

    def signature(self, field: str) -> PdfSignatureCheck | None:
        """The entry for ``field``, if it is signed."""
        return next((s for s in self.signatures if s.field == field), None)


def verify_pdf(
    data: bytes,
    *,
    now: datetime,
    trust_roots: Sequence[x509.Certificate] = (),
    allow_fetching: bool = False,
    validation_context_factory: ValidationContextFactory | None = None,
    max_bytes: int = MAX_PDF_BYTES,
    deadline: float | None = None,
) -> PdfVerification:
    """Check every signature of ``data``; never raises for a bad file.

    Trust comes from ``validation_context_factory`` when given, otherwise from
    ``trust_roots`` (no roots: nothing is trusted; the host's trust store is never used),
    at the instant ``now``, fetching OCSP/CRL only when ``allow_fetching``. ``deadline``:
    seconds of CPU time pyHanko's analysis may spend on the file; past it the result is only
    the file-level error ``validation_timed_out``.
    """
    if len(data) > max_bytes:
        return PdfVerification((), (), (PDF_TOO_LARGE,))
    if _declared_objects(data) > MAX_OBJECTS:
        return PdfVerification((), (), (TOO_MANY_OBJECTS,))
    try:
        reader = _Reader(io.BytesIO(data), deadline)
        revisions = int(reader.xrefs.total_revisions)
        if revisions > MAX_REVISIONS:
            return PdfVerification((), (), (TOO_MANY_REVISIONS,))
        listed = sum(len(list(reader.xrefs.explicit_refs_in_revision(r))) for r in range(revisions))
        if listed > MAX_OBJECTS:
            return PdfVerification((), (), (TOO_MANY_OBJECTS,))
        filled = list(enumerate_sig_fields(reader, filled_status=True))
        empty = tuple(name for name, _v, _r in enumerate_sig_fields(reader, filled_status=False))
    except _DeadlinePassedError:
        return PdfVerification((), (), (TIMED_OUT,))
    except Exception:  # hostile bytes make pyHanko's reader raise nearly anything
        return PdfVerification((), (), (PDF_UNPARSEABLE,))
    if len(filled) > MAX_SIGNATURES:
        return PdfVerification((), empty, (TOO_MANY_SIGNATURES,))

    def context() -> ValidationContext:
        if validation_context_factory is not None:
            return validation_context_factory()
        return ValidationContext(
            trust_roots=[to_asn1(root) for root in trust_roots],
            moment=now,
            allow_fetching=allow_fetching,
        )

    checks = []
    try:
        for name, _v, field_ref in filled:
            checks.append(_check(reader, name, field_ref, context))
    except _DeadlinePassedError:
        return PdfVerification((), empty, (TIMED_OUT,))
    # Past the deadline nothing pyHanko concluded is reported, whatever it concluded.
    if reader.out_of_time():
        return PdfVerification((), empty, (TIMED_OUT,))
    checks.sort(key=lambda c: c[0])
    signatures = tuple(check for _revision, check in checks)
    names = [s.field for s in signatures]
    errors = (DUPLICATE_FIELD,) if len(set(names)) != len(names) else ()
    return PdfVerification(signatures, empty, errors, kind=_original_kind(reader))


def _original_kind(reader: PdfFileReader) -> str | None:
    """``/loaihocba`` (the kind) of the document information as the first revision wrote it.

    Read from revision 0, never from the file's latest trailer: every signature covers the
    original revision, so whatever it says was signed; an update after a signature could
    say anything.
    """
    try:
        original = reader.get_historical_resolver(0)
        info = original.trailer_view.raw_get("/Info")
        # Resolved through the historical resolver: the object as revision 0 wrote it.
        value = original.get_object(info.reference).get(f"/{KIND_INFO_KEY}")
    except Exception:  # hostile bytes make pyHanko's reader raise nearly anything
        return None
    return str(value)[:32] if value is not None else None


class _DeadlinePassedError(BaseException):
    """The verification's deadline passed while pyHanko was reading the file.

    A BaseException, as asyncio's cancellation is: pyHanko's analysis catches Exception in
    places (and logs it) and would carry on with the next object or conclude something.
    """


class _Reader(PdfFileReader):
    """pyHanko's strict reader with the profile's decode limits and a budget: every object
    pyHanko reads, however deep in its analysis, first checks it.

    The budget is CPU time (each thread's own, summed: pyHanko's coroutines may run in a
    helper thread), the resource a hostile file spends; waiting for a core on a busy
    machine costs none of it.
    """

    def __init__(self, stream: io.BytesIO, budget: float | None) -> None:
        self._budget = budget
        self._spent = 0.0
        self._last: dict[int, float] = {threading.get_ident(): time.thread_time()}
        super().__init__(stream, strict=True, decode_limits=_LIMITS)

    def out_of_time(self) -> bool:
        if self._budget is None:
            return False
        thread, now = threading.get_ident(), time.thread_time()
        self._spent += now - self._last.get(thread, now)
        self._last[thread] = now
        return self._spent > self._budget

    def get_object(self, *args: Any, **kwargs: Any) -> Any:
        if self.out_of_time():
            raise _DeadlinePassedError
        return super().get_object(*args, **kwargs)  # type: ignore[no-untyped-call]


def _declared_objects(data: bytes) -> int:
    """The most objects any cross-reference section of ``data`` declares (``/Size``, or the
    counts of an xref stream's ``/Index``): read before pyHanko parses a single section."""
    declared = max((int(size) for size in _SIZE.findall(data)), default=0)
    for index in _INDEX.findall(data):
        numbers = [int(n) for n in index.split()]
        declared = max(declared, sum(numbers[1::2]))
    return declared


def _check(
    reader: PdfFileReader,
    name: str,
    field_ref: Any,
    context: Callable[[], ValidationContext],
) -> tuple[int, PdfSignatureCheck]:
    try:
        embedded = EmbeddedPdfSignature(reader, field_ref, name)
        revision = int(embedded.signed_revision)
    except Exception:  # a damaged signature dictionary or CMS blob
        return 1 << 30, _failed(name, None, SIGNATURE_UNPARSEABLE)
    signer = _identity(embedded)
    certificates = _certificates(embedded)
    if embedded.sig_object_type != "/Sig":
        return revision, _failed(name, signer, NOT_A_SIGNATURE)
    if embedded.sig_object.get("/SubFilter") != SigSeedSubFilter.PADES.value:
        return revision, _failed(name, signer, SUBFILTER_NOT_ALLOWED)
    try:
        status = run_sync(async_validate_pdf_signature(embedded, context()))
    except Exception:  # certvalidator and the diff analysis raise their own types
        return revision, _failed(name, signer, SIGNATURE_UNVERIFIABLE)
    return revision, replace(_entry(name, signer, status), certificates=certificates)


def _entry(
    name: str, signer: PdfSignerIdentity | None, status: PdfSignatureStatus
) -> PdfSignatureCheck:
    level = status.modification_level
    timestamp = status.timestamp_validity
    timestamp_valid = (
        None
        if timestamp is None
        else bool(timestamp.intact and timestamp.valid and timestamp.trusted)
    )
    errors = []
    if name not in FIELD_NAMES:
        errors.append(UNEXPECTED_FIELD)
    if not status.intact:
        errors.append(DIGEST_MISMATCH)
    if not status.valid:
        errors.append(SIGNATURE_INVALID)
    if status.coverage is None or status.coverage < SignatureCoverageLevel.ENTIRE_REVISION:
        errors.append(BYTE_RANGE_INCOMPLETE)
    elif level not in _ALLOWED_AFTER_SIGNING or status.docmdp_ok is False:
        errors.append(MODIFIED_AFTER_SIGNING)
    if status.revoked:
        errors.append(CERTIFICATE_REVOKED)
    elif not status.trusted:
        errors.append(CERTIFICATE_UNTRUSTED)
    if timestamp_valid is False:
        errors.append(TIMESTAMP_INVALID)
    return PdfSignatureCheck(
        field=name,
        intact=bool(status.intact),
        valid=bool(status.valid),
        trusted=bool(status.trusted),
        revoked=bool(status.revoked),
        coverage=status.coverage.name if status.coverage is not None else None,
        modification_level=level.name if level is not None else None,
        docmdp_ok=status.docmdp_ok,
        bottom_line=bool(status.bottom_line),
        signer=signer,
        signing_time=status.signer_reported_dt,
        timestamp_time=timestamp.timestamp if timestamp is not None else None,
        timestamp_valid=timestamp_valid,
        errors=tuple(errors),
    )


def _failed(name: str, signer: PdfSignerIdentity | None, error: str) -> PdfSignatureCheck:
    return PdfSignatureCheck(
        field=name,
        intact=False,
        valid=False,
        trusted=False,
        revoked=False,
        coverage=None,
        modification_level=None,
        docmdp_ok=None,
        bottom_line=False,
        signer=signer,
        signing_time=None,
        timestamp_time=None,
        timestamp_valid=None,
        errors=(error,),
    )


def _certificates(embedded: EmbeddedPdfSignature) -> tuple[x509.Certificate, ...]:
    try:
        signer = embedded.signer_cert
        others = [c for c in embedded.other_embedded_certs if c.dump() != signer.dump()]
        return tuple(x509.load_der_x509_certificate(c.dump()) for c in [signer, *others])
    except Exception:  # no signer certificate, or one cryptography refuses
        return ()


def _identity(embedded: EmbeddedPdfSignature) -> PdfSignerIdentity | None:
    try:
        certificate = x509.load_der_x509_certificate(embedded.signer_cert.dump())
        names = certificate.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
        common_name = str(names[0].value) if names else ""
        return PdfSignerIdentity(
            subject=certificate.subject.rfc4514_string(),
            common_name=common_name,
            serial=format(certificate.serial_number, "x"),
            issuer=certificate.issuer.rfc4514_string(),
            not_before=certificate.not_valid_before_utc,
            not_after=certificate.not_valid_after_utc,
        )
    except Exception:  # no signer certificate, or one cryptography refuses
        return None
