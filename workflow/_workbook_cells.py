"""Reading one cell of the table: its value in the sheet's terms, or a CellError that names it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]

from domain.assessment import InvalidScoreError, parse_score
from domain.model import InvalidPersonalIdError, validate_personal_id
from workflow._workbook_errors import CellError
from workflow._workbook_values import (
    multi_line,
    one_line,
    personal_id_problem_vi,
    text_problem,
)

MAX_ORDINAL = 99_999
"""The largest STT accepted (SheetRow's bound)."""
_SHOWN_LENGTH = 40
_SCORE_REASONS = {
    "must be a number": ("score_not_a_number", "phải là một số từ 0 đến 10"),
    "must be between 0 and 10": ("score_out_of_range", "phải từ 0 đến 10"),
    "must have at most one decimal": (
        "score_too_many_decimals",
        "chỉ được có tối đa một chữ số thập phân",
    ),
}
"""parse_score's reasons → (code, Vietnamese)."""


class CellRefused(Exception):  # noqa: N818 -- internal signal, never leaves the import
    """Raised by a reader; the import collects ``error`` and goes on with the next cell."""

    def __init__(self, error: CellError) -> None:
        super().__init__(error.message)
        self.error = error


def is_blank(value: object) -> bool:
    """Whether a cell counts as empty: no value, or only whitespace."""
    return value is None or (isinstance(value, str) and not value.strip())


def _shown(value: object, *, vi: bool) -> str:
    """``value`` as a teacher would recognise it in a message (numbers with a decimal comma)."""
    if value is None:
        return "(trống)" if vi else "(blank)"
    if isinstance(value, str):
        text = value if len(value) <= _SHOWN_LENGTH else value[: _SHOWN_LENGTH - 1] + "…"
        return f"“{text}”"
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value).replace(".", ",") if vi else str(value)
    return str(value)


@dataclass(frozen=True, slots=True)
class TableCell:
    """One cell of the table as read: where it is, which column, what it holds."""

    row: int
    """Excel's row number."""
    column: int
    """Excel's column number (1 = A)."""
    title: str
    """The title of its column in the layout."""
    value: object
    """The value openpyxl read (for a formula, its text)."""
    is_formula: bool
    """Whether the cell holds a formula rather than a value."""

    @property
    def address(self) -> str:
        """``E7``."""
        return f"{get_column_letter(self.column)}{self.row}"

    def refused(self, code: str, message: str, message_vi: str) -> CellRefused:
        """The refusal of this cell; the messages are prefixed with its address and title."""
        return CellRefused(
            CellError(
                row=self.row,
                column=get_column_letter(self.column),
                column_title=self.title,
                value=self.value,
                code=code,
                message=f"{self.address} ({self.title}): {message}",
                message_vi=f"Ô {self.address} ({self.title}): {message_vi}",
            )
        )

    def shown(self, *, vi: bool) -> str:
        """The cell's value for a message."""
        return _shown(self.value, vi=vi)


def plain_value(cell: TableCell) -> object:
    """The cell's value, refusing a formula: its cached result may be stale or absent, and a
    score sheet records what the teacher decided, not a computation."""
    if cell.is_formula:
        raise cell.refused(
            "formula_not_allowed",
            f"holds the formula {cell.shown(vi=False)}; enter the value itself",
            f"ô chứa công thức {cell.shown(vi=True)}; hãy nhập trực tiếp giá trị, "
            "không dùng công thức",
        )
    return cell.value


def read_ordinal(cell: TableCell) -> int:
    """STT: a whole number from 1 (typed as a number or as digits)."""
    value = plain_value(cell)
    if is_blank(value):
        raise cell.refused("ordinal_missing", "the ordinal (STT) is missing", "thiếu STT")
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        number = int(value.strip())
    if number is None or not 1 <= number <= MAX_ORDINAL:
        raise cell.refused(
            "ordinal_invalid",
            f"{cell.shown(vi=False)} is not a whole number from 1",
            f"STT {cell.shown(vi=True)} phải là số nguyên dương",
        )
    return number


def read_personal_id(cell: TableCell) -> str:
    """Mã định danh: 12 digits kept as text."""
    value = plain_value(cell)
    if is_blank(value):
        raise cell.refused(
            "personal_id_missing", "the personal ID is missing", "thiếu mã định danh"
        )
    if not isinstance(value, str):
        # Excel turns a typed or pasted ID into a number unless the cell is formatted as text.
        raise cell.refused(
            "personal_id_not_text",
            f"{cell.shown(vi=False)} is a number, not 12 digits of text (leading zeros lost?)",
            f"mã định danh {cell.shown(vi=True)} đã bị Excel đổi thành số (mất số 0 ở đầu); "
            "hãy định dạng ô là Văn bản (Text) và nhập đủ 12 chữ số",
        )
    text = value.strip()
    try:
        return validate_personal_id(text)
    except InvalidPersonalIdError as error:
        raise cell.refused(
            "personal_id_invalid",
            f"personal ID {cell.shown(vi=False)} {error.why}",
            f"mã định danh {cell.shown(vi=True)} {personal_id_problem_vi(error.why)}",
        ) from None


def read_name(cell: TableCell) -> str:
    """Họ và tên: required text, in canonical form."""
    value = plain_value(cell)
    if is_blank(value):
        raise cell.refused("name_missing", "the full name is missing", "thiếu họ và tên")
    if not isinstance(value, str):
        raise cell.refused(
            "name_not_text",
            f"{cell.shown(vi=False)} is not a name",
            f"{cell.shown(vi=True)} không phải họ tên",
        )
    return _checked_text(cell, one_line(value), required=True)


def read_score(cell: TableCell) -> Decimal | None:
    """A score (ĐĐGtx, ĐĐGgk, ĐĐGck): None when blank; numbers and text, '8,5' as well as '8.5'."""
    value = plain_value(cell)
    if is_blank(value):
        return None
    if isinstance(value, datetime | date | time | timedelta):
        # What Excel makes of "8/5" or "8:5" typed into a score cell.
        raise cell.refused(
            "score_is_a_date",
            f"Excel read {cell.shown(vi=False)} as a date or time, not a score",
            f"Excel đã hiểu giá trị là ngày/giờ ({cell.shown(vi=True)}), không phải điểm; "
            "hãy nhập điểm dạng 8,5 hoặc 8.5",
        )
    try:
        return parse_score(value, field=cell.address)
    except InvalidScoreError as error:
        code, reason_vi = _SCORE_REASONS.get(error.why, ("invalid_score", "không hợp lệ"))
        raise cell.refused(
            code,
            f"score {cell.shown(vi=False)} {error.why}",
            f"điểm {cell.shown(vi=True)} {reason_vi}",
        ) from None


def read_remark(cell: TableCell) -> str:
    """Nhận xét: text (a number typed there is kept as its text); blank is ''."""
    value = plain_value(cell)
    if is_blank(value):
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise cell.refused(
            "remark_not_text",
            f"{cell.shown(vi=False)} is not text",
            f"nhận xét {cell.shown(vi=True)} phải là văn bản (gõ dấu ' ở đầu để Excel giữ "
            "nguyên chữ)",
        )
    return _checked_text(cell, multi_line(value), required=False)


def _checked_text(cell: TableCell, text: str, *, required: bool) -> str:
    problem = text_problem(text, required=required)
    if problem is not None:
        raise cell.refused("text_invalid", problem[0], problem[1])
    return text


def refuse_extra(cell: TableCell) -> CellError:
    """The error for a non-empty cell outside the table (extra columns are only allowed empty)."""
    return cell.refused(
        "outside_table",
        f"{cell.shown(vi=False)} is outside the score table; leave it empty",
        f"ô nằm ngoài bảng điểm phải để trống (đang có {cell.shown(vi=True)})",
    ).error


def refuse_title(cell: TableCell, title: str) -> CellError:
    """The error for a title-row cell that does not carry the layout's column title."""
    return cell.refused(
        "column_title_unexpected",
        f"the column title must be “{title}”, found {cell.shown(vi=False)}",
        f"tiêu đề cột phải là “{title}” (tệp có {cell.shown(vi=True)}); "
        "không thêm, xoá hay đổi chỗ các cột của bảng điểm",
    ).error


def refuse_duplicate(cell: TableCell, personal_id: str, first_row: int) -> CellError:
    """The error for a personal ID already given in ``first_row``."""
    return cell.refused(
        "duplicate_personal_id",
        f"personal ID {personal_id} already appears in row {first_row}",
        f"mã định danh {personal_id} đã có ở dòng {first_row}",
    ).error


def refuse_unknown(cell: TableCell, personal_id: str, class_name: str) -> CellError:
    """The error for a personal ID that is not on the class list."""
    return cell.refused(
        "unknown_student",
        f"no student with personal ID {personal_id} in class {class_name}",
        f"không có học sinh mang mã định danh {personal_id} trong danh sách lớp {class_name}",
    ).error


def refuse_name(cell: TableCell, listed: str) -> CellError:
    """The error for a name that differs from the class list's name for that personal ID."""
    return cell.refused(
        "name_mismatch",
        f"{cell.shown(vi=False)} differs from the class list (“{listed}”)",
        f"họ tên {cell.shown(vi=True)} không khớp với danh sách lớp (“{listed}”)",
    ).error
