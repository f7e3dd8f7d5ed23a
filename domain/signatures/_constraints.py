"""Constraints on a signer's certificate beyond its path: what it may sign, and for whom."""

from __future__ import annotations

from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID

from domain.certificates import is_organisation_certificate, names_organisation
from domain.signatures._codes import ErrorCode, Finding
from domain.signatures._indications import PASSED, Indication, Outcome, SubIndication

# Certificates made for the PKI's own services: their keys must never sign a transcript.
_SERVICE_ONLY_USAGES = frozenset(
    {ExtendedKeyUsageOID.TIME_STAMPING, ExtendedKeyUsageOID.OCSP_SIGNING}
)
_CONSTRAINTS = Outcome(Indication.INDETERMINATE, SubIndication.CHAIN_CONSTRAINTS_FAILURE)


def key_usage(certificate: x509.Certificate) -> tuple[Outcome, Finding | None]:
    """Key usage must allow signing (digitalSignature or nonRepudiation), if it is restricted."""
    try:
        extensions = certificate.extensions
        usage = extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        usage = None
    except ValueError as error:
        return _CONSTRAINTS, Finding.of(ErrorCode.KEY_USAGE_NOT_ALLOWED, f"unreadable: {error}")
    if usage is not None and not (usage.digital_signature or usage.content_commitment):
        detail = "key usage allows neither digitalSignature nor nonRepudiation"
        return _CONSTRAINTS, Finding.of(ErrorCode.KEY_USAGE_NOT_ALLOWED, detail)
    try:
        purposes = set(extensions.get_extension_for_class(x509.ExtendedKeyUsage).value)
    except x509.ExtensionNotFound:
        return PASSED, None
    if purposes and purposes <= _SERVICE_ONLY_USAGES:
        detail = "a timestamp or OCSP service certificate cannot sign a transcript"
        return _CONSTRAINTS, Finding.of(ErrorCode.KEY_USAGE_NOT_ALLOWED, detail)
    return PASSED, None


def certificate_kind(
    certificate: x509.Certificate, organisation: bool
) -> tuple[Outcome, Finding | None]:
    """The DonVi slot (``organisation``) needs the school's organisation certificate."""
    if not organisation:
        return PASSED, None
    try:
        ok = is_organisation_certificate(certificate)
    except ValueError:
        ok = False
    if ok:
        return PASSED, None
    detail = "the DonVi slot needs the school's organisation certificate (UID MST:, policy)"
    return _CONSTRAINTS, Finding.of(ErrorCode.ORGANISATION_CERTIFICATE_REQUIRED, detail)


def organisation_of_school(
    certificate: x509.Certificate, school_code: str | None
) -> tuple[Outcome, Finding | None]:
    """The DonVi slot's certificate must be the seal of the school the document names
    (``school_code``, its ``TTChung/MaTruong``): the subject's only UID is ``MST:<code>``,
    the rule signing applies (``workflow._signing_checks``). Nothing to check without one."""
    if school_code is None or names_organisation(certificate, school_code):
        return PASSED, None
    detail = (
        f"the DonVi certificate is not the seal of school {school_code} (UID MST:{school_code})"
    )
    return _CONSTRAINTS, Finding.of(ErrorCode.ORGANISATION_NOT_OF_SCHOOL, detail)
