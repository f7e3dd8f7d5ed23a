"""Revocation status words, and what fetched revocation information says about a certificate."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum
from typing import Any

# A revocation for these reasons says nothing against the key: a signature a timestamp proves
# was made before it stands. Without such a proof (an XML SigningTime, a PDF's /M are only
# claims) whoever held the key afterwards could have written an earlier time, whatever the
# reason; and for any other reason (key compromise, unspecified, hold…) the compromise may
# precede the revocation date: ETSI's INDETERMINATE / REVOKED_NO_POE.
BENIGN_REASONS = frozenset(
    {"affiliation_changed", "superseded", "cessation_of_operation", "privilege_withdrawn"}
)


class Revocation(StrEnum):
    """The signer's revocation status at the signing time (the report's ``revocation``)."""

    GOOD = "good"
    """An OCSP responder or CRL of the CA answered: not revoked then."""
    REVOKED = "revoked"
    """Revoked at or before the signing time, or later for a reason that puts earlier
    signatures in doubt (key compromise)."""
    UNKNOWN = "unknown"
    """No usable answer (unreachable, not fetched, or the check stopped earlier)."""
    NOT_PUBLISHED = "not_published"
    """The certificate names no OCSP responder and no CRL, and none is required."""


def revocation_time(ocsps: Sequence[Any], crls: Sequence[Any], signer: Any) -> datetime | None:
    """When the fetched OCSP answers or CRLs say ``signer`` was revoked (unauthenticated)."""
    serial = signer.serial_number
    for response in ocsps:
        data = response.basic_ocsp_response["tbs_response_data"]
        for single in data["responses"]:
            status = single["cert_status"]
            if single["cert_id"]["serial_number"].native == serial and status.name == "revoked":
                when: datetime = status.chosen["revocation_time"].native
                return when
    for crl in crls:
        for entry in crl["tbs_cert_list"]["revoked_certificates"]:
            if entry["user_certificate"].native == serial:
                revoked: datetime = entry["revocation_date"].native
                return revoked
    return None


def publishes(certificate: Any) -> bool:
    """Whether the certificate names an OCSP responder or a CRL distribution point."""
    return bool(certificate.ocsp_urls) or bool(certificate.crl_distribution_points)
