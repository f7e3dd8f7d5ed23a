"""The part of a document one signature covers, as a small document of its own.

signxml copies the whole document for every Reference it checks; on a full transcript (a
GVCN signature has a Reference per subject) that cost grows with references × size, and a
hostile file near the size cap could take seconds. Each signature is therefore handed to
signxml in a view holding copies of only what it covers, at the same positions. This loses
nothing: after the structure checks, an element's canonical form depends on its subtree
alone (no namespace or ``xml:`` attribute is inherited from above), and ``verify_xml``
checks that every octet string signxml verified equals the canonical form of the element
at the profile's position in the *original* document.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

from lxml import etree  # type: ignore[import-untyped]

from domain.documents._dsig import slot_signatures
from domain.documents._slots import Slot


def signature_view(
    root: Any, slot: Slot, uris: Sequence[str], layout: Sequence[tuple[Slot, Any]]
) -> Any:
    """``HocBa`` with copies of the data and signatures ``uris`` name, and ``slot``'s signature."""
    view = etree.Element(root.tag, dict(root.attrib))
    data = root.find("DLHocBa")
    if "#DLHocBa" in uris:
        view.append(copy.deepcopy(data))
    else:  # a subject teacher's: TTChung and the one subject, in a shell at the same path
        shell = etree.SubElement(view, data.tag, dict(data.attrib))
        shell.append(copy.deepcopy(data.find("TTChung")))
        results = etree.SubElement(shell, "KetQuaHocTap")
        for subject in data.iterfind("KetQuaHocTap/MonHoc"):
            if f"#{subject.get('Id')}" in uris:
                results.append(copy.deepcopy(subject))
    slots = etree.SubElement(view, "DSCKS")
    for other, element in layout:
        if other == slot or f"#{other.signature_id}" in uris:
            holder = etree.SubElement(slots, element.tag, dict(element.attrib))
            for signature in slot_signatures(element):
                holder.append(copy.deepcopy(signature))
    return view
