"""The faster hex-string reader gives pyHanko's objects, positions and errors."""

from __future__ import annotations

from io import BytesIO
from typing import Any

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.misc import PdfStreamError

import domain.signatures  # noqa: F401  (installs the reader)
from domain.signatures._pdf_hex import _PYHANKO_READER, read_hex_string

SAMPLES = [
    b"<>",
    b"<48656c6c6f> rest",
    b"<48656C6C6F>",
    b"<4 8 6\n5\r6c\t6c\x006f>>",
    b"<486>",
    b"<FEFF00540069006e0068>",
    b"<" + b"00" * 40000 + b"> /Type",
    b"<3031 % a comment > here\n 3233>tail",
]


@pytest.mark.parametrize("data", SAMPLES)
def test_a_hex_string_reads_as_pyhanko_reads_it_and_leaves_the_stream_after_it(
    data: bytes,
) -> None:
    ours, theirs = BytesIO(data), BytesIO(data)

    value = read_hex_string(ours)

    assert value == _PYHANKO_READER(theirs)
    assert type(value) is type(_PYHANKO_READER(BytesIO(data)))
    assert ours.tell() == theirs.tell()


@pytest.mark.parametrize("data", [b"<41 4G>", b"<414243", b"<41 % no end"])
def test_a_broken_hex_string_raises_pyhankos_error(data: bytes) -> None:
    with pytest.raises(PdfStreamError) as theirs:
        _PYHANKO_READER(BytesIO(data))

    with pytest.raises(PdfStreamError) as ours:
        read_hex_string(BytesIO(data))

    assert str(ours.value) == str(theirs.value)


def test_pyhankos_object_reader_uses_the_faster_reader() -> None:
    assert generic.read_hex_string_from_stream is read_hex_string

    no_document: Any = None  # a hex string needs no indirect objects

    value = generic.read_object(BytesIO(b"<4142>"), no_document)

    assert isinstance(value, generic.TextStringObject)
    assert value == "AB"
