"""The checks the document model applies to its fields, each raising InvalidDocumentError."""

from __future__ import annotations

import re
import uuid
from decimal import Decimal

from domain.assessment import Comment
from domain.documents._errors import InvalidDocumentError
from domain.documents._vocabulary import AssessmentForm

# XML 1.0 has no place for C0 controls other than tab, line feed and carriage return.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LINE_BREAK = re.compile(r"[\t\n\r]")
_TENTH = Decimal("0.1")


def require(condition: bool, field: str, why: str) -> None:
    """InvalidDocumentError(field, why) unless ``condition`` holds."""
    if not condition:
        raise InvalidDocumentError(field, why)


def is_whole(value: object) -> bool:
    """An int that is not a bool."""
    return isinstance(value, int) and not isinstance(value, bool)


def require_uuid(field: str, value: object) -> None:
    """A lower-case hyphenated UUID, as ``str(uuid.UUID(…))`` writes it."""
    try:
        canonical = str(uuid.UUID(str(value)))
    except ValueError:
        canonical = None
    require(canonical == value, field, "must be a lower-case hyphenated UUID")


def require_text(field: str, value: object) -> None:
    """Non-blank text that XML can carry (no C0 control characters but tab and line breaks)."""
    require(isinstance(value, str) and value.strip() != "", field, "must be non-empty text")
    require(_CONTROL.search(str(value)) is None, field, "contains a control character")


def require_line(field: str, value: object) -> None:
    """One line of text without leading or trailing spaces."""
    require_text(field, value)
    require(_LINE_BREAK.search(str(value)) is None, field, "must be one line")
    require(str(value) == str(value).strip(), field, "must not start or end with spaces")


def require_in_order(where: str, names: tuple[str, ...], holder: object) -> None:
    """A later result only with the earlier ones: no year without HK2, no retest without a year."""
    present = [getattr(holder, name) is not None for name in names]
    for earlier, later, name in zip(present, present[1:], names[1:], strict=False):
        require(earlier or not later, f"{where}.{name}", "given without the result before it")


def require_mark(field: str, mark: object, form: AssessmentForm) -> None:
    """A comment result for a comment subject; a score of 0.0–10.0, one decimal, otherwise."""
    if form is AssessmentForm.COMMENT:
        require(isinstance(mark, Comment), field, "a comment subject's result is Đ or CĐ")
        return
    if not isinstance(mark, Decimal) or not mark.is_finite():
        raise InvalidDocumentError(field, "a score subject's result is a score")
    require(Decimal(0) <= mark <= Decimal(10), field, "a score is 0.0 to 10.0")
    require(mark == mark.quantize(_TENTH), field, "a score has at most one decimal")
