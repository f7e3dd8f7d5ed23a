"""What the PAdES steps reuse between signatures changes nothing they produce or check.

Each shortcut is compared with pyHanko's own way: the signed attributes filled in from a
per-certificate template, the in-process TSA's tokens built from parts encoded once, the
certificates parsed once per process, the stamp font shared.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any
from unittest import mock

import pytest
from asn1crypto import cms
from asn1crypto import keys as asn1_keys
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
)
from pyhanko.sign.signers import ExternalSigner
from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from pyhanko_certvalidator.registry import SimpleCertificateStore

from domain.signatures import FIELD_GVCN, SignatureAppearance, prepare_pdf_signature
from domain.signatures._pades import signed_attributes
from domain.signatures._pades_appearance import _loaded_font, reduced_font
from domain.signatures._pades_common import asn1_certificate, run_sync, to_asn1
from tests.support.pdfs import font, tsa, unsigned_pdf
from tests.support.pki import ec_pki, rsa_pki
from workflow import _pdf_signing
from workflow._pdf_signing import local_timestamper


def _pyhankos_attributes(chain: list[Any], digest: bytes, when: datetime) -> bytes:
    signer = ExternalSigner(
        signing_cert=chain[0],
        cert_registry=SimpleCertificateStore.from_certs(chain),  # type: ignore[no-untyped-call]
        signature_value=256,
    )
    attributes = run_sync(
        signer.signed_attrs(
            digest,
            "sha256",
            attr_settings=PdfCMSSignedAttributes(signing_time=when),
            use_pades=True,
        )
    )
    return bytes(attributes.dump())


@pytest.mark.parametrize("label", ["gvcn", "ht", "dv"])
def test_the_signed_attributes_are_pyhankos_for_each_signer_and_digest(label: str) -> None:
    chain = rsa_pki().signers[label].chain
    for n in range(3):
        digest = hashlib.sha256(f"{label} {n}".encode()).digest()
        when = datetime(2025, 6, 20 + n, 9, tzinfo=UTC)

        ours = signed_attributes(chain[0].public_bytes(Encoding.DER), digest)

        assert ours == _pyhankos_attributes([to_asn1(c) for c in chain], digest, when)


def test_the_signed_attributes_of_one_signer_never_name_another() -> None:
    digest = hashlib.sha256(b"one document").digest()
    ecdsa = ec_pki().signers["gvbm"].chain[0].public_bytes(Encoding.DER)
    rsa = rsa_pki().signers["gvcn"].chain[0].public_bytes(Encoding.DER)

    first, second, again = (signed_attributes(der, digest) for der in (rsa, ecdsa, rsa))

    certificates = [
        {a["type"].native: a["values"][0] for a in cms.CMSAttributes.load(der)}[
            "signing_certificate_v2"
        ]["certs"][0]["cert_hash"].native
        for der in (first, second, again)
    ]
    assert certificates == [
        hashlib.sha256(rsa).digest(),
        hashlib.sha256(ecdsa).digest(),
        hashlib.sha256(rsa).digest(),
    ]


def test_the_in_process_tsa_token_is_pyhankos_byte_for_byte() -> None:
    authority = tsa()
    at = datetime(2025, 6, 20, 9, 15, tzinfo=UTC)
    ours = local_timestamper(authority.key, (authority.certificate, authority.root))(at)
    assert isinstance(ours, _pdf_signing._LocalTimeStamper)
    key_der = authority.key.private_bytes(Encoding.DER, PrivateFormat.PKCS8, NoEncryption())
    theirs = DummyTimeStamper(
        tsa_cert=to_asn1(authority.certificate),
        tsa_key=asn1_keys.PrivateKeyInfo.load(key_der),
        certs_to_embed=SimpleCertificateStore.from_certs([to_asn1(authority.root)]),  # type: ignore[no-untyped-call]
        fixed_dt=at,
    )
    for n in range(2):
        _nonce, request = ours.request_cms(  # type: ignore[no-untyped-call]
            hashlib.sha256(bytes([n])).digest(), "sha256"
        )
        serial = 4242 + n
        with (
            mock.patch("pyhanko.sign.timestamps.dummy_client.get_nonce", return_value=serial),
            mock.patch.object(_pdf_signing, "get_nonce", return_value=serial),
        ):
            assert ours.request_tsa_response(request).dump() == (
                theirs.request_tsa_response(request).dump()
            )


def test_a_certificate_is_parsed_once_and_each_stays_its_own() -> None:
    signers = rsa_pki().signers
    ders = [signers[label].certificate.public_bytes(Encoding.DER) for label in ("gvcn", "ht")]

    first, second = (asn1_certificate(der) for der in ders)

    assert asn1_certificate(ders[0]) is first
    assert first.dump() == ders[0] and second.dump() == ders[1]
    assert to_asn1(signers["gvcn"].certificate) is first


def test_the_stamp_font_shared_between_signatures_is_never_cut() -> None:
    loaded = _loaded_font(reduced_font(font()))
    glyphs = list(loaded.tt.getGlyphOrder())
    signer = rsa_pki().signers["gvcn"]
    when = datetime(2025, 6, 20, 9, tzinfo=UTC)
    for name in ("Ặng Ỹ", "Ữa Ỗ Ẵ", "Qx Zj"):  # new letters each time: a new subset each time
        prepared = prepare_pdf_signature(
            unsigned_pdf(),
            field=FIELD_GVCN,
            chain=signer.chain,
            signing_time=when,
            appearance=SignatureAppearance(lines=(f"Ký bởi: {name}",), font=font()),
        )
        assert prepared.document.startswith(unsigned_pdf())

    assert list(loaded.tt.getGlyphOrder()) == glyphs
    assert loaded.tt["maxp"].numGlyphs == len(glyphs)
