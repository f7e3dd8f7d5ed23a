"""The parts of a transcript's data each live signature covers, kept as they were signed.

As in the XML profile (transcript-format.md): a subject teacher's ``GVBM:<Ma>`` covers the
subject's ``MonHoc`` and ``TTChung``; ``GVCN``, ``HieuTruong`` and ``DonVi`` cover the whole
of ``DLHocBa``. A refresh from the tracking book never changes a covered part: it keeps the
part as signed (the teacher's name on it included) and refuses when the tracking book now
says something else, which only an entry correction may bring in (REQ-15).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from domain.model import SlotKind, slot_name
from workflow._errors import SignedDataChangedError
from workflow._tracking_locks import LATER_SLOTS

Json = dict[str, Any]
_SUBJECT_PART = "MH-"
_GVBM = f"{SlotKind.GVBM.value}:"
_LABELS = {
    "TTChung": ("the document header (TTChung)", "thông tin chung (TTChung)"),
    "HocSinh": ("the student's details (HocSinh)", "thông tin học sinh (HocSinh)"),
    "TongHop": ("the year's summary (TongHop)", "kết quả tổng hợp (TongHop)"),
}


def is_built(data: Mapping[str, Any]) -> bool:
    """Whether ``data`` was built from the tracking book (has the DLHocBa shape)."""
    return isinstance(data.get("KetQuaHocTap"), list) and isinstance(data.get("TTChung"), dict)


def _parts(data: Mapping[str, Any]) -> dict[str, Any]:
    if not is_built(data):
        return {}
    parts = {name: data.get(name) for name in _LABELS}
    for subject in data["KetQuaHocTap"]:
        parts[f"{_SUBJECT_PART}{subject.get('Ma')}"] = subject
    return parts


def _covering(part: str, live: frozenset[str]) -> str | None:
    """The first live slot, in signing order, that covers ``part``."""
    if part.startswith(_SUBJECT_PART):
        own = slot_name(SlotKind.GVBM, part.removeprefix(_SUBJECT_PART))
        candidates = [own] if own in live else []
    elif part == "TTChung":
        candidates = sorted(slot for slot in live if slot.startswith(_GVBM))
    else:
        candidates = []
    order = [s.value for s in SlotKind]
    candidates += sorted(live & LATER_SLOTS, key=order.index)
    return candidates[0] if candidates else None


def _tracked(part: str, content: Any) -> Any:
    # A subject's teacher name is not tracking-book data: a successor's name does not make
    # the signed part differ (it is kept as signed).
    if part.startswith(_SUBJECT_PART) and isinstance(content, dict):
        return {key: value for key, value in content.items() if key != "GiaoVien"}
    return content


def _label(part: str) -> tuple[str, str]:
    if part.startswith(_SUBJECT_PART):
        code = part.removeprefix(_SUBJECT_PART)
        return f"the results of {code}", f"kết quả môn {code}"
    return _LABELS[part]


def keep_signed(
    signed: Mapping[str, Any], fresh: Json, live: frozenset[str], *, student: str
) -> Json:
    """``fresh`` with every part a live signature covers taken from ``signed`` unchanged.

    Raises SignedDataChangedError (naming the part and the slot) when the tracking book
    differs from a covered part.
    """
    before, after = _parts(signed), _parts(fresh)
    for part in sorted(set(before) | set(after)):
        slot = _covering(part, live)
        if slot is None:
            continue
        if _tracked(part, before.get(part)) != _tracked(part, after.get(part)):
            label, label_vi = _label(part)
            raise SignedDataChangedError(part=label, part_vi=label_vi, student=student, slot=slot)
    subjects = [
        before[f"{_SUBJECT_PART}{s['Ma']}"] if _covering(f"{_SUBJECT_PART}{s['Ma']}", live) else s
        for s in fresh["KetQuaHocTap"]
    ]
    return {**fresh, "KetQuaHocTap": subjects}
