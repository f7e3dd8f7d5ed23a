"""Properties of the score-sheet workbook over random sheets (Hypothesis): every sheet round-trips,
and any one bad score is reported at exactly its cell."""

from __future__ import annotations

import unicodedata
from decimal import Decimal
from typing import Literal

from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]

from domain.model import CATALOGUE, SubjectKind
from tests.support.score_sheets import edited
from workflow._workbook import (
    ScoreSheet,
    SheetHeader,
    SheetRow,
    WorkbookRejected,
    export_sheet,
    import_sheet,
)
from workflow._workbook_layout import escape_text, unescape_text

SCORED = sorted(code for code, info in CATALOGUE.items() if info.kind is SubjectKind.SCORE)
VIETNAMESE = (
    "aăâbcdđeêghiklmnoôơpqrstuưvxyáàảãạắằẳẵặấầẩẫậéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ"
)
letters = st.sampled_from(VIETNAMESE + VIETNAMESE.upper())
words = st.text(letters, min_size=1, max_size=8)
forms: st.SearchStrategy[Literal["NFC", "NFD"]] = st.sampled_from(["NFC", "NFD"])

scores = st.none() | st.integers(min_value=0, max_value=100).map(lambda n: Decimal(n).scaleb(-1))
# Personal IDs: a province code 001–096, then nine digits.
personal_ids = st.builds(
    "{:03d}{:09d}".format,
    st.integers(min_value=1, max_value=96),
    st.integers(min_value=0, max_value=999_999_999),
)
# Remarks: any printable text, lines, and things that look like formulas or Excel escapes.
remark_characters = st.characters(
    codec="utf-8", categories=("L", "M", "N", "P", "S", "Zs"), include_characters="\n\t"
)
remarks = st.text(remark_characters, max_size=60) | st.sampled_from(
    ["", "=1+1", "_x0041_", "_x005F_x0041_", "+84 90", "@giỏi", "8,5", "  Tốt  "]
)


@st.composite
def names(draw: st.DrawFn) -> str:
    """A Vietnamese name of two to five words, in NFC or NFD, with stray spaces now and then."""
    text = " ".join(draw(st.lists(words, min_size=2, max_size=5)))
    spaced = draw(st.sampled_from([text, f" {text} ", text.replace(" ", "  ")]))
    return unicodedata.normalize(draw(forms), spaced)


@st.composite
def headers(draw: st.DrawFn) -> SheetHeader:
    code = draw(st.sampled_from(SCORED))
    start = draw(st.integers(min_value=2000, max_value=2090))
    grade, group, number = (
        draw(st.integers(6, 12)),
        draw(st.sampled_from("ABCĐ")),
        draw(st.integers(1, 9)),
    )
    return SheetHeader(
        school_name=f"Trường {draw(names())}",
        school_year=f"{start}-{start + 1}",
        class_name=f"{grade}{group}{number}",
        subject_code=code,
        subject_name=CATALOGUE[code].name,
        semester=draw(st.sampled_from([1, 2])),
        periods_per_year=draw(st.sampled_from([18, 35, 52, 70, 105, 140])),
        teacher_name=draw(st.just("") | names()),
    )


@st.composite
def sheets(draw: st.DrawFn, *, min_rows: int = 0) -> ScoreSheet:
    header = draw(headers())
    ids = draw(st.lists(personal_ids, min_size=min_rows, max_size=45, unique=True))
    count = header.regular_count
    rows = tuple(
        SheetRow(
            ordinal=ordinal,
            personal_id=pid,
            full_name=draw(names()),
            regular=tuple(draw(scores) for _ in range(count)),
            midterm=draw(scores),
            final=draw(scores),
            remark=draw(remarks),
        )
        for ordinal, pid in enumerate(ids, start=1)
    )
    return ScoreSheet(header=header, rows=rows)


def roster(sheet: ScoreSheet) -> dict[str, str]:
    return {row.personal_id: row.full_name for row in sheet.rows}


@settings(max_examples=60, deadline=None)
@given(sheets())
def test_every_sheet_comes_back_equal_from_its_workbook(sheet: ScoreSheet) -> None:
    data = export_sheet(sheet)
    assert import_sheet(data, expected=sheet.header, roster=roster(sheet)) == sheet


@settings(max_examples=40, deadline=None)
@given(sheets(min_rows=1), st.data())
def test_any_one_score_with_two_decimals_is_reported_at_exactly_its_cell(
    sheet: ScoreSheet, data: st.DataObject
) -> None:
    row = data.draw(st.integers(min_value=7, max_value=6 + len(sheet.rows)))
    column = data.draw(st.integers(min_value=4, max_value=5 + sheet.header.regular_count))
    address = f"{get_column_letter(column)}{row}"
    bad = data.draw(st.sampled_from([9.25, 0.05, 10.01, "8,75"]))
    workbook = edited(export_sheet(sheet), **{address: bad})
    try:
        import_sheet(workbook, expected=sheet.header, roster=roster(sheet))
    except WorkbookRejected as error:
        assert [cell.address for cell in error.errors] == [address]
    else:
        raise AssertionError(f"{address} was accepted")


@given(st.text(st.sampled_from("_x005F0041aé"), max_size=40) | st.text(max_size=40))
def test_excel_escaping_of_text_is_undone_exactly(text: str) -> None:
    assert unescape_text(escape_text(text)) == text
