"""``Transcript.data`` of an annual transcript (CaNam), built from the tracking book only
(REQ-04): the content of ``DLHocBa`` in transcript-format.md, as a JSON-ready dict.

The shape, key for key (the XML renderer turns it into elements of the same names)::

    {
      "TTChung": {                      # minus MaHocBa, PhienBan, ThayTheCho: the renderer
        "LoaiHocBa": "CaNam",           #   takes those from the transcript row (id, version,
        "NamHoc": "2024-2025",          #   replaces_id), as they differ per version
        "MaSoGD": "79",
        "MaTruong": "79000001",
        "TenTruong": "Trường THCS …",
        "CapHoc": "THCS",               # THCS for grades 6–9, THPT for 10–12
        "Khoi": 6,                      # a JSON number
        "Lop": "6A1",
        "ThongTu": "22/2021"
      },
      "HocSinh": {
        "MaDinhDanh": "079212000101",
        "HoVaTen": "Nguyễn Văn An",
        "NgaySinh": "2013-03-01",       # ISO date
        "GioiTinh": "Nam",              # Nam | Nữ
        "DanToc": "Kinh",
        "QuocTich": "Việt Nam",
        "NoiSinh": "…",                 # "" when unknown
        "HoTenCha": "…" | null,
        "HoTenMe": "…" | null,
        "HoTenNguoiGiamHo": "…" | null
      },
      "KetQuaHocTap": [                 # one per subject of the class, catalogue order; the
        {                               #   renderer gives each MonHoc its Id "MH-<Ma>"
          "Ma": "TOAN",
          "Ten": "Toán",
          "HinhThucDanhGia": "DiemSo",  # DiemSo | NhanXet
          "HK1": "9.2",                 # DiemSo: one-decimal text; NhanXet: "D" | "CD"
          "HK2": "9.3",
          "CaNam": "9.3",
          "DiemKiemTraLai": null,       # the retest result once entered (same coding), else null
          "NhanXet": "…" | null,        # the teacher's semester II remark; null when blank
          "GiaoVien": "…" | null        # the subject teacher's full name (assigned now, else
        }                               #   the last one); null if nobody ever was
      ],
      "TongHop": {
        "HocTap":   {"HK1": "K", "HK2": "T", "CaNam": "T", "SauDanhGiaLai": null},
        "RenLuyen": {"HK1": "T", "HK2": "T", "CaNam": "T", "SauDanhGiaLai": null},
                                        # levels "T" | "K" | "D" | "CD"; SauDanhGiaLai after the
                                        #   retests (HocTap) / summer training (RenLuyen), else null
        "SoBuoiNghi": 3,                # sessions missed, both semesters (a JSON number)
        "DuocLenLop": true | false | null,
        "DanhHieu": "XuatSac" | "Gioi" | null,
        "NhanXetGVCN": "…",             # the homeroom teacher's semester II comment ("" if none)
        "KhenThuong": null              # not kept in the tracking book
      }
    }

Codes are the assessment engine's ASCII ones (``T``, ``K``, ``D``, ``CD``); the renderer
writes the national codes with Vietnamese letters (``Đ``, ``CĐ``). Scores are text, exactly
as the tracking book stores them (``"8.5"``, ``"10.0"``), so nothing passes through a binary
float. ``DuocLenLop`` and ``DanhHieu`` are the year-end decisions: null until the principal
has approved the class's year-end review (REQ-19), and ``DuocLenLop`` stays null while a
retest or the summer re-evaluation is awaited. ``XacNhan`` (place and date of issue, the
signer's title) is not here: it is known only when the school signs and stamps, so the
renderer adds it with the identifiers.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from domain.assessment import (
    Circular,
    Circular22Result,
    Comment,
    Level,
    Standing,
    SubjectResult,
)
from domain.model import School, Student, SubjectKind, TranscriptKind
from workflow._tracking_scope import ClassYear
from workflow._tracking_values import SheetSubject
from workflow._year_end_input import StudentBook

Json = dict[str, Any]


def _mark(value: Decimal | Comment | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, Comment):
        return value.value
    return f"{value:.1f}"


def _level(value: Level | None) -> str | None:
    return None if value is None else value.value


def _standing(standing: Standing[Level]) -> Json:
    return {
        "HK1": _level(standing.hk1),
        "HK2": _level(standing.hk2),
        "CaNam": _level(standing.year),
        "SauDanhGiaLai": _level(standing.after_reassessment),
    }


def _subject(
    subject: SheetSubject, result: SubjectResult, book: StudentBook, teacher: str | None
) -> Json:
    remark = book.lines[(subject.code, 2)].remark.strip()
    return {
        "Ma": subject.code,
        "Ten": subject.name,
        "HinhThucDanhGia": "NhanXet" if subject.kind is SubjectKind.COMMENT else "DiemSo",
        "HK1": _mark(result.hk1),
        "HK2": _mark(result.hk2),
        "CaNam": _mark(result.year),
        "DiemKiemTraLai": _mark(result.after_retest),
        "NhanXet": remark or None,
        "GiaoVien": teacher,
    }


def identity_sections(
    kind: TranscriptKind, where: ClassYear, school: School, student: Student
) -> Json:
    """TTChung and HocSinh of a transcript of ``kind`` (every kind shares them)."""
    grade = where.klass.grade
    return {
        "TTChung": {
            "LoaiHocBa": kind.value,
            "NamHoc": where.year.name,
            "MaSoGD": school.department_code,
            "MaTruong": school.code,
            "TenTruong": school.name,
            "CapHoc": "THCS" if grade <= 9 else "THPT",
            "Khoi": grade,
            "Lop": where.klass.name,
            "ThongTu": Circular.C22.value,
        },
        "HocSinh": {
            "MaDinhDanh": student.personal_id,
            "HoVaTen": student.full_name,
            "NgaySinh": student.date_of_birth.isoformat(),
            "GioiTinh": student.gender,
            "DanToc": student.ethnicity,
            "QuocTich": student.nationality,
            "NoiSinh": student.birthplace,
            "HoTenCha": student.father_name,
            "HoTenMe": student.mother_name,
            "HoTenNguoiGiamHo": student.guardian_name,
        },
    }


def transcript_data(
    *,
    where: ClassYear,
    school: School,
    student: Student,
    subjects: tuple[SheetSubject, ...],
    book: StudentBook,
    result: Circular22Result,
    teachers: Mapping[str, str],
    decided: bool,
) -> Json:
    """The annual transcript's data for ``student`` (shape in the module docstring).

    ``result`` is the engine's result on ``book`` (with the supplementary results entered so
    far); ``decided`` says whether the class's year-end review is approved.
    """
    results = {r.code: r for r in result.subjects}
    return {
        **identity_sections(TranscriptKind.CA_NAM, where, school, student),
        "KetQuaHocTap": [
            _subject(s, results[s.code], book, teachers.get(s.code)) for s in subjects
        ],
        "TongHop": {
            "HocTap": _standing(result.academic),
            "RenLuyen": _standing(result.conduct),
            "SoBuoiNghi": book.absences,
            "DuocLenLop": result.decisions.promoted if decided else None,
            "DanhHieu": None if not decided or result.title is None else result.title.value,
            "NhanXetGVCN": book.homeroom[2].comment.strip(),
            "KhenThuong": None,
        },
    }
