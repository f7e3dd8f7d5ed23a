"""Score sheets for the Excel tests, and workbooks edited the way a teacher edits them.

``edited`` opens a workbook with openpyxl in its ordinary (not read-only) mode, changes cells and
saves it again: the same round trip through a full spreadsheet model as opening it in Excel.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from openpyxl import load_workbook  # type: ignore[import-untyped]

from workflow._workbook import ScoreSheet, SheetHeader, SheetRow

HEADER = SheetHeader(
    school_name="Trường THCS Nguyễn Du",
    school_year="2024-2025",
    class_name="6A1",
    subject_code="TOAN",
    subject_name="Toán",
    semester=1,
    periods_per_year=140,
    teacher_name="Lê Thị Hoa",
)
"""Toán, 140 periods a year: four ĐĐGtx columns (D–G), ĐĐGgk H, ĐĐGck I, Nhận xét J."""


def d(text: str) -> Decimal:
    """A score written as in the regulation: ``d("8.5")``."""
    return Decimal(text)


def class_sheet(header: SheetHeader = HEADER) -> ScoreSheet:
    """A class of three on rows 7–9; every personal ID starts with a zero, some scores blank."""
    count = header.regular_count
    return ScoreSheet(
        header=header,
        rows=(
            SheetRow(
                ordinal=1,
                personal_id="079212000101",
                full_name="Nguyễn Văn An",
                regular=(d("8"), d("7.5"), d("9"), d("10"))[:count],
                midterm=d("6.5"),
                final=d("8.3"),
                remark="Tiến bộ rõ rệt.",
            ),
            SheetRow(
                ordinal=2,
                personal_id="001099000001",
                full_name="Trần Thị Bích Ngọc",
                regular=(d("5"), None, d("6.8"), d("0"))[:count],
                midterm=None,
                final=None,
                remark="",
            ),
            SheetRow(
                ordinal=3,
                personal_id="038305012345",
                full_name="Phạm Đức Thắng",
                regular=(None,) * count,
                midterm=d("4.0"),
                final=d("9.9"),
                remark="Cần cố gắng hơn\nở phần hình học.",
            ),
        ),
    )


def roster_of(sheet: ScoreSheet) -> dict[str, str]:
    """The class list the sheet was made from: personal ID → full name."""
    return {row.personal_id: row.full_name for row in sheet.rows}


def edited(data: bytes, change: Callable[[Any], object] | None = None, /, **cells: object) -> bytes:
    """``data`` with cells of the score table set (``E7=9.25``), or with ``change(workbook)``."""
    workbook = load_workbook(io.BytesIO(data))
    table = workbook.worksheets[0]
    for address, value in cells.items():
        table[address] = value
    if change is not None:
        change(workbook)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def opened(data: bytes) -> Any:
    """The workbook in ``data``, for looking at its layout."""
    return load_workbook(io.BytesIO(data))
