"""Certificate login (REQ-10): a staff member signs a one-time nonce with their certificate's key.

``issue_certificate_challenge`` stores a random nonce with an expiry; ``login_with_certificate``
uses it once (the row is deleted whether the login succeeds or not), checks the signature over
the nonce with the certificate's public key, the certificate's path to a trust root and its
revocation now (``domain.signatures.check_certificate``), and finds the one active staff member
whose personal ID the certificate names — decided as for a signature (``_signing_checks``).
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from sqlmodel import col, select

from domain.certificates import PERSONAL_ID_PREFIX, is_organisation_certificate
from domain.model import CertificateChallenge, Person, Role, personal_id_index
from domain.signatures import Indication, TrustSettings, check_certificate
from workflow._actor import load_actor
from workflow._authentication import Authenticated
from workflow._errors import WorkflowError
from workflow._signing_checks import _uid_values, read_chain
from workflow._uow import UnitOfWork

CHALLENGE_LIFETIME = timedelta(minutes=5)
"""How long a challenge may be answered."""
NONCE_BYTES = 32

_NOT_STAFF = frozenset({Role.STUDENT, Role.GUARDIAN})


class CertificateLoginError(WorkflowError):
    """A certificate login was refused; subclasses say why (all answered 401)."""

    code = "certificate_login_failed"


class ChallengeUnknownError(CertificateLoginError):
    """No such challenge: never issued, or used already (each is used once)."""

    code = "challenge_unknown"

    def __init__(self) -> None:
        super().__init__(
            "the challenge is unknown or was used already; ask for a new one",
            "Mã thử thách không hợp lệ hoặc đã được dùng; hãy lấy mã mới",
        )


class ChallengeExpiredError(CertificateLoginError):
    """The challenge was answered too late."""

    code = "challenge_expired"

    def __init__(self, expires_at: datetime) -> None:
        super().__init__(
            f"the challenge expired at {expires_at.isoformat()}; ask for a new one",
            "Mã thử thách đã hết hạn; hãy lấy mã mới",
        )
        self.expires_at = expires_at


class LoginSignatureInvalidError(CertificateLoginError):
    """The signature does not verify over the nonce with the certificate's key."""

    code = "login_signature_invalid"

    def __init__(self) -> None:
        super().__init__(
            "the signature does not verify with the certificate's key",
            "Chữ ký không khớp với chứng thư số",
        )


class CertificateUntrustedError(CertificateLoginError):
    """The certificate does not chain to a trust root, is revoked, or is not valid now."""

    code = "certificate_untrusted"

    def __init__(self, why: str) -> None:
        super().__init__(
            f"the certificate is not trusted now: {why}",
            "Chứng thư số không được tin cậy hoặc không còn hiệu lực",
        )
        self.why = why


class CertificateNotStaffError(CertificateLoginError):
    """The certificate names no single active staff member."""

    code = "certificate_not_staff"

    def __init__(self) -> None:
        super().__init__(
            "the certificate belongs to no active staff member",
            "Chứng thư số không thuộc về cán bộ, giáo viên nào đang công tác",
        )


@dataclass(frozen=True, slots=True)
class CertificateChallengeIssued:
    """A challenge to answer with ``login_with_certificate``."""

    challenge_id: str
    nonce: bytes
    """The bytes to sign."""
    expires_at: datetime


def issue_certificate_challenge(
    uow: UnitOfWork, *, now: datetime, lifetime: timedelta = CHALLENGE_LIFETIME
) -> CertificateChallengeIssued:
    """Store a fresh random nonce valid for ``lifetime`` (and drop the expired ones)."""
    record = CertificateChallenge(
        id=str(uuid.uuid4()),
        nonce=secrets.token_bytes(NONCE_BYTES),
        created_at=now,
        expires_at=now + lifetime,
    )
    with uow:
        uow.session.execute(
            sa.delete(CertificateChallenge).where(col(CertificateChallenge.expires_at) <= now)
        )
        uow.session.add(record)
        uow.commit("the challenge")
    return CertificateChallengeIssued(record.id, record.nonce, record.expires_at)


def _use_challenge(uow: UnitOfWork, challenge_id: str, now: datetime) -> bytes:
    with uow:
        session = uow.session
        record = session.get(CertificateChallenge, challenge_id)
        if record is None:
            raise ChallengeUnknownError
        nonce, expires_at = bytes(record.nonce), record.expires_at
        # A conditional DELETE: of two logins racing on one challenge exactly one gets it.
        gone = session.execute(
            sa.delete(CertificateChallenge).where(col(CertificateChallenge.id) == challenge_id)
        )
        if gone.rowcount != 1:  # type: ignore[attr-defined]
            raise ChallengeUnknownError
        uow.commit("the challenge")
    if now >= expires_at:
        raise ChallengeExpiredError(expires_at)
    return nonce


def _check_signature(certificate: x509.Certificate, nonce: bytes, signature: bytes) -> None:
    key = certificate.public_key()
    try:
        if isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, nonce, padding.PKCS1v15(), hashes.SHA256())
        elif isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, nonce, ec.ECDSA(hashes.SHA256()))
        else:
            raise LoginSignatureInvalidError
    except (InvalidSignature, ValueError):
        raise LoginSignatureInvalidError from None


def login_with_certificate(
    uow: UnitOfWork,
    *,
    challenge_id: str,
    certificate_chain: Sequence[bytes | x509.Certificate],
    signature: bytes,
    trust: TrustSettings,
    now: datetime,
) -> Authenticated:
    """The account of the staff member who signed the challenge's nonce.

    The challenge is used up by any attempt. Raises CertificateUnreadableError for a chain
    that is not X.509, and a CertificateLoginError subclass for every refusal.
    """
    chain = read_chain(certificate_chain)
    nonce = _use_challenge(uow, challenge_id, now)
    certificate = chain[0]
    _check_signature(certificate, nonce, signature)
    check = check_certificate(chain=chain, signing_time=now, now=now, trust=trust)
    if check.indication is not Indication.TOTAL_PASSED:
        why = check.sub_indication.value if check.sub_indication else check.indication.value
        raise CertificateUntrustedError(why)
    uids = _uid_values(certificate)
    if is_organisation_certificate(certificate) or len(uids) != 1:
        raise CertificateNotStaffError
    if not uids[0].startswith(PERSONAL_ID_PREFIX):
        raise CertificateNotStaffError
    personal_id = uids[0].removeprefix(PERSONAL_ID_PREFIX)
    with uow:
        session = uow.session
        people = session.exec(
            select(Person).where(
                Person.personal_id_index == personal_id_index(personal_id), col(Person.is_active)
            )
        ).all()
        staff = []
        for person in people:
            assert person.id is not None  # a stored row
            actor = load_actor(session, person.id, at=now)
            if any(grant.role not in _NOT_STAFF for grant in actor.grants):
                staff.append(person)
        if len(staff) != 1:
            raise CertificateNotStaffError
        (person,) = staff
        assert person.id is not None
        uow.audit.record(
            actor=load_actor(session, person.id, at=now),
            action="auth.certificate_login",
            object_type="person",
            object_id=str(person.id),
            now=now,
            details={"certificate_serial": str(certificate.serial_number)},
        )
        uow.commit("the login")
        return Authenticated(person_id=person.id, username=person.username)
