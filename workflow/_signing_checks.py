"""Before a signature is prepared: may the actor sign this step, and is the certificate theirs?

The step is judged by the same state machine and guards that fire it; the certificate by
what this layer can tell without the trust layer (path and revocation are checked there):
its validity period at the signing time, and whose it is — a staff member's certificate
names their personal ID (``UID=CCCD:<id>``), the school's seal is an organisation
certificate naming the school's code (``UID=MST:<code>``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from cryptography import x509
from cryptography.x509.oid import NameOID
from sqlmodel import Session

from domain.certificates import (
    PERSONAL_ID_PREFIX,
    is_organisation_certificate,
    names_organisation,
)
from domain.model import Person, School, Transcript
from workflow import _policy as policy
from workflow._actor import Actor
from workflow._errors import NotAllowedInStateError, OrganisationCertificateRequiredError
from workflow._facts import TranscriptFacts
from workflow._flow import EventAsker
from workflow._signing_errors import (
    CertificateNotOwnedError,
    CertificateNotValidError,
    CertificateUnreadableError,
)
from workflow._signing_steps import EVENT_OF_STEP, SigningStep
from workflow._transitions import acting_person


def read_chain(chain: Sequence[bytes | x509.Certificate]) -> tuple[x509.Certificate, ...]:
    """The certificates, DER bytes parsed; CertificateUnreadableError if any is not X.509."""
    if not chain:
        raise CertificateUnreadableError("no certificate was given")
    certificates = []
    for index, item in enumerate(chain):
        if isinstance(item, x509.Certificate):
            certificates.append(item)
            continue
        try:
            certificates.append(x509.load_der_x509_certificate(bytes(item)))
        except (ValueError, TypeError):
            raise CertificateUnreadableError(f"certificate {index} is not DER X.509") from None
    for index, certificate in enumerate(certificates):
        try:
            # cryptography parses extensions lazily: a malformed one must be refused here,
            # not surface later as a builtin ValueError from a policy check.
            _ = certificate.extensions
        except ValueError:
            raise CertificateUnreadableError(
                f"certificate {index} has a malformed extension"
            ) from None
    return tuple(certificates)


def check_may_sign(
    *,
    actor: Actor,
    row: Transcript,
    facts: TranscriptFacts,
    step: SigningStep,
    subject_code: str | None,
    certificate: x509.Certificate,
    now: datetime,
    asker: EventAsker | None = None,
) -> None:
    """The transcript's state allows the step and the step's guard admits ``actor``.

    ``asker`` may be shared by the checks of one session's transcripts (one machine for all).
    """
    event = EVENT_OF_STEP[step]
    enabled = (asker or EventAsker()).enabled(
        row, facts=facts, now=now, subject_code=subject_code or ""
    )
    if event not in enabled:
        raise NotAllowedInStateError(event, str(row.status))
    seal = policy.SignatureEvidence(
        certificate_sha256="",
        certificate_subject="",
        certificate_serial="",
        signed_at=now,
        signed_bytes_sha256="",
        organisation=is_organisation_certificate(certificate),
    )
    checks: dict[SigningStep, Callable[[], None]] = {
        SigningStep.SUBJECT: lambda: policy.check_sign_subject(actor, facts, subject_code or ""),
        SigningStep.HOMEROOM: lambda: policy.check_sign_homeroom(actor, facts),
        SigningStep.PRINCIPAL: lambda: policy.check_sign_principal(actor, facts),
        SigningStep.SCHOOL: lambda: policy.check_stamp(actor, facts, seal),
    }
    checks[step]()


def _uid_values(certificate: x509.Certificate) -> list[str]:
    try:
        attributes = certificate.subject.get_attributes_for_oid(NameOID.USER_ID)
    except ValueError:
        return []
    return [str(attribute.value) for attribute in attributes]


def check_certificate(
    session: Session,
    actor: Actor,
    row: Transcript,
    step: SigningStep,
    certificate: x509.Certificate,
    *,
    now: datetime,
) -> None:
    """The certificate is valid at ``now`` and belongs to the signer of ``step``."""
    not_before, not_after = certificate.not_valid_before_utc, certificate.not_valid_after_utc
    if not not_before <= now <= not_after:
        raise CertificateNotValidError(not_before, not_after, now)
    uids = _uid_values(certificate)
    if step is SigningStep.SCHOOL:
        if not is_organisation_certificate(certificate):
            raise OrganisationCertificateRequiredError
        school = session.get(School, row.school_id)
        assert school is not None  # a foreign key
        if not names_organisation(certificate, school.code):
            raise CertificateNotOwnedError(
                f"it is the seal of {', '.join(uids)}, not of school {school.code}",
                f"chứng thư số không phải của trường {school.code}",
            )
        return
    if is_organisation_certificate(certificate):
        raise CertificateNotOwnedError(
            "an organisation certificate cannot make a personal signature",
            "chữ ký cá nhân cần chứng thư số cá nhân",
        )
    person = session.get(Person, acting_person(actor))
    if person is None or person.personal_id is None:
        raise CertificateNotOwnedError(
            "no personal ID is on file for the signer",
            "chưa có số định danh cá nhân của người ký",
        )
    if uids != [PERSONAL_ID_PREFIX + person.personal_id]:
        raise CertificateNotOwnedError(
            "the certificate names another person",
            "chứng thư số không phải của người ký",
        )
