"""The score sheet as values: its header, one row per student, and the text rules they share.

Every value checks itself on construction (``InvalidInputError`` naming the field) and keeps its
text in one canonical form — Unicode NFC, trimmed, whitespace collapsed in one-line fields — so
that a sheet read back from Excel compares equal to the sheet that was written.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

from domain.assessment import InvalidScoreError, parse_score, regular_assessment_count
from domain.model import CATALOGUE, InvalidPersonalIdError, SubjectKind, validate_personal_id
from workflow._errors import InvalidInputError

MAX_TEXT_LENGTH = 32_767
"""The most characters an Excel cell holds."""
_SCHOOL_YEAR = re.compile(r"([0-9]{4})-([0-9]{4})")
# The control characters XML 1.0 cannot carry (openpyxl refuses them too); tab and newline can.
_UNWRITABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def one_line(text: str) -> str:
    """``text`` in NFC with every run of whitespace (newlines included) made one space, trimmed."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def multi_line(text: str) -> str:
    """``text`` in NFC with line ends made ``\\n`` (as XML reads them back), trimmed."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    return text.strip()


def text_problem(text: str, *, required: bool) -> tuple[str, str] | None:
    """Why canonical ``text`` cannot be kept, in English and Vietnamese; None when it can."""
    if required and not text:
        return "must not be empty", "không được để trống"
    if _UNWRITABLE.search(text):
        return "contains a control character", "chứa ký tự điều khiển không hợp lệ"
    if len(text) > MAX_TEXT_LENGTH:
        return (
            f"is longer than {MAX_TEXT_LENGTH} characters",
            f"dài quá {MAX_TEXT_LENGTH} ký tự",
        )
    return None


def clean_text(value: object, field_name: str, *, required: bool, lines: bool = False) -> str:
    """``value`` in canonical form (``one_line``, or ``multi_line`` with ``lines``); else
    InvalidInputError naming ``field_name`` (not text, or a ``text_problem``).
    """
    if not isinstance(value, str):
        raise InvalidInputError(field_name, "must be text", "phải là văn bản")
    text = multi_line(value) if lines else one_line(value)
    problem = text_problem(text, required=required)
    if problem is not None:
        raise InvalidInputError(field_name, *problem)
    return text


def personal_id_problem_vi(why: str) -> str:
    """The Vietnamese for a reason ``validate_personal_id`` gives."""
    if why.startswith("unknown province code"):
        return f"mã tỉnh {why.rsplit(' ', 1)[-1]} không tồn tại"
    return "phải gồm đúng 12 chữ số"


def _score(value: Decimal | None, field_name: str) -> Decimal | None:
    if value is None:
        return None
    try:
        return parse_score(value, field=field_name)
    except InvalidScoreError as error:
        raise InvalidInputError(
            field_name, error.why, "phải là điểm từ 0 đến 10, tối đa một chữ số thập phân"
        ) from None


def _whole(value: object, field_name: str, *, allowed: range) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value not in allowed:
        raise InvalidInputError(
            field_name,
            f"must be a whole number from {allowed.start} to {allowed.stop - 1}",
            f"phải là số nguyên từ {allowed.start} đến {allowed.stop - 1}",
        )
    return value


@dataclass(frozen=True, slots=True)
class SheetHeader:
    """Which score sheet this is: one class × one scored subject × one semester of a school year."""

    school_name: str
    """The school's name as printed at the top of the sheet."""
    school_year: str
    """'2024-2025': two consecutive years."""
    class_name: str
    """The class (``6A1``)."""
    subject_code: str
    """Catalogue code of a subject assessed by score (``TOAN``); comment subjects have no sheet."""
    subject_name: str
    """The subject's Vietnamese name as printed (``Toán``)."""
    semester: int
    """1 (Học kỳ I) or 2 (Học kỳ II)."""
    periods_per_year: int
    """Teaching periods a year: decides how many ĐĐGtx columns the sheet has."""
    teacher_name: str = ""
    """The subject teacher printed under the title; may be empty."""

    def __post_init__(self) -> None:
        for name in ("school_name", "class_name", "subject_name"):
            object.__setattr__(self, name, clean_text(getattr(self, name), name, required=True))
        object.__setattr__(
            self, "teacher_name", clean_text(self.teacher_name, "teacher_name", required=False)
        )
        match = (
            _SCHOOL_YEAR.fullmatch(self.school_year) if isinstance(self.school_year, str) else None
        )
        if match is None or int(match[2]) != int(match[1]) + 1:
            raise InvalidInputError(
                "school_year",
                "must be two consecutive years, as in '2024-2025'",
                "phải là hai năm liên tiếp, ví dụ '2024-2025'",
            )
        info = CATALOGUE.get(self.subject_code) if isinstance(self.subject_code, str) else None
        if info is None or info.kind is not SubjectKind.SCORE:
            raise InvalidInputError(
                "subject_code",
                f"{self.subject_code!r} is not a subject assessed by score",
                f"{self.subject_code!r} không phải môn đánh giá bằng điểm số",
            )
        _whole(self.semester, "semester", allowed=range(1, 3))
        _whole(self.periods_per_year, "periods_per_year", allowed=range(1, 1000))

    @property
    def regular_count(self) -> int:
        """How many regular assessments (ĐĐGtx columns) a semester of this subject has."""
        return regular_assessment_count(self.periods_per_year)


@dataclass(frozen=True, slots=True)
class SheetRow:
    """One student's line of the sheet; a score left blank (not entered yet) is None."""

    ordinal: int
    """STT, the number printed in the first column (from 1)."""
    personal_id: str
    """The student's 12-digit personal ID (mã định danh), the key the import matches on."""
    full_name: str
    """The student's full name."""
    regular: tuple[Decimal | None, ...]
    """ĐĐGtx1…ĐĐGtxN, as many as the header's ``regular_count``."""
    midterm: Decimal | None
    """ĐĐGgk."""
    final: Decimal | None
    """ĐĐGck."""
    remark: str = ""
    """Nhận xét: the teacher's comment; may span lines."""

    def __post_init__(self) -> None:
        _whole(self.ordinal, "ordinal", allowed=range(1, 100_000))
        try:
            validate_personal_id(self.personal_id)
        except InvalidPersonalIdError as error:
            raise InvalidInputError(
                "personal_id", error.why, personal_id_problem_vi(error.why)
            ) from None
        object.__setattr__(
            self, "full_name", clean_text(self.full_name, "full_name", required=True)
        )
        object.__setattr__(
            self, "remark", clean_text(self.remark, "remark", required=False, lines=True)
        )
        object.__setattr__(
            self,
            "regular",
            tuple(_score(s, f"regular[{i}]") for i, s in enumerate(self.regular)),
        )
        object.__setattr__(self, "midterm", _score(self.midterm, "midterm"))
        object.__setattr__(self, "final", _score(self.final, "final"))


@dataclass(frozen=True, slots=True)
class ScoreSheet:
    """A class's scores in one subject and semester: the header and one row per student."""

    header: SheetHeader
    """Which sheet this is."""
    rows: tuple[SheetRow, ...] = field(default=())
    """The students, in the order printed; each personal ID at most once."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "rows", tuple(self.rows))
        count = self.header.regular_count
        seen: set[str] = set()
        for index, row in enumerate(self.rows):
            if len(row.regular) != count:
                raise InvalidInputError(
                    f"rows[{index}].regular",
                    f"needs exactly {count} regular assessments",
                    f"cần đúng {count} điểm ĐĐGtx",
                )
            if row.personal_id in seen:
                raise InvalidInputError(
                    f"rows[{index}].personal_id",
                    f"{row.personal_id} appears twice",
                    f"mã định danh {row.personal_id} bị trùng",
                )
            seen.add(row.personal_id)
