"""verify_pdf_update: a signing completion checks the new PDF signature and what was appended."""

from __future__ import annotations

from datetime import timedelta

from domain.signatures import (
    BASE_CHANGED,
    FIELD_DON_VI,
    FIELD_GVCN,
    FIELD_HIEU_TRUONG,
    SIGNATURE_NOT_NEW,
    PadesLevel,
    verify_pdf,
    verify_pdf_update,
)
from tests.support.pdfs import (
    SIGNING_ORDER,
    VERIFIED_AT,
    add_annotation,
    replace_page_content,
    sign_field,
    trust_roots,
    unsigned_pdf,
)
from tests.support.pki import rsa_pki
from tests.support.transcripts import FIRST_SIGNATURE

MODIFIED = "modified_after_signing"


def _level(field: str) -> PadesLevel:
    return PadesLevel.B_LT if field == FIELD_DON_VI else PadesLevel.B_T


def _signed(pdf: bytes, field: str, label: str, minute: int) -> bytes:
    when = FIRST_SIGNATURE + timedelta(minutes=minute)
    return sign_field(pdf, field, rsa_pki().signers[label], when, level=_level(field))


def test_each_signature_of_the_chain_verifies_as_an_update_and_the_result_as_a_whole() -> None:
    base: bytes | None = None
    pdf = unsigned_pdf()
    for minute, (field, label) in enumerate(SIGNING_ORDER):
        signed = _signed(pdf, field, label, minute)

        check = verify_pdf_update(
            signed, base=base, field=field, now=VERIFIED_AT, trust_roots=trust_roots()
        )

        assert check.valid, check
        assert check.new is not None and check.new.field == field and check.new.trusted
        assert check.fields == tuple(name for name, _ in SIGNING_ORDER[: minute + 1])
        base = pdf = signed
    whole = verify_pdf(pdf, now=VERIFIED_AT, trust_roots=trust_roots())
    assert whole.valid and [s.field for s in whole.signatures] == [n for n, _ in SIGNING_ORDER]


def test_a_file_that_does_not_begin_with_the_stored_one_is_refused_unread() -> None:
    first = _signed(unsigned_pdf(), FIELD_GVCN, "gvcn", 0)
    other_first = _signed(unsigned_pdf(), FIELD_GVCN, "gvcn", 1)
    signed = _signed(other_first, FIELD_HIEU_TRUONG, "ht", 2)

    check = verify_pdf_update(
        signed, base=first, field=FIELD_HIEU_TRUONG, now=VERIFIED_AT, trust_roots=trust_roots()
    )

    assert not check.valid and check.errors == (BASE_CHANGED,) and check.new is None


def test_one_changed_byte_of_the_stored_part_is_refused() -> None:
    first = _signed(unsigned_pdf(), FIELD_GVCN, "gvcn", 0)
    signed = bytearray(_signed(first, FIELD_HIEU_TRUONG, "ht", 1))
    signed[100] ^= 0x01

    check = verify_pdf_update(
        bytes(signed), base=first, field=FIELD_HIEU_TRUONG, now=VERIFIED_AT, trust_roots=()
    )

    assert check.errors == (BASE_CHANGED,)


def test_a_page_replaced_between_the_stored_file_and_the_new_signature_is_refused() -> None:
    first = _signed(unsigned_pdf(), FIELD_GVCN, "gvcn", 0)
    signed = _signed(replace_page_content(first), FIELD_HIEU_TRUONG, "ht", 1)

    check = verify_pdf_update(
        signed, base=first, field=FIELD_HIEU_TRUONG, now=VERIFIED_AT, trust_roots=trust_roots()
    )

    assert not check.valid and MODIFIED in check.errors


def test_an_annotation_added_before_the_new_signature_is_refused() -> None:
    first = _signed(unsigned_pdf(), FIELD_GVCN, "gvcn", 0)
    signed = _signed(add_annotation(first), FIELD_HIEU_TRUONG, "ht", 1)

    check = verify_pdf_update(
        signed, base=first, field=FIELD_HIEU_TRUONG, now=VERIFIED_AT, trust_roots=trust_roots()
    )

    assert not check.valid and MODIFIED in check.errors


def test_the_field_named_must_be_the_one_signed_last() -> None:
    first = _signed(unsigned_pdf(), FIELD_GVCN, "gvcn", 0)
    signed = _signed(first, FIELD_HIEU_TRUONG, "ht", 1)

    check = verify_pdf_update(
        signed, base=first, field=FIELD_GVCN, now=VERIFIED_AT, trust_roots=trust_roots()
    )

    assert check.errors == (SIGNATURE_NOT_NEW,) and check.new is None


def test_an_untrusted_new_signature_fails_the_update() -> None:
    first = _signed(unsigned_pdf(), FIELD_GVCN, "gvcn", 0)
    signed = _signed(first, FIELD_HIEU_TRUONG, "ht", 1)

    check = verify_pdf_update(signed, base=first, field=FIELD_HIEU_TRUONG, now=VERIFIED_AT)

    assert not check.valid and check.new is not None
    assert "certificate_untrusted" in check.new.errors


def test_without_a_stored_file_the_new_signature_must_be_the_only_one() -> None:
    first = _signed(unsigned_pdf(), FIELD_GVCN, "gvcn", 0)
    signed = _signed(first, FIELD_HIEU_TRUONG, "ht", 1)

    check = verify_pdf_update(
        signed, base=None, field=FIELD_HIEU_TRUONG, now=VERIFIED_AT, trust_roots=trust_roots()
    )

    assert check.errors == (SIGNATURE_NOT_NEW,)
