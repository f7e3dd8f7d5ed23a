"""Small pieces shared by PAdES signing and verification: keys, certificates, the event loop."""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Coroutine
from enum import StrEnum
from functools import lru_cache
from typing import Any, Final, TypeVar

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import Encoding, pkcs12

from domain.documents import UnsupportedKeyError, algorithm_for
from domain.signatures._pades_errors import PdfKeyError
from domain.signatures._running import run_on_fresh_loop

DIGEST_ALGORITHM: Final = "sha256"
"""The only digest this profile signs with (``/ByteRange`` and signed attributes)."""

ServerKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
"""A private key held by the server (PKCS#12 demo key, tests)."""

T = TypeVar("T")


class ClientAlgorithm(StrEnum):
    """How the client signs ``to_sign`` (contracts.md ``algorithm``)."""

    RSA_SHA256 = "sha256WithRSA"
    """RSASSA-PKCS1-v1_5 over SHA-256."""
    ECDSA_SHA256 = "sha256WithECDSA"
    """ECDSA over SHA-256; the value is DER (``SEQUENCE {r, s}``) or the raw ``r‖s``."""


def client_algorithm(certificate: x509.Certificate) -> ClientAlgorithm:
    """The algorithm the certificate's key signs with, by the XML profile's one rule
    (``domain.documents.algorithm_for``: RSA of 2048 bits or more, ECDSA on P-256 or
    P-384); PdfKeyError for a key the profile refuses."""
    try:
        return ClientAlgorithm(algorithm_for(certificate).client_name)
    except UnsupportedKeyError as error:
        raise PdfKeyError(str(error)) from None


def signature_size(certificate: x509.Certificate) -> int:
    """The largest signature value (DER for ECDSA) the certificate's key can produce."""
    key = certificate.public_key()
    if isinstance(key, rsa.RSAPublicKey):
        return (key.key_size + 7) // 8
    if isinstance(key, ec.EllipticCurvePublicKey):
        return 2 * ((key.curve.key_size + 7) // 8) + 9
    raise PdfKeyError(f"a {type(key).__name__} cannot sign a transcript")


def sign_with(key: ServerKey, data: bytes) -> bytes:
    """``data`` signed as a client would: PKCS#1 v1.5 or ECDSA (DER), SHA-256."""
    if isinstance(key, rsa.RSAPrivateKey):
        return key.sign(data, padding.PKCS1v15(), hashes.SHA256())
    return key.sign(data, ec.ECDSA(hashes.SHA256()))


def to_asn1(certificate: x509.Certificate) -> asn1_x509.Certificate:
    """The asn1crypto form pyHanko works with (``asn1_certificate``: one object per
    certificate and process)."""
    return asn1_certificate(certificate.public_bytes(Encoding.DER))


@lru_cache(maxsize=256)
def asn1_certificate(der: bytes) -> asn1_x509.Certificate:
    """The certificate ``der`` parsed by asn1crypto, once per process.

    The same few certificates (the staff's, the seal's, the TSA's, the roots) go into every
    signature. A parsed object keeps its encoding, so embedding it costs nothing, and
    asn1crypto caches what it derives (names, hashes, key identifiers) on the object, so
    pyHanko's certificate registries and path building stop recomputing them. The object is
    shared: nothing here or in pyHanko changes a certificate.
    """
    return asn1_x509.Certificate.load(der)


@lru_cache(maxsize=32)
def load_pkcs12_key(
    data: bytes, password: bytes | None
) -> tuple[ServerKey, tuple[x509.Certificate, ...]]:
    """The key and chain (signer first) of a PKCS#12 file, parsed once per process and file.

    Parsing a PKCS#12 (and its key) costs far more than the signature itself
    (library-notes.md), so repeated signatures with the school seal reuse this result.
    Raises PdfKeyError for a file that cannot be read or holds no usable key.
    """
    try:
        key, certificate, extra = pkcs12.load_key_and_certificates(data, password)
    except ValueError as error:
        raise PdfKeyError(f"the PKCS#12 file cannot be read: {error}") from None
    if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) or certificate is None:
        raise PdfKeyError("the PKCS#12 file holds no RSA or EC key with its certificate")
    intermediates = tuple(c for c in extra or () if c.subject != c.issuer)
    return key, (certificate, *intermediates)


def run_sync(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run pyHanko's coroutine to completion from synchronous code.

    The use cases are synchronous; when one is called from a thread that already runs an
    event loop, the coroutine runs on a fresh loop in a helper thread instead.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return run_on_fresh_loop(coroutine)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run_on_fresh_loop, coroutine).result()
