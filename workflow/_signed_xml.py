"""The transcript's XML between signatures: fresh data with the signatures already made.

Every signature starts from the XML rendered fresh from the transcript's data, with the
signatures of its live slots carried over from the stored signed XML; they are verified
again, so a signature never lands on data that no longer matches an earlier one.
"""

from __future__ import annotations

import copy
from datetime import date, datetime, timedelta, timezone
from typing import Any

from lxml import etree  # type: ignore[import-untyped]
from sqlmodel import Session

from domain.documents import (
    DS_NS,
    DocumentError,
    Slot,
    UnsafeXmlError,
    parse_untrusted,
    render_xml,
    verify_xml,
)
from domain.model import Blob, School, SlotKind, Transcript, slot_name
from workflow._document import transcript_document
from workflow._signing_errors import DocumentNotPreparableError, SignedXmlMismatchError

VIETNAM = timezone(timedelta(hours=7), "+07:00")
"""Vietnam's offset: SigningTime and NgayCap are written in it (no daylight saving)."""
_WHOLE_DOCUMENT = frozenset(
    {SlotKind.GVCN.value, SlotKind.HIEU_TRUONG.value, SlotKind.DON_VI.value}
)
_SIGNATURE = f"{{{DS_NS}}}Signature"


def stored_xml(session: Session, row: Transcript) -> bytes | None:
    """The transcript's current signed XML, if it has one."""
    if row.xml_sha256 is None:
        return None
    blob = session.get(Blob, row.xml_sha256)
    return None if blob is None else bytes(blob.content)


def _slot_of(element: Any) -> str:
    if element.tag == SlotKind.GVBM.value:
        return slot_name(SlotKind.GVBM, element.get("Mon"))
    return str(element.tag)


def _signed_slots(root: Any) -> dict[str, Any]:
    slots = root.find("DSCKS")
    if slots is None:
        return {}
    return {_slot_of(element): element for element in slots if element.find(_SIGNATURE) is not None}


def _serialise(tree: Any) -> bytes:
    xml: bytes = etree.tostring(tree, xml_declaration=True, encoding="UTF-8")
    return xml + b"\n"


def issued_on(stored: bytes | None, live: frozenset[str], now: datetime) -> date:
    """``NgayCap``: as the first whole-document signature fixed it, else today in Vietnam."""
    if stored is not None and live & _WHOLE_DOCUMENT:
        try:
            text = parse_untrusted(stored).getroot().findtext("DLHocBa/XacNhan/NgayCap")
            return date.fromisoformat(text or "")
        except (UnsafeXmlError, ValueError):
            pass
    return now.astimezone(VIETNAM).date()


def current_document(
    session: Session, row: Transcript, *, live: frozenset[str], now: datetime
) -> tuple[bytes, str | None]:
    """The XML to sign next: fresh from the data, the live slots' signatures carried over and
    verified. Returns it with the SHA-256 of the stored XML it was based on.

    Raises TranscriptDataIncompleteError / TranscriptDataInvalidError (the data),
    SignedXmlMismatchError (the data changed under a signature).
    """
    school = session.get(School, row.school_id)
    assert school is not None  # a foreign key
    stored = stored_xml(session, row)
    document = transcript_document(
        transcript=row, school=school, issued_on=issued_on(stored, live, now)
    )
    try:
        fresh = render_xml(document)
    except DocumentError as error:
        raise DocumentNotPreparableError(row.id, str(error)) from None
    if stored is None or not live:
        return fresh, row.xml_sha256
    tree = parse_untrusted(fresh)
    signed = _signed_slots(parse_untrusted(stored).getroot())
    for element in tree.getroot().find("DSCKS"):
        carried = signed.get(_slot_of(element))
        if _slot_of(element) in live and carried is not None:
            element.append(copy.deepcopy(carried.find(_SIGNATURE)))
    combined = _serialise(tree)
    check = verify_xml(combined)
    if not check.intact:
        detail = "; ".join(str(problem) for problem in check.problems()[:3])
        raise SignedXmlMismatchError(row.id, detail)
    carried_slots = {s.slot for s in check.signatures}
    if not live <= carried_slots:
        missing = ", ".join(sorted(live - carried_slots))
        raise DocumentNotPreparableError(row.id, f"no XML signature for {missing}")
    return combined, row.xml_sha256


def merge_subject_signature(current: bytes, signed: bytes, slot: Slot) -> bytes:
    """``current`` with ``slot``'s signature taken from ``signed``.

    Subject teachers sign the same transcript concurrently: each GVBM signature covers only
    ``TTChung``, its ``MonHoc`` and its own properties, so it moves into the XML another
    teacher's completion stored meanwhile (the caller verifies the result).
    """
    tree = parse_untrusted(current)
    source = _signed_slots(parse_untrusted(signed).getroot()).get(slot.name)
    target = next((e for e in tree.getroot().find("DSCKS") if _slot_of(e) == slot.name), None)
    if source is None or target is None or len(target):
        raise DocumentNotPreparableError("?", f"slot {slot.name} cannot be merged")
    target.append(copy.deepcopy(source.find(_SIGNATURE)))
    return _serialise(tree)
