"""Where things are in a score-sheet workbook (format version 1): shared by export and import.

The first worksheet holds a title block (rows 1–4), the column titles (row 6) and one row per
student from row 7: STT, Mã định danh, Họ và tên, ĐĐGtx1…ĐĐGtxN, ĐĐGgk, ĐĐGck, Nhận xét. A second,
very hidden worksheet holds the identity of the sheet as key/value text rows, so an import can
tell which class, subject, semester and school year a workbook belongs to.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from workflow._workbook_values import SheetHeader

FORMAT = "hocba/bang-diem"
"""Marks a workbook as a score sheet of this system."""
FORMAT_VERSION = "1"
"""The layout described here; an import refuses any other."""
TABLE_SHEET = "Bảng điểm"
"""Title of the worksheet with the table (the import reads the first worksheet, whatever its
title: teachers rename sheets)."""
META_SHEET = "hocba"
"""Title of the very hidden worksheet with the identity of the sheet."""
TITLE_ROW = 6
"""The row of column titles."""
FIRST_ROW = 7
"""The first student row."""
FROZEN_AT = "D7"
"""Rows above and columns left of this cell stay in view (titles, STT, ID, name)."""

ORDINAL, PERSONAL_ID, FULL_NAME, FIRST_SCORE = 0, 1, 2, 3
"""0-based positions of the fixed columns at the left of the table."""


@dataclass(frozen=True, slots=True)
class Columns:
    """The table's columns for a given number of regular assessments (0-based positions)."""

    regular_count: int
    """How many ĐĐGtx columns there are."""

    @property
    def regular(self) -> range:
        """Positions of ĐĐGtx1…ĐĐGtxN."""
        return range(FIRST_SCORE, FIRST_SCORE + self.regular_count)

    @property
    def midterm(self) -> int:
        """Position of ĐĐGgk."""
        return FIRST_SCORE + self.regular_count

    @property
    def final(self) -> int:
        """Position of ĐĐGck."""
        return self.midterm + 1

    @property
    def remark(self) -> int:
        """Position of Nhận xét, the last column of the table."""
        return self.final + 1

    @property
    def scores(self) -> range:
        """Positions of every score column."""
        return range(FIRST_SCORE, self.remark)

    @property
    def width(self) -> int:
        """How many columns the table has."""
        return self.remark + 1

    @property
    def titles(self) -> tuple[str, ...]:
        """The column titles, left to right, as printed in the title row."""
        regular = tuple(f"ĐĐGtx{n}" for n in range(1, self.regular_count + 1))
        return ("STT", "Mã định danh", "Họ và tên", *regular, "ĐĐGgk", "ĐĐGck", "Nhận xét")


@dataclass(frozen=True, slots=True)
class Identity:
    """What the hidden sheet says about the workbook: the fields an import must match."""

    school_year: str
    """'2024-2025'."""
    class_name: str
    """The class name, canonical text."""
    subject_code: str
    """Catalogue code of the subject."""
    semester: str
    """'1' or '2'."""
    regular_count: str
    """The number of ĐĐGtx columns, as digits."""

    @classmethod
    def of(cls, header: SheetHeader) -> Identity:
        """The identity a workbook of ``header`` carries (every value as text)."""
        return cls(
            school_year=header.school_year,
            class_name=header.class_name,
            subject_code=header.subject_code,
            semester=str(header.semester),
            regular_count=str(header.regular_count),
        )


IDENTITY_LABELS_VI = {
    "school_year": "năm học",
    "class_name": "lớp",
    "subject_code": "môn",
    "semester": "học kỳ",
    "regular_count": "số cột ĐĐGtx",
}
"""How a teacher names each identity field, in refusal messages."""


def metadata(header: SheetHeader) -> tuple[tuple[str, str], ...]:
    """The key/value rows of the hidden sheet for ``header``."""
    identity = Identity.of(header)
    return (
        ("format", FORMAT),
        ("version", FORMAT_VERSION),
        ("school_year", identity.school_year),
        ("class_name", identity.class_name),
        ("subject_code", identity.subject_code),
        ("semester", identity.semester),
        ("regular_count", identity.regular_count),
        ("periods_per_year", str(header.periods_per_year)),
    )


_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")
_TO_ESCAPE = re.compile(r"_(?=x[0-9A-Fa-f]{4}_)")


def escape_text(text: str) -> str:
    """``text`` as cell text must be stored (ECMA-376 ST_Xstring): Excel reads ``_xHHHH_`` as
    the character U+HHHH, so an underscore that starts such a sequence is itself escaped.

    openpyxl does not do this; without it a remark containing ``_x0041_`` would read back as
    ``A`` once Excel has saved the workbook.
    """
    return _TO_ESCAPE.sub("_x005F_", text)


def unescape_text(text: str) -> str:
    """The text a cell holds, with ``_xHHHH_`` escapes (as Excel writes them) decoded."""
    return _ESCAPED.sub(lambda match: chr(int(match[1], 16)), text)


def semester_label(semester: int) -> str:
    """'Học kỳ I' or 'Học kỳ II'."""
    return "Học kỳ I" if semester == 1 else "Học kỳ II"
