"""One entry point for both circulars: check the year, pick the circular, assess."""

from __future__ import annotations

from domain.assessment._circular22 import assess_circular22
from domain.assessment._circular58 import assess_circular58
from domain.assessment._results import YearResult
from domain.assessment._validation import check_year
from domain.assessment._vocabulary import Circular
from domain.assessment._year import YearInput


def assess_year(year: YearInput) -> YearResult:
    """Assess one student's year under the circular its grade and school year fall under.

    Checks ``year`` first (InvalidAssessmentInputError naming the field); returns a
    Circular22Result or, for a legacy grade-year, a Circular58Result.
    """
    if check_year(year) is Circular.C22:
        return assess_circular22(year)
    return assess_circular58(year)
