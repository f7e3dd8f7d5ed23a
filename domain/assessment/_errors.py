"""The error every invalid assessment input raises: it names the field to fix."""

from __future__ import annotations

from decimal import Decimal

from domain.model import DomainError


class InvalidAssessmentInputError(DomainError):
    """A year's assessment input that the rules cannot be applied to.

    ``field`` is a path into the input (``subjects[0].hk1.regular[2]``, ``conduct.hk2``,
    ``retest.TOAN``) so a message, an HTTP problem or a spreadsheet report can point at it.
    """

    code = "invalid_assessment_input"

    def __init__(self, field: str, value: object, why: str, *, missing: bool = False) -> None:
        self.field = field
        """Where in the input: ``subjects[0].hk1.midterm``."""
        self.value = value
        """The value found there (None when it is missing)."""
        self.why = why
        """What the rules expect, in words."""
        self.missing = missing
        """True when the field is absent rather than wrong."""
        # A score read as Decimal shows as entered (10.25), not as Decimal('10.25').
        shown = "" if missing else f" (got {value if isinstance(value, Decimal) else repr(value)})"
        super().__init__(f"{field}: {why}{shown}")

    @classmethod
    def absent(cls, field: str) -> InvalidAssessmentInputError:
        """The error for a required field that is not there."""
        return cls(field, None, "is missing", missing=True)
