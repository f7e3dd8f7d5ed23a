"""A throwaway PKI for signature tests: an RSA-2048 hierarchy and an ECDSA P-256 one.

RSA: root → issuing CA → staff certificates with Vietnamese names and the school's organisation
certificate. ECDSA: root → one teacher. Fixed validity (2024–2034): no test reads the clock.
Built once per test process (RSA key generation is the slow part).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from cryptography.x509.oid import NameOID

from domain.documents import SigningKey

NOT_BEFORE = datetime(2024, 1, 1, tzinfo=UTC)
NOT_AFTER = datetime(2034, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Signer:
    """A key and its certificate chain (the signer's first, then intermediates; no root)."""

    key: SigningKey
    chain: tuple[x509.Certificate, ...]

    @property
    def certificate(self) -> x509.Certificate:
        """The signer's own certificate."""
        return self.chain[0]


@dataclass(frozen=True)
class Pki:
    """A root and the signers under it."""

    root: x509.Certificate
    signers: dict[str, Signer]

    def write_root(self, directory: Path) -> Path:
        """The root as a PEM file (for xmlsec1's --trusted-pem)."""
        path = directory / "root.pem"
        path.write_bytes(self.root.public_bytes(Encoding.PEM))
        return path


def _name(common_name: str, organisation: str | None = None) -> x509.Name:
    attributes = [x509.NameAttribute(NameOID.COUNTRY_NAME, "VN")]
    if organisation is not None:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation))
    attributes.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name))
    return x509.Name(attributes)


def _certificate(
    subject: x509.Name,
    key: SigningKey,
    issuer: x509.Name,
    issuer_key: SigningKey,
    *,
    ca: bool,
    serial: int,
) -> x509.Certificate:
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(serial)
        .not_valid_before(NOT_BEFORE)
        .not_valid_after(NOT_AFTER)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
            critical=False,
        )
        .add_extension(
            x509.KeyUsage(
                digital_signature=not ca,
                content_commitment=not ca,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=ca,
                crl_sign=ca,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
    )
    return builder.sign(issuer_key, hashes.SHA256())


def _rsa() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


RSA_PEOPLE = {
    "gvbm": ("Nguyễn Văn An", None),
    "gvbm2": ("Võ Thị Hạnh", None),
    "gvcn": ("Trần Thị Bình", None),
    "ht": ("Lê Hoàng Cường", None),
    "dv": ("Trường THCS, THPT Phan Châu Trinh", "Trường THCS, THPT Phan Châu Trinh"),
}


@cache
def rsa_pki() -> Pki:
    """Root → issuing CA → the five RSA-2048 signers of RSA_PEOPLE."""
    root_key, ca_key = _rsa(), _rsa()
    root_name = _name("Hocba Test Root CA", "Hocba Test")
    ca_name = _name("Hocba Test Issuing CA", "Hocba Test")
    root = _certificate(root_name, root_key, root_name, root_key, ca=True, serial=1)
    ca = _certificate(ca_name, ca_key, root_name, root_key, ca=True, serial=2)
    signers = {}
    for serial, (label, (person, organisation)) in enumerate(RSA_PEOPLE.items(), start=100):
        key = _rsa()
        subject = _name(person, organisation)
        certificate = _certificate(subject, key, ca_name, ca_key, ca=False, serial=serial)
        signers[label] = Signer(key, (certificate, ca))
    return Pki(root, signers)


@cache
def ec_pki() -> Pki:
    """Root → one ECDSA P-256 teacher, ``Phạm Thị Dung``."""
    root_key = ec.generate_private_key(ec.SECP256R1())
    root_name = _name("Hocba Test EC Root", "Hocba Test")
    root = _certificate(root_name, root_key, root_name, root_key, ca=True, serial=1)
    key = ec.generate_private_key(ec.SECP256R1())
    certificate = _certificate(
        _name("Phạm Thị Dung"), key, root_name, root_key, ca=False, serial=200
    )
    return Pki(root, {"gvbm": Signer(key, (certificate,))})


def private_key_pem(key: SigningKey) -> bytes:
    """The key as unencrypted PKCS#8 PEM (for xmlsec1 --privkey-pem)."""
    return key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
