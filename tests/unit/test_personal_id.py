"""The 12-digit personal identification number: validation and masking."""

from __future__ import annotations

from datetime import date

import pytest

from domain.model import (
    DomainError,
    InvalidPersonalIdError,
    Student,
    mask_personal_id,
    validate_personal_id,
)


@pytest.mark.parametrize(
    "value",
    [
        "079212000101",  # Ho Chi Minh City
        "001099000001",  # Hà Nội, the lowest province code
        "096399999999",  # Cà Mau, the highest province code
        "038305012345",  # Thanh Hoá, a girl born in the 2000s
    ],
)
def test_a_well_formed_id_is_returned_unchanged(value: str) -> None:
    assert validate_personal_id(value) == value


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("07921200010", "must be exactly 12 digits"),  # 11 digits
        ("0792120001011", "must be exactly 12 digits"),  # 13 digits
        ("", "must be exactly 12 digits"),
        ("07921200010A", "must be exactly 12 digits"),  # a letter
        ("O79212000101", "must be exactly 12 digits"),  # letter O for a zero
        ("079 12000101", "must be exactly 12 digits"),  # a space inside
        (" 079212000101", "must be exactly 12 digits"),  # padded
        ("079212000101\n", "must be exactly 12 digits"),  # a trailing newline
        ("079-21200010", "must be exactly 12 digits"),
        ("-79212000101", "must be exactly 12 digits"),
        ("０７９２１２０００１０１", "must be exactly 12 digits"),  # full-width digits
        ("٠٧٩٢١٢٠٠٠١٠١", "must be exactly 12 digits"),  # Arabic-Indic digits
        ("000212000101", "unknown province code 000"),
        ("097212000101", "unknown province code 097"),
        ("099212000101", "unknown province code 099"),
        ("999999999999", "unknown province code 999"),
    ],
)
def test_a_malformed_id_is_refused_naming_the_value_and_the_reason(value: str, why: str) -> None:
    with pytest.raises(InvalidPersonalIdError) as caught:
        validate_personal_id(value)
    error = caught.value
    assert error.value == value
    assert error.why == why
    assert str(error) == f"personal_id {value!r} is invalid: {why}"
    assert error.code == "invalid_personal_id"
    assert isinstance(error, DomainError)


def test_a_value_that_is_not_text_is_refused() -> None:
    with pytest.raises(InvalidPersonalIdError, match=r"personal_id 79212000101 is invalid"):
        validate_personal_id(79212000101)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("079212000101", "079*******01"),
        ("001099000042", "001*******42"),
        ("096399999999", "096*******99"),
    ],
)
def test_the_mask_keeps_the_province_and_the_last_two_digits(value: str, masked: str) -> None:
    shown = mask_personal_id(value)
    assert shown == masked
    assert len(shown) == len(value) == 12
    assert value[3:10] not in shown


def test_a_student_row_cannot_be_made_or_changed_with_a_malformed_personal_id() -> None:
    student = Student(
        personal_id="079212000101",
        full_name="Nguyễn Văn An",
        date_of_birth=date(2013, 1, 1),
        gender="Nam",
    )
    with pytest.raises(InvalidPersonalIdError):
        Student(
            personal_id="07921200010x", full_name="X", date_of_birth=date(2013, 1, 1), gender="Nam"
        )
    with pytest.raises(InvalidPersonalIdError):
        student.personal_id = "79212000101"
