"""Two-step XMLDSig per slot: what is prepared, what completes, and what is refused."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.x509.oid import NameOID
from lxml import etree  # type: ignore[import-untyped]

from domain.documents import (
    DS_NS,
    InvalidDocumentError,
    PreparedSignature,
    PreparedSignatureError,
    ProblemCode,
    SchemaInvalidError,
    SignatureAlgorithm,
    SignatureValueError,
    Slot,
    SlotAlreadySignedError,
    SlotNotReadyError,
    UnknownSlotError,
    UnsupportedKeyError,
    complete_slot,
    prepare_slot,
    reference_uris,
    render_xml,
    sign_slot,
    verify_xml,
)
from domain.model import SlotKind, TranscriptKind
from tests.support.clock import vn
from tests.support.pki import ec_pki, rsa_pki
from tests.support.tampering import NS
from tests.support.transcripts import (
    FIRST_SIGNATURE,
    annual_document,
    annual_slots,
    client_signs,
    sign_all,
    signed_annual,
    transfer_document,
)

NOON = vn(2025, 6, 20, 12)


def unsigned() -> bytes:
    return render_xml(annual_document())


def test_prepare_hands_out_the_canonical_signed_info_and_the_algorithm() -> None:
    signer = rsa_pki().signers["gvbm"]

    prepared = prepare_slot(unsigned(), "GVBM:TOAN", signer.chain, FIRST_SIGNATURE)

    assert prepared.slot == Slot(SlotKind.GVBM, "TOAN")
    assert prepared.algorithm is SignatureAlgorithm.RSA_SHA256
    assert prepared.algorithm.client_name == "sha256WithRSA"
    assert prepared.to_be_signed.startswith(
        b'<ds:SignedInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#">'
    )
    assert prepared.to_be_signed_digest == hashlib.sha256(prepared.to_be_signed).digest()


def test_an_ec_certificate_asks_for_ecdsa() -> None:
    signer = ec_pki().signers["gvbm"]

    prepared = prepare_slot(unsigned(), "GVBM:TOAN", signer.chain, FIRST_SIGNATURE)

    assert prepared.algorithm is SignatureAlgorithm.ECDSA_SHA256
    assert prepared.algorithm.client_name == "sha256WithECDSA"


def test_the_prepared_document_carries_everything_but_the_value() -> None:
    signer = rsa_pki().signers["gvbm"]
    prepared = prepare_slot(unsigned(), "GVBM:TOAN", signer.chain, FIRST_SIGNATURE)
    root = etree.fromstring(prepared.document)

    signature = root.find("DSCKS/GVBM[@Mon='TOAN']/ds:Signature", NS)
    assert signature.get("Id") == "sig-gvbm-TOAN"
    assert signature.findtext("ds:SignatureValue", namespaces=NS) == ""
    assert signature.findtext(".//ds:X509SubjectName", namespaces=NS) == "CN=Nguyễn Văn An,C=VN"
    certificates = [
        x509.load_der_x509_certificate(base64.b64decode("".join(e.text.split())))
        for e in signature.iterfind(".//ds:X509Certificate", NS)
    ]
    assert certificates == list(signer.chain)  # signer first, then the issuing CA
    assert signature.findtext(".//p:SigningTime", namespaces=NS) == "2025-06-20T09:15:00+07:00"
    assert verify_xml(prepared.document).signatures[0].errors[0].code is (
        ProblemCode.SIGNATURE_VALUE_INVALID
    )


@pytest.mark.parametrize("slot", annual_slots(), ids=str)
def test_each_slot_references_exactly_what_the_profile_lists(slot: Slot) -> None:
    root = etree.fromstring(signed_annual())
    path = "DSCKS/GVBM[@Mon='{}']" if slot.subject else "DSCKS/{}"
    signature = root.find(f"{path.format(slot.subject or slot.kind)}/ds:Signature", NS)

    uris = [r.get("URI") for r in signature.iterfind("ds:SignedInfo/ds:Reference", NS)]

    assert uris == list(reference_uris(slot, annual_slots()))
    assert not signature.findall(".//ds:Transforms", NS)
    subjects = ["#sig-gvbm-TOAN", "#sig-gvbm-NGUVAN", "#sig-gvbm-NGOAINGU1", "#sig-gvbm-GDTC"]
    expected = {
        SlotKind.GVBM: ["#TTChung", f"#MH-{slot.subject}"],
        SlotKind.GVCN: ["#DLHocBa", *subjects],
        SlotKind.HIEU_TRUONG: ["#DLHocBa", "#sig-gvcn"],
        SlotKind.DON_VI: ["#DLHocBa", "#sig-ht"],
    }[slot.kind]
    assert uris == [*expected, f"#{slot.properties_id}"]


def test_an_ecdsa_value_is_accepted_as_der_or_as_raw_r_and_s() -> None:
    signer = ec_pki().signers["gvbm"]
    prepared = prepare_slot(unsigned(), "GVBM:TOAN", signer.chain, FIRST_SIGNATURE)
    der = client_signs(signer, prepared.to_be_signed)
    r, s = decode_dss_signature(der)

    for value in (der, r.to_bytes(32, "big") + s.to_bytes(32, "big")):
        assert verify_xml(complete_slot(prepared, value)).intact


def test_a_value_that_does_not_verify_is_refused() -> None:
    prepared = prepare_slot(unsigned(), "GVBM:TOAN", rsa_pki().signers["gvbm"].chain, NOON)
    wrong = client_signs(rsa_pki().signers["gvcn"], prepared.to_be_signed)

    with pytest.raises(SignatureValueError):
        complete_slot(prepared, wrong)


def test_a_malformed_ecdsa_value_is_refused() -> None:
    prepared = prepare_slot(unsigned(), "GVBM:TOAN", ec_pki().signers["gvbm"].chain, NOON)

    with pytest.raises(SignatureValueError):
        complete_slot(prepared, b"\x01" * 10)


def _prepared_and_value() -> tuple[PreparedSignature, bytes]:
    signer = rsa_pki().signers["gvbm"]
    prepared = prepare_slot(unsigned(), "GVBM:TOAN", signer.chain, NOON)
    return prepared, client_signs(signer, prepared.to_be_signed)


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (b"<CaNam>8.4</CaNam>", b"<CaNam>9.4</CaNam>"),
        (b">2025-06-20T12:00:00+07:00<", b">2025-06-19T12:00:00+07:00<"),
        (b"<NamHoc>2024-2025</NamHoc>", b"<NamHoc>2023-2024</NamHoc>"),
    ],
)
def test_data_changed_between_prepare_and_complete_is_refused(before: bytes, after: bytes) -> None:
    prepared, value = _prepared_and_value()
    changed = replace(prepared, document=prepared.document.replace(before, after))

    with pytest.raises(PreparedSignatureError):
        complete_slot(changed, value)


def test_a_signed_info_other_than_the_one_handed_out_is_refused() -> None:
    prepared, value = _prepared_and_value()
    other = prepared.document.replace(b'URI="#MH-TOAN"', b'URI="#MH-NGUVAN"')

    with pytest.raises(PreparedSignatureError):
        complete_slot(replace(prepared, document=other), value)


def test_a_prepared_signature_completes_once() -> None:
    prepared, value = _prepared_and_value()
    completed = complete_slot(prepared, value)

    with pytest.raises(PreparedSignatureError):
        complete_slot(replace(prepared, document=completed), value)


def test_sign_slot_signs_in_one_call_with_a_loaded_key() -> None:
    signer = rsa_pki().signers["gvbm"]

    xml = sign_slot(unsigned(), "GVBM:TOAN", signer.key, signer.chain, NOON)

    assert verify_xml(xml).intact


@pytest.mark.parametrize(
    ("signed", "slot", "waiting"),
    [
        (0, "GVCN", ("GVBM:TOAN", "GVBM:NGUVAN", "GVBM:NGOAINGU1", "GVBM:GDTC")),
        (3, "GVCN", ("GVBM:GDTC",)),
        (4, "HieuTruong", ("GVCN",)),
        (5, "DonVi", ("HieuTruong",)),
    ],
)
def test_a_slot_waits_for_the_signatures_it_covers(
    signed: int, slot: str, waiting: tuple[str, ...]
) -> None:
    xml = sign_all(unsigned(), rsa_pki().signers, annual_slots()[:signed])

    with pytest.raises(SlotNotReadyError) as raised:
        prepare_slot(xml, slot, rsa_pki().signers["gvcn"].chain, NOON)

    assert raised.value.waiting_for == waiting


def test_a_signed_slot_is_not_signed_again() -> None:
    with pytest.raises(SlotAlreadySignedError):
        prepare_slot(signed_annual(), "DonVi", rsa_pki().signers["dv"].chain, NOON)


@pytest.mark.parametrize("slot", ["GVBM:HOAHOC", "GVCN:TOAN", "GVBM", "Thukho", "GVBM:toan"])
def test_an_unknown_slot_is_refused(slot: str) -> None:
    with pytest.raises(UnknownSlotError):
        prepare_slot(unsigned(), slot, rsa_pki().signers["gvbm"].chain, NOON)


def test_a_transfer_record_has_no_homeroom_slot_to_sign() -> None:
    xml = render_xml(transfer_document())

    with pytest.raises(UnknownSlotError):
        prepare_slot(xml, "GVCN", rsa_pki().signers["gvcn"].chain, NOON)


def test_a_signing_time_without_an_offset_is_refused() -> None:
    naive = datetime(2025, 6, 20, 9)  # no offset: the point of the test

    with pytest.raises(InvalidDocumentError):
        prepare_slot(unsigned(), "GVBM:TOAN", rsa_pki().signers["gvbm"].chain, naive)


def test_the_signing_time_keeps_the_offset_it_was_given() -> None:
    signer, in_utc = rsa_pki().signers["gvbm"], datetime(2025, 6, 20, 2, tzinfo=UTC)

    prepared = prepare_slot(unsigned(), "GVBM:TOAN", signer.chain, in_utc)

    assert b">2025-06-20T02:00:00+00:00</SigningTime>" in prepared.document


AnyKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey


def _certificate_for(key: AnyKey) -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Đỗ Văn Yếu")])
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(7)
        .not_valid_before(datetime(2024, 1, 1, tzinfo=UTC))
        .not_valid_after(datetime(2030, 1, 1, tzinfo=UTC))
        .sign(key, None if isinstance(key, ed25519.Ed25519PrivateKey) else hashes.SHA256())
    )


@pytest.mark.parametrize(
    "key",
    [
        rsa.generate_private_key(public_exponent=65537, key_size=1024),
        ec.generate_private_key(ec.SECP521R1()),
        ed25519.Ed25519PrivateKey.generate(),
    ],
    ids=["RSA-1024", "P-521", "Ed25519"],
)
def test_a_key_outside_the_profile_is_refused(key: AnyKey) -> None:
    with pytest.raises(UnsupportedKeyError):
        prepare_slot(unsigned(), "GVBM:TOAN", [_certificate_for(key)], NOON)


def test_a_document_the_schema_refuses_is_not_signed() -> None:
    xml = unsigned().replace(b"<Lop>6A1</Lop>", b"<Lop>6A1</Lop><Ghichu>x</Ghichu>")

    with pytest.raises(SchemaInvalidError):
        prepare_slot(xml, "GVBM:TOAN", rsa_pki().signers["gvbm"].chain, NOON)


def test_a_transfer_record_is_signed_by_principal_and_school() -> None:
    signers = rsa_pki().signers
    xml = render_xml(transfer_document())
    slots = (Slot(SlotKind.HIEU_TRUONG), Slot(SlotKind.DON_VI))

    result = verify_xml(sign_all(xml, signers, slots))

    assert result.ok
    assert transfer_document().header.kind is TranscriptKind.CHUYEN_TRUONG
    ht = etree.fromstring(sign_all(xml, signers, slots)).find("DSCKS/HieuTruong/ds:Signature", NS)
    uris = [r.get("URI") for r in ht.iterfind("ds:SignedInfo/ds:Reference", NS)]
    assert uris == ["#DLHocBa", "#sig-ht-props"]


def test_a_transfer_record_with_a_subject_teachers_slot_covers_that_signature() -> None:
    layout = (Slot(SlotKind.GVBM, "TOAN"), Slot(SlotKind.HIEU_TRUONG), Slot(SlotKind.DON_VI))
    xml = render_xml(transfer_document(), slots=layout)

    signed = sign_all(xml, rsa_pki().signers, layout)

    assert verify_xml(signed).ok
    ht = etree.fromstring(signed).find("DSCKS/HieuTruong/ds:Signature", NS)
    uris = [r.get("URI") for r in ht.iterfind("ds:SignedInfo/ds:Reference", NS)]
    assert uris == ["#DLHocBa", "#sig-gvbm-TOAN", "#sig-ht-props"]


def test_signing_leaves_the_rest_of_the_document_byte_for_byte() -> None:
    before, signer = unsigned(), rsa_pki().signers["gvbm"]

    after = sign_slot(before, "GVBM:GDTC", signer.key, signer.chain, NOON)

    head, tail = before.split(b'<GVBM Mon="GDTC"/>')
    assert after.startswith(head) and after.endswith(tail)
    assert DS_NS.encode() in after
