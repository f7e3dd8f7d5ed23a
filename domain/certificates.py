"""Certificate profiles: what a CA, a personal signer, an organisation seal and a TSA look like.

How an ORGANISATION certificate is told apart from a PERSONAL one (transcript-format.md: the
DonVi slot needs an organisation certificate). Both marks are required, so neither a
mislabelled subject nor a stray policy alone turns a person's certificate into the school's:

* the subject's UID attribute (0.9.2342.19200300.100.1.1) holds the holder's identifier, as
  Vietnamese CAs write it: ``MST:<tax code>`` for an organisation, ``CCCD:<12 digits>`` (the
  citizen identity card number) for a person;
* the certificatePolicies extension names :data:`ORGANISATION_POLICY` or
  :data:`PERSONAL_POLICY`, two OIDs under the project's private arc :data:`HOCBA_ARC`.

Pure functions only: keys, names and instants come in, certificates go out; nothing here reads
the clock or touches a file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

IssuerKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
"""A key a certificate can be signed with."""
PublicKey = rsa.RSAPublicKey | ec.EllipticCurvePublicKey
"""A key a certificate can certify."""

# A UUID-derived OID (ITU-T X.667, arc 2.25): globally unique without registering an
# enterprise number, which a demo and a test PKI do not warrant.
HOCBA_ARC = "2.25.181470591627283404785735452318493212437"
"""The project's private OID arc."""
PERSONAL_POLICY = x509.ObjectIdentifier(f"{HOCBA_ARC}.1.1")
"""Certificate policy of a personal signing certificate (a member of staff)."""
ORGANISATION_POLICY = x509.ObjectIdentifier(f"{HOCBA_ARC}.1.2")
"""Certificate policy of an organisation certificate (the school's seal)."""

ORGANISATION_ID_PREFIX = "MST:"
PERSONAL_ID_PREFIX = "CCCD:"
_PERSONAL_ID = re.compile(r"\d{12}")


@dataclass(frozen=True, slots=True)
class Validity:
    """The period a certificate is valid for (both ends timezone-aware)."""

    not_before: datetime
    not_after: datetime


def ca_name(common_name: str, organisation: str) -> x509.Name:
    """The subject of a certification authority."""
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def personal_name(full_name: str, personal_id: str, organisation: str) -> x509.Name:
    """The subject of a person's certificate: their name, employer and ``CCCD:<12 digits>``."""
    if not _PERSONAL_ID.fullmatch(personal_id):
        raise ValueError(f"a CCCD number has 12 digits, not {personal_id!r}")
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
            x509.NameAttribute(NameOID.COMMON_NAME, full_name),
            x509.NameAttribute(NameOID.USER_ID, PERSONAL_ID_PREFIX + personal_id),
        ]
    )


def organisation_name(name: str, organisation_code: str) -> x509.Name:
    """The subject of an organisation certificate: CN = O = its name, UID ``MST:<code>``."""
    if not organisation_code:
        raise ValueError("an organisation certificate needs the organisation's code")
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, name),
            x509.NameAttribute(NameOID.COMMON_NAME, name),
            x509.NameAttribute(NameOID.USER_ID, ORGANISATION_ID_PREFIX + organisation_code),
        ]
    )


def _key_usage(*, signer: bool, ca: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=signer,
        content_commitment=signer,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=ca,
        crl_sign=ca,
        encipher_only=False,
        decipher_only=False,
    )


def _builder(
    subject: x509.Name,
    public_key: PublicKey,
    issuer: x509.Name,
    issuer_key: IssuerKey,
    *,
    serial: int,
    validity: Validity,
    ca: bool,
) -> x509.CertificateBuilder:
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(serial)
        .not_valid_before(validity.not_before)
        .not_valid_after(validity.not_after)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
            critical=False,
        )
        .add_extension(_key_usage(signer=not ca, ca=ca), critical=True)
    )


def ca_certificate(
    subject: x509.Name,
    public_key: PublicKey,
    issuer: x509.Name,
    issuer_key: IssuerKey,
    *,
    serial: int,
    validity: Validity,
) -> x509.Certificate:
    """A CA certificate (self-signed when ``subject == issuer`` and the key is its own)."""
    builder = _builder(
        subject, public_key, issuer, issuer_key, serial=serial, validity=validity, ca=True
    )
    return builder.sign(issuer_key, hashes.SHA256())


def signer_certificate(
    subject: x509.Name,
    public_key: PublicKey,
    issuer: x509.Name,
    issuer_key: IssuerKey,
    *,
    serial: int,
    validity: Validity,
    organisation: bool,
) -> x509.Certificate:
    """A signing certificate (digitalSignature + nonRepudiation), personal or organisation."""
    if organisation != _has_organisation_id(subject):
        raise ValueError("the subject's UID does not match the certificate kind")
    policy = ORGANISATION_POLICY if organisation else PERSONAL_POLICY
    builder = _builder(
        subject, public_key, issuer, issuer_key, serial=serial, validity=validity, ca=False
    ).add_extension(
        x509.CertificatePolicies([x509.PolicyInformation(policy, None)]), critical=False
    )
    return builder.sign(issuer_key, hashes.SHA256())


def tsa_certificate(
    subject: x509.Name,
    public_key: PublicKey,
    issuer: x509.Name,
    issuer_key: IssuerKey,
    *,
    serial: int,
    validity: Validity,
) -> x509.Certificate:
    """A timestamp authority's certificate: extendedKeyUsage timeStamping, critical (RFC 3161)."""
    builder = _builder(
        subject, public_key, issuer, issuer_key, serial=serial, validity=validity, ca=False
    ).add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
    return builder.sign(issuer_key, hashes.SHA256())


def _uid_values(name: x509.Name) -> list[str]:
    return [str(attribute.value) for attribute in name.get_attributes_for_oid(NameOID.USER_ID)]


def _has_organisation_id(name: x509.Name) -> bool:
    values = _uid_values(name)
    return bool(values) and all(value.startswith(ORGANISATION_ID_PREFIX) for value in values)


def _policies(certificate: x509.Certificate) -> set[x509.ObjectIdentifier]:
    try:
        extension = certificate.extensions.get_extension_for_class(x509.CertificatePolicies)
    except x509.ExtensionNotFound:
        return set()
    return {information.policy_identifier for information in extension.value}


def is_organisation_certificate(certificate: x509.Certificate) -> bool:
    """Whether this is an organisation certificate (see the module docstring for the marks).

    True only when the subject's UID attributes are all ``MST:<code>`` AND the certificate
    policies name :data:`ORGANISATION_POLICY` but not :data:`PERSONAL_POLICY`.
    """
    policies = _policies(certificate)
    return (
        _has_organisation_id(certificate.subject)
        and ORGANISATION_POLICY in policies
        and PERSONAL_POLICY not in policies
    )


def names_organisation(certificate: x509.Certificate, organisation_code: str) -> bool:
    """Whether the certificate's subject names exactly the organisation ``organisation_code``:
    its only UID is ``MST:<organisation_code>`` (the school's seal for that school's code).

    False for a subject whose attributes cannot be read.
    """
    try:
        values = _uid_values(certificate.subject)
    except ValueError:
        return False
    return values == [ORGANISATION_ID_PREFIX + organisation_code]
