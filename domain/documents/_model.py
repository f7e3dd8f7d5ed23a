"""The parts of the transcript document: one frozen dataclass per element group of ``DLHocBa``.

Each class names the XML element it becomes; each field the child element. The classes check
what the XSD cannot (a value's type against the subject's form, results in order);
``render_xml`` then validates the result against the XSD as well.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from domain.assessment import Circular, Comment, Title, Title58
from domain.documents._checks import (
    is_whole,
    require,
    require_in_order,
    require_line,
    require_mark,
    require_text,
    require_uuid,
)
from domain.documents._errors import InvalidDocumentError
from domain.documents._vocabulary import (
    AssessmentForm,
    Gender,
    LevelCode,
    SchoolLevel,
    SignerTitle,
)
from domain.model import InvalidPersonalIdError, TranscriptKind, validate_personal_id

Mark = Decimal | Comment
"""A subject's result: a score (0.0–10.0, one decimal) or Đạt / Chưa đạt."""

_SUBJECT_CODE = re.compile(r"[A-Z][A-Z0-9]{0,19}")
_SCHOOL_YEAR = re.compile(r"([0-9]{4})-([0-9]{4})")
_SHA256_HEX = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True, slots=True, kw_only=True)
class DocumentHeader:
    """``TTChung``: the identity of this document version."""

    transcript_id: str
    """``MaHocBa``: a UUID per document version (lower-case, hyphenated)."""
    version: int
    """``PhienBan``: 1, 2, … bumped by every re-issue."""
    kind: TranscriptKind
    """``LoaiHocBa``."""
    school_year: str
    """``NamHoc``: ``2024-2025``."""
    department_code: str
    """``MaSoGD``: the Department of Education and Training."""
    school_code: str
    """``MaTruong``."""
    school_name: str
    """``TenTruong``."""
    school_level: SchoolLevel
    """``CapHoc``."""
    grade: int
    """``Khoi``: 6–12."""
    class_name: str
    """``Lop``: ``6A1``."""
    circular: Circular
    """``ThongTu``: the regulation the year is assessed under."""
    replaces: str | None = None
    """``ThayTheCho``: the ``MaHocBa`` of the version this one replaces."""

    def __post_init__(self) -> None:
        require_uuid("header.transcript_id", self.transcript_id)
        if self.replaces is not None:
            require_uuid("header.replaces", self.replaces)
            require(self.replaces != self.transcript_id, "header.replaces", "cannot be itself")
        require(is_whole(self.version) and self.version >= 1, "header.version", "must be 1 or more")
        year = _SCHOOL_YEAR.fullmatch(self.school_year)
        require(
            year is not None and int(year[2]) == int(year[1]) + 1,
            "header.school_year",
            "must be two consecutive years, as in '2024-2025'",
        )
        require(is_whole(self.grade) and 6 <= self.grade <= 12, "header.grade", "must be 6 to 12")
        level = SchoolLevel.THCS if self.grade <= 9 else SchoolLevel.THPT
        require(self.school_level is level, "header.school_level", f"grade {self.grade} is {level}")
        for name in ("department_code", "school_code", "school_name", "class_name"):
            require_line(f"header.{name}", getattr(self, name))


@dataclass(frozen=True, slots=True, kw_only=True)
class StudentDetails:
    """``HocSinh``: who the transcript is about."""

    personal_id: str
    """``MaDinhDanh``: the 12-digit personal identification number."""
    full_name: str
    """``HoVaTen``."""
    date_of_birth: date
    """``NgaySinh``."""
    gender: Gender
    """``GioiTinh``."""
    ethnicity: str
    """``DanToc``: ``Kinh``."""
    nationality: str
    """``QuocTich``: ``Việt Nam``."""
    birthplace: str
    """``NoiSinh``."""
    father_name: str | None = None
    """``HoTenCha``."""
    mother_name: str | None = None
    """``HoTenMe``."""
    guardian_name: str | None = None
    """``HoTenNguoiGiamHo``."""

    def __post_init__(self) -> None:
        try:
            validate_personal_id(self.personal_id)
        except InvalidPersonalIdError as error:
            raise InvalidDocumentError("student.personal_id", error.why) from None
        for name in ("full_name", "ethnicity", "nationality", "birthplace"):
            require_line(f"student.{name}", getattr(self, name))
        for name in ("father_name", "mother_name", "guardian_name"):
            if getattr(self, name) is not None:
                require_line(f"student.{name}", getattr(self, name))


@dataclass(frozen=True, slots=True, kw_only=True)
class SubjectRecord:
    """``MonHoc``: one subject's results; signed by its teacher in slot ``GVBM Mon=<code>``."""

    code: str
    """``Ma``: the catalogue code (``TOAN``); also the element's Id ``MH-<code>``."""
    name: str
    """``Ten``: the name printed on the transcript."""
    form: AssessmentForm
    """``HinhThucDanhGia``: every mark below is a score (DiemSo) or a comment result."""
    hk1: Mark
    """``HK1``."""
    hk2: Mark | None
    """``HK2``; absent only in a transfer record made during semester II."""
    year: Mark | None
    """``CaNam``; absent only in a transfer record."""
    teacher: str
    """``GiaoVien``: the subject teacher's name."""
    retest: Mark | None = None
    """``DiemKiemTraLai``: the retest score (or re-assessment), which replaces ``year``."""
    comment: str | None = None
    """``NhanXet``: the teacher's comment."""

    def __post_init__(self) -> None:
        where = f"subjects[{self.code}]"
        require(
            isinstance(self.code, str) and _SUBJECT_CODE.fullmatch(self.code) is not None,
            f"{where}.code",
            "must be 1–20 capital letters and digits, starting with a letter",
        )
        require_line(f"{where}.name", self.name)
        require_line(f"{where}.teacher", self.teacher)
        if self.comment is not None:
            require_text(f"{where}.comment", self.comment)
        require_in_order(where, ("hk1", "hk2", "year", "retest"), self)
        for name in ("hk1", "hk2", "year", "retest"):
            mark = getattr(self, name)
            if mark is not None:
                require_mark(f"{where}.{name}", mark, self.form)


@dataclass(frozen=True, slots=True, kw_only=True)
class TermLevels:
    """``HocTap`` or ``RenLuyen``: levels of the semesters, the year and after reassessment."""

    hk1: LevelCode
    """``HK1``."""
    hk2: LevelCode | None
    """``HK2``; absent only in a transfer record."""
    year: LevelCode | None
    """``CaNam``; absent only in a transfer record."""
    after_reassessment: LevelCode | None = None
    """``SauDanhGiaLai``: after the retests (academic) or summer training (conduct)."""

    def values(self) -> tuple[LevelCode, ...]:
        """The levels present, first to last."""
        marks = (self.hk1, self.hk2, self.year, self.after_reassessment)
        return tuple(mark for mark in marks if mark is not None)


@dataclass(frozen=True, slots=True, kw_only=True)
class Summary:
    """``TongHop``: the year's academic result and conduct, attendance, decisions, comments."""

    academic: TermLevels
    """``HocTap``: Circular 22 ``Level`` (or Circular 58 ``Learning58``)."""
    conduct: TermLevels
    """``RenLuyen``: Circular 22 ``Level`` (or Circular 58 ``Conduct58``)."""
    absences: int
    """``SoBuoiNghi``: sessions missed, excused or not."""
    promoted: bool | None
    """``DuocLenLop``; absent only in a transfer record."""
    homeroom_comment: str
    """``NhanXetGVCN``: the homeroom teacher's comment."""
    title: Title | Title58 | None = None
    """``DanhHieu``: Học sinh Xuất sắc / Giỏi (Circular 58: Giỏi / Tiên tiến)."""
    awards: str | None = None
    """``KhenThuong``: other commendations."""

    def __post_init__(self) -> None:
        require(
            is_whole(self.absences) and 0 <= self.absences <= 365, "summary.absences", "0 to 365"
        )
        require_text("summary.homeroom_comment", self.homeroom_comment)
        if self.awards is not None:
            require_text("summary.awards", self.awards)
        require_in_order(
            "summary.academic", ("hk1", "hk2", "year", "after_reassessment"), self.academic
        )
        require_in_order(
            "summary.conduct", ("hk1", "hk2", "year", "after_reassessment"), self.conduct
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class ScannedOriginal:
    """``BanGoc``: the paper original a digitised record (SoHoa) was made from."""

    sha256: str
    """``SHA256``: of the scanned file, lower-case hex."""
    file_name: str
    """``TenTep``: the scanned file's name."""

    def __post_init__(self) -> None:
        require(
            isinstance(self.sha256, str) and _SHA256_HEX.fullmatch(self.sha256) is not None,
            "original.sha256",
            "must be 64 lower-case hex digits",
        )
        require_line("original.file_name", self.file_name)
        separators = "/" in self.file_name or "\\" in self.file_name
        require(not separators, "original.file_name", "a file name, not a path")


@dataclass(frozen=True, slots=True, kw_only=True)
class Certification:
    """``XacNhan``: where and when the school certifies the transcript, and who signs for it."""

    place: str
    """``NoiCap``: ``Thành phố Hồ Chí Minh``."""
    issued_on: date
    """``NgayCap``."""
    signer_title: SignerTitle
    """``ChucVuNguoiKy``."""

    def __post_init__(self) -> None:
        require_line("certification.place", self.place)
