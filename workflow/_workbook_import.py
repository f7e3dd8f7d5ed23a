"""Reading a score-sheet workbook back: safety checks, identity, then every cell of the table.

openpyxl opens the file read-only (streaming, no whole-sheet model in memory) and with
``data_only=False``: a formula must be seen as a formula to be refused, whereas ``data_only``
would silently hand over a cached result that may be stale or missing.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from openpyxl import load_workbook  # type: ignore[import-untyped]

from workflow._workbook_archive import check_archive, not_xlsx
from workflow._workbook_cells import (
    CellRefused,
    TableCell,
    is_blank,
    read_name,
    read_ordinal,
    read_personal_id,
    read_remark,
    read_score,
    refuse_duplicate,
    refuse_extra,
    refuse_name,
    refuse_title,
    refuse_unknown,
)
from workflow._workbook_errors import (
    CellError,
    Mismatch,
    WorkbookMismatchError,
    WorkbookRejected,
    WorkbookUnreadableError,
)
from workflow._workbook_layout import (
    FIRST_ROW,
    FORMAT,
    FORMAT_VERSION,
    FULL_NAME,
    IDENTITY_LABELS_VI,
    META_SHEET,
    ORDINAL,
    PERSONAL_ID,
    TITLE_ROW,
    Columns,
    Identity,
    unescape_text,
)
from workflow._workbook_values import ScoreSheet, SheetHeader, SheetRow, one_line

SCANNED_ROWS = 1000
"""Student rows looked at, from row 7; anything below row 1006 is not read."""
SCANNED_COLUMNS = 64
"""Columns looked at (A–BL); anything further right is not read."""
MAX_REPORTED_ERRORS = 500
"""The report stops here (``WorkbookRejected.truncated``): more is not a teacher's sheet."""
_OUTSIDE = "ngoài bảng điểm"
"""The column title given to a cell right of the table."""

_T = TypeVar("_T")


class _Report:
    """The cell errors found so far, up to MAX_REPORTED_ERRORS."""

    def __init__(self) -> None:
        self.errors: list[CellError] = []
        self.truncated = False

    def add(self, error: CellError) -> None:
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(error)
        else:
            self.truncated = True

    def read(self, reader: Callable[[TableCell], _T], cell: TableCell, fallback: _T) -> _T:
        """``reader(cell)``, or ``fallback`` once its refusal is recorded."""
        try:
            return reader(cell)
        except CellRefused as refusal:
            self.add(refusal.error)
            return fallback


@dataclass(frozen=True, slots=True)
class LocatedSheet:
    """An imported sheet, and the row each student was found on (to report a later refusal
    of a student's values, such as a signed entry, at the cells the teacher typed)."""

    sheet: ScoreSheet
    row_of: Mapping[str, int]
    """Excel's row number of each row of ``sheet``, by personal ID."""


def import_sheet(
    data: bytes, *, expected: SheetHeader, roster: Mapping[str, str] | None = None
) -> ScoreSheet:
    """The score sheet in ``data`` (an .xlsx from ``export_sheet``, edited by a teacher).

    Refuses, applying nothing: a file that is not a safe, small .xlsx of this format
    (WorkbookUnreadableError); the sheet of another class, subject, semester, school year or
    number of ĐĐGtx columns than ``expected`` (WorkbookMismatchError); any invalid cell
    (WorkbookRejected, listing every one). With ``roster`` (personal ID → full name), a student
    not on it, or whose name differs, is an invalid cell too. The result's header is
    ``expected``; its rows are the workbook's non-empty rows, in order (a roster student without
    a row is simply absent: comparing with the roster is the caller's decision).
    """
    return import_located(data, expected=expected, roster=roster).sheet


def import_located(
    data: bytes, *, expected: SheetHeader, roster: Mapping[str, str] | None = None
) -> LocatedSheet:
    """``import_sheet``, with the Excel row of each student's row."""
    check_archive(data)
    try:
        workbook = load_workbook(
            io.BytesIO(data), read_only=True, data_only=False, keep_links=False
        )
    except Exception:  # openpyxl signals a malformed package with any builtin exception
        raise not_xlsx() from None
    try:
        _check_identity(_identity(workbook), expected)
        rows = _read_table(_parsed(lambda: workbook.worksheets[0]), expected, roster)
    finally:
        workbook.close()
    return LocatedSheet(
        sheet=ScoreSheet(header=expected, rows=tuple(row for _, row in rows)),
        row_of={row.personal_id: number for number, row in rows},
    )


def _damaged(why: str) -> WorkbookUnreadableError:
    return WorkbookUnreadableError(
        "damaged",
        f"the workbook is damaged: {why}",
        "Tệp Excel bị hỏng hoặc đã bị sửa cấu trúc; hãy tải lại bảng điểm từ hệ thống.",
    )


def _parsed(step: Callable[[], _T]) -> _T:
    """``step()``, an openpyxl call that may meet malformed XML; refused as a damaged file."""
    try:
        return step()
    except Exception as error:  # lazily parsed XML fails with any builtin exception
        raise _damaged(type(error).__name__) from None


def _rows(sheet: Any, *, min_row: int, max_row: int, max_col: int) -> Iterator[tuple[Any, ...]]:
    iterator = _parsed(
        lambda: iter(sheet.iter_rows(min_row=min_row, max_row=max_row, max_col=max_col))
    )
    while True:
        row = _parsed(lambda: next(iterator, None))
        if row is None:
            return
        yield row


def _identity(workbook: Any) -> Identity:
    names = _parsed(lambda: list(workbook.sheetnames))
    if META_SHEET not in names:
        raise WorkbookUnreadableError(
            "not_a_score_sheet",
            "the workbook is not a score sheet exported by this system",
            "Tệp không phải bảng điểm xuất từ hệ thống học bạ số. Hãy tải bảng điểm của lớp "
            "từ hệ thống, nhập điểm vào đó rồi tải lên.",
        )
    pairs: dict[str, str] = {}
    hidden = _parsed(lambda: workbook[META_SHEET])
    for key, value in _rows(hidden, min_row=1, max_row=50, max_col=2):
        key_text, value_text = _value(key), _value(value)
        if isinstance(key_text, str) and isinstance(value_text, str):
            pairs[key_text] = value_text
    return _identity_from(pairs)


def _identity_from(pairs: Mapping[str, str]) -> Identity:
    if pairs.get("format") != FORMAT:
        raise _damaged("no format mark")
    if pairs.get("version") != FORMAT_VERSION:
        raise WorkbookUnreadableError(
            "unsupported_version",
            f"format version {pairs.get('version')!r} is not supported",
            "Bảng điểm được tạo theo mẫu khác phiên bản hiện tại; hãy tải lại bảng điểm mới.",
        )
    fields = ("school_year", "class_name", "subject_code", "semester", "regular_count")
    missing = [name for name in fields if name not in pairs]
    if missing:
        raise _damaged(f"missing {', '.join(missing)}")
    return Identity(**{name: one_line(pairs[name]) for name in fields})


def _check_identity(found: Identity, expected: SheetHeader) -> None:
    wanted = Identity.of(expected)
    mismatches = [
        Mismatch(name, IDENTITY_LABELS_VI[name], getattr(wanted, name), getattr(found, name))
        for name in IDENTITY_LABELS_VI
        if getattr(wanted, name) != getattr(found, name)
    ]
    if mismatches:
        raise WorkbookMismatchError(mismatches)


def _value(cell: Any) -> object:
    value: object = cell.value
    return unescape_text(value) if isinstance(value, str) else value


def _cells(number: int, row: tuple[Any, ...], titles: tuple[str, ...]) -> list[TableCell]:
    """The row's cells, at least as many as the table has columns (missing ones blank)."""
    return [
        TableCell(
            row=number,
            column=position + 1,
            title=titles[position] if position < len(titles) else _OUTSIDE,
            value=_value(row[position]) if position < len(row) else None,
            is_formula=position < len(row) and row[position].data_type == "f",
        )
        for position in range(max(len(row), len(titles)))
    ]


def _check_titles(cells: list[TableCell], columns: Columns, report: _Report) -> None:
    for cell, title in zip(cells, columns.titles, strict=False):
        found = one_line(cell.value) if isinstance(cell.value, str) else cell.value
        if cell.is_formula or found != title:
            report.add(refuse_title(cell, title))
    for cell in cells[columns.width :]:
        if not is_blank(cell.value):
            report.add(refuse_extra(cell))


def _read_row(
    cells: list[TableCell], columns: Columns, report: _Report
) -> tuple[str | None, str | None, SheetRow | None]:
    """The row's personal ID and name when readable, and the whole row when every cell is."""
    before = len(report.errors)
    ordinal = report.read(read_ordinal, cells[ORDINAL], 0)
    personal_id = report.read(read_personal_id, cells[PERSONAL_ID], None)
    full_name = report.read(read_name, cells[FULL_NAME], None)
    regular = tuple(report.read(read_score, cells[i], None) for i in columns.regular)
    midterm = report.read(read_score, cells[columns.midterm], None)
    final = report.read(read_score, cells[columns.final], None)
    remark = report.read(read_remark, cells[columns.remark], "")
    for cell in cells[columns.width :]:
        if not is_blank(cell.value):
            report.add(refuse_extra(cell))
    if len(report.errors) > before or report.truncated or personal_id is None or full_name is None:
        return personal_id, full_name, None
    row = SheetRow(ordinal, personal_id, full_name, regular, midterm, final, remark)
    return personal_id, full_name, row


def _read_table(
    sheet: Any, expected: SheetHeader, roster: Mapping[str, str] | None
) -> list[tuple[int, SheetRow]]:
    columns = Columns(expected.regular_count)
    rows = _rows(
        sheet, min_row=TITLE_ROW, max_row=FIRST_ROW + SCANNED_ROWS - 1, max_col=SCANNED_COLUMNS
    )
    report = _Report()
    _check_titles(_cells(TITLE_ROW, next(rows, ()), columns.titles), columns, report)
    if report.errors:
        # Columns moved, added or removed: reading the rows against the wrong titles would
        # only bury the real problem under a cascade of misplaced errors.
        raise WorkbookRejected(report.errors, truncated=report.truncated)

    listed = {pid: one_line(name) for pid, name in (roster or {}).items()}
    first_seen: dict[str, int] = {}
    result: list[tuple[int, SheetRow]] = []
    for number, row in enumerate(rows, start=FIRST_ROW):
        cells = _cells(number, row, columns.titles)
        if all(is_blank(cell.value) for cell in cells):
            continue  # an empty row, inside or below the table, is no student
        personal_id, full_name, student = _read_row(cells, columns, report)
        if personal_id is not None:
            id_cell = cells[PERSONAL_ID]
            if personal_id in first_seen:
                report.add(refuse_duplicate(id_cell, personal_id, first_seen[personal_id]))
            elif roster is not None and personal_id not in listed:
                report.add(refuse_unknown(id_cell, personal_id, expected.class_name))
            elif roster is not None and full_name not in (None, listed[personal_id]):
                report.add(refuse_name(cells[FULL_NAME], listed[personal_id]))
            first_seen.setdefault(personal_id, number)
        if student is not None:
            result.append((number, student))
        if report.truncated:
            break
    if report.errors:
        # A duplicate or roster error is found after the row's other cells: sort it into place.
        in_order = sorted(report.errors, key=lambda e: (e.row, len(e.column), e.column))
        raise WorkbookRejected(in_order, truncated=report.truncated)
    return result
