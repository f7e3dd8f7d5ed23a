"""Two-step PAdES: prepare → the client signs the signed attributes → complete, per field."""

from __future__ import annotations

import hashlib
import io
from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from asn1crypto import cms
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, pkcs12
from pyhanko.pdf_utils.reader import PdfFileReader

from domain.signatures import (
    FIELD_DON_VI,
    FIELD_GVCN,
    FIELD_HIEU_TRUONG,
    ClientAlgorithm,
    FieldAlreadySignedError,
    PadesLevel,
    PdfKeyError,
    PdfSignatureValueError,
    PreparedPdfSignature,
    PreparedPdfSignatureError,
    SigningTimeError,
    TimestampUnavailableError,
    UnknownFieldError,
    complete_pdf_signature,
    load_pkcs12_key,
    prepare_pdf_signature,
    sign_pdf,
    verify_pdf,
)
from tests.support.pdfs import (
    VERIFIED_AT,
    VERIFY_URL,
    appearance,
    sign_field,
    signed_three,
    signed_three_timestamped,
    trust_roots,
    unsigned_pdf,
)
from tests.support.pki import ec_pki, rsa_pki
from tests.support.transcripts import FIRST_SIGNATURE, annual_document, client_signs
from workflow._pdf import render_pdf


def _prepare(
    field: str = FIELD_GVCN, label: str = "gvcn", **options: object
) -> PreparedPdfSignature:
    signer = rsa_pki().signers[label]
    return prepare_pdf_signature(
        unsigned_pdf(),
        field=field,
        chain=signer.chain,
        signing_time=FIRST_SIGNATURE,
        appearance=appearance(field, signer, FIRST_SIGNATURE),
        **options,  # type: ignore[arg-type]
    )


def _revisions(pdf: bytes) -> int:
    return int(PdfFileReader(io.BytesIO(pdf)).xrefs.total_revisions)


def test_to_sign_is_the_der_of_the_signed_attributes_over_the_byte_range() -> None:
    prepared = _prepare()
    attributes = {
        a["type"].native: a["values"][0] for a in cms.CMSAttributes.load(prepared.to_sign)
    }
    assert set(attributes) == {"content_type", "message_digest", "signing_certificate_v2"}
    document = prepared.document
    covered = document[: prepared.reserved_start] + document[prepared.reserved_end :]
    assert attributes["message_digest"].native == hashlib.sha256(covered).digest()
    assert prepared.algorithm is ClientAlgorithm.RSA_SHA256
    assert prepared.to_sign_digest == hashlib.sha256(prepared.to_sign).digest()


def test_a_prepared_signature_survives_storage_as_bytes() -> None:
    prepared = _prepare()
    assert PreparedPdfSignature.from_bytes(prepared.to_bytes()) == prepared


def test_garbage_in_place_of_a_stored_signature_is_refused() -> None:
    for junk in (b"", b"{}", b"not json", b'{"format": "hocba-pades-prepared/1"}'):
        with pytest.raises(PreparedPdfSignatureError):
            PreparedPdfSignature.from_bytes(junk)


def test_three_signers_make_three_incremental_updates_that_all_verify() -> None:
    unsigned = unsigned_pdf()
    signed = signed_three()
    assert signed.startswith(unsigned)
    assert _revisions(signed) == _revisions(unsigned) + 3
    result = verify_pdf(signed, now=VERIFIED_AT, trust_roots=trust_roots())
    assert result.valid, result
    assert [s.field for s in result.signatures] == [FIELD_GVCN, FIELD_HIEU_TRUONG, FIELD_DON_VI]
    for check in result.signatures:
        assert check.intact and check.valid and check.trusted and check.bottom_line
        assert check.timestamp_time is None
    assert result.signatures[-1].coverage == "ENTIRE_FILE"
    assert result.signature(FIELD_GVCN).modification_level == "FORM_FILLING"  # type: ignore[union-attr]
    assert result.signature(FIELD_HIEU_TRUONG).signer.common_name == "Lê Hoàng Cường"  # type: ignore[union-attr]
    assert result.signature(FIELD_DON_VI).signing_time == FIRST_SIGNATURE + timedelta(minutes=2)  # type: ignore[union-attr]


def test_with_a_timestamper_each_signature_is_b_t_and_the_seal_carries_validation_data() -> None:
    signed = signed_three_timestamped()
    result = verify_pdf(signed, now=VERIFIED_AT, trust_roots=trust_roots())
    assert result.valid, result
    for minute, check in enumerate(result.signatures):
        assert check.timestamp_valid is True
        assert check.timestamp_time == FIRST_SIGNATURE + timedelta(minutes=minute, seconds=5)
    reader = PdfFileReader(io.BytesIO(signed))
    dss = reader.root["/DSS"]
    assert len(dss["/Certs"]) >= 3  # signer, issuing CA, TSA (and the roots)
    # the DSS is one more update after the seal's, which the seal's entry accepts
    assert _revisions(signed) == _revisions(unsigned_pdf()) + 4
    assert result.signature(FIELD_DON_VI).modification_level == "LTA_UPDATES"  # type: ignore[union-attr]


def test_an_ecdsa_signer_may_return_der_or_raw_r_and_s() -> None:
    signer = ec_pki().signers["gvbm"]
    for raw in (False, True):
        prepared = prepare_pdf_signature(
            unsigned_pdf(),
            field=FIELD_GVCN,
            chain=signer.chain,
            signing_time=FIRST_SIGNATURE,
            appearance=appearance(FIELD_GVCN, signer, FIRST_SIGNATURE),
        )
        assert prepared.algorithm is ClientAlgorithm.ECDSA_SHA256
        value = client_signs(signer, prepared.to_sign)
        if raw:
            r, s = decode_dss_signature(value)
            value = r.to_bytes(32, "big") + s.to_bytes(32, "big")
        signed = complete_pdf_signature(prepared, signature_value=value)
        result = verify_pdf(signed, now=VERIFIED_AT, trust_roots=[ec_pki().root])
        assert result.valid, result


def test_a_wrong_signature_value_is_refused_and_gives_no_file() -> None:
    prepared = _prepare()
    signer = rsa_pki().signers["gvcn"]
    wrong = bytearray(client_signs(signer, prepared.to_sign))
    wrong[10] ^= 0x01
    with pytest.raises(PdfSignatureValueError) as refused:
        complete_pdf_signature(prepared, signature_value=bytes(wrong))
    assert refused.value.field == FIELD_GVCN
    assert refused.value.code == "signature_value_invalid"


def test_a_value_made_by_another_key_is_refused() -> None:
    prepared = _prepare()
    other = rsa_pki().signers["ht"]
    with pytest.raises(PdfSignatureValueError):
        complete_pdf_signature(prepared, signature_value=client_signs(other, prepared.to_sign))
    with pytest.raises(PdfSignatureValueError):
        complete_pdf_signature(prepared, signature_value=b"")


def test_a_value_over_other_bytes_is_refused() -> None:
    prepared = _prepare()
    signer = rsa_pki().signers["gvcn"]
    with pytest.raises(PdfSignatureValueError):
        complete_pdf_signature(prepared, signature_value=client_signs(signer, b"other bytes"))


def test_a_stored_document_changed_between_the_steps_is_refused() -> None:
    prepared = _prepare()
    value = client_signs(rsa_pki().signers["gvcn"], prepared.to_sign)
    document = bytearray(prepared.document)
    document[200] ^= 0x20
    with pytest.raises(PreparedPdfSignatureError):
        complete_pdf_signature(replace(prepared, document=bytes(document)), signature_value=value)
    with pytest.raises(PreparedPdfSignatureError):
        complete_pdf_signature(replace(prepared, reserved_start=10), signature_value=value)


def test_b_t_without_a_timestamper_is_refused() -> None:
    prepared = _prepare(level=PadesLevel.B_T)
    value = client_signs(rsa_pki().signers["gvcn"], prepared.to_sign)
    with pytest.raises(TimestampUnavailableError):
        complete_pdf_signature(prepared, signature_value=value)


def test_a_signed_field_cannot_be_signed_again() -> None:
    signer = rsa_pki().signers["gvcn"]
    once = sign_field(unsigned_pdf(), FIELD_GVCN, signer, FIRST_SIGNATURE)
    with pytest.raises(FieldAlreadySignedError):
        sign_field(once, FIELD_GVCN, signer, FIRST_SIGNATURE)


def test_a_field_outside_the_layout_or_missing_from_the_pdf_is_refused() -> None:
    with pytest.raises(UnknownFieldError):
        _prepare(field="GVBM")
    with pytest.raises(UnknownFieldError):
        prepare_pdf_signature(
            _bare_pdf(),
            field=FIELD_GVCN,
            chain=rsa_pki().signers["gvcn"].chain,
            signing_time=FIRST_SIGNATURE,
            appearance=appearance(FIELD_GVCN, rsa_pki().signers["gvcn"], FIRST_SIGNATURE),
        )


def test_sign_pdf_with_a_server_key_takes_the_same_two_steps() -> None:
    seal = rsa_pki().signers["dv"]
    signed = sign_pdf(
        unsigned_pdf(),
        field=FIELD_DON_VI,
        key=seal.key,
        chain=seal.chain,
        signing_time=FIRST_SIGNATURE,
        appearance=appearance(FIELD_DON_VI, seal, FIRST_SIGNATURE),
    )
    result = verify_pdf(signed, now=VERIFIED_AT, trust_roots=trust_roots())
    assert result.valid
    assert result.unsigned_fields == (FIELD_GVCN, FIELD_HIEU_TRUONG)


def _bare_pdf() -> bytes:
    return render_pdf(annual_document(), verify_url=VERIFY_URL)


def test_a_pkcs12_seal_is_parsed_once_and_signs_through_sign_pdf() -> None:
    seal = rsa_pki().signers["dv"]
    p12 = pkcs12.serialize_key_and_certificates(
        b"seal",
        seal.key,
        seal.certificate,
        list(seal.chain[1:]),
        BestAvailableEncryption(b"hocba-demo"),
    )
    key, chain = load_pkcs12_key(p12, b"hocba-demo")
    again_key, _ = load_pkcs12_key(p12, b"hocba-demo")
    assert again_key is key  # cached: the PKCS#12 is not parsed per signature
    assert [c.subject for c in chain] == [c.subject for c in seal.chain]
    signed = sign_pdf(
        unsigned_pdf(),
        field=FIELD_DON_VI,
        key=key,
        chain=chain,
        signing_time=FIRST_SIGNATURE,
        appearance=appearance(FIELD_DON_VI, seal, FIRST_SIGNATURE),
    )
    assert verify_pdf(signed, now=VERIFIED_AT, trust_roots=trust_roots()).valid
    with pytest.raises(PdfKeyError):
        load_pkcs12_key(p12, b"wrong password")


def test_a_signing_time_without_an_offset_is_refused() -> None:
    with pytest.raises(SigningTimeError):
        _prepare_at(datetime(2025, 6, 20, 9, 15))


def _prepare_at(moment: datetime) -> PreparedPdfSignature:
    signer = rsa_pki().signers["gvcn"]
    return prepare_pdf_signature(
        unsigned_pdf(),
        field=FIELD_GVCN,
        chain=signer.chain,
        signing_time=moment,
        appearance=appearance(FIELD_GVCN, signer, FIRST_SIGNATURE),
    )
