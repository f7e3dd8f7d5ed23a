"""How the workflow signs the PDF transcript: the public URL, the timestamp authority, trust.

``pdf_signing_options`` reads them from the settings. In demo mode, without a configured
TSA or trust bundle, the demo PKI stands in: its ``tsa.p12`` stamps in-process at the
instant the use case is given (nothing here reads the clock) and its ``root-ca.pem`` is the
trust anchor.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Final

from asn1crypto import cms, core
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from pyhanko.sign.general import as_signing_certificate
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore
from pyhanko_certvalidator.util import get_pyca_cryptography_hash

from domain.signatures import (
    FIELD_DON_VI,
    PadesLevel,
    PdfKeyError,
    ServerKey,
    Timestamper,
    load_pkcs12_key,
)
from domain.signatures._pades_common import to_asn1
from workflow._errors import WorkflowError
from workflow._settings import Settings

DEFAULT_PUBLIC_URL: Final = "http://127.0.0.1:8000"
"""Where the verification page is served unless ``HOCBA_PUBLIC_URL`` says otherwise."""
VERIFY_PATH: Final = "/xac-thuc"
"""The public verification page; ``?ma=<transcript id>`` names the transcript."""

_log = logging.getLogger("hocba.signing")

_DEMO_PASSWORD: Final = b"hocba-demo"
_DEMO_TSA: Final = "tsa.p12"
_DEMO_ROOT: Final = "root-ca.pem"

TimestamperAt = Callable[[datetime], Timestamper]
"""The timestamp authority for a signature completed at the given instant: a URL (a real
TSA answers with its own clock) or an in-process stamper answering with that instant."""


@dataclass(frozen=True, slots=True, kw_only=True)
class PdfSigning:
    """How the workflow signs the PDF transcript (``pdf_signing_options`` reads the settings)."""

    public_url: str = DEFAULT_PUBLIC_URL
    """The site's public address; the QR code opens ``<public_url>/xac-thuc?ma=<id>``."""
    timestamper: TimestamperAt | None = field(default=None, compare=False)
    """The timestamp authority: with one, signatures are B-T (the seal B-LT with trust roots);
    without, B-B."""
    trust_roots: tuple[x509.Certificate, ...] = ()
    """Trust anchors: the seal's validation data is collected against them, and the signed
    PDF must verify as trusted. Without any, completion checks integrity only."""

    def verify_url(self, transcript_id: str) -> str:
        """The address the transcript's QR code opens."""
        return f"{self.public_url.rstrip('/')}{VERIFY_PATH}?ma={transcript_id}"

    def level(self, pdf_field: str) -> PadesLevel:
        """The level ``pdf_field`` is signed at under these options."""
        if self.timestamper is None:
            return PadesLevel.B_B
        if pdf_field == FIELD_DON_VI and self.trust_roots:
            return PadesLevel.B_LT
        return PadesLevel.B_T

    def validation_context(self, now: datetime) -> ValidationContext:
        """What the seal's B-LT data is collected with (revocation fetched where named)."""
        return ValidationContext(
            trust_roots=[to_asn1(root) for root in self.trust_roots],
            moment=now,
            allow_fetching=True,
        )


class PdfSigningSetupError(WorkflowError):
    """A trust bundle or demo TSA file named by the settings cannot be used."""

    code = "pdf_signing_setup_invalid"

    def __init__(self, path: Path, why: str) -> None:
        super().__init__(f"{path}: {why}", f"{path}: không dùng được ({why})")
        self.path = path


def tsa_at_url(url: str) -> TimestamperAt:
    """A timestamp authority reached over HTTP (RFC 3161)."""
    return lambda _now: url


class _LocalTimeStamper(DummyTimeStamper):
    """pyHanko's in-process TSA, signing with a key loaded once (pyHanko's own re-parses its
    key for every token, ~70 ms)."""

    def __init__(
        self,
        *,
        key: RSAPrivateKey,
        key_info: asn1_keys.PrivateKeyInfo,
        chain: tuple[asn1_x509.Certificate, ...],
        at: datetime,
    ) -> None:
        super().__init__(
            tsa_cert=chain[0],
            tsa_key=key_info,
            certs_to_embed=SimpleCertificateStore.from_certs(chain[1:]),  # type: ignore[no-untyped-call]
            fixed_dt=at,
        )
        self._key = key

    def _sign_tst_info(
        self, tst_info_data: bytes, md_algorithm: str, dt: datetime
    ) -> tuple[bytes, cms.CMSAttributes]:
        digest = hashlib.new(md_algorithm, tst_info_data).digest()
        signed_attrs = cms.CMSAttributes(
            [
                _attribute("content_type", "tst_info"),
                _attribute("signing_time", cms.Time({"utc_time": core.UTCTime(dt)})),
                _attribute("signing_certificate", as_signing_certificate(self.tsa_cert)),
                _attribute("message_digest", digest),
            ]
        )
        signature = self._key.sign(
            signed_attrs.dump(), PKCS1v15(), get_pyca_cryptography_hash(md_algorithm.upper())
        )
        return signature, signed_attrs


def _attribute(name: str, value: object) -> cms.CMSAttribute:
    return cms.CMSAttribute({"type": cms.CMSAttributeType(name), "values": (value,)})


def local_timestamper(key: ServerKey, chain: tuple[x509.Certificate, ...]) -> TimestamperAt:
    """An in-process TSA (the demo's ``tsa.p12``, an RSA key) that stamps the instant it is
    given. ``chain`` is the TSA certificate first, then its issuers; the tokens embed them.
    PdfKeyError for a key that is not RSA.
    """
    if not isinstance(key, RSAPrivateKey):
        raise PdfKeyError("the in-process timestamp authority signs with RSA only")
    der = key.private_bytes(Encoding.DER, PrivateFormat.PKCS8, NoEncryption())
    key_info = asn1_keys.PrivateKeyInfo.load(der)
    asn1_chain = tuple(to_asn1(c) for c in chain)
    return lambda now: _LocalTimeStamper(key=key, key_info=key_info, chain=asn1_chain, at=now)


def read_trust_roots(path: Path) -> tuple[x509.Certificate, ...]:
    """The certificates of a PEM bundle (PdfSigningSetupError if unreadable or empty)."""
    try:
        roots = tuple(x509.load_pem_x509_certificates(path.read_bytes()))
    except (OSError, ValueError) as error:
        raise PdfSigningSetupError(path, str(error)) from None
    if not roots:
        raise PdfSigningSetupError(path, "no certificate in the bundle")
    return roots


def pdf_signing_options(settings: Settings) -> PdfSigning:
    """The PDF signing options the settings describe (see the module docstring for demo mode).

    Raises PdfSigningSetupError when a named file cannot be used. Without trust roots
    (``HOCBA_TRUST_ROOTS`` unset outside demo mode) every signing is refused, and this logs a
    warning saying so: it runs once, at start-up.
    """
    pki = settings.data_dir / "pki"
    roots: tuple[x509.Certificate, ...] = ()
    if settings.trust_roots is not None:
        roots = read_trust_roots(settings.trust_roots)
    elif settings.demo and (pki / _DEMO_ROOT).exists():
        roots = read_trust_roots(pki / _DEMO_ROOT)
    if not roots:
        _log.warning(
            "HOCBA_TRUST_ROOTS is not set: no signer's certificate can be checked, so every "
            "signing is refused (trust_roots_missing) until it names the PEM bundle of the "
            "trusted certification authorities"
        )
    timestamper = None
    if settings.tsa_url:
        timestamper = tsa_at_url(settings.tsa_url)
    elif settings.demo and (pki / _DEMO_TSA).exists():
        path = pki / _DEMO_TSA
        try:
            key, chain = load_pkcs12_key(path.read_bytes(), _DEMO_PASSWORD)
            timestamper = local_timestamper(key, chain)
        except (OSError, PdfKeyError) as error:
            raise PdfSigningSetupError(path, str(error)) from None
    return PdfSigning(public_url=settings.public_url, timestamper=timestamper, trust_roots=roots)
