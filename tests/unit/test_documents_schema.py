"""The shipped XSD is strict: no extension point in the data, one signature per slot."""

from __future__ import annotations

from importlib import resources

import pytest
from lxml import etree  # type: ignore[import-untyped]

from domain.documents import SCHEMA_FILE, SchemaViolation, render_xml, schema_text, validate
from tests.support.transcripts import annual_document, signed_annual

XS = "{http://www.w3.org/2001/XMLSchema}"


def unsigned() -> bytes:
    return render_xml(annual_document())


def test_the_schema_has_no_wildcard_and_no_extension_point() -> None:
    schema = etree.fromstring(schema_text())

    assert schema.findall(f".//{XS}any") == []
    assert schema.findall(f".//{XS}anyAttribute") == []
    assert [e.get("namespace") for e in schema.iter(f"{XS}import")] == [
        "http://www.w3.org/2000/09/xmldsig#"
    ]


def test_the_xmldsig_schema_ships_beside_it() -> None:
    package = resources.files("domain.documents")

    assert package.joinpath(SCHEMA_FILE).is_file()
    assert b'targetNamespace="http://www.w3.org/2000/09/xmldsig#"' in (
        package.joinpath("xmldsig-core-schema.xsd").read_bytes()
    )


def test_signed_and_unsigned_transcripts_are_valid() -> None:
    assert validate(unsigned()) == ()
    assert validate(signed_annual()) == ()


CHANGES = {
    "an element the profile does not list": (
        b"<Lop>6A1</Lop>",
        b"<Lop>6A1</Lop><GhiChu>x</GhiChu>",
    ),
    "an attribute the profile does not list": (b"<HocSinh>", b'<HocSinh Id="HS">'),
    "an element out of order": (
        b"<DanToc>Kinh</DanToc>\n      <QuocTich>Vi\xe1\xbb\x87t Nam</QuocTich>",
        b"<QuocTich>Vi\xe1\xbb\x87t Nam</QuocTich>\n      <DanToc>Kinh</DanToc>",
    ),
    "a score with two decimals": (b"<CaNam>8.4</CaNam>", b"<CaNam>8.40</CaNam>"),
    "a score above ten": (b"<CaNam>8.4</CaNam>", b"<CaNam>10.5</CaNam>"),
    "an ASCII level code": (b"<HK1>K</HK1>", b"<HK1>D</HK1>"),
    "a personal ID of eleven digits": (b"079212000101", b"07921200010"),
    "a format version other than 1.0": (b'PhienBanDinhDang="1.0"', b'PhienBanDinhDang="2.0"'),
    "a second Id for the data": (b'<DLHocBa Id="DLHocBa">', b'<DLHocBa Id="TTChung">'),
    "a slot for a subject the document lacks": (
        b'<GVBM Mon="GDTC"/>',
        b'<GVBM Mon="GDTC"/>\n    <GVBM Mon="HOAHOC"/>',
    ),
    "two slots for one subject": (
        b'<GVBM Mon="GDTC"/>',
        b'<GVBM Mon="GDTC"/>\n    <GVBM Mon="GDTC"/>',
    ),
    "a blank comment": (
        "<NhanXetGVCN>Chăm ngoan, tích cực tham gia hoạt động của lớp.</NhanXetGVCN>".encode(),
        b"<NhanXetGVCN> </NhanXetGVCN>",
    ),
    "a promotion written 1": (b"<DuocLenLop>true</DuocLenLop>", b"<DuocLenLop>1</DuocLenLop>"),
}


@pytest.mark.parametrize("name", CHANGES)
def test_the_schema_refuses(name: str) -> None:
    before, after = CHANGES[name]
    xml = unsigned()
    assert before in xml

    violations = validate(xml.replace(before, after, 1))

    assert violations
    assert all(isinstance(v, SchemaViolation) and v.line > 0 for v in violations)


def test_a_slot_takes_one_signature_only() -> None:
    xml = signed_annual()
    start = xml.index(b"<ds:Signature", xml.index(b'<GVBM Mon="TOAN">'))
    end = xml.index(b"</ds:Signature>", start) + len(b"</ds:Signature>")
    doubled = xml[:end] + xml[start:end] + xml[end:]

    violations = validate(doubled)

    assert any("Signature" in v.message for v in violations)


def test_a_violation_says_where_and_what() -> None:
    xml = unsigned().replace(b"<CaNam>8.4</CaNam>", b"<CaNam>8.40</CaNam>")

    (violation, *_) = validate(xml)

    assert violation.path.startswith("/HocBa/DLHocBa/KetQuaHocTap/MonHoc")
    assert "8.40" in violation.message and "8.40" in str(violation)
