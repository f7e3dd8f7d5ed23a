"""The demo PKI of contracts.md ("Demo data"), written once to ``<data_dir>/pki/``.

Root CA → issuing CA → one personal certificate per staff login (``<login>.p12``), the school's
organisation certificate (``school-seal.p12``) and a timestamp authority (``tsa.p12``); every
PKCS#12 holds key + certificate + issuing CA and opens with :data:`DEMO_PASSWORD`. The root is
``root-ca.pem`` (the trust anchor), the issuing CA ``issuing-ca.pem``.

DEMO ONLY: the CA private keys lie next to the certificates in ``ca/`` (mode 0600, encrypted
with the public demo password), so anyone who can read the data directory can issue
certificates this PKI's root trusts. Never configure ``root-ca.pem`` as a trust root in
production.

Idempotent: existing files are loaded, never regenerated. Missing leaves are issued under the
existing issuing CA; a missing CA (or CA key) is refused, because regenerating it would
silently invalidate every certificate and signature made so far.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12

from domain.certificates import (
    Validity,
    ca_certificate,
    ca_name,
    organisation_name,
    personal_name,
    signer_certificate,
    tsa_certificate,
)
from domain.model import Role
from workflow._demo_data import (
    ACCOUNTS,
    CITY,
    DEMO_PASSWORD,
    SCHOOL_CODE,
    SCHOOL_NAME,
)

ROOT_FILE = "root-ca.pem"
ISSUING_FILE = "issuing-ca.pem"
SEAL_FILE = "school-seal.p12"
TSA_FILE = "tsa.p12"
CA_DIR = "ca"
ROOT_KEY_FILE = "root-ca.key"
ISSUING_KEY_FILE = "issuing-ca.key"

_PASSWORD = DEMO_PASSWORD.encode()
_PKI_ORGANISATION = "Hocba Demo PKI"
_DEPARTMENT = f"Sở Giáo dục và Đào tạo {CITY}"
# The password is public, so many KDF rounds protect nothing; few keep every start's loading of
# two dozen files fast. AES-256 + SHA-256 MAC: what OpenSSL 3 and pyHanko read by default.
_P12_ENCRYPTION = (
    serialization.PrivateFormat.PKCS12.encryption_builder()
    .kdf_rounds(2048)
    .key_cert_algorithm(pkcs12.PBES.PBESv2SHA256AndAES256CBC)
    .hmac_hash(hashes.SHA256())
    .build(_PASSWORD)
)
_CA_YEARS = 10
_LEAF_YEARS = 3
# Certificates start well before ``now``: the demo's previous school year (up to two years
# back) is signed and finalized, and its signatures must verify at their signing times.
_BACKDATE = timedelta(days=2 * 366)


class DemoPkiError(Exception):
    """The demo PKI on disk cannot be completed without replacing its CA; nothing was written."""


@dataclass(frozen=True, slots=True)
class DemoIdentity:
    """A staff login that gets a personal demo certificate."""

    login: str
    full_name: str
    organisation: str
    """The O of the subject: the school, or the Department for its officer."""


@dataclass(frozen=True, slots=True)
class DemoCredential:
    """One PKCS#12 file of the demo PKI, opened."""

    path: Path
    key: rsa.RSAPrivateKey
    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...]
    """The intermediates after the certificate (the issuing CA; never the root)."""


@dataclass(frozen=True, slots=True)
class DemoPki:
    """The demo PKI as found (or completed) on disk."""

    directory: Path
    root: x509.Certificate
    issuing: x509.Certificate
    staff: Mapping[str, DemoCredential]
    """By login."""
    seal: DemoCredential
    tsa: DemoCredential
    created: tuple[Path, ...]
    """The files this call wrote (empty when everything was already there)."""

    @property
    def root_path(self) -> Path:
        """The trust anchor's PEM file."""
        return self.directory / ROOT_FILE


def demo_staff_identities() -> tuple[DemoIdentity, ...]:
    """Every demo login except the student and the guardian, with its full name."""
    return tuple(
        DemoIdentity(
            account.username,
            account.full_name,
            _DEPARTMENT if account.role is Role.DEPARTMENT_OFFICER else SCHOOL_NAME,
        )
        for account in ACCOUNTS
        if account.role not in {Role.STUDENT, Role.GUARDIAN}
    )


def demo_personal_id(login: str) -> str:
    """The personal ID (CCCD) the demo certificate of ``login`` names."""
    # A stable fake CCCD: 079 (Hồ Chí Minh City's province code) + 9 digits from the login.
    digest = int.from_bytes(hashlib.sha256(login.encode()).digest()[:8], "big")
    return f"079{digest % 10**9:09d}"


def _write(path: Path, data: bytes, mode: int) -> None:
    """Write atomically (temporary file + rename) with ``mode``, so a crash leaves no half file."""
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        os.fchmod(descriptor, mode)
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(data)
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _pem(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.PEM)


def _encrypted_key(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(_PASSWORD),
    )


def _load_ca_key(path: Path) -> rsa.RSAPrivateKey:
    if not path.exists():
        raise DemoPkiError(
            f"{path} is missing: cannot issue the missing demo certificates under the existing CA; "
            f"delete {path.parent.parent} to regenerate the whole demo PKI"
        )
    key = serialization.load_pem_private_key(path.read_bytes(), _PASSWORD)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise DemoPkiError(f"{path} is not an RSA key")
    return key


def _load_credential(path: Path) -> DemoCredential:
    key, certificate, chain = pkcs12.load_key_and_certificates(path.read_bytes(), _PASSWORD)
    if not isinstance(key, rsa.RSAPrivateKey) or certificate is None:
        raise DemoPkiError(f"{path} holds no RSA key and certificate")
    return DemoCredential(path, key, certificate, tuple(chain))


def _leaf_validity(now: datetime) -> Validity:
    return Validity(now - _BACKDATE, now + timedelta(days=365 * _LEAF_YEARS + 1))


def _create_ca(directory: Path, now: datetime) -> list[Path]:
    validity = Validity(now - _BACKDATE, now + timedelta(days=365 * _CA_YEARS + 3))
    root_key, issuing_key = _new_key(), _new_key()
    root_subject = ca_name("Hocba Demo Root CA", _PKI_ORGANISATION)
    issuing_subject = ca_name("Hocba Demo Issuing CA", _PKI_ORGANISATION)
    root = ca_certificate(
        root_subject,
        root_key.public_key(),
        root_subject,
        root_key,
        serial=x509.random_serial_number(),
        validity=validity,
    )
    issuing = ca_certificate(
        issuing_subject,
        issuing_key.public_key(),
        root_subject,
        root_key,
        serial=x509.random_serial_number(),
        validity=validity,
    )
    keys = directory / CA_DIR
    keys.mkdir(mode=0o700, exist_ok=True)
    keys.chmod(0o700)
    _write(keys / ROOT_KEY_FILE, _encrypted_key(root_key), 0o600)
    _write(keys / ISSUING_KEY_FILE, _encrypted_key(issuing_key), 0o600)
    _write(
        keys / "README.txt",
        b"DEMO ONLY. The private keys of the hocba demo CAs, encrypted with the public demo\n"
        b"password. Anyone who reads them can issue certificates the demo root trusts.\n",
        0o600,
    )
    # The certificates last: root-ca.pem present means the CA is complete.
    _write(directory / ISSUING_FILE, _pem(issuing), 0o644)
    _write(directory / ROOT_FILE, _pem(root), 0o644)
    return [
        keys / ROOT_KEY_FILE,
        keys / ISSUING_KEY_FILE,
        directory / ISSUING_FILE,
        directory / ROOT_FILE,
    ]


@dataclass(frozen=True, slots=True)
class _Leaf:
    """What one PKCS#12 file of the PKI should hold."""

    file: str
    subject: x509.Name
    kind: str
    """``personal``, ``organisation`` or ``tsa``."""


def _leaves(logins: Sequence[DemoIdentity], school_name: str, school_code: str) -> list[_Leaf]:
    leaves = [
        _Leaf(
            f"{identity.login}.p12",
            personal_name(
                identity.full_name, demo_personal_id(identity.login), identity.organisation
            ),
            "personal",
        )
        for identity in logins
    ]
    leaves.append(_Leaf(SEAL_FILE, organisation_name(school_name, school_code), "organisation"))
    leaves.append(_Leaf(TSA_FILE, ca_name("Hocba Demo TSA", _PKI_ORGANISATION), "tsa"))
    return leaves


def _issue(
    directory: Path,
    leaf: _Leaf,
    issuing: x509.Certificate,
    issuing_key: rsa.RSAPrivateKey,
    now: datetime,
) -> Path:
    key = _new_key()
    serial, validity = x509.random_serial_number(), _leaf_validity(now)
    if leaf.kind == "tsa":
        certificate = tsa_certificate(
            leaf.subject,
            key.public_key(),
            issuing.subject,
            issuing_key,
            serial=serial,
            validity=validity,
        )
    else:
        certificate = signer_certificate(
            leaf.subject,
            key.public_key(),
            issuing.subject,
            issuing_key,
            serial=serial,
            validity=validity,
            organisation=leaf.kind == "organisation",
        )
    data = pkcs12.serialize_key_and_certificates(
        leaf.file.removesuffix(".p12").encode(),
        key,
        certificate,
        [issuing],
        _P12_ENCRYPTION,
    )
    path = directory / leaf.file
    _write(path, data, 0o600)
    return path


def ensure_demo_pki(
    directory: Path,
    *,
    logins: Sequence[DemoIdentity],
    now: datetime,
    school_name: str = SCHOOL_NAME,
    school_code: str = SCHOOL_CODE,
) -> DemoPki:
    """Load the demo PKI in ``directory``, creating whatever of it is missing.

    ``logins`` are the staff who get a personal certificate; ``now`` (timezone-aware) dates the
    certificates issued by this call. Raises :class:`DemoPkiError` when certificates are missing
    but the CA that must issue them is not complete (nothing is written then).
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    leaves = _leaves(logins, school_name, school_code)
    created: list[Path] = []
    if not (directory / ROOT_FILE).exists():
        present = [leaf.file for leaf in leaves if (directory / leaf.file).exists()]
        if present or (directory / ISSUING_FILE).exists():
            raise DemoPkiError(
                f"{directory / ROOT_FILE} is missing but other demo PKI files are present; "
                f"delete {directory} to regenerate the whole demo PKI"
            )
        directory.mkdir(parents=True, exist_ok=True)
        created += _create_ca(directory, now)
    if not (directory / ISSUING_FILE).exists():
        raise DemoPkiError(
            f"{directory / ISSUING_FILE} is missing; delete {directory} to regenerate the demo PKI"
        )
    root = x509.load_pem_x509_certificate((directory / ROOT_FILE).read_bytes())
    issuing = x509.load_pem_x509_certificate((directory / ISSUING_FILE).read_bytes())
    missing = [leaf for leaf in leaves if not (directory / leaf.file).exists()]
    if missing:
        issuing_key = _load_ca_key(directory / CA_DIR / ISSUING_KEY_FILE)
        created += [_issue(directory, leaf, issuing, issuing_key, now) for leaf in missing]
    credentials = {leaf.file: _load_credential(directory / leaf.file) for leaf in leaves}
    return DemoPki(
        directory=directory,
        root=root,
        issuing=issuing,
        staff={identity.login: credentials[f"{identity.login}.p12"] for identity in logins},
        seal=credentials[SEAL_FILE],
        tsa=credentials[TSA_FILE],
        created=tuple(created),
    )
