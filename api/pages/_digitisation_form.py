"""The digitising page's form (``/so-hoa``) and the use case's record: one row per
lower-secondary subject of the catalogue, the summary's inputs, what is typed as the record
``digitise_paper_record`` takes, and its refusals said as the form names the fields."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from domain.model import CATALOGUE, SubjectKind
from workflow import InvalidInputError

_WHOLE_SCORE = re.compile(r"\d{1,2}")

_CURRENT_SUBJECTS = (
    "TOAN", "NGUVAN", "NGOAINGU1", "GDCD", "LSDL", "KHTN", "CONGNGHE", "TINHOC", "GDTC",
    "NGHETHUAT", "HDTNHN", "GDDP",
)  # fmt: skip
"""The lower-secondary subjects of the 2018 curriculum (Circular 22/2021), grades 6–9."""
_LEGACY_SUBJECTS = ("LICHSU", "DIALI", "VATLI", "HOAHOC", "SINHHOC", "AMNHAC", "MITHUAT")
"""The lower-secondary subjects found only in records kept under Circular 58/2011."""

MARKS = (("hk1", "HK1"), ("hk2", "HK2"), ("cn", "CaNam"), ("ktl", "DiemKiemTraLai"))
"""A subject row's results: the form's part name and the record's key."""
LEVELS = (("hk1", "HK1"), ("hk2", "HK2"), ("cn", "CaNam"), ("sau", "SauDanhGiaLai"))
_PART_VI = {
    "hk1": "học kì I",
    "hk2": "học kì II",
    "cn": "cả năm",
    "ktl": "kiểm tra lại",
    "sau": "sau đánh giá lại",
    "nx": "nhận xét",
    "gv": "giáo viên",
}
_SUBJECT_PART = {
    "HK1": "hk1", "hk1": "hk1", "HK2": "hk2", "hk2": "hk2", "CaNam": "cn", "year": "cn",
    "DiemKiemTraLai": "ktl", "retest": "ktl", "NhanXet": "nx", "comment": "nx",
    "GiaoVien": "gv", "teacher": "gv",
}  # fmt: skip
_LEVEL_PART = {
    "HK1": "hk1", "hk1": "hk1", "HK2": "hk2", "hk2": "hk2", "CaNam": "cn", "year": "cn",
    "SauDanhGiaLai": "sau", "after_reassessment": "sau",
}  # fmt: skip
_FIELDS: dict[str, tuple[str | None, str]] = {
    "personal_id": ("personal_id", "Mã định danh cá nhân"),
    "paper_school": ("paper_school", "Trường đã lập học bạ giấy"),
    "scan": ("scan", "Tệp bản quét"),
    "scan_name": ("scan", "Tên tệp bản quét"),
    "KetQuaHocTap": (None, "Kết quả từng môn"),
    "NamHoc": ("nam_hoc", "Năm học"),
    "school_year": ("nam_hoc", "Năm học"),
    "Khoi": ("khoi", "Khối lớp"),
    "grade": ("khoi", "Khối lớp"),
    "school_level": ("khoi", "Khối lớp"),
    "Lop": ("lop", "Lớp"),
    "class_name": ("lop", "Lớp"),
    "ThongTu": ("thong_tu", "Thông tư đánh giá"),
    "SoBuoiNghi": ("so-buoi-nghi", "Số buổi nghỉ"),
    "absences": ("so-buoi-nghi", "Số buổi nghỉ"),
    "DuocLenLop": ("len-lop", "Lên lớp"),
    "promoted": ("len-lop", "Lên lớp"),
    "DanhHieu": ("danh-hieu", "Danh hiệu"),
    "title": ("danh-hieu", "Danh hiệu"),
    "NhanXetGVCN": ("nhan-xet-gvcn", "Nhận xét của giáo viên chủ nhiệm"),
    "homeroom_comment": ("nhan-xet-gvcn", "Nhận xét của giáo viên chủ nhiệm"),
    "KhenThuong": ("khen-thuong", "Khen thưởng"),
    "awards": ("khen-thuong", "Khen thưởng"),
}
"""An error's field (the record's key, or the document model's) → the input and its name."""
_GROUPS = {
    "HocTap": ("ht", "Kết quả học tập"),
    "academic": ("ht", "Kết quả học tập"),
    "RenLuyen": ("rl", "Kết quả rèn luyện"),
    "conduct": ("rl", "Kết quả rèn luyện"),
}
_REASONS_VI = (
    ("is missing", "chưa nhập"),
    ("non-empty text", "chưa nhập"),
    ("with one decimal", "phải là điểm từ 0 đến 10, nhiều nhất một chữ số thập phân"),
    ("a score", "phải là điểm từ 0 đến 10, nhiều nhất một chữ số thập phân"),
    ("D or CD", "chỉ nhận Đ hoặc CĐ"),
    ("Đ or CĐ", "chỉ nhận Đ hoặc CĐ"),
    ("not a known code", "không thuộc thang đánh giá của thông tư đã chọn"),
    ("without the result before it", "có kết quả này thì phải có các kết quả trước nó"),
    ("whole number", "phải là số nguyên"),
    ("0 to 365", "phải từ 0 đến 365"),
    ("one line", "chỉ được viết trên một dòng"),
    ("control character", "có ký tự không hợp lệ"),
)
"""The document model's reasons (English, for logs) as the page says them."""
_FIELD = re.compile(
    r"(?:(?:KetQuaHocTap|subjects)\[(?P<code>\w+)\]\.(?P<part>\w+)"
    r"|(?:TongHop|summary)\.(?P<summary>\w+)(?:\.(?P<level>\w+))?"
    r"|(?:TTChung|header)\.(?P<header>\w+)"
    r"|(?P<plain>\w+))"
)


@dataclass(frozen=True, slots=True)
class SubjectRow:
    """One subject row of the form."""

    code: str
    name: str
    scored: bool


def _rows(codes: tuple[str, ...]) -> tuple[SubjectRow, ...]:
    return tuple(
        SubjectRow(c, CATALOGUE[c].name, CATALOGUE[c].kind is SubjectKind.SCORE) for c in codes
    )


CURRENT_ROWS, LEGACY_ROWS = _rows(_CURRENT_SUBJECTS), _rows(_LEGACY_SUBJECTS)


@dataclass(frozen=True, slots=True)
class FormError:
    """Why the form was refused, and the input it names (if any)."""

    message: str
    input_name: str | None = None


def _text(values: dict[str, str], name: str) -> str | None:
    return values.get(name) or None


def _score(value: str) -> str | None:
    # The engine takes "8.0"; people type "8", "8,5": the page spells them its way.
    text = value.replace(",", ".")
    return f"{text}.0" if _WHOLE_SCORE.fullmatch(text) else (text or None)


def _whole(value: str) -> int | str | None:
    return int(value) if value.isdigit() else (value or None)


def _subject(row: SubjectRow, values: dict[str, str]) -> dict[str, Any] | None:
    """The row as the record's subject; None for a row left wholly empty (omitted)."""
    typed = {part: values.get(f"mon-{row.code}-{part}", "") for part in _PART_VI}
    if not any(typed.values()):
        return None
    return {
        "Ma": row.code,
        "Ten": row.name,
        "HinhThucDanhGia": "DiemSo" if row.scored else "NhanXet",
        **{key: _score(typed[part]) for part, key in MARKS},
        "NhanXet": typed["nx"] or None,
        "GiaoVien": typed["gv"] or None,
    }


def paper_record(values: dict[str, str]) -> dict[str, Any]:
    """The paper year in the use case's shape, from the typed (stripped) values."""
    subjects = [_subject(row, values) for row in (*CURRENT_ROWS, *LEGACY_ROWS)]
    promoted = values.get("len-lop", "")
    return {
        "NamHoc": _text(values, "nam_hoc"),
        "Khoi": _whole(values.get("khoi", "")),
        "Lop": _text(values, "lop"),
        "ThongTu": _text(values, "thong_tu"),
        "KetQuaHocTap": [subject for subject in subjects if subject is not None],
        "TongHop": {
            **{
                group: {key: _text(values, f"{prefix}-{part}") for part, key in LEVELS}
                for prefix, group in (("ht", "HocTap"), ("rl", "RenLuyen"))
            },
            "SoBuoiNghi": _whole(values.get("so-buoi-nghi", "")),
            "DuocLenLop": {"co": True, "khong": False}.get(promoted),
            "DanhHieu": _text(values, "danh-hieu"),
            "NhanXetGVCN": _text(values, "nhan-xet-gvcn"),
            "KhenThuong": _text(values, "khen-thuong"),
        },
    }


def _where(field: str) -> tuple[str | None, str]:
    """The input a use case's field names, and how the page calls it."""
    path = field.removeprefix("record.").split(" (")[0]
    found = _FIELD.match(path)
    if found is None:
        return None, "Dữ liệu"
    if found["code"] and found["code"] in CATALOGUE:
        part = _SUBJECT_PART.get(found["part"], "hk1")
        name = f"mon-{found['code']}-{part}"
        return name, f"Môn {CATALOGUE[found['code']].name}, {_PART_VI[part]}"
    if found["summary"] in _GROUPS:
        prefix, label = _GROUPS[found["summary"]]
        part = _LEVEL_PART.get(found["level"] or "", "hk1")
        return f"{prefix}-{part}", f"{label}, {_PART_VI[part]}"
    key = found["summary"] or found["header"] or found["plain"] or ""
    return _FIELDS.get(key, (None, "Dữ liệu"))


def form_error(error: InvalidInputError) -> FormError:
    """The refusal in the page's words: the field named as the form names it."""
    if error.field == "record.KetQuaHocTap":
        return FormError("Kết quả từng môn: hãy nhập ít nhất một môn học.", "mon-TOAN-hk1")
    input_name, label = _where(error.field)
    said_vi = error.message_vi.removeprefix(f"{error.field}: ")
    why = error.message.removeprefix(f"{error.field}: ")
    if error.field.startswith("record.") and ": " in said_vi:
        # The document model's reason is English (for logs): the page says it in Vietnamese.
        said_vi = next((vi for en, vi in _REASONS_VI if en in why), "không hợp lệ")
    return FormError(f"{label}: {said_vi}.", input_name)
