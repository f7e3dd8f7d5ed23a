"""Safe parsing of untrusted XML: no DTD, no entities, no network, a size cap (step 1)."""

from __future__ import annotations

import codecs
from typing import Any

from lxml import etree  # type: ignore[import-untyped]

from domain.documents._errors import (
    DoctypeForbiddenError,
    DocumentTooLargeError,
    EncodingNotAllowedError,
    MalformedXmlError,
)

MAX_DOCUMENT_BYTES = 524_288
"""The size cap (512 KiB). A fully signed annual transcript of 12 subjects is about 100 kB;
40 subjects with every comment at its longest, about 320 kB. Verification work grows with
size × references, so the cap also bounds the time a hostile file can cost."""

# A UTF-16 or UTF-32 document would hide "<!DOCTYPE" from the byte scan below.
_WIDE_STARTS = (
    codecs.BOM_UTF32_LE,
    codecs.BOM_UTF32_BE,
    codecs.BOM_UTF16_LE,
    codecs.BOM_UTF16_BE,
    b"\x00<",
    b"<\x00",
)


def new_parser() -> Any:
    """A fresh hardened lxml parser (one per call: lxml parsers are not thread-safe).

    Comments are dropped while parsing, as C14N drops them from what is signed: a comment
    can then never split a signed text in two (``Nguyễn<!---->Văn An``) for a reader.
    """
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
    )


def parse_untrusted(data: bytes, *, max_bytes: int = MAX_DOCUMENT_BYTES) -> Any:
    """Parse ``data`` into an lxml ElementTree, refusing anything unsafe.

    Raises DocumentTooLargeError, EncodingNotAllowedError (not UTF-8), DoctypeForbiddenError
    (any DOCTYPE, so no DTD and no entity can take effect) or MalformedXmlError.
    """
    if not isinstance(data, bytes):
        raise MalformedXmlError("expected bytes")
    if len(data) > max_bytes:
        raise DocumentTooLargeError(len(data), max_bytes)
    if data.startswith(_WIDE_STARTS):
        raise EncodingNotAllowedError("UTF-16 or UTF-32")
    # Checked on the bytes, before the parser ever reads an entity declaration.
    if b"<!DOCTYPE" in data:
        raise DoctypeForbiddenError()
    try:
        root = etree.fromstring(data, parser=new_parser())
    except etree.XMLSyntaxError as error:
        raise MalformedXmlError(str(error)) from None
    except ValueError as error:  # lxml refuses some inputs (e.g. a str with a declaration)
        raise MalformedXmlError(str(error)) from None
    tree = root.getroottree()
    if tree.docinfo.doctype:
        raise DoctypeForbiddenError()
    encoding = (tree.docinfo.encoding or "UTF-8").upper()
    if encoding not in ("UTF-8", "UTF8"):
        raise EncodingNotAllowedError(encoding)
    return tree
