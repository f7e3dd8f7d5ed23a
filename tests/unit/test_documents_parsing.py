"""Step 1: hostile bytes are refused by the safe parser, quickly, with the reason named."""

from __future__ import annotations

import time

import pytest

from domain.documents import (
    MAX_DOCUMENT_BYTES,
    DoctypeForbiddenError,
    DocumentTooLargeError,
    EncodingNotAllowedError,
    MalformedXmlError,
    ProblemCode,
    UnsafeXmlError,
    parse_untrusted,
    render_xml,
    verify_xml,
)
from tests.support.transcripts import annual_document, signed_annual

LOL = "".join(f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10))
BILLION_LAUGHS = (
    f'<?xml version="1.0"?><!DOCTYPE HocBa [<!ENTITY lol0 "lol">{LOL}]><HocBa>&lol9;</HocBa>'
).encode()
XXE = (
    b'<?xml version="1.0"?>'
    b'<!DOCTYPE HocBa [<!ENTITY x SYSTEM "file:///etc/passwd">]><HocBa>&x;</HocBa>'
)
EXTERNAL_DTD = b'<!DOCTYPE HocBa SYSTEM "http://203.0.113.9/hocba.dtd"><HocBa/>'
PARAMETER_ENTITY = b'<!DOCTYPE HocBa [<!ENTITY % p SYSTEM "http://203.0.113.9/p.dtd"> %p;]><HocBa/>'
UTF16 = '<?xml version="1.0" encoding="UTF-16"?><HocBa/>'.encode("utf-16")
LATIN1 = b'<?xml version="1.0" encoding="ISO-8859-1"?><HocBa>\xe9</HocBa>'


def _signed_with_doctype() -> bytes:
    declaration, rest = signed_annual().split(b"\n", 1)
    return declaration + b"\n<!DOCTYPE HocBa>\n" + rest


HOSTILE: dict[str, tuple[bytes, ProblemCode]] = {
    "billion laughs": (BILLION_LAUGHS, ProblemCode.DOCTYPE_FORBIDDEN),
    "external entity (XXE)": (XXE, ProblemCode.DOCTYPE_FORBIDDEN),
    "external DTD": (EXTERNAL_DTD, ProblemCode.DOCTYPE_FORBIDDEN),
    "parameter entity": (PARAMETER_ENTITY, ProblemCode.DOCTYPE_FORBIDDEN),
    "a DOCTYPE on a validly signed file": (_signed_with_doctype(), ProblemCode.DOCTYPE_FORBIDDEN),
    "a huge file": (b"<HocBa>" + b" " * MAX_DOCUMENT_BYTES + b"</HocBa>", ProblemCode.TOO_LARGE),
    "nesting deeper than the parser allows": (
        b"<a>" * 5000 + b"</a>" * 5000,
        ProblemCode.MALFORMED_XML,
    ),
    "half a megabyte of elements": (
        b"<HocBa>" + b"<x/>" * 120_000 + b"</HocBa>",
        ProblemCode.SCHEMA_INVALID,
    ),
    "UTF-16": (UTF16, ProblemCode.ENCODING_NOT_ALLOWED),
    "UTF-16 billion laughs": (
        BILLION_LAUGHS.decode().encode("utf-16"),
        ProblemCode.ENCODING_NOT_ALLOWED,
    ),
    "Latin-1": (LATIN1, ProblemCode.ENCODING_NOT_ALLOWED),
    "not well-formed": (b"<HocBa><DLHocBa></HocBa>", ProblemCode.MALFORMED_XML),
    "not UTF-8 at all": (b"<HocBa>\xff\xfe</HocBa>", ProblemCode.MALFORMED_XML),
    "empty": (b"", ProblemCode.MALFORMED_XML),
}


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_bytes_are_reported_with_their_reason_within_a_second(name: str) -> None:
    data, code = HOSTILE[name]

    started = time.process_time()  # CPU time: the machine may be busy with other work
    result = verify_xml(data)
    elapsed = time.process_time() - started

    assert not result.ok and not result.schema_valid
    assert [problem.code for problem in result.errors] == [code]
    assert elapsed < 1.0


@pytest.mark.parametrize(
    ("data", "error", "code"),
    [
        (BILLION_LAUGHS, DoctypeForbiddenError, ProblemCode.DOCTYPE_FORBIDDEN),
        (XXE, DoctypeForbiddenError, ProblemCode.DOCTYPE_FORBIDDEN),
        (b"<a/>" * 10, MalformedXmlError, ProblemCode.MALFORMED_XML),
        (b"<a>" + b"x" * 2000 + b"</a>", DocumentTooLargeError, ProblemCode.TOO_LARGE),
        ("<a/>".encode("utf-16"), EncodingNotAllowedError, ProblemCode.ENCODING_NOT_ALLOWED),
    ],
)
def test_the_safe_parser_raises_a_typed_error(
    data: bytes, error: type[UnsafeXmlError], code: ProblemCode
) -> None:
    with pytest.raises(error) as raised:
        parse_untrusted(data, max_bytes=1000)

    assert raised.value.problem is code


def test_no_entity_is_ever_expanded() -> None:
    for data in (XXE, BILLION_LAUGHS):
        result = verify_xml(data)
        assert "root:" not in str(result) and "lollol" not in str(result)


def test_a_document_with_a_bom_and_no_declaration_parses() -> None:
    xml = render_xml(annual_document())
    body = xml.split(b"\n", 1)[1]

    tree = parse_untrusted(b"\xef\xbb\xbf" + body)

    assert tree.getroot().tag == "HocBa"


def test_the_size_cap_can_be_lowered() -> None:
    result = verify_xml(signed_annual(), max_bytes=1000)

    assert [problem.code for problem in result.errors] == [ProblemCode.TOO_LARGE]


def test_a_full_transcript_is_far_below_the_cap() -> None:
    assert len(signed_annual()) < MAX_DOCUMENT_BYTES // 10


def test_a_signature_with_thousands_of_references_is_refused_within_a_second() -> None:
    reference = signed_annual().split(b"<ds:Reference ", 2)[1].split(b"</ds:Reference>")[0]
    padded = signed_annual().replace(
        b"</ds:SignedInfo>",
        (b"<ds:Reference " + reference + b"</ds:Reference>") * 1800 + b"</ds:SignedInfo>",
        1,
    )

    assert len(padded) <= MAX_DOCUMENT_BYTES  # under the cap: the structure check must act

    started = time.process_time()
    result = verify_xml(padded)

    assert time.process_time() - started < 1.0
    assert ProblemCode.UNEXPECTED_REFERENCES in {p.code for p in result.problems()}
