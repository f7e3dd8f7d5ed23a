"""Step 5 of verification: is the signer's certificate trusted, valid and unrevoked at signing time.

Path validation and revocation (OCSP, CRL) are pyhanko-certvalidator's, at the signed
SigningTime (transcript-format.md, step 5); key usage and the organisation certificate of the
DonVi slot are checked here. The outcome is a :class:`CertificateCheck` in ETSI EN 319 102-1
words. Nothing here raises on a hostile certificate, and nothing takes longer than
:attr:`TrustSettings.deadline`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial

from cryptography import x509

from domain.model import DomainError
from domain.signatures._batch import validate_paths
from domain.signatures._codes import ErrorCode, Finding, VerificationSetupError, require_aware
from domain.signatures._constraints import certificate_kind, key_usage, organisation_of_school
from domain.signatures._indications import (
    Indication,
    Outcome,
    SubIndication,
    worst,
)
from domain.signatures._path_validation import PathOutcome
from domain.signatures._revocation import Revocation
from domain.signatures._running import run_blocking


class TrustRootsError(DomainError):
    """A trust-root bundle that cannot be used (not PEM, no certificate, not a CA)."""

    code = "trust_roots_unusable"

    def __init__(self, why: str) -> None:
        self.why = why
        super().__init__(f"trust roots unusable: {why}")


def load_trust_roots(pem: bytes) -> tuple[x509.Certificate, ...]:
    """The certificates of a PEM bundle, each a CA certificate; raises TrustRootsError."""
    try:
        roots = tuple(x509.load_pem_x509_certificates(pem))
    except ValueError as error:
        raise TrustRootsError(f"not a PEM certificate bundle ({error})") from None
    if not roots:
        raise TrustRootsError("the bundle holds no certificate")
    for root in roots:
        try:
            constraints = root.extensions.get_extension_for_class(x509.BasicConstraints).value
        except x509.ExtensionNotFound:
            constraints = None
        except ValueError as error:
            raise TrustRootsError(f"unreadable extension in {root.subject}: {error}") from None
        if constraints is None or not constraints.ca:
            raise TrustRootsError(f"{root.subject.rfc4514_string()} is not a CA certificate")
    return roots


@dataclass(frozen=True, slots=True)
class TrustSettings:
    """Whom to trust and how hard to try when checking a signer's certificate."""

    trust_roots: tuple[x509.Certificate, ...]
    """The trust anchors (see :func:`load_trust_roots`); a chain must end at one of them."""
    allow_fetching: bool = True
    """Ask the OCSP responders and CRL distribution points the certificates name. Without it,
    a certificate that names one has an unknown revocation status (INDETERMINATE)."""
    fetch_timeout: float = 0.3
    """Seconds one OCSP or CRL request may take."""
    deadline: float = 0.9
    """Seconds (wall clock) one file's verification may take: the certificate checks, which run
    concurrently, get what the XML side left (at least 0.1 s); a check still running then is
    INDETERMINATE / TRY_LATER. A safety net against slow responders and hostile input: no
    file takes much over a second, however the network behaves. A PDF's analysis by pyHanko
    may spend as many seconds of CPU time (a signed transcript needs about 0.2 s); past them
    the file is INDETERMINATE / TRY_LATER (``validation_timed_out``)."""
    max_fetches: int = 40
    """Network requests one file may cause in all (a hostile file must not cause a flood)."""
    require_revocation_source: bool = False
    """Refuse (INDETERMINATE) a certificate that names no OCSP responder and no CRL. Off by
    default: the demo PKI publishes none; every public Vietnamese CA does."""

    def __post_init__(self) -> None:
        if not self.trust_roots:
            raise TrustRootsError("no trust root configured")
        if not (0 < self.fetch_timeout <= self.deadline):
            raise TrustRootsError("timeouts must be positive, the fetch within the deadline")


@dataclass(frozen=True, slots=True)
class SignerCertificate:
    """What one signature offers for step 5."""

    chain: tuple[x509.Certificate, ...]
    """From the signature's KeyInfo: the signer's certificate first, then intermediates."""
    signing_time: datetime
    """The signed SigningTime: the moment the certificate is judged at."""
    organisation: bool = False
    """The slot needs an organisation certificate (DonVi)."""
    time_proven: bool = False
    """A valid timestamp proves the signature existed at ``signing_time`` (PAdES B-T); a
    claimed time (XML SigningTime, a PDF's ``/M``) does not. Only a proven time lets a
    signature stand before a later revocation."""
    school_code: str | None = None
    """For the DonVi slot: the school code the document names (``TTChung/MaTruong``); the
    organisation certificate must be that school's (``UID=MST:<code>``)."""

    def __post_init__(self) -> None:
        if not self.chain:
            raise VerificationSetupError("a signer's chain needs at least its own certificate")
        require_aware("signing_time", self.signing_time)


@dataclass(frozen=True, slots=True)
class CertificateCheck:
    """The signer's certificate at the signing time (the report's ``certificate`` object)."""

    not_before: datetime
    not_after: datetime
    valid_at_signing_time: bool
    """The validity period contains the signing time."""
    expired_now: bool
    """Past ``not_after`` at the ``now`` given (information only: judged at signing time)."""
    revocation: Revocation
    """The status at the signing time."""
    chain_trusted: bool
    """A path to a configured trust root was built and its signatures verify."""
    indication: Indication
    sub_indication: SubIndication | None = None
    errors: tuple[Finding, ...] = field(default=())

    @property
    def outcome(self) -> Outcome:
        """Indication and sub-indication together."""
        return Outcome(self.indication, self.sub_indication)


def check_certificate(
    *,
    chain: Sequence[x509.Certificate],
    signing_time: datetime,
    now: datetime,
    trust: TrustSettings,
    organisation: bool = False,
    time_proven: bool = False,
) -> CertificateCheck:
    """Check one signer's certificate (synchronous; safe in any thread, with or without a loop).

    ``time_proven``: a timestamp proves ``signing_time`` (see :class:`SignerCertificate`).
    Raises VerificationSetupError for an empty chain or a naive time; nothing about the
    certificate itself raises.
    """
    request = SignerCertificate(tuple(chain), signing_time, organisation, time_proven)
    (check,) = check_certificates([request], now=now, trust=trust)
    return check


def check_certificates(
    requests: Sequence[SignerCertificate],
    *,
    now: datetime,
    trust: TrustSettings,
    deadline: float | None = None,
) -> tuple[CertificateCheck, ...]:
    """Check several certificates concurrently, sharing one network budget and one deadline.

    ``deadline`` (seconds) shortens ``trust.deadline`` when the caller has spent part of its
    time already. Runs on a private event loop (see ``run_blocking``).
    """
    require_aware("now", now)
    return run_blocking(lambda: check_batch(requests, now=now, trust=trust, deadline=deadline))


async def async_check_certificate(
    *,
    chain: Sequence[x509.Certificate],
    signing_time: datetime,
    now: datetime,
    trust: TrustSettings,
    organisation: bool = False,
    time_proven: bool = False,
) -> CertificateCheck:
    """:func:`check_certificate` for a coroutine: the work runs in a thread, the loop stays free."""
    return await asyncio.to_thread(
        partial(
            check_certificate,
            chain=chain,
            signing_time=signing_time,
            now=now,
            trust=trust,
            organisation=organisation,
            time_proven=time_proven,
        )
    )


async def async_check_certificates(
    requests: Sequence[SignerCertificate],
    *,
    now: datetime,
    trust: TrustSettings,
    deadline: float | None = None,
) -> tuple[CertificateCheck, ...]:
    """:func:`check_certificates` for a coroutine: the work runs in a thread."""
    return await asyncio.to_thread(
        partial(check_certificates, requests, now=now, trust=trust, deadline=deadline)
    )


async def check_batch(
    requests: Sequence[SignerCertificate],
    *,
    now: datetime,
    trust: TrustSettings,
    deadline: float | None = None,
) -> tuple[CertificateCheck, ...]:
    """The checks themselves; only ever awaited on a private loop made by ``run_blocking``."""
    require_aware("now", now)
    if not requests:
        return ()
    paths = await validate_paths(
        [(r.chain[0], r.chain[1:], r.signing_time, r.time_proven) for r in requests],
        trust_roots=trust.trust_roots,
        allow_fetching=trust.allow_fetching,
        fetch_timeout=trust.fetch_timeout,
        deadline=trust.deadline if deadline is None else min(deadline, trust.deadline),
        max_fetches=trust.max_fetches,
        require_revocation_source=trust.require_revocation_source,
    )
    return tuple(
        _judge(request, path, now=now) for request, path in zip(requests, paths, strict=True)
    )


def _judge(request: SignerCertificate, path: PathOutcome, *, now: datetime) -> CertificateCheck:
    signer, moment = request.chain[0], request.signing_time
    start, end = signer.not_valid_before_utc, signer.not_valid_after_utc
    findings: list[Finding] = []
    outcomes: list[Outcome] = []
    # The period is judged here (not from certvalidator's error) so that it is reported even
    # when path building fails first.
    if moment < start:
        outcomes.append(Outcome(Indication.TOTAL_FAILED, SubIndication.NOT_YET_VALID))
        findings.append(
            Finding.of(ErrorCode.CERTIFICATE_NOT_YET_VALID, f"signed {moment}, valid from {start}")
        )
    elif moment > end:
        outcomes.append(Outcome(Indication.TOTAL_FAILED, SubIndication.EXPIRED))
        findings.append(
            Finding.of(ErrorCode.CERTIFICATE_EXPIRED, f"signed {moment}, expired {end}")
        )
    outcomes.append(path.outcome)
    findings.extend(path.findings)
    kind = certificate_kind(signer, request.organisation)
    constraints = [key_usage(signer), kind]
    if kind[1] is None:  # whose seal it is matters once it is a seal at all
        constraints.append(organisation_of_school(signer, request.school_code))
    for outcome, finding in constraints:
        outcomes.append(outcome)
        if finding is not None:
            findings.append(finding)
    verdict = worst(outcomes)
    return CertificateCheck(
        not_before=start,
        not_after=end,
        valid_at_signing_time=start <= moment <= end,
        expired_now=now > end,
        revocation=path.revocation,
        chain_trusted=path.chain_trusted,
        indication=verdict.indication,
        sub_indication=verdict.sub_indication,
        errors=tuple(findings),
    )
