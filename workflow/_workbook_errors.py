"""Why a score-sheet workbook is refused: per cell, per identity field, or as a whole file."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from workflow._errors import WorkflowError

_LISTED_ADDRESSES = 10
"""How many cell addresses the summary message of WorkbookRejected names before "…"."""


@dataclass(frozen=True, slots=True)
class CellError:
    """One cell of the workbook that cannot be accepted, located as Excel shows it."""

    row: int
    """The row number Excel shows (1-based)."""
    column: str
    """The column letter Excel shows (``E``)."""
    column_title: str
    """The title of the cell's column in the table (``ĐĐGtx2``), or a description of the place."""
    value: object
    """The cell's value as read (text, number, date, formula text), None when it was blank."""
    code: str
    """Stable English code of the reason (``score_too_many_decimals``); APIs and tests use it."""
    message: str
    """English explanation naming the cell, for logs and JSON."""
    message_vi: str
    """Vietnamese explanation naming the cell, for the teacher."""

    @property
    def address(self) -> str:
        """The cell's address as Excel writes it (``E7``)."""
        return f"{self.column}{self.row}"


@dataclass(frozen=True, slots=True)
class Mismatch:
    """An identity field of the workbook that differs from the sheet the caller expected."""

    field: str
    """``school_year``, ``class_name``, ``subject_code``, ``semester`` or ``regular_count``."""
    label_vi: str
    """The field as a teacher calls it (``lớp``)."""
    expected: str
    """The expected value, as text."""
    found: str
    """The value the workbook carries, as text."""


class WorkbookError(WorkflowError):
    """A score-sheet workbook was refused; nothing of it may be applied."""

    code: ClassVar[str] = "workbook_error"


class WorkbookUnreadableError(WorkbookError):
    """The file is not a score-sheet workbook this version can read safely.

    ``reason`` is a stable code: ``not_xlsx``, ``too_large``, ``unsafe``, ``not_a_score_sheet``,
    ``unsupported_version`` or ``damaged``.
    """

    code = "workbook_unreadable"

    def __init__(self, reason: str, message: str, message_vi: str) -> None:
        super().__init__(message, message_vi)
        self.reason = reason


class WorkbookMismatchError(WorkbookError):
    """The workbook is the score sheet of another class, subject, semester or school year."""

    code = "workbook_mismatch"

    def __init__(self, mismatches: Sequence[Mismatch]) -> None:
        self.mismatches = tuple(mismatches)
        super().__init__(
            "the workbook is for another sheet: "
            + "; ".join(f"{m.field} is {m.found!r}, expected {m.expected!r}" for m in mismatches),
            "Tệp không phải bảng điểm đang cần nhập: "
            + "; ".join(
                f"{m.label_vi} trong tệp là {m.found}, cần là {m.expected}" for m in mismatches
            ),
        )


class WorkbookRejected(WorkbookError):  # noqa: N818 -- the name the tracking-book use cases use
    """Some cells of the workbook are invalid; ``errors`` lists every one, in reading order.

    ``truncated`` is True when the list stopped at the cap (a file with that many bad cells is
    not a teacher's score sheet, and a longer report would help nobody).
    """

    code = "workbook_rejected"

    def __init__(self, errors: Sequence[CellError], *, truncated: bool = False) -> None:
        self.errors = tuple(errors)
        self.truncated = truncated
        listed = ", ".join(error.address for error in self.errors[:_LISTED_ADDRESSES])
        more = ", …" if truncated or len(self.errors) > _LISTED_ADDRESSES else ""
        count = f"{len(self.errors)}{'+' if truncated else ''}"
        super().__init__(
            f"{count} invalid cell(s): {listed}{more}",
            f"Bảng điểm có {count} ô không hợp lệ: {listed}{more}",
        )
