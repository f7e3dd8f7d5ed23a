"""Verify a transcript file, whatever it is, into a :class:`VerificationReport`.

The format is sniffed (XML, PDF, neither). XML: ``domain.documents.verify_xml`` (steps 1-4 and
6), then each signer's certificate at its SigningTime (step 5), all certificates concurrently
under one deadline. PDF: PAdES integrity with pyHanko (``_pades_verify``), then the same
certificate checks at each signature's time. Unusable input is a report (format
``unknown``, TOTAL_FAILED), never an exception.
"""

from __future__ import annotations

import asyncio
import codecs
import time
from datetime import datetime
from functools import partial

from domain.documents import (
    MAX_DOCUMENT_BYTES,
    ProblemCode,
    SlotVerification,
    XmlVerification,
    verify_xml,
)
from domain.signatures._codes import ErrorCode, Finding, require_aware
from domain.signatures._fields import required_fields
from domain.signatures._indications import Indication, Outcome, SubIndication, worst
from domain.signatures._pades_verify import (
    CERTIFICATE_REVOKED,
    CERTIFICATE_UNTRUSTED,
    DIGEST_MISMATCH,
    MAX_PDF_BYTES,
    PDF_UNPARSEABLE,
    SIGNATURE_INVALID,
    TIMED_OUT,
    TIMESTAMP_INVALID,
    PdfSignatureCheck,
    verify_pdf,
)
from domain.signatures._report import (
    ReportFormat,
    SignatureReport,
    SignerInfo,
    TranscriptSummary,
    VerificationReport,
    mask_personal_id,
    mask_subject,
    role_of,
)
from domain.signatures._running import run_blocking
from domain.signatures._trust import (
    CertificateCheck,
    SignerCertificate,
    TrustSettings,
    check_batch,
)

# The certificate checks get what the XML side left of TrustSettings.deadline, at least this.
_MIN_TRUST_TIME = 0.1
# Waiting for pyHanko's analysis (bounded in CPU time by the deadline) stops at this many
# deadlines of wall time.
_PDF_WAIT_FACTOR = 10


_PDF_MAGIC = b"%PDF-"
_PDF_HEADER_WINDOW = 1024  # PDF readers accept the header anywhere in the first kilobyte
_XML_STARTS = (
    codecs.BOM_UTF32_LE,
    codecs.BOM_UTF32_BE,
    codecs.BOM_UTF16_LE,
    codecs.BOM_UTF16_BE,
    b"\x00<",
    b"<\x00",
)

_FORMAT = Outcome(Indication.TOTAL_FAILED, SubIndication.FORMAT_FAILURE)
# How each finding of the XML side bears on its signature (ETSI EN 319 102-1 words).
_PROBLEM_OUTCOMES = {
    ProblemCode.DIGEST_MISMATCH: Outcome(Indication.TOTAL_FAILED, SubIndication.HASH_FAILURE),
    ProblemCode.SIGNATURE_VALUE_INVALID: Outcome(
        Indication.TOTAL_FAILED, SubIndication.SIG_CRYPTO_FAILURE
    ),
    ProblemCode.SIGNING_TIME_ORDER: Outcome(
        Indication.INDETERMINATE, SubIndication.SIG_CONSTRAINTS_FAILURE
    ),
}
# pyHanko's findings on a PDF signature, in the same words; trust is the trust layer's.
_PDF_OUTCOMES = {
    DIGEST_MISMATCH: Outcome(Indication.TOTAL_FAILED, SubIndication.HASH_FAILURE),
    SIGNATURE_INVALID: Outcome(Indication.TOTAL_FAILED, SubIndication.SIG_CRYPTO_FAILURE),
    TIMESTAMP_INVALID: Outcome(Indication.INDETERMINATE, SubIndication.GENERIC),
}
_PDF_TRUST_CODES = frozenset({CERTIFICATE_REVOKED, CERTIFICATE_UNTRUSTED})
_NO_CERTIFICATE_PROBLEMS = frozenset({ProblemCode.KEY_INFO, ProblemCode.CERTIFICATE_UNREADABLE})
_COVERS_ALL_DATA = frozenset({"GVCN", "HieuTruong", "DonVi"})


def verify_transcript_file(
    data: bytes, *, trust: TrustSettings, now: datetime
) -> VerificationReport:
    """Verify a transcript file (synchronous; safe in any thread, with or without a loop).

    ``now`` (timezone-aware) only decides ``expired_now``; every certificate is judged at its
    signature's SigningTime. Raises VerificationSetupError for a naive ``now``, nothing else.
    """
    require_aware("now", now)
    return run_blocking(lambda: _verify_any(data, trust=trust, now=now))


async def async_verify_transcript_file(
    data: bytes, *, trust: TrustSettings, now: datetime
) -> VerificationReport:
    """:func:`verify_transcript_file` for a coroutine: the work runs in a thread, the caller's
    loop stays free (the XML side is CPU work, the certificate checks have their own loop)."""
    return await asyncio.to_thread(partial(verify_transcript_file, data, trust=trust, now=now))


async def _verify_any(data: bytes, *, trust: TrustSettings, now: datetime) -> VerificationReport:
    if not isinstance(data, bytes) or not data.strip():
        return _unusable(ErrorCode.EMPTY_INPUT, "the file is empty")
    if _PDF_MAGIC in data[:_PDF_HEADER_WINDOW]:
        if len(data) > MAX_PDF_BYTES:
            return _too_large(len(data), MAX_PDF_BYTES)
        return await _verify_pdf(data, trust=trust, now=now)
    if _looks_like_xml(data):
        if len(data) > MAX_DOCUMENT_BYTES:
            return _too_large(len(data), MAX_DOCUMENT_BYTES)
        return await _verify_xml(data, trust=trust, now=now)
    return _unusable(ErrorCode.NOT_A_TRANSCRIPT, "the file is neither XML nor PDF")


def _looks_like_xml(data: bytes) -> bool:
    if data.startswith(_XML_STARTS):  # the XML side refuses these encodings by name
        return True
    return data.removeprefix(codecs.BOM_UTF8).lstrip().startswith(b"<")


def _unusable(code: ErrorCode, detail: str) -> VerificationReport:
    return VerificationReport.build(
        format=ReportFormat.UNKNOWN, schema_valid=False, errors=(Finding.of(code, detail),)
    )


def _too_large(size: int, limit: int) -> VerificationReport:
    detail = f"the file is {size} bytes, the limit is {limit}"
    return _unusable(ErrorCode.INPUT_TOO_LARGE, detail)


async def _verify_pdf(data: bytes, *, trust: TrustSettings, now: datetime) -> VerificationReport:
    """PAdES: integrity from pyHanko (digest, value, coverage, what changed after each
    signature), then each signer's certificate through the same trust layer as the XML, at its
    signing time (the timestamp's when there is one, else the signed ``/M``)."""
    started = time.perf_counter()
    # pyHanko judges trust at "now" without fetching; the report's trust verdict is the trust
    # layer's (at the signing time, with revocation), so pyHanko's own trust words are dropped.
    # pyHanko's analysis may spend the file's deadline in CPU time (it checks at every object
    # it reads): what a hostile file costs the server is bounded, while a verification that
    # waits for a core on a busy machine is not cut short. Waiting is capped in wall time
    # too, far later, against an analysis blocked for good.
    analysis = asyncio.to_thread(
        partial(
            verify_pdf,
            data,
            now=now,
            trust_roots=trust.trust_roots,
            allow_fetching=False,
            deadline=trust.deadline,
        )
    )
    try:
        pdf = await asyncio.wait_for(analysis, timeout=trust.deadline * _PDF_WAIT_FACTOR)
    except TimeoutError:
        return _timed_out()
    if TIMED_OUT in pdf.errors:
        return _timed_out()
    if pdf.errors:
        details = {PDF_UNPARSEABLE: "pyHanko cannot read the file"}
        errors = [Finding(code, details.get(code, code)) for code in pdf.errors]
        return VerificationReport.build(format=ReportFormat.PDF, schema_valid=None, errors=errors)
    checkable = [s for s in pdf.signatures if s.certificates and _pdf_time(s) is not None]
    requests = [
        SignerCertificate(
            s.certificates,
            moment,
            organisation=s.field == "DonVi",
            # Only a valid timestamp proves when the signature existed; /M is a claim.
            time_proven=s.timestamp_time is not None and s.timestamp_valid is True,
        )
        for s in checkable
        if (moment := _pdf_time(s)) is not None
    ]
    left = max(_MIN_TRUST_TIME, trust.deadline - (time.perf_counter() - started))
    checks = await check_batch(requests, now=now, trust=trust, deadline=left)
    by_field = {s.field: check for s, check in zip(checkable, checks, strict=True)}
    signatures = [_pdf_signature(s, by_field.get(s.field)) for s in pdf.signatures]
    # Every field the kind requires must be signed, whether the file has it or not; the kind
    # is the one the signed original revision names (unknown: every field).
    signed = {s.field for s in pdf.signatures}
    missing = [f for f in required_fields(pdf.kind) if f not in signed]
    return VerificationReport.build(
        format=ReportFormat.PDF,
        schema_valid=None,
        signatures=signatures,
        missing_signatures=missing,
        errors=[Finding(ProblemCode.SIGNATURE_MISSING.value, field) for field in missing],
    )


def _timed_out() -> VerificationReport:
    """A PDF whose analysis did not finish in time: not judged, so INDETERMINATE."""
    return VerificationReport(
        indication=Indication.INDETERMINATE,
        format=ReportFormat.PDF,
        schema_valid=None,
        transcript=None,
        signatures=(),
        missing_signatures=(),
        errors=(
            Finding.of(
                ErrorCode.VALIDATION_TIMED_OUT,
                "the PDF's analysis did not finish in the time allowed",
            ),
        ),
    )


def _pdf_time(check: PdfSignatureCheck) -> datetime | None:
    return check.timestamp_time or check.signing_time


def _pdf_signature(check: PdfSignatureCheck, trusted: CertificateCheck | None) -> SignatureReport:
    integrity_errors = [code for code in check.errors if code not in _PDF_TRUST_CODES]
    outcomes = [_PDF_OUTCOMES.get(code, _FORMAT) for code in integrity_errors]
    findings = [Finding(code, check.field) for code in integrity_errors]
    if trusted is not None:
        outcomes.append(trusted.outcome)
        findings.extend(trusted.errors)
    else:
        outcomes.append(
            Outcome(Indication.INDETERMINATE, SubIndication.NO_SIGNING_CERTIFICATE_FOUND)
        )
        findings.append(Finding.of(ErrorCode.SIGNING_CERTIFICATE_MISSING, check.field))
    verdict = worst(outcomes)
    signer = None
    if check.signer is not None:
        signer = SignerInfo(
            common_name=check.signer.common_name or None,
            subject=mask_subject(check.signer.subject),
            serial=check.signer.serial,
            issuer=check.signer.issuer,
        )
    return SignatureReport(
        slot=check.field,
        role=role_of(check.field),
        signer=signer,
        signing_time=_pdf_time(check),
        indication=verdict.indication,
        sub_indication=verdict.sub_indication,
        integrity=not integrity_errors,
        certificate=trusted,
        errors=tuple(findings),
    )


async def _verify_xml(data: bytes, *, trust: TrustSettings, now: datetime) -> VerificationReport:
    started = time.perf_counter()
    try:
        xml = verify_xml(data)
    except Exception as error:  # verify_xml promises not to raise; a report must exist anyway
        return VerificationReport.build(
            format=ReportFormat.XML,
            schema_valid=False,
            errors=(Finding.of(ErrorCode.UNPROCESSABLE_INPUT, repr(error)),),
        )
    checkable = [s for s in xml.signatures if s.certificates and s.signing_time is not None]
    # The seal must be the school's the document names; TTChung is covered by every
    # signature, so a changed MaTruong fails the signatures before it could mislead here.
    school = xml.document.header.school_code if xml.document is not None else None
    requests = [
        SignerCertificate(
            s.certificates,
            s.signing_time,
            organisation=s.slot == "DonVi",
            school_code=school if s.slot == "DonVi" else None,
        )
        for s in checkable
        if s.signing_time is not None
    ]
    left = max(_MIN_TRUST_TIME, trust.deadline - (time.perf_counter() - started))
    checks = await check_batch(requests, now=now, trust=trust, deadline=left)
    by_slot = {s.slot: check for s, check in zip(checkable, checks, strict=True)}
    signatures = [_signature(s, by_slot.get(s.slot)) for s in xml.signatures]
    missing = [Finding(ProblemCode.SIGNATURE_MISSING.value, slot) for slot in xml.missing_slots]
    return VerificationReport.build(
        format=ReportFormat.XML,
        schema_valid=xml.schema_valid,
        transcript=_summary(xml),
        signatures=signatures,
        missing_signatures=xml.missing_slots,
        errors=[*(Finding.from_problem(p) for p in xml.errors), *missing],
    )


def _signature(slot: SlotVerification, check: CertificateCheck | None) -> SignatureReport:
    findings = [Finding.from_problem(problem) for problem in slot.errors]
    outcomes = [_PROBLEM_OUTCOMES.get(problem.code, _FORMAT) for problem in slot.errors]
    if check is not None:
        outcomes.append(check.outcome)
        findings.extend(check.errors)
    elif not slot.certificates:
        outcomes.append(
            Outcome(Indication.INDETERMINATE, SubIndication.NO_SIGNING_CERTIFICATE_FOUND)
        )
        if not any(problem.code in _NO_CERTIFICATE_PROBLEMS for problem in slot.errors):
            findings.append(Finding.of(ErrorCode.SIGNING_CERTIFICATE_MISSING, slot.slot))
    else:
        outcomes.append(Outcome(Indication.INDETERMINATE, SubIndication.GENERIC))
        if not any(problem.code is ProblemCode.SIGNING_TIME_INVALID for problem in slot.errors):
            findings.append(Finding.of(ErrorCode.SIGNING_TIME_MISSING, slot.slot))
    verdict = worst(outcomes)
    signer = None
    if slot.signer_subject is not None and slot.serial is not None:
        signer = SignerInfo(
            common_name=slot.signer_common_name,
            subject=mask_subject(slot.signer_subject),
            serial=format(slot.serial, "x"),
            issuer=slot.issuer or "",
        )
    return SignatureReport(
        slot=slot.slot,
        role=role_of(slot.slot),
        signer=signer,
        signing_time=slot.signing_time,
        indication=verdict.indication,
        sub_indication=verdict.sub_indication,
        integrity=slot.integrity,
        certificate=check,
        errors=tuple(findings),
    )


def _summary(xml: XmlVerification) -> TranscriptSummary | None:
    """The transcript's identity, only from data a good signature covers (step 7).

    Every signature covers TTChung; HocSinh (the student's name and ID) only those of GVCN,
    HieuTruong and DonVi, which cover all of DLHocBa.
    """
    document = xml.document
    if document is None or not xml.intact:
        return None
    if not any(s.ok and s.slot in _COVERS_ALL_DATA for s in xml.signatures):
        return None
    header, student = document.header, document.student
    return TranscriptSummary(
        id=header.transcript_id,
        version=header.version,
        kind=header.kind.value,
        school_year=header.school_year,
        school=header.school_name,
        student_name=student.full_name,
        personal_id_masked=mask_personal_id(student.personal_id),
    )
