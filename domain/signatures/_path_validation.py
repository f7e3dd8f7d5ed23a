"""pyhanko-certvalidator at the signing time, its errors turned into ETSI outcomes.

Choices (docs/verification.md explains them for operators):

* The validation moment is the signed SigningTime (point-in-time validation). Revocation
  information is fetched now, after the signature, so it is used retroactively
  (``retroactive_revinfo``): a "good" answer today covers the signing time, and a revocation
  dated after the signing time does not condemn an earlier signature by itself.
* Revocation mode ``hard-fail``: a certificate that names an OCSP responder or a CRL must get
  an answer from it (otherwise INDETERMINATE / TRY_LATER); ``require`` when every certificate
  must name one.
* The chain comes from the signature's KeyInfo only: no certificate is fetched from an AIA
  URL, so a hostile certificate cannot make the verifier call an address of its choosing
  before its chain is validated. OCSP and CRL URLs are fetched only for certificates of a path
  to a trust root, within a request budget and per-request timeout, all under one deadline.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from pyhanko_certvalidator import CertificateValidator, ValidationContext
from pyhanko_certvalidator.errors import (
    DisallowedAlgorithmError,
    ExpiredError,
    InsufficientPOEError,
    InsufficientRevinfoError,
    InvalidCertificateError,
    NotYetValidError,
    PathBuildingError,
    PathError,
    PathValidationError,
    RevokedError,
    ValidationError,
)
from pyhanko_certvalidator.fetchers.api import Fetchers
from pyhanko_certvalidator.registry import CertificateRegistry

from domain.signatures._codes import ErrorCode, Finding
from domain.signatures._indications import PASSED, Indication, Outcome, SubIndication
from domain.signatures._revocation import BENIGN_REASONS, Revocation, publishes, revocation_time


@dataclass(frozen=True, slots=True)
class PathOutcome:
    """What path validation found for one signer."""

    chain_trusted: bool
    revocation: Revocation
    outcome: Outcome
    findings: tuple[Finding, ...] = ()


@dataclass(frozen=True, slots=True)
class Job:
    """One signer's chain and the moment to judge it at."""

    signer: x509.Certificate
    intermediates: Sequence[x509.Certificate]
    moment: datetime
    proven: bool = False
    """A timestamp proves the signature existed at ``moment`` (PAdES B-T and up); a signing
    time the signer only claims (XML SigningTime, a PDF's ``/M``) proves nothing."""


@dataclass(frozen=True, slots=True)
class Setup:
    """What every validation of one file shares."""

    roots: list[Any]
    fetchers: Fetchers | None
    mode: str

    def context(self, intermediates: list[Any], moment: datetime) -> ValidationContext:
        return ValidationContext(
            trust_roots=self.roots,
            moment=moment,
            allow_fetching=self.fetchers is not None,
            fetchers=self.fetchers,
            crls=[],
            ocsps=[],
            revocation_mode=self.mode,
            retroactive_revinfo=True,
            certificate_registry=CertificateRegistry.build(intermediates),
        )


def failed(
    sub: SubIndication, code: ErrorCode, detail: str, *, trusted: bool, status: Revocation
) -> PathOutcome:
    indication = (
        Indication.TOTAL_FAILED if sub is SubIndication.REVOKED else Indication.INDETERMINATE
    )
    return PathOutcome(trusted, status, Outcome(indication, sub), (Finding.of(code, detail),))


def unprocessable(error: BaseException) -> PathOutcome:
    return failed(
        SubIndication.CERTIFICATE_CHAIN_GENERAL_FAILURE,
        ErrorCode.CERTIFICATE_UNPROCESSABLE,
        f"{type(error).__name__}: {error}",
        trusted=False,
        status=Revocation.UNKNOWN,
    )


def to_asn1(certificate: x509.Certificate) -> Any:
    """The certificate as asn1crypto (what certvalidator reads)."""
    return asn1_x509.Certificate.load(certificate.public_bytes(Encoding.DER))


async def validate(job: Job, setup: Setup) -> PathOutcome:
    """Validate one signer's path at its moment; never raises on bad input."""
    try:
        signer = to_asn1(job.signer)
        intermediates = [to_asn1(certificate) for certificate in job.intermediates]
        context = setup.context(intermediates, job.moment)
        try:
            await CertificateValidator(signer, intermediates, context).async_validate_path()
        except InsufficientRevinfoError as error:
            if not error.is_ee_cert:
                return _revocation_unknown(error, trusted=True)
            later = await _revoked_later(job, signer, intermediates, context, setup)
            return later or _revocation_unknown(error, trusted=True, signer=signer)
        except (ValidationError, PathError) as error:
            return _from_error(error, signer)
        status = Revocation.GOOD if publishes(signer) else Revocation.NOT_PUBLISHED
        return PathOutcome(True, status, PASSED)
    except Exception as error:  # a hostile certificate must become a finding, never a crash
        return unprocessable(error)


def _from_error(error: ValidationError | PathError, signer: Any) -> PathOutcome:
    message = str(error)
    if isinstance(error, PathBuildingError) or (
        isinstance(error, InvalidCertificateError) and signer.self_signed in {"yes", "maybe"}
    ):
        return failed(
            SubIndication.NO_CERTIFICATE_CHAIN_FOUND,
            ErrorCode.CHAIN_UNTRUSTED,
            message,
            trusted=False,
            status=Revocation.UNKNOWN,
        )
    if isinstance(error, RevokedError):
        if error.is_ee_cert:
            return failed(
                SubIndication.REVOKED,
                ErrorCode.CERTIFICATE_REVOKED,
                message,
                trusted=True,
                status=Revocation.REVOKED,
            )
        return failed(
            SubIndication.REVOKED_CA_NO_POE,
            ErrorCode.CA_CERTIFICATE_REVOKED,
            message,
            trusted=True,
            status=Revocation.UNKNOWN,
        )
    if isinstance(error, ExpiredError | NotYetValidError) and error.is_ee_cert:
        # The period is judged (and reported) from the certificate itself by the caller.
        return PathOutcome(True, Revocation.UNKNOWN, PASSED)
    if isinstance(error, InsufficientPOEError):
        return failed(
            SubIndication.NO_POE,
            ErrorCode.CHAIN_INVALID,
            message,
            trusted=True,
            status=Revocation.UNKNOWN,
        )
    if isinstance(error, DisallowedAlgorithmError):
        return failed(
            SubIndication.CRYPTO_CONSTRAINTS_FAILURE_NO_POE,
            ErrorCode.WEAK_CERTIFICATE_ALGORITHM,
            message,
            trusted=False,
            status=Revocation.UNKNOWN,
        )
    sub = (
        SubIndication.CERTIFICATE_CHAIN_GENERAL_FAILURE
        if isinstance(error, PathValidationError)
        else SubIndication.CHAIN_CONSTRAINTS_FAILURE
    )
    return failed(sub, ErrorCode.CHAIN_INVALID, message, trusted=False, status=Revocation.UNKNOWN)


def _revocation_unknown(
    error: InsufficientRevinfoError, *, trusted: bool, signer: Any = None
) -> PathOutcome:
    if signer is not None and not publishes(signer):
        code = ErrorCode.REVOCATION_NOT_PUBLISHED
        return failed(
            SubIndication.TRY_LATER,
            code,
            str(error),
            trusted=trusted,
            status=Revocation.NOT_PUBLISHED,
        )
    return failed(
        SubIndication.TRY_LATER,
        ErrorCode.REVOCATION_UNKNOWN,
        str(error),
        trusted=trusted,
        status=Revocation.UNKNOWN,
    )


async def _revoked_later(
    job: Job, signer: Any, intermediates: list[Any], context: ValidationContext, setup: Setup
) -> PathOutcome | None:
    """A revocation dated after the signing time, authenticated, and judged by its reason.

    Only a signing time a timestamp proves (``job.proven``) lets a signature stand before a
    revocation, and only for a reason that says nothing against the key: anyone holding the
    key after the revocation could have claimed an earlier SigningTime, whatever the
    reason. A key compromise puts even a proven time in doubt (the compromise may precede
    the revocation date). Otherwise: INDETERMINATE / REVOKED_NO_POE.

    certvalidator reports a certificate revoked after the validation moment as "no usable
    revocation information". The fetched answers tell when; validating again at that instant
    makes certvalidator authenticate the answer and hand over the reason.
    """
    revoked_at = revocation_time(context.ocsps, context.crls, signer)
    if revoked_at is None or revoked_at <= job.moment:
        return None
    again = setup.context(intermediates, revoked_at)
    try:
        await CertificateValidator(signer, intermediates, again).async_validate_path()
    except RevokedError as error:
        if not error.is_ee_cert:
            return None
        reason = str(error.reason.native or "unspecified")
    except ValidationError:
        return None
    else:
        return None
    if reason in BENIGN_REASONS and job.proven:
        return PathOutcome(True, Revocation.GOOD, PASSED)
    why = "a compromise may precede" if job.proven else "which no timestamp proves"
    detail = (
        f"revoked {revoked_at.isoformat()} ({reason}), after the signing time "
        f"{job.moment.isoformat()}, {why}"
    )
    return failed(
        SubIndication.REVOKED_NO_POE,
        ErrorCode.CERTIFICATE_REVOKED_AFTER_SIGNING,
        detail,
        trusted=True,
        status=Revocation.REVOKED,
    )
