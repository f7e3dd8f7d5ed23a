"""A class's score sheet as an Excel workbook, both ways: pure conversion, no database, no clock.

Exported names:

- ``SheetHeader`` — which sheet: school, school year, class, scored subject (code and name),
  semester 1 | 2, periods per year (→ number of ĐĐGtx), subject teacher.
- ``SheetRow`` — one student: STT, 12-digit personal ID, full name, ĐĐGtx1…N, ĐĐGgk, ĐĐGck
  (each a one-decimal ``Decimal`` 0–10, or None when not entered), remark.
- ``ScoreSheet`` — a header and its rows (each personal ID once, as many ĐĐGtx as the header
  requires). The three values check themselves (``InvalidInputError``) and keep their text in
  NFC, trimmed, so a sheet read back compares equal to the one written.
- ``export_sheet(sheet) -> bytes`` — the .xlsx: title block, table from row 6 with frozen panes,
  scores as numbers formatted ``0.0`` with 0–10 data validation, the personal ID as text, and a
  very hidden sheet naming the format version, school year, class, subject, semester and number
  of ĐĐGtx. The same sheet always gives the same bytes.
- ``import_sheet(data, *, expected, roster=None) -> ScoreSheet`` — the reverse, refusing with:
- ``WorkbookError`` — base of the three refusals below (a ``WorkflowError``: ``code``,
  ``message``, ``message_vi``); when one is raised nothing of the workbook may be applied.
- ``WorkbookUnreadableError`` — not a safe .xlsx of this format (``reason``: ``not_xlsx``,
  ``too_large``, ``unsafe``, ``not_a_score_sheet``, ``unsupported_version``, ``damaged``).
- ``WorkbookMismatchError`` — the sheet of another class, subject, semester, school year or
  number of ĐĐGtx columns; ``mismatches`` lists each ``Mismatch`` (field, expected, found).
- ``WorkbookRejected`` — invalid cells; ``errors`` lists every ``CellError`` (row, column
  letter, column title, value, code, English and Vietnamese messages; ``address`` like ``E7``).
- ``MAX_WORKBOOK_BYTES`` — the largest file accepted, for an upload limit in front of it.
- ``import_located(data, *, expected, roster=None) -> LocatedSheet`` — ``import_sheet``, with
  the Excel row each student was read from (``row_of``, by personal ID), so that a use case
  refusing a student's values later can still name the cells.

Safety limits of the import: at most 5 MiB of file, 25 MiB unpacked and 200 zip parts; no part
may declare a DOCTYPE; openpyxl reads it streaming (``read_only``) without evaluating anything
and with ``data_only=False`` so that any formula in the table is seen, and refused. Only the
region A6:BL1006 is read; the report stops after 500 bad cells (``truncated``).
"""

from workflow._workbook_archive import MAX_WORKBOOK_BYTES
from workflow._workbook_errors import (
    CellError,
    Mismatch,
    WorkbookError,
    WorkbookMismatchError,
    WorkbookRejected,
    WorkbookUnreadableError,
)
from workflow._workbook_export import export_sheet
from workflow._workbook_import import LocatedSheet, import_located, import_sheet
from workflow._workbook_values import ScoreSheet, SheetHeader, SheetRow

__all__ = [
    "MAX_WORKBOOK_BYTES",
    "CellError",
    "LocatedSheet",
    "Mismatch",
    "ScoreSheet",
    "SheetHeader",
    "SheetRow",
    "WorkbookError",
    "WorkbookMismatchError",
    "WorkbookRejected",
    "WorkbookUnreadableError",
    "export_sheet",
    "import_located",
    "import_sheet",
]
