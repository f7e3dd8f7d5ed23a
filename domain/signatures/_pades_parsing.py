"""Faster readers of PDF whitespace and names for pyHanko: the same objects, the same errors.

pyHanko 0.38 reads PDF syntax one byte at a time in Python. Every PAdES step reads the
transcript's objects again (the writer that prepares a signature, the reader that verifies
it, the difference analysis that walks every object of the signed revision): in the year-end
close the object parser was about a fifth of the PDF signature work, most of it skipping
whitespace and reading names (``/Type``, ``/Font`` …) and numbers, a few bytes each.

Like ``_pdf_hex``, each reader here handles the plain case with one regular expression on a
chunk and hands anything else — a comment, an escape (``#``) in a name, a byte a name may not
hold, the end of the data within the chunk — back to pyHanko's own reader from where it
started, so the results and errors are pyHanko's by construction
(tests/unit/test_pades_reuse.py compares them on every prefix of real and odd input).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from typing import Any, BinaryIO, Final

from pyhanko.pdf_utils import generic, misc

_PYHANKO_NON_WHITESPACE: Final[Callable[..., Any]] = misc.read_non_whitespace
_PYHANKO_NAME: Final[Callable[..., Any]] = generic.NameObject.read_from_stream
_PYHANKO_NUMBER: Final[Callable[..., Any]] = generic.NumberObject.read_from_stream
_INTEGER: Final[Callable[[str], Any]] = generic.NumberObject
_FLOAT: Final[Callable[[str], Any]] = generic.FloatObject
_NUMBER: Final = re.compile(rb"[+,\-.0-9]*")
"""The bytes pyHanko reads as one number (its ``NumberObject.NumberPattern`` ends them)."""
_WHITESPACE_OR_COMMENT: Final = b" \n\r\t\f\x00%"
_CHUNK: Final = 64
_NOT_WHITESPACE: Final = re.compile(rb"[^ \n\r\t\f\x00]")
_NAME: Final = re.compile(rb"/[^ \n\r\t\f\x00()<>\[\]{}/%]*")
_PLAIN_NAME: Final = re.compile(rb"[!-\"$-~]*")
"""Name bytes that decode as themselves: printable ASCII without the escape ``#``."""


def read_non_whitespace(stream: BinaryIO, seek_back: bool = False, allow_eof: bool = False) -> Any:
    """pyHanko's ``read_non_whitespace``: the first byte that is not whitespace (comments
    skipped), the stream left after it (before it with ``seek_back``)."""
    first = stream.read(1)
    if first and first not in _WHITESPACE_OR_COMMENT:  # most often: no whitespace at all
        if seek_back:
            stream.seek(-1, os.SEEK_CUR)
        return first
    if first and first != b"%":  # or one space, as between two numbers
        second = stream.read(1)
        if second and second not in _WHITESPACE_OR_COMMENT:
            if seek_back:
                stream.seek(-1, os.SEEK_CUR)
            return second
        stream.seek(-1 - len(second), os.SEEK_CUR)
    else:
        stream.seek(-len(first), os.SEEK_CUR)
    start = stream.tell()
    stream.seek(start)
    chunk = stream.read(_CHUNK)
    found = _NOT_WHITESPACE.search(chunk)
    if found is None or chunk[found.start()] == 0x25:  # all whitespace, or a comment '%'
        stream.seek(start)
        return _PYHANKO_NON_WHITESPACE(stream, seek_back, allow_eof)
    at = found.start()
    stream.seek(start + at + (0 if seek_back else 1))
    return chunk[at : at + 1]


def read_name(stream: BinaryIO) -> Any:
    """pyHanko's ``NameObject.read_from_stream``: the name at the stream's position, the
    stream left on the delimiter that ends it."""
    start = stream.tell()
    chunk = stream.read(_CHUNK)
    match = _NAME.match(chunk)
    if match is None or match.end() == len(chunk):  # not a name, or it may go on
        stream.seek(start)
        return _PYHANKO_NAME(stream)
    stream.seek(start + match.end())
    body = chunk[1 : match.end()]
    if _PLAIN_NAME.fullmatch(body):
        return generic.NameObject("/" + body.decode("ascii"))
    return generic._decode_name(body)  # escapes and errors as pyHanko reads them


def read_number(stream: BinaryIO) -> Any:
    """pyHanko's ``NumberObject.read_from_stream``: the run of ``+,-.0-9`` at the stream's
    position as an integer, or a real when it holds a dot; the stream left after it."""
    start = stream.tell()
    chunk = stream.read(_CHUNK)
    end = len(_NUMBER.match(chunk)[0])  # type: ignore[index]  # it matches the empty run too
    if end == len(chunk):  # the number may go on, or the data ends: pyHanko's reader
        stream.seek(start)
        return _PYHANKO_NUMBER(stream)
    stream.seek(start + end)
    text = chunk[:end].decode("ascii")
    return _FLOAT(text) if "." in text else _INTEGER(text)


def _content_op_reading_bool(self: generic.ContentOpReading) -> bool:
    return self is not generic.ContentOpReading.NO


def _content_op_reading_nest(self: generic.ContentOpReading) -> generic.ContentOpReading:
    if self is generic.ContentOpReading.NO:
        return self
    return generic.ContentOpReading.IN_OBJECT


def install() -> None:
    """Make pyHanko's object reader use these readers (it looks the names up per call).

    ``ContentOpReading``'s truth value and nesting, asked at every object read, compare by
    identity instead of through ``Enum.__ne__``: the same answers.
    """
    misc.read_non_whitespace = read_non_whitespace
    generic.read_non_whitespace = read_non_whitespace  # type: ignore[attr-defined]
    generic.NameObject.read_from_stream = staticmethod(read_name)  # type: ignore[method-assign]
    generic.NumberObject.read_from_stream = staticmethod(read_number)  # type: ignore[method-assign]
    generic.ContentOpReading.__bool__ = _content_op_reading_bool  # type: ignore[method-assign]
    generic.ContentOpReading.nest = _content_op_reading_nest  # type: ignore[method-assign]
