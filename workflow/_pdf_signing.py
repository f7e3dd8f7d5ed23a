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
from typing import Final, TypeVar, cast

from asn1crypto import algos, cms, core, tsp
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from pyhanko.sign.general import as_signing_certificate
from pyhanko.sign.timestamps.common_utils import get_nonce
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


@dataclass(frozen=True, slots=True)
class _TsaParts:
    """What every token of one in-process TSA shares, encoded once (``local_timestamper``).

    asn1crypto re-encodes a structure built from Python values on every ``dump``, nested
    levels over again: assembling a token from freshly built parts cost ~5 ms, ten times
    the RSA signature. Parts parsed from DER keep their encoding and cost nothing to embed.
    """

    key: RSAPrivateKey
    key_info: asn1_keys.PrivateKeyInfo
    chain: tuple[asn1_x509.Certificate, ...]
    """The TSA's certificate, then its issuers (the tokens embed them all)."""
    tsa_name: asn1_x509.GeneralName
    """The TSTInfo's ``tsa``: the certificate's subject."""
    content_type: cms.CMSAttribute
    """The signed attribute ``content_type`` = ``tst_info``."""
    signing_certificate: cms.CMSAttribute
    """The signed attribute ``signing_certificate`` (v1, SHA-1: what pyHanko's TSA writes)."""
    sid: cms.SignerIdentifier
    """The TSA's issuer and serial number."""

    @classmethod
    def of(cls, key: RSAPrivateKey, chain: tuple[asn1_x509.Certificate, ...]) -> _TsaParts:
        """The parts for ``key`` and ``chain`` (the TSA's certificate first)."""
        der = key.private_bytes(Encoding.DER, PrivateFormat.PKCS8, NoEncryption())
        certificate = chain[0]
        return cls(
            key=key,
            key_info=asn1_keys.PrivateKeyInfo.load(der),
            chain=chain,
            tsa_name=_parsed(
                asn1_x509.GeneralName(name="directory_name", value=certificate.subject)
            ),
            content_type=_parsed(_attribute("content_type", "tst_info")),
            signing_certificate=_parsed(
                _attribute("signing_certificate", as_signing_certificate(certificate))
            ),
            sid=_parsed(
                cms.SignerIdentifier(
                    {
                        "issuer_and_serial_number": cms.IssuerAndSerialNumber(
                            {
                                "issuer": certificate.issuer,
                                "serial_number": certificate.serial_number,
                            }
                        )
                    }
                )
            ),
        )


class _LocalTimeStamper(DummyTimeStamper):
    """pyHanko's in-process TSA, signing with a key loaded once (pyHanko's own re-parses its
    key for every token, ~70 ms) and building its tokens from parts encoded once per TSA.

    The token is the one pyHanko's ``DummyTimeStamper`` makes, byte for byte (the test
    tests/unit/test_pades_reuse.py compares them).
    """

    def __init__(self, parts: _TsaParts, at: datetime) -> None:
        super().__init__(
            tsa_cert=parts.chain[0],
            tsa_key=parts.key_info,
            certs_to_embed=SimpleCertificateStore.from_certs(parts.chain[1:]),  # type: ignore[no-untyped-call]
            fixed_dt=at,
        )
        self._parts = parts

    def request_tsa_response(self, req: tsp.TimeStampReq) -> tsp.TimeStampResp:
        parts = self._parts
        message_imprint = req["message_imprint"]
        md_algorithm = self.override_md or message_imprint["hash_algorithm"]["algorithm"].native
        dt = self.fixed_dt
        assert dt is not None  # always given (local_timestamper)
        tst_info = {
            "version": "v1",
            "policy": tsp.ObjectIdentifier("1.3.6.1.4.1.4146.2.2"),  # pyHanko's dummy policy
            "message_imprint": _parsed(message_imprint),
            "serial_number": cast(Callable[[], int], get_nonce)(),
            "gen_time": dt,
            "tsa": parts.tsa_name,
        }
        if req["nonce"].native is not None:
            tst_info["nonce"] = req["nonce"]
        tst_info_data = tsp.TSTInfo(tst_info).dump()
        signature, signed_attrs = self._sign_tst_info(tst_info_data, md_algorithm, dt)
        digest_algorithm = algos.DigestAlgorithm({"algorithm": md_algorithm})
        signer_info = cms.SignerInfo(
            {
                "version": "v1",
                "sid": parts.sid,
                "digest_algorithm": digest_algorithm,
                "signature_algorithm": algos.SignedDigestAlgorithm(
                    {"algorithm": "rsassa_pkcs1v15"}
                ),
                "signed_attrs": signed_attrs,
                "signature": signature,
            }
        )
        signed_data = cms.SignedData(
            {
                "version": "v3",
                "digest_algorithms": cms.DigestAlgorithms((digest_algorithm,)),
                "encap_content_info": cms.EncapsulatedContentInfo(
                    {
                        "content_type": cms.ContentType("tst_info"),
                        "content": cms.ParsableOctetString(tst_info_data),
                    }
                ),
                "certificates": set(parts.chain),
                "signer_infos": [signer_info],
            }
        )
        response = tsp.TimeStampResp(
            {
                "status": tsp.PKIStatusInfo({"status": tsp.PKIStatus("granted")}),
                "time_stamp_token": cms.ContentInfo(
                    {"content_type": cms.ContentType("signed_data"), "content": signed_data}
                ),
            }
        )
        # Parsed from its encoding, the token costs nothing more where it is embedded.
        return _parsed(response)

    def _sign_tst_info(
        self, tst_info_data: bytes, md_algorithm: str, dt: datetime
    ) -> tuple[bytes, cms.CMSAttributes]:
        parts = self._parts
        digest = hashlib.new(md_algorithm, tst_info_data).digest()
        signed_attrs = _parsed(
            cms.CMSAttributes(
                [
                    parts.content_type,
                    _attribute("signing_time", cms.Time({"utc_time": core.UTCTime(dt)})),
                    parts.signing_certificate,
                    _attribute("message_digest", digest),
                ]
            )
        )
        signature = parts.key.sign(
            signed_attrs.dump(), PKCS1v15(), get_pyca_cryptography_hash(md_algorithm.upper())
        )
        return signature, signed_attrs


_Asn1 = TypeVar("_Asn1", bound=core.Asn1Value)


def _parsed(value: _Asn1) -> _Asn1:
    """``value`` read back from its encoding: encoded once, embedded for free."""
    return cast(_Asn1, type(value).load(value.dump()))


def _attribute(name: str, value: object) -> cms.CMSAttribute:
    return cms.CMSAttribute({"type": cms.CMSAttributeType(name), "values": (value,)})


def local_timestamper(key: ServerKey, chain: tuple[x509.Certificate, ...]) -> TimestamperAt:
    """An in-process TSA (the demo's ``tsa.p12``, an RSA key) that stamps the instant it is
    given. ``chain`` is the TSA certificate first, then its issuers; the tokens embed them.
    PdfKeyError for a key that is not RSA.
    """
    if not isinstance(key, RSAPrivateKey):
        raise PdfKeyError("the in-process timestamp authority signs with RSA only")
    parts = _TsaParts.of(key, tuple(to_asn1(c) for c in chain))
    return lambda now: _LocalTimeStamper(parts, now)


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
