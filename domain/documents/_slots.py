"""Signature slots of ``DSCKS``: their names and Ids, which a kind requires, what each covers."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from domain.documents._errors import UnknownSlotError
from domain.model import SlotKind, TranscriptKind, slot_name

_SIGNATURE_IDS = {
    SlotKind.GVCN: "sig-gvcn",
    SlotKind.HIEU_TRUONG: "sig-ht",
    SlotKind.DON_VI: "sig-dv",
}
_SUBJECT_CODE = re.compile(r"[A-Z][A-Z0-9]{0,19}")


@dataclass(frozen=True, slots=True)
class Slot:
    """One place for a signature: ``GVBM Mon="TOAN"``, ``GVCN``, ``HieuTruong`` or ``DonVi``."""

    kind: SlotKind
    subject: str | None = None
    """The subject code of a GVBM slot; None for the others."""

    def __post_init__(self) -> None:
        if (self.kind is SlotKind.GVBM) != (self.subject is not None):
            raise UnknownSlotError(str(self.subject), "only a GVBM slot names a subject")
        if self.subject is not None and not _SUBJECT_CODE.fullmatch(self.subject):
            raise UnknownSlotError(self.subject, "not a subject code")

    @classmethod
    def parse(cls, name: str) -> Slot:
        """The slot stored as ``name``: ``GVBM:TOAN``, ``GVCN``, ``HieuTruong`` or ``DonVi``."""
        kind_name, _, subject = name.partition(":")
        try:
            kind = SlotKind(kind_name)
        except ValueError:
            raise UnknownSlotError(name, "not a slot name") from None
        if kind is SlotKind.GVBM and not subject:
            raise UnknownSlotError(name, "a GVBM slot is written GVBM:<subject code>")
        if kind is not SlotKind.GVBM and subject:
            raise UnknownSlotError(name, "only a GVBM slot names a subject")
        return cls(kind, subject or None)

    @property
    def name(self) -> str:
        """As stored in ``transcript_signatures.slot`` and shown in reports: ``GVBM:TOAN``."""
        return slot_name(self.kind, self.subject)

    @property
    def signature_id(self) -> str:
        """The ``Id`` of the slot's ``ds:Signature``: ``sig-gvbm-TOAN``, ``sig-gvcn``, …"""
        if self.kind is SlotKind.GVBM:
            return f"sig-gvbm-{self.subject}"
        return _SIGNATURE_IDS[self.kind]

    @property
    def properties_id(self) -> str:
        """The ``Id`` of the signature's ``ds:Object`` holding its SigningTime."""
        return f"{self.signature_id}-props"

    def __str__(self) -> str:
        return self.name


def default_layout(kind: TranscriptKind, subject_codes: Sequence[str]) -> tuple[Slot, ...]:
    """The slots a kind requires: CaNam — a GVBM per subject, GVCN, HieuTruong, DonVi;
    ChuyenTruong and SoHoa — HieuTruong, DonVi."""
    tail = (Slot(SlotKind.HIEU_TRUONG), Slot(SlotKind.DON_VI))
    if kind is TranscriptKind.CA_NAM:
        subjects = tuple(Slot(SlotKind.GVBM, code) for code in subject_codes)
        return (*subjects, Slot(SlotKind.GVCN), *tail)
    return tail


def layout_problem(
    kind: TranscriptKind, subject_codes: Sequence[str], slots: Sequence[Slot]
) -> str | None:
    """Why ``slots`` is not a layout ``kind`` allows, or None if it is.

    GVBM slots come first, in the document order of their subjects, then GVCN, HieuTruong,
    DonVi. CaNam needs them all; the other kinds need HieuTruong and DonVi and may carry a
    GVBM slot for each subject whose teacher did sign, and a GVCN slot.
    """
    order = [SlotKind.GVBM, SlotKind.GVCN, SlotKind.HIEU_TRUONG, SlotKind.DON_VI]
    ranks = [order.index(slot.kind) for slot in slots]
    if ranks != sorted(ranks):
        return "slots must be GVBM…, GVCN, HieuTruong, DonVi in this order"
    kinds = [slot.kind for slot in slots]
    for single in order[1:]:
        if kinds.count(single) > 1:
            return f"more than one {single} slot"
    if kinds[-2:] != [SlotKind.HIEU_TRUONG, SlotKind.DON_VI]:
        return "HieuTruong and DonVi slots are required"
    subjects = [slot.subject for slot in slots if slot.subject is not None]
    positions = [subject_codes.index(code) if code in subject_codes else -1 for code in subjects]
    if -1 in positions:
        return "a GVBM slot names a subject the document does not have"
    if positions != sorted(set(positions)):
        return "GVBM slots must follow the order of the subjects, one each"
    if kind is TranscriptKind.CA_NAM and (
        len(subjects) != len(subject_codes) or SlotKind.GVCN not in kinds
    ):
        return "an annual record (CaNam) needs a GVBM slot for every subject and a GVCN slot"
    return None


def covered_slots(slot: Slot, layout: Sequence[Slot]) -> tuple[Slot, ...]:
    """The slots whose signatures ``slot``'s signature covers (they must be signed before it)."""
    subject_slots = tuple(s for s in layout if s.kind is SlotKind.GVBM)
    if slot.kind is SlotKind.GVBM:
        return ()
    if slot.kind is SlotKind.GVCN:
        return subject_slots
    if slot.kind is SlotKind.HIEU_TRUONG:
        homeroom = tuple(s for s in layout if s.kind is SlotKind.GVCN)
        return homeroom or subject_slots
    return tuple(s for s in layout if s.kind is SlotKind.HIEU_TRUONG)


def reference_uris(slot: Slot, layout: Sequence[Slot]) -> tuple[str, ...]:
    """The Reference URIs of ``slot``'s signature, in the order they are written.

    GVBM: ``#TTChung``, ``#MH-<Ma>``; the others: ``#DLHocBa`` and the covered signatures;
    every signature last references its own SigningTime object.
    """
    data: tuple[str, ...]
    if slot.kind is SlotKind.GVBM:
        data = ("#TTChung", f"#MH-{slot.subject}")
    else:
        data = ("#DLHocBa", *(f"#{s.signature_id}" for s in covered_slots(slot, layout)))
    return (*data, f"#{slot.properties_id}")
