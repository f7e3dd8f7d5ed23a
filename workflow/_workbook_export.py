"""Writing a score sheet as an .xlsx workbook in the layout of ``_workbook_layout``."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from typing import Any

from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side  # type: ignore[import-untyped]
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]
from openpyxl.worksheet.datavalidation import DataValidation  # type: ignore[import-untyped]
from openpyxl.writer.excel import ExcelWriter  # type: ignore[import-untyped]

from workflow._workbook_layout import (
    FIRST_ROW,
    FROZEN_AT,
    META_SHEET,
    TABLE_SHEET,
    TITLE_ROW,
    Columns,
    escape_text,
    metadata,
    semester_label,
)
from workflow._workbook_values import ScoreSheet, SheetHeader, SheetRow

_FIXED_TIME = (1980, 1, 1, 0, 0, 0)
"""The zip epoch, stamped on every part and as the document's dates: the same sheet always gives
the same bytes, and exporting reads no clock."""
_SCORE_FORMAT = "0.0"
_TEXT_FORMAT = "@"
_WIDTHS = {"STT": 5, "Mã định danh": 15, "Họ và tên": 28, "Nhận xét": 40}
_SCORE_WIDTH = 8

_THIN = Side(style="thin")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)
_TITLE_FILL = PatternFill(fill_type="solid", fgColor="DDEBF7")


def export_sheet(sheet: ScoreSheet) -> bytes:
    """The .xlsx bytes of ``sheet``; ``import_sheet`` reads them back to an equal sheet."""
    workbook = Workbook()
    table = workbook.active
    table.title = TABLE_SHEET
    columns = Columns(sheet.header.regular_count)
    _title_block(table, sheet.header, columns)
    _column_titles(table, columns)
    for offset, row in enumerate(sheet.rows):
        _student_row(table, FIRST_ROW + offset, row, columns)
    if sheet.rows:
        table.add_data_validation(
            _score_validation(columns, last_row=FIRST_ROW + len(sheet.rows) - 1)
        )
    table.freeze_panes = FROZEN_AT
    table.print_title_rows = f"{TITLE_ROW}:{TITLE_ROW}"
    table.page_setup.orientation = "landscape"
    table.page_setup.fitToHeight = 0
    table.sheet_properties.pageSetUpPr.fitToPage = True

    hidden = workbook.create_sheet(META_SHEET)
    hidden.sheet_state = "veryHidden"  # not even listed by Excel's "Unhide…"
    for number, (key, value) in enumerate(metadata(sheet.header), start=1):
        _text(hidden.cell(row=number, column=1), key)
        _text(hidden.cell(row=number, column=2), value)

    when = datetime(*_FIXED_TIME)  # noqa: DTZ001 -- a constant, not a reading of the clock
    workbook.properties.creator = "hocba"
    workbook.properties.title = (
        f"Bảng điểm {sheet.header.subject_name} lớp {sheet.header.class_name}"
    )
    workbook.properties.created = when
    workbook.properties.modified = when
    return _with_fixed_timestamps(_save(workbook))


def _text(cell: Any, text: str) -> None:
    """Put ``text`` in ``cell`` as a string, even if it starts with '=' (never a formula)."""
    cell.value = escape_text(text)
    cell.data_type = "s"


def _title_block(table: Any, header: SheetHeader, columns: Columns) -> None:
    last = get_column_letter(columns.width)
    lines = [
        (header.school_name.upper(), Font(bold=True), Alignment(horizontal="left")),
        ("SỔ THEO DÕI VÀ ĐÁNH GIÁ HỌC SINH", Font(bold=True, size=14), _CENTRE),
        (
            f"Lớp: {header.class_name} – Môn: {header.subject_name} – "
            f"{semester_label(header.semester)} – Năm học: {header.school_year}",
            Font(bold=True),
            _CENTRE,
        ),
        (
            f"Giáo viên bộ môn: {header.teacher_name or '…'} – "
            f"Số tiết/năm: {header.periods_per_year}",
            Font(italic=True),
            _CENTRE,
        ),
    ]
    for number, (text, font, alignment) in enumerate(lines, start=1):
        table.merge_cells(f"A{number}:{last}{number}")
        cell = table.cell(row=number, column=1)
        _text(cell, text)
        cell.font = font
        cell.alignment = alignment


def _column_titles(table: Any, columns: Columns) -> None:
    for position, title in enumerate(columns.titles):
        cell = table.cell(row=TITLE_ROW, column=position + 1)
        _text(cell, title)
        cell.font = Font(bold=True)
        cell.alignment = _CENTRE
        cell.border = _BORDER
        cell.fill = _TITLE_FILL
        width = _WIDTHS.get(title, _SCORE_WIDTH)
        table.column_dimensions[get_column_letter(position + 1)].width = width


def _student_row(table: Any, number: int, row: SheetRow, columns: Columns) -> None:
    values: list[object] = [
        row.ordinal,
        row.personal_id,
        row.full_name,
        *row.regular,
        row.midterm,
        row.final,
        row.remark,
    ]
    for position, value in enumerate(values):
        cell = table.cell(row=number, column=position + 1)
        cell.border = _BORDER
        if position in columns.scores:
            # As a float: openpyxl writes a Decimal through a lossy path (9.3 → 9.300000000000001).
            cell.value = None if value is None else float(str(value))
            cell.number_format = _SCORE_FORMAT
            cell.alignment = Alignment(horizontal="center")
        elif isinstance(value, str):
            _text(cell, value)
            # The personal ID stays text so that Excel keeps its leading zero on edit too.
            cell.number_format = _TEXT_FORMAT
            cell.alignment = Alignment(vertical="top", wrap_text=position == columns.remark)
        else:
            cell.value = value
            cell.alignment = Alignment(horizontal="center")


def _score_validation(columns: Columns, *, last_row: int) -> Any:
    # Excel can check the range only; the one-decimal rule is the import's (parse_score).
    validation = DataValidation(
        type="decimal",
        operator="between",
        formula1="0",
        formula2="10",
        allow_blank=True,
        showErrorMessage=True,
        errorStyle="stop",
        errorTitle="Điểm không hợp lệ",
        error="Điểm là số từ 0 đến 10, tối đa một chữ số thập phân (ví dụ 8,5).",
        showInputMessage=True,
        promptTitle="Nhập điểm",
        prompt="Từ 0 đến 10, tối đa một chữ số thập phân. Để trống nếu chưa đánh giá.",
    )
    first = get_column_letter(columns.scores.start + 1)
    last = get_column_letter(columns.scores.stop)
    validation.add(f"{first}{FIRST_ROW}:{last}{last_row}")
    return validation


def _save(workbook: Any) -> bytes:
    buffer = io.BytesIO()
    # ExcelWriter rather than Workbook.save, which stamps the clock's time as "modified".
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(workbook, archive).save()
    return buffer.getvalue()


def _with_fixed_timestamps(data: bytes) -> bytes:
    """The same archive with every part dated ``_FIXED_TIME`` (openpyxl dates them "now")."""
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            part = zipfile.ZipInfo(info.filename, date_time=_FIXED_TIME)
            part.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(part, source.read(info))
    return buffer.getvalue()
