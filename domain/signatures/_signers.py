"""Server-side signers behind one interface: a PKCS#12 soft key, a PKCS#11 token (an HSM).

A ``Signer`` hash-then-signs the bytes it is given (SHA-256; RSA PKCS#1 v1.5, or ECDSA with
a DER value) with a key whose certificate chain it names. The two-step signing of the
workflow hands it ``to_be_signed`` and gets back what an external client would return, so a
server-side key and a teacher's USB token go through the same completion. The external
client needs no class here: it only returns signature values.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.hazmat.primitives.serialization import pkcs12

from domain.model import DomainError

RSA_SHA256 = "sha256WithRSA"
"""RSASSA-PKCS1-v1_5 with SHA-256 (contracts.md ``algorithm``)."""
ECDSA_SHA256 = "sha256WithECDSA"
"""ECDSA with SHA-256; the value is DER (as most signing APIs return it)."""


class SignerError(DomainError):
    """A signer could not be opened or could not sign; ``reason`` says why."""

    code = "signer_error"

    def __init__(self, source: str, reason: str) -> None:
        self.source = source
        """The key store: a file path or ``pkcs11:<token>/<key>``."""
        self.reason = reason
        super().__init__(f"{source}: {reason}")


@runtime_checkable
class Signer(Protocol):
    """A key that signs on the server's side, with the certificate chain it belongs to."""

    @property
    def chain(self) -> tuple[x509.Certificate, ...]:
        """The signer's certificate first, then intermediates (never the root)."""
        ...

    @property
    def algorithm(self) -> str:
        """``sha256WithRSA`` or ``sha256WithECDSA``."""
        ...

    def sign(self, data: bytes) -> bytes:
        """The signature over SHA-256 of ``data`` (PKCS#1 v1.5, or ECDSA as DER)."""
        ...


def _algorithm_of(certificate: x509.Certificate, source: str) -> str:
    key = certificate.public_key()
    if isinstance(key, rsa.RSAPublicKey):
        return RSA_SHA256
    if isinstance(key, ec.EllipticCurvePublicKey):
        return ECDSA_SHA256
    raise SignerError(source, f"a {type(key).__name__} cannot sign a transcript")


class Pkcs12Signer:
    """A PKCS#12 file's key and chain, opened once (parsing a key per signature is slow)."""

    def __init__(self, data: bytes, password: bytes | None, *, source: str = "PKCS#12") -> None:
        """Open the PKCS#12 ``data``; SignerError if it cannot be opened or holds no key."""
        try:
            key, certificate, extra = pkcs12.load_key_and_certificates(data, password)
        except (ValueError, TypeError) as error:
            raise SignerError(source, f"cannot open the PKCS#12 file ({error})") from None
        if certificate is None or not isinstance(
            key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
        ):
            raise SignerError(source, "holds no RSA or EC private key with its certificate")
        if key.public_key() != certificate.public_key():
            raise SignerError(source, "the key does not belong to the certificate")
        self._key = key
        self._chain = (certificate, *extra)
        self._algorithm = _algorithm_of(certificate, source)

    @classmethod
    def opened(
        cls,
        key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey,
        chain: Sequence[x509.Certificate],
        *,
        source: str = "PKCS#12",
    ) -> Pkcs12Signer:
        """A signer on a PKCS#12 file's contents opened already (the demo PKI loads each once)."""
        signer = cls.__new__(cls)
        if not chain or key.public_key() != chain[0].public_key():
            raise SignerError(source, "the key does not belong to the certificate")
        signer._key = key
        signer._chain = tuple(chain)
        signer._algorithm = _algorithm_of(chain[0], source)
        return signer

    @classmethod
    def from_file(cls, path: Path, password: bytes | None) -> Pkcs12Signer:
        """Open the PKCS#12 file at ``path``."""
        try:
            data = path.read_bytes()
        except OSError as error:
            raise SignerError(str(path), f"cannot read the file ({error.strerror})") from None
        return cls(data, password, source=str(path))

    @property
    def chain(self) -> tuple[x509.Certificate, ...]:
        """The certificate first, then the intermediates the file carries."""
        return self._chain

    @property
    def algorithm(self) -> str:
        """From the certificate's key."""
        return self._algorithm

    def sign(self, data: bytes) -> bytes:
        """PKCS#1 v1.5 or ECDSA (DER) over SHA-256 of ``data``."""
        if isinstance(self._key, rsa.RSAPrivateKey):
            return self._key.sign(data, padding.PKCS1v15(), hashes.SHA256())
        return self._key.sign(data, ec.ECDSA(hashes.SHA256()))


class Pkcs11Signer:
    """A private key on a PKCS#11 token (an HSM; SoftHSM2 in the tests), found by labels.

    The certificate is read from the token (the certificate object with the key's label);
    ``intermediates`` completes the chain. The session is opened on first use and kept.
    """

    def __init__(
        self,
        *,
        module: Path,
        token_label: str,
        pin: str,
        key_label: str,
        intermediates: Sequence[x509.Certificate] = (),
    ) -> None:
        self._module, self._token_label, self._pin = module, token_label, pin
        self._key_label = key_label
        self._source = f"pkcs11:{token_label}/{key_label}"
        self._session: Any = None
        self._key: Any = None
        certificate = self._certificate()
        self._chain = (certificate, *intermediates)
        self._algorithm = _algorithm_of(certificate, self._source)

    def _open(self) -> Any:
        import pkcs11  # noqa: PLC0415  (loads the C library: only when a token is used)
        from pkcs11.exceptions import PKCS11Error  # noqa: PLC0415

        if self._session is not None:
            return self._session
        try:
            library = pkcs11.lib(str(self._module))
            token = library.get_token(token_label=self._token_label)
            self._session = token.open(user_pin=self._pin)
        except (PKCS11Error, RuntimeError, OSError) as error:
            raise SignerError(self._source, f"cannot open the token ({error!r})") from None
        return self._session

    def _certificate(self) -> x509.Certificate:
        from pkcs11 import Attribute, ObjectClass  # noqa: PLC0415
        from pkcs11.exceptions import PKCS11Error  # noqa: PLC0415

        session = self._open()
        try:
            found = list(
                session.get_objects(
                    {Attribute.CLASS: ObjectClass.CERTIFICATE, Attribute.LABEL: self._key_label}
                )
            )
            self._key = session.get_key(object_class=ObjectClass.PRIVATE_KEY, label=self._key_label)
        except PKCS11Error as error:
            raise SignerError(self._source, f"no key or certificate ({error!r})") from None
        if len(found) != 1:
            raise SignerError(self._source, f"{len(found)} certificates carry the key's label")
        try:
            return x509.load_der_x509_certificate(bytes(found[0][Attribute.VALUE]))
        except ValueError:
            raise SignerError(self._source, "the certificate on the token is unreadable") from None

    @property
    def chain(self) -> tuple[x509.Certificate, ...]:
        """The token's certificate, then the intermediates given."""
        return self._chain

    @property
    def algorithm(self) -> str:
        """From the certificate's key."""
        return self._algorithm

    def sign(self, data: bytes) -> bytes:
        """The token signs SHA-256 of ``data``: CKM_SHA256_RSA_PKCS, or CKM_ECDSA over the
        digest (returned as DER)."""
        from pkcs11 import Mechanism  # noqa: PLC0415
        from pkcs11.exceptions import PKCS11Error  # noqa: PLC0415

        try:
            if self._algorithm == RSA_SHA256:
                return bytes(self._key.sign(data, mechanism=Mechanism.SHA256_RSA_PKCS))
            raw = bytes(self._key.sign(hashlib.sha256(data).digest(), mechanism=Mechanism.ECDSA))
        except PKCS11Error as error:
            raise SignerError(self._source, f"the token refused to sign ({error!r})") from None
        size = len(raw) // 2
        r, s = int.from_bytes(raw[:size], "big"), int.from_bytes(raw[size:], "big")
        return encode_dss_signature(r, s)

    def close(self) -> None:
        """Close the token session (a later ``sign`` needs a new signer)."""
        if self._session is not None:
            self._session.close()
            self._session = None
