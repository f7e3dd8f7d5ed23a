"""A faster reader of PDF hex strings (``<…>``) for pyHanko: the same objects, the same errors.

pyHanko 0.38 reads a hex string one byte at a time in Python. Every signature's ``/Contents``
is one — tens of kilobytes of hex reserved for the CMS — and it is read again whenever a signed
PDF is opened: to prepare the next field, and to verify after each signature. In the year-end
close that was about a tenth of the server's time (docs/performance.md, "Year-end close").

This reader finds the closing ``>`` with ``bytes.find`` and decodes with ``binascii``. Anything
unusual — a comment (``%``), a byte that is not a hex digit or whitespace, the end of the data —
goes back to the string's start and to pyHanko's own reader, so its results and errors are
pyHanko's by construction.
"""

from __future__ import annotations

import binascii
import os
from typing import Any, BinaryIO, Final

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.misc import PDF_WHITESPACE

_PYHANKO_READER: Final = generic.read_hex_string_from_stream
_CHUNK: Final = 65536


def read_hex_string(stream: BinaryIO) -> Any:
    """Read the hex string at ``stream``'s position (its ``<``) as pyHanko's reader does."""
    start = stream.tell()
    stream.read(1)
    chunks: list[bytes] = []
    end = -1
    while end < 0:
        chunk = stream.read(_CHUNK)
        if not chunk:
            break
        end = chunk.find(b">")
        if end >= 0:
            chunks.append(chunk[:end])
            stream.seek(end + 1 - len(chunk), os.SEEK_CUR)
        else:
            chunks.append(chunk)
    digits = b"".join(chunks).translate(None, PDF_WHITESPACE)
    if end < 0 or digits.translate(None, generic.HEX_DIGITS):
        stream.seek(start)
        return _PYHANKO_READER(stream)
    if len(digits) % 2:
        digits += b"0"  # the PDF rule, as pyHanko applies it: a missing last digit is 0
    return generic.pdf_string(binascii.unhexlify(digits))


def install() -> None:
    """Make pyHanko's object reader use ``read_hex_string`` (it looks the name up per call)."""
    generic.read_hex_string_from_stream = read_hex_string
