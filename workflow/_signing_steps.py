"""The signing steps of contracts.md and the slot and event each one maps to."""

from __future__ import annotations

from enum import StrEnum

from domain.model import SlotKind, slot_name


class SigningStep(StrEnum):
    """``step`` in the API: who signs, in order."""

    SUBJECT = "subject"
    HOMEROOM = "homeroom"
    PRINCIPAL = "principal"
    SCHOOL = "school"


EVENT_OF_STEP: dict[SigningStep, str] = {
    SigningStep.SUBJECT: "sign_subject",
    SigningStep.HOMEROOM: "sign_homeroom",
    SigningStep.PRINCIPAL: "sign_principal",
    SigningStep.SCHOOL: "stamp",
}

_SLOT_OF_STEP: dict[SigningStep, SlotKind] = {
    SigningStep.SUBJECT: SlotKind.GVBM,
    SigningStep.HOMEROOM: SlotKind.GVCN,
    SigningStep.PRINCIPAL: SlotKind.HIEU_TRUONG,
    SigningStep.SCHOOL: SlotKind.DON_VI,
}


def slot_of_step(step: SigningStep, subject_code: str | None = None) -> str:
    """The DSCKS slot a step signs: ``GVBM:<Ma>``, ``GVCN``, ``HieuTruong`` or ``DonVi``."""
    return slot_name(_SLOT_OF_STEP[step], subject_code)
