"""The shipped XSD (hocba-1.0.xsd + the XMLDSig schema): loading it once, validating (step 2)."""

from __future__ import annotations

import threading
from functools import cache
from importlib import resources
from typing import Any

from lxml import etree  # type: ignore[import-untyped]

from domain.documents._parsing import MAX_DOCUMENT_BYTES, parse_untrusted
from domain.documents._problems import SchemaViolation

SCHEMA_FILE = "hocba-1.0.xsd"
"""The schema's file name inside the ``domain.documents`` package."""

MAX_VIOLATIONS = 20
"""Violations reported at most: a hostile file can have millions, the first ones tell enough."""

# A validator keeps its error log on itself: two threads validating at once would mix them.
_lock = threading.Lock()


def schema_text() -> bytes:
    """The XSD as shipped, for integrators (``hocba`` can serve it as a download)."""
    return resources.files("domain.documents").joinpath(SCHEMA_FILE).read_bytes()


@cache
def _schema() -> Any:
    # The import of xmldsig-core-schema.xsd is resolved next to this file, never on the network.
    with resources.as_file(resources.files("domain.documents").joinpath(SCHEMA_FILE)) as path:
        parser = etree.XMLParser(no_network=True, resolve_entities=False)
        return etree.XMLSchema(etree.parse(str(path), parser=parser))


def validate_tree(tree: Any) -> tuple[SchemaViolation, ...]:
    """The XSD's findings on an already parsed document; empty when it is valid."""
    schema = _schema()
    with _lock:
        if schema.validate(tree):
            return ()
        entries = list(schema.error_log)[:MAX_VIOLATIONS]
    return tuple(
        SchemaViolation(line=entry.line or 0, path=entry.path or "", message=entry.message)
        for entry in entries
    )


def validate(xml: bytes, *, max_bytes: int = MAX_DOCUMENT_BYTES) -> tuple[SchemaViolation, ...]:
    """Validate ``xml`` against hocba-1.0.xsd; the violations found, empty when it is valid.

    The bytes are parsed safely first: an unsafe or malformed input raises an UnsafeXmlError.
    """
    return validate_tree(parse_untrusted(xml, max_bytes=max_bytes))
