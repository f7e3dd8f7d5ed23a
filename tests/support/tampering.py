"""Editing signed XML the way an attacker would: parse, change, serialise — nothing re-signed."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from lxml import etree  # type: ignore[import-untyped]

from domain.documents import DS_NS, PROPS_NS

NS = {"ds": DS_NS, "p": PROPS_NS}


def edit(xml: bytes, change: Callable[[Any], object]) -> bytes:
    """``xml`` after ``change(root)``; the rest byte-for-byte as lxml writes it back."""
    root = etree.fromstring(xml)
    change(root)
    serialised: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    return serialised


def one(root: Any, path: str) -> Any:
    """The single element at ``path`` (XPath with the ``ds`` and ``p`` prefixes)."""
    found = root.xpath(path, namespaces=NS)
    assert len(found) == 1, f"{path} matched {len(found)} elements"
    return found[0]


def signature(root: Any, slot_path: str) -> Any:
    """The ds:Signature in the slot at ``slot_path`` (``DSCKS/GVBM[@Mon='TOAN']``)."""
    return one(root, f"{slot_path}/ds:Signature")


def set_text(path: str, text: str) -> Callable[[Any], None]:
    """A change that sets the text of the element at ``path``."""

    def change(root: Any) -> None:
        one(root, path).text = text

    return change


def clone(element: Any) -> Any:
    """A deep copy of ``element`` (namespaces kept)."""
    return copy.deepcopy(element)


def ds(tag: str) -> str:
    """The Clark name of an XMLDSig element."""
    return f"{{{DS_NS}}}{tag}"
