"""The words of the XML transcript: namespaces, algorithms, closed vocabularies, level codes.

The engine (``domain.assessment``) writes levels in ASCII — ``T``, ``K``, ``D``, ``CD`` — and
the XML uses the national data-exchange codes with Vietnamese letters. The mapping, both ways:

=================  =========  =============================================
engine             XML        meaning
=================  =========  =============================================
``Level.T``        ``T``      Tốt
``Level.K``        ``K``      Khá
``Level.D``        ``Đ``      Đạt (U+0110 LATIN CAPITAL LETTER D WITH STROKE)
``Level.CD``       ``CĐ``     Chưa đạt
``Comment.D``      ``Đ``      Đạt (a comment subject)
``Comment.CD``     ``CĐ``     Chưa đạt
``Learning58.KEM`` ``Kém``    Circular 58 học lực Kém; G, K, TB, Y unchanged
``Conduct58.*``    same       Circular 58 hạnh kiểm T, K, TB, Y
=================  =========  =============================================
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final

from domain.assessment import Comment, Conduct58, Learning58, Level

FORMAT_VERSION: Final = "1.0"
"""``HocBa/@PhienBanDinhDang``: the version of this profile the document follows."""

DS_NS: Final = "http://www.w3.org/2000/09/xmldsig#"
"""XMLDSig; always written with the ``ds:`` prefix, declared on each ``ds:Signature``."""

PROPS_NS: Final = "urn:hocba:signature-properties:1.0"
"""The namespace of ``SigningTime``.

transcript-format.md writes ``<SigningTime>`` without a prefix; in no namespace it would break
the XMLDSig schema, whose ``SignatureProperty`` admits only elements of *another* namespace
(``##other`` excludes "no namespace" in XSD 1.0), and every schema-validating verifier —
signxml included — would refuse the signature. The element keeps its name and place.
"""

C14N_1_0: Final = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
SHA256: Final = "http://www.w3.org/2001/04/xmlenc#sha256"


class SignatureAlgorithm(StrEnum):
    """The signature methods the profile allows, by their XMLDSig URI."""

    RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
    """RSASSA-PKCS1-v1_5 with SHA-256."""
    ECDSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256"
    """ECDSA with SHA-256; the value in XML is the raw ``r‖s``."""

    @property
    def client_name(self) -> str:
        """The name a signing client knows it by (contracts.md ``algorithm``)."""
        return "sha256WithRSA" if self is SignatureAlgorithm.RSA_SHA256 else "sha256WithECDSA"


class AssessmentForm(StrEnum):
    """``MonHoc/HinhThucDanhGia``: assessed by score or by comment."""

    SCORE = "DiemSo"
    COMMENT = "NhanXet"


class SchoolLevel(StrEnum):
    """``TTChung/CapHoc``: lower or upper secondary."""

    THCS = "THCS"
    """Trung học cơ sở, grades 6–9."""
    THPT = "THPT"
    """Trung học phổ thông, grades 10–12."""


class Gender(StrEnum):
    """``HocSinh/GioiTinh``."""

    MALE = "Nam"
    FEMALE = "Nữ"


class SignerTitle(StrEnum):
    """``XacNhan/ChucVuNguoiKy``: who signs for the school leadership."""

    PRINCIPAL = "Hiệu trưởng"
    VICE_PRINCIPAL = "Phó hiệu trưởng"


LevelCode = Level | Learning58 | Conduct58
"""A term or year level of ``TongHop``: Circular 22 (Level) or Circular 58 (the other two)."""

_LEVEL_TO_XML: dict[LevelCode | Comment, str] = {
    Level.T: "T",
    Level.K: "K",
    Level.D: "Đ",
    Level.CD: "CĐ",
    Comment.D: "Đ",
    Comment.CD: "CĐ",
    Learning58.G: "G",
    Learning58.K: "K",
    Learning58.TB: "TB",
    Learning58.Y: "Y",
    Learning58.KEM: "Kém",
    Conduct58.T: "T",
    Conduct58.K: "K",
    Conduct58.TB: "TB",
    Conduct58.Y: "Y",
}


def xml_code(value: LevelCode | Comment) -> str:
    """The XML code of an engine level or comment result."""
    return _LEVEL_TO_XML[value]


def comment_from_xml(code: str) -> Comment:
    """The comment result written ``code`` (``Đ`` / ``CĐ``); KeyError if it is not one."""
    return {"Đ": Comment.D, "CĐ": Comment.CD}[code]


def level_from_xml(code: str, scale: type[LevelCode]) -> LevelCode:
    """The level of ``scale`` written ``code``; KeyError if the scale has no such code."""
    for member in scale:
        if _LEVEL_TO_XML[member] == code:
            return member
    raise KeyError(code)
