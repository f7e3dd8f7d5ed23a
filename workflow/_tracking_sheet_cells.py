"""Between a workbook's rows and the tracking book's lines, cell by cell.

A score line holds its regular assessments (ĐĐGtx) as a list without positions; a sheet row
holds them in columns ĐĐGtx1…N, blank ones included. The two map one to one because a row must
fill its ĐĐGtx columns from the first without a gap: a blank ĐĐGtx followed by a filled one is
refused, naming the blank cell, rather than compacted (which would move a score to another
column than the one the teacher typed it in, and show it there on the next export). Trailing
blanks are the assessments not made yet. Every refusal of a student's values after the
workbook was read — a signed entry, a value the tracking book does not take — is reported at
the cells of that student's row: the row by the student, the column by the field.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal

from workflow._errors import EntryProblem, WorkflowError
from workflow._tracking_values import SubjectEntry, SubjectValues
from workflow._workbook_cells import TableCell
from workflow._workbook_errors import CellError, WorkbookRejected
from workflow._workbook_layout import PERSONAL_ID, Columns
from workflow._workbook_values import SheetRow

_LISTED = 10
"""How many cell addresses a summary message names before "…"."""
_PROBLEM_CODES = {
    "must be a number": "score_not_a_number",
    "must be between 0 and 10": "score_out_of_range",
    "must have at most one decimal": "score_too_many_decimals",
}
"""The tracking book's reasons → the workbook's cell codes (anything else: invalid_entry)."""


class SignedEntriesInWorkbookError(WorkbookRejected):
    """The workbook changes entries already signed on students' transcripts (REQ-15, REQ-16).

    ``errors`` lists every changed cell of such an entry; nothing was applied. A signed entry
    changes only through an entry correction (``request_entry_correction``), which the
    principal approves.
    """

    code = "entry_signed"

    def __init__(self, errors: Sequence[CellError]) -> None:
        self.errors = tuple(errors)
        self.truncated = False
        listed = ", ".join(error.address for error in self.errors[:_LISTED])
        more = ", …" if len(self.errors) > _LISTED else ""
        WorkflowError.__init__(
            self,
            f"the workbook changes scores already signed on the transcript ({listed}{more}); "
            "request an entry correction, which the principal approves",
            f"Bảng điểm sửa điểm đã được ký trên học bạ ({listed}{more}); hãy lập đề nghị "
            "sửa sai sót để hiệu trưởng phê duyệt",
        )


def _cell(number: int, position: int, columns: Columns, value: object) -> TableCell:
    titles = columns.titles
    return TableCell(
        row=number, column=position + 1, title=titles[position], value=value, is_formula=False
    )


def _cell_value(row: SheetRow, position: int, columns: Columns) -> object:
    """What the cell at ``position`` of ``row`` holds (a score as Excel shows it)."""
    values: list[object] = [
        row.ordinal,
        row.personal_id,
        row.full_name,
        *row.regular,
        row.midterm,
        row.final,
        row.remark,
    ]
    value = values[position]
    return float(value) if isinstance(value, Decimal) else value


def sheet_row(
    ordinal: int, personal_id: str, full_name: str, values: SubjectValues, regular_count: int
) -> SheetRow:
    """A stored line as its sheet row: the ĐĐGtx in their columns, the rest blank."""
    blanks = (None,) * max(0, regular_count - len(values.regular))
    return SheetRow(
        ordinal=ordinal,
        personal_id=personal_id,
        full_name=full_name,
        regular=(*values.regular, *blanks),
        midterm=values.midterm,
        final=values.final,
        remark=values.remark,
    )


def same_values(one: SheetRow, other: SheetRow) -> bool:
    """Whether two rows hold the same scores and remark (the STT and name do not count)."""

    def values(row: SheetRow) -> tuple[object, ...]:
        return (row.regular, row.midterm, row.final, row.remark)

    return values(one) == values(other)


def changed_positions(before: SheetRow, after: SheetRow, columns: Columns) -> list[int]:
    """The table positions (ĐĐGtx…, ĐĐGgk, ĐĐGck, Nhận xét) whose value differs."""
    return [
        position
        for position in (*columns.scores, columns.remark)
        if _cell_value(before, position, columns) != _cell_value(after, position, columns)
    ]


def gap_errors(row: SheetRow, number: int, columns: Columns) -> list[CellError]:
    """A CellError for each blank ĐĐGtx of ``row`` (on Excel row ``number``) before a filled one."""
    last_filled = max((i for i, score in enumerate(row.regular) if score is not None), default=-1)
    errors = []
    for index in range(last_filled):
        if row.regular[index] is None:
            later = f"ĐĐGtx{last_filled + 1}"
            errors.append(
                _cell(number, columns.regular[index], columns, None)
                .refused(
                    "regular_gap",
                    f"is blank while {later} is filled; enter the regular assessments from "
                    "ĐĐGtx1 on, without leaving a column blank between them",
                    f"bị bỏ trống trong khi {later} đã có điểm; hãy nhập các điểm ĐĐGtx liên "
                    "tiếp từ ĐĐGtx1, không để trống cột ở giữa",
                )
                .error
            )
    return errors


def entry_of(row: SheetRow, student_id: int) -> SubjectEntry:
    """The tracking book's line for a row without gaps (the filled ĐĐGtx, in column order)."""
    return SubjectEntry(
        student_id=student_id,
        regular=tuple(score for score in row.regular if score is not None),
        midterm=row.midterm,
        final=row.final,
        remark=row.remark,
    )


def signed_errors(
    changes: Iterable[tuple[int, SheetRow, SheetRow]], slot_of: Mapping[str, str], columns: Columns
) -> list[CellError]:
    """A CellError for each changed cell of a signed entry.

    ``changes`` holds (Excel row, stored row, workbook row); ``slot_of`` the signature that
    freezes each student's entry, by personal ID (students absent from it are not signed).
    """
    errors = []
    for number, before, after in changes:
        slot = slot_of.get(after.personal_id)
        if slot is None:
            continue
        for position in changed_positions(before, after, columns):
            value = _cell_value(after, position, columns)
            errors.append(
                _cell(number, position, columns, value)
                .refused(
                    "entry_signed",
                    f"changes a score signed on the transcript ({slot}); request an entry "
                    "correction, which the principal approves",
                    f"sửa điểm đã được ký trên học bạ ({slot}); hãy lập đề nghị sửa sai sót để "
                    "hiệu trưởng phê duyệt",
                )
                .error
            )
    return errors


def _position(field: str, columns: Columns) -> int:
    """The table position a problem's field names; the personal ID for the row as a whole."""
    if field.startswith("regular[") and field.endswith("]"):
        index = int(field[len("regular[") : -1])
        if index < columns.regular_count:
            return columns.regular[index]
    named = {"midterm": columns.midterm, "final": columns.final, "remark": columns.remark}
    return named.get(field, PERSONAL_ID)


def problem_errors(
    problems: Iterable[EntryProblem], row_of: Mapping[int, int], columns: Columns
) -> list[CellError]:
    """The cells of an InvalidEntryError's problems; ``row_of`` gives each student's Excel row."""
    return [
        _cell(row_of[problem.student_id], _position(problem.field, columns), columns, problem.value)
        .refused(
            _PROBLEM_CODES.get(problem.why, "invalid_entry"),
            f"{problem.value!r} {problem.why}",
            f"{problem.field_vi}: {problem.why_vi}",
        )
        .error
        for problem in problems
    ]
