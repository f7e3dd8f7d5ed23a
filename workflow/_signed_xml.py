"""The transcript's XML between signatures: fresh data with the signatures already made.

Every signature starts from the XML rendered fresh from the transcript's data, with the
signatures of its live slots carried over from the stored signed XML once the elements they
cover are found unchanged, so a signature never lands on data that no longer matches an
earlier one. The completion verifies the new signature in full and finds every carried one,
with what it covers, canonically identical to the stored XML (``verify_new_signature``).
"""

from __future__ import annotations

import copy
from datetime import date, datetime, timedelta, timezone
from typing import Any, NamedTuple

from lxml import etree  # type: ignore[import-untyped]
from sqlmodel import Session

from domain.documents import (
    DS_NS,
    DocumentError,
    Slot,
    TranscriptDocument,
    UnsafeXmlError,
    parse_untrusted,
    render_xml,
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


class CurrentDocument(NamedTuple):
    """The transcript as the next signer signs it."""

    document: TranscriptDocument
    """The data, as rendered fresh (the PDF is rendered from the same value)."""
    xml: bytes
    """The XML to sign, the live slots' signatures carried over."""
    base: str | None
    """SHA-256 of the stored signed XML it was based on."""


def current_document(
    session: Session, row: Transcript, *, live: frozenset[str], now: datetime
) -> CurrentDocument:
    """The XML to sign next: fresh from the data, the live slots' signatures carried over once
    the data they cover is found unchanged; with the data it was rendered from and the
    SHA-256 of the stored XML it was based on.

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
        return CurrentDocument(document, fresh, row.xml_sha256)
    tree = parse_untrusted(fresh)
    old = parse_untrusted(stored).getroot()
    signed = _signed_slots(old)
    carried = sorted(slot for slot in live if slot in signed)
    if carried != sorted(live):
        missing = ", ".join(sorted(live - set(carried)))
        raise DocumentNotPreparableError(row.id, f"no XML signature for {missing}")
    changed = _changed_parts(tree.getroot(), old, carried)
    if changed:
        raise SignedXmlMismatchError(row.id, f"{', '.join(changed)} changed after signing")
    for element in tree.getroot().find("DSCKS"):
        if _slot_of(element) in live:
            element.append(copy.deepcopy(signed[_slot_of(element)].find(_SIGNATURE)))
    return CurrentDocument(document, _serialise(tree), row.xml_sha256)


def _covered(slot: str) -> tuple[str, ...]:
    """The data elements a live signature of ``slot`` covers, as paths under ``HocBa``."""
    if slot.startswith(f"{SlotKind.GVBM.value}:"):
        code = slot.split(":", 1)[1]
        return ("DLHocBa/TTChung", f"DLHocBa/KetQuaHocTap/MonHoc[@Id='MH-{code}']")
    return ("DLHocBa",)


def _changed_parts(fresh: Any, stored: Any, slots: list[str]) -> list[str]:
    """The covered elements whose canonical form differs between the two documents.

    The same comparison the signatures' digests make (C14N 1.0 of each referenced element);
    the signature values themselves were verified when the stored XML was accepted, and
    ``complete_signing`` checks the result against the stored XML again before anything is
    stored (``verify_new_signature``).
    """
    changed = []
    for path in sorted({path for slot in slots for path in _covered(slot)}):
        before, after = stored.find(path), fresh.find(path)
        if before is None or after is None or _c14n(before) != _c14n(after):
            changed.append(
                "#" + (path.rsplit("'", 2)[-2] if "@Id" in path else path.split("/")[-1])
            )
    return changed


def _c14n(element: Any) -> bytes:
    canonical: bytes = etree.tostring(element, method="c14n", exclusive=False, with_comments=False)
    return canonical


def merge_subject_signature(current: bytes, signed: bytes, slot: Slot) -> bytes:
    """``current`` with ``slot``'s signature taken from ``signed``.

    Subject teachers sign the same transcript concurrently: each GVBM signature covers only
    ``TTChung``, its ``MonHoc`` and its own properties, so it moves into the XML another
    teacher's completion stored meanwhile (the caller verifies the result against
    ``current``).
    """
    tree = parse_untrusted(current)
    source = _signed_slots(parse_untrusted(signed).getroot()).get(slot.name)
    target = next((e for e in tree.getroot().find("DSCKS") if _slot_of(e) == slot.name), None)
    if source is None or target is None or len(target):
        raise DocumentNotPreparableError("?", f"slot {slot.name} cannot be merged")
    target.append(copy.deepcopy(source.find(_SIGNATURE)))
    return _serialise(tree)
