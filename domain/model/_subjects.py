"""The subject catalogue of contracts.md: codes, Vietnamese names and how each is assessed."""

from __future__ import annotations

from dataclasses import dataclass

from domain.model._enums import SubjectKind
from domain.model._errors import UnknownSubjectError


@dataclass(frozen=True, slots=True)
class SubjectInfo:
    """One catalogue entry."""

    code: str
    """Stable code used in the API, the XML (MonHoc/Ma) and signature slots."""
    name: str
    """The Vietnamese name printed on the transcript."""
    kind: SubjectKind
    """Score (0–10) or comment (Đạt/Chưa đạt) under Circular 22."""


_S, _C = SubjectKind.SCORE, SubjectKind.COMMENT

CATALOGUE: dict[str, SubjectInfo] = {
    info.code: info
    for info in (
        SubjectInfo("TOAN", "Toán", _S),
        SubjectInfo("NGUVAN", "Ngữ văn", _S),
        SubjectInfo("NGOAINGU1", "Ngoại ngữ 1", _S),
        SubjectInfo("GDCD", "Giáo dục công dân", _S),
        SubjectInfo("LSDL", "Lịch sử và Địa lí", _S),
        SubjectInfo("KHTN", "Khoa học tự nhiên", _S),
        SubjectInfo("CONGNGHE", "Công nghệ", _S),
        SubjectInfo("TINHOC", "Tin học", _S),
        SubjectInfo("LICHSU", "Lịch sử", _S),
        SubjectInfo("DIALI", "Địa lí", _S),
        SubjectInfo("VATLI", "Vật lí", _S),
        SubjectInfo("HOAHOC", "Hoá học", _S),
        SubjectInfo("SINHHOC", "Sinh học", _S),
        SubjectInfo("GDKTPL", "Giáo dục kinh tế và pháp luật", _S),
        SubjectInfo("GDQPAN", "Giáo dục quốc phòng và an ninh", _S),
        SubjectInfo("GDTC", "Giáo dục thể chất", _C),
        SubjectInfo("NGHETHUAT", "Nghệ thuật", _C),
        SubjectInfo("AMNHAC", "Âm nhạc", _C),
        SubjectInfo("MITHUAT", "Mĩ thuật", _C),
        SubjectInfo("HDTNHN", "Hoạt động trải nghiệm, hướng nghiệp", _C),
        SubjectInfo("GDDP", "Nội dung giáo dục của địa phương", _C),
    )
}


def subject_info(code: str) -> SubjectInfo:
    """The catalogue entry for ``code``; UnknownSubjectError if there is none."""
    try:
        return CATALOGUE[code]
    except KeyError:
        raise UnknownSubjectError(code) from None
