"""Two-step PAdES signing of one field of the PDF transcript (pyHanko's interrupted signing).

``prepare_pdf_signature`` writes the signer's incremental update (signature dictionary,
visible appearance, a zero-filled ``/Contents``), digests the ``/ByteRange`` and builds the
CMS signed attributes over that digest; their DER is ``to_sign``. The client (USB token, HSM,
remote service) signs it with SHA256withRSA (PKCS#1 v1.5) or SHA256withECDSA.
``complete_pdf_signature`` checks the value against the signer's certificate, assembles the
CMS (a signature timestamp as unsigned attribute for B-T), writes it into the placeholder
and, for B-LT, adds the validation data (DSS) in one more incremental update. ``sign_pdf``
runs both steps with a key held here, so the demo and the tests take the real path.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache
from typing import Final, cast

from asn1crypto import cms
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)
from cryptography.hazmat.primitives.serialization import Encoding
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.fields import SigSeedSubFilter, enumerate_sig_fields
from pyhanko.sign.general import SigningError
from pyhanko.sign.signers import ExternalSigner, PdfSignatureMetadata, PdfSigner
from pyhanko.sign.signers.pdf_byterange import PreparedByteRangeDigest
from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes
from pyhanko.sign.signers.pdf_signer import PdfTBSDocument
from pyhanko.sign.timestamps import HTTPTimeStamper, TimeStamper
from pyhanko.sign.validation import EmbeddedPdfSignature
from pyhanko.sign.validation.dss import async_add_validation_info
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from domain.signatures._fields import FIELD_HIEU_TRUONG, FIELD_NAMES
from domain.signatures._pades_appearance import SignatureAppearance, stamp_style
from domain.signatures._pades_common import (
    DIGEST_ALGORITHM,
    ServerKey,
    asn1_certificate,
    client_algorithm,
    run_sync,
    sign_with,
    signature_size,
)
from domain.signatures._pades_errors import (
    FieldAlreadySignedError,
    PdfKeyError,
    PdfSignatureError,
    PdfSignatureValueError,
    PdfUnreadableError,
    PreparedPdfSignatureError,
    SigningTimeError,
    TimestampUnavailableError,
    UnknownFieldError,
    ValidationInfoError,
)
from domain.signatures._pades_prepared import PadesLevel, PreparedPdfSignature

_CMS_OVERHEAD: Final = 2048
"""Bytes of CMS structure around the certificates and the signature value (generous)."""
_TIMESTAMP_ROOM: Final = 12288
"""Bytes reserved for a signature timestamp token with its TSA chain."""
_TSA_TIMEOUT: Final = 10
"""Seconds to wait for a timestamp authority given by URL."""

Timestamper = TimeStamper | str
"""A pyHanko ``TimeStamper`` or the URL of an RFC 3161 timestamp authority."""


def prepare_pdf_signature(
    pdf: bytes,
    *,
    field: str,
    chain: Sequence[x509.Certificate],
    signing_time: datetime,
    appearance: SignatureAppearance,
    level: PadesLevel = PadesLevel.B_B,
    reason: str | None = None,
    location: str | None = None,
) -> PreparedPdfSignature:
    """Write ``field``'s signature into ``pdf``, all but the CMS, and say what to sign.

    ``pdf`` must already hold the empty field (``add_signature_fields``). ``chain`` is the
    signer's certificate first, then intermediates; ``signing_time`` (timezone-aware) becomes
    the signature dictionary's ``/M``. Raises UnknownFieldError, FieldAlreadySignedError,
    PdfKeyError, SigningTimeError, PdfUnreadableError or AppearanceError.
    """
    if field not in FIELD_NAMES:
        raise UnknownFieldError(field, "the transcript has no such signature field")
    if signing_time.tzinfo is None or signing_time.utcoffset() is None:
        raise SigningTimeError(signing_time)
    if not chain:
        raise PdfKeyError("no certificate was given")
    algorithm = client_algorithm(chain[0])
    style, text_params = stamp_style(appearance, clear_left_third=field == FIELD_HIEU_TRUONG)
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=True)
        _require_empty_field(writer.prev, field)
    except (PdfError, ValueError, KeyError, TypeError, IndexError) as error:
        raise PdfUnreadableError(f"cannot read the PDF: {error}") from None
    chain_der = tuple(c.public_bytes(Encoding.DER) for c in chain)
    signer = _signer(chain_der, signature_size(chain[0]))
    metadata = PdfSignatureMetadata(
        field_name=field,
        md_algorithm=DIGEST_ALGORITHM,
        subfilter=SigSeedSubFilter.PADES,
        reason=reason,
        location=location,
    )
    reserved = 2 * (
        sum(len(der) for der in chain_der)
        + signature_size(chain[0])
        + _CMS_OVERHEAD
        + (_TIMESTAMP_ROOM if level.timestamped else 0)
    )
    try:
        session = PdfSigner(metadata, signer, stamp_style=style).init_signing_session(
            writer, existing_fields_only=True
        )
        # pyHanko reads the clock for /M and the appearance unless told otherwise; the
        # domain takes its time from the caller.
        session.system_time = signing_time
        tbs = session.prepare_tbs_document(
            validation_info=None, bytes_reserved=reserved, appearance_text_params=text_params
        )
        digest, output = tbs.digest_tbs_document()
        attributes = signed_attributes(chain_der[0], digest.document_digest)
    except (PdfError, SigningError, ValueError, KeyError, TypeError) as error:
        raise PdfUnreadableError(f"cannot prepare the signature: {error}") from None
    return PreparedPdfSignature(
        field=field,
        level=level,
        algorithm=algorithm,
        document=cast(io.BytesIO, output).getvalue(),
        document_digest=digest.document_digest,
        reserved_start=digest.reserved_region_start,
        reserved_end=digest.reserved_region_end,
        signed_attributes=attributes,
        chain=chain_der,
        signing_time=signing_time,
    )


def signed_attributes(certificate: bytes, document_digest: bytes) -> bytes:
    """The DER of the CMS signed attributes pyHanko makes for a PAdES signature by the
    signer of ``certificate`` (DER) over a ``/ByteRange`` with SHA-256 ``document_digest``.

    For PAdES pyHanko signs three attributes: the content type (always ``data``), the
    message digest, and the signing certificate (v2, from the certificate alone; no signing
    time, PAdES forbids it). Only the digest differs between two signatures by one signer,
    and it sits at a fixed place (a 32-byte OCTET STRING; the SET OF order is decided by the
    attribute types before it). asn1crypto re-encodes a freshly built structure on every
    ``dump`` — several milliseconds for these three attributes — so pyHanko builds them once
    per certificate (``_attributes_around_digest``) and each signature fills in its digest.
    """
    if len(document_digest) != len(_DIGEST_PLACEHOLDER):
        raise PdfSignatureError("the document digest is not a SHA-256 digest")
    before, after = _attributes_around_digest(certificate)
    return before + document_digest + after


_DIGEST_PLACEHOLDER: Final = hashlib.sha256(b"hocba: the document digest goes here").digest()


@lru_cache(maxsize=256)  # a school's signers: a few hundred bytes each
def _attributes_around_digest(certificate: bytes) -> tuple[bytes, bytes]:
    """pyHanko's signed attributes for ``certificate`` with a placeholder digest, split at it."""
    attributes = run_sync(
        _signer((certificate,), 0).signed_attrs(
            _DIGEST_PLACEHOLDER,
            DIGEST_ALGORITHM,
            attr_settings=PdfCMSSignedAttributes(),
            use_pades=True,
        )
    )
    der = attributes.dump()
    if der.count(_DIGEST_PLACEHOLDER) != 1:  # never seen; pyHanko changed its attributes
        raise PdfSignatureError("cannot place the document digest in the signed attributes")
    before, _, after = der.partition(_DIGEST_PLACEHOLDER)
    return before, after


def _signer(chain: tuple[bytes, ...], signature: int | bytes) -> ExternalSigner:
    """pyHanko's signer for ``chain`` (DER, the signer's first) with a stand-in value
    (its size, in the first step) or the client's value."""
    asn1_chain = [asn1_certificate(der) for der in chain]
    return ExternalSigner(
        signing_cert=asn1_chain[0],
        cert_registry=SimpleCertificateStore.from_certs(asn1_chain),  # type: ignore[no-untyped-call]
        signature_value=signature,
    )


def complete_pdf_signature(
    prepared: PreparedPdfSignature,
    *,
    signature_value: bytes,
    timestamper: Timestamper | None = None,
    validation_context: ValidationContext | None = None,
) -> bytes:
    """The signed PDF: ``prepared`` with the CMS built around ``signature_value``.

    ``signature_value`` is the client's signature of ``prepared.to_sign``. It is verified
    against the signer's certificate first (PdfSignatureValueError: nothing is returned),
    and the stored value against itself (PreparedPdfSignatureError). B-T and B-LT need
    ``timestamper`` (TimestampUnavailableError); B-LT also ``validation_context``, with
    the trust roots and, where the certificates name them, OCSP/CRL access or the
    revocation data itself (ValidationInfoError when the chain cannot be validated).
    """
    certificate = _check_prepared(prepared)
    value = _checked_value(prepared, certificate, signature_value)
    if prepared.level.timestamped and timestamper is None:
        raise TimestampUnavailableError(f"a {prepared.level} signature needs a timestamper")
    if not prepared.level.timestamped and timestamper is not None:
        raise PreparedPdfSignatureError(
            "the signature was prepared for B-B: no room for a timestamp"
        )
    if prepared.level is PadesLevel.B_LT and validation_context is None:
        raise ValidationInfoError("B-LT needs a validation context")
    return run_sync(_complete(prepared, certificate, value, timestamper, validation_context))


def sign_pdf(
    pdf: bytes,
    *,
    field: str,
    key: ServerKey,
    chain: Sequence[x509.Certificate],
    signing_time: datetime,
    appearance: SignatureAppearance,
    level: PadesLevel = PadesLevel.B_B,
    timestamper: Timestamper | None = None,
    validation_context: ValidationContext | None = None,
    reason: str | None = None,
    location: str | None = None,
) -> bytes:
    """Prepare, sign with a key held here (PKCS#12 demo, tests) and complete, in one call.

    Pass a loaded key object and keep it (``load_pkcs12_key`` caches): parsing a key per
    signature costs more than the signature. Raises what the two steps raise.
    """
    prepared = prepare_pdf_signature(
        pdf,
        field=field,
        chain=chain,
        signing_time=signing_time,
        appearance=appearance,
        level=level,
        reason=reason,
        location=location,
    )
    return complete_pdf_signature(
        prepared,
        signature_value=sign_with(key, prepared.to_sign),
        timestamper=timestamper,
        validation_context=validation_context,
    )


async def _complete(
    prepared: PreparedPdfSignature,
    certificate: x509.Certificate,
    value: bytes,
    timestamper: Timestamper | None,
    validation_context: ValidationContext | None,
) -> bytes:
    for der in prepared.chain[1:]:  # the signer's was read by _check_prepared
        x509.load_der_x509_certificate(der)
    signer = _signer(prepared.chain, value)
    tsa = (
        HTTPTimeStamper(timestamper, timeout=_TSA_TIMEOUT)
        if isinstance(timestamper, str)
        else timestamper
    )
    attributes = cms.CMSAttributes.load(prepared.signed_attributes)
    try:
        content = await signer.async_sign_prescribed_attributes(
            DIGEST_ALGORITHM, attributes, timestamper=tsa
        )
    except Exception as error:  # a TSA fails in many ways: network, HTTP, a bad response
        if tsa is None:
            raise PdfSignatureError(f"cannot assemble the CMS: {error}") from None
        raise TimestampUnavailableError(f"no signature timestamp: {error}") from None
    der = content.dump()
    room = (prepared.reserved_end - prepared.reserved_start - 2) // 2
    if len(der) > room:
        raise PdfSignatureError(f"the CMS needs {len(der)} bytes, {room} were reserved")
    output = io.BytesIO(prepared.document)
    digest = PreparedByteRangeDigest(
        document_digest=prepared.document_digest,
        reserved_region_start=prepared.reserved_start,
        reserved_region_end=prepared.reserved_end,
    )
    await PdfTBSDocument.async_finish_signing(output, digest, der)
    if prepared.level is not PadesLevel.B_LT or validation_context is None:
        return output.getvalue()
    return await _add_validation_info(output, prepared.field, validation_context)


async def _add_validation_info(
    signed: io.BytesIO, field: str, validation_context: ValidationContext
) -> bytes:
    try:
        reader = PdfFileReader(signed, strict=True)
        embedded = next(
            EmbeddedPdfSignature(reader, field_ref, name)
            for name, _value, field_ref in enumerate_sig_fields(reader, filled_status=True)
            if name == field
        )
        out = io.BytesIO()
        await async_add_validation_info(
            embedded, validation_context, add_vri_entry=False, output=out
        )
    except Exception as error:  # path building, revocation fetching: certvalidator's errors
        raise ValidationInfoError(f"cannot collect the validation data: {error}") from None
    return out.getvalue()


def _require_empty_field(reader: PdfFileReader, field: str) -> None:
    for name, value, _ref in enumerate_sig_fields(reader, with_name=field):
        if name == field:
            if value is not None:
                raise FieldAlreadySignedError(field)
            return
    raise UnknownFieldError(field, "the PDF has no such field; add the fields first")


def _check_prepared(prepared: PreparedPdfSignature) -> x509.Certificate:
    """The signer's certificate, once the stored value is shown to be what was handed out."""
    document, start, end = prepared.document, prepared.reserved_start, prepared.reserved_end
    if not (0 < start < end <= len(document)) or document[start : start + 1] != b"<":
        raise PreparedPdfSignatureError("the placeholder is not where the session says")
    if document[end - 1 : end] != b">" or document[start + 1 : end - 1].strip(b"0"):
        raise PreparedPdfSignatureError("the placeholder is not empty")
    covered = hashlib.sha256(document[:start])
    covered.update(document[end:])
    if covered.digest() != prepared.document_digest:
        raise PreparedPdfSignatureError("the prepared document changed since it was digested")
    try:
        attributes = cms.CMSAttributes.load(prepared.signed_attributes)
        by_type = {a["type"].native: a["values"][0] for a in attributes}
        message_digest = by_type["message_digest"].native
        signing_certificate = by_type["signing_certificate_v2"]
        certificate = x509.load_der_x509_certificate(prepared.chain[0])
        cert_hash = signing_certificate["certs"][0]["cert_hash"].native
    except (ValueError, KeyError, TypeError, IndexError):
        raise PreparedPdfSignatureError("the signed attributes cannot be read") from None
    if message_digest != prepared.document_digest:
        raise PreparedPdfSignatureError("the signed attributes name another document")
    if cert_hash != hashlib.sha256(prepared.chain[0]).digest():
        raise PreparedPdfSignatureError("the signed attributes name another certificate")
    if client_algorithm(certificate) is not prepared.algorithm:
        raise PreparedPdfSignatureError("the algorithm does not match the certificate")
    return certificate


def _checked_value(
    prepared: PreparedPdfSignature, certificate: x509.Certificate, value: bytes
) -> bytes:
    """``value`` as the CMS carries it (DER for ECDSA), once it verifies over ``to_sign``."""
    key = certificate.public_key()
    try:
        if isinstance(key, rsa.RSAPublicKey):
            key.verify(value, prepared.to_sign, padding.PKCS1v15(), hashes.SHA256())
            return value
        if isinstance(key, ec.EllipticCurvePublicKey):
            der = _ecdsa_der(key, value)
            key.verify(der, prepared.to_sign, ec.ECDSA(hashes.SHA256()))
            return der
    except (InvalidSignature, ValueError):
        pass
    raise PdfSignatureValueError(
        prepared.field, "the signature value does not verify with the signer's certificate"
    )


def _ecdsa_der(key: ec.EllipticCurvePublicKey, value: bytes) -> bytes:
    try:
        decode_dss_signature(value)
    except ValueError:
        size = (key.curve.key_size + 7) // 8
        if len(value) == 2 * size:  # the raw r‖s some tokens return
            r, s = int.from_bytes(value[:size], "big"), int.from_bytes(value[size:], "big")
            return encode_dss_signature(r, s)
    return value
