"""The demo's students and their year results, drawn from a seeded generator (never the clock).

Results follow Circular 22 (assessment.md): per scored subject and semester the number of
regular assessments its periods call for, one mid-term and one end-of-term score, the semester
and year averages computed by ``domain.assessment``; comment subjects are assessed Đạt (``D``)
or Chưa đạt (``CD``) the same number of times.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

from domain.assessment import (
    regular_assessment_count,
    round_score,
    semester_average,
    year_average,
)
from domain.model import CATALOGUE, SubjectKind, validate_personal_id
from workflow._demo_data import (
    GIVEN_NAMES,
    MIDDLE_NAMES,
    PARENT_GIVEN_NAMES,
    SUBJECTS,
    SURNAMES,
)

_HCMC_PROVINCE = "079"
# The 4th digit of a personal ID encodes century and sex: 2 / 3 for men / women born 2000–2099.
_CENTURY_SEX_DIGIT = {"Nam": "2", "Nữ": "3"}
_REGULAR_STEP = Fraction(1, 2)
_TERM_STEP = Fraction(1, 4)


@dataclass(frozen=True, slots=True)
class DemoStudent:
    """A generated student (the row is written by the seed)."""

    personal_id: str
    full_name: str
    date_of_birth: date
    gender: str
    father_name: str
    mother_name: str
    aptitude: float
    """The mark the generator centres this student's scores on."""


def _surname(rng: random.Random) -> str:
    names = [name for name, _ in SURNAMES]
    return rng.choices(names, weights=[weight for _, weight in SURNAMES])[0]


def _fold(text: str) -> str:
    # Class lists are ordered by given name, accents ignored first (then kept as a tie-break).
    decomposed = unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def class_order(full_name: str) -> tuple[str, str, str]:
    """The key a Vietnamese class list is sorted by: given name, then the whole name."""
    given = full_name.rsplit(" ", 1)[-1]
    return (_fold(given), _fold(full_name), full_name)


def _student(rng: random.Random, *, birth_year: int, taken: set[str]) -> DemoStudent:
    gender = rng.choice(("Nam", "Nữ"))
    surname = _surname(rng)
    while True:
        full_name = " ".join(
            (surname, rng.choice(MIDDLE_NAMES[gender]), rng.choice(GIVEN_NAMES[gender]))
        )
        personal_id = validate_personal_id(
            f"{_HCMC_PROVINCE}{_CENTURY_SEX_DIGIT[gender]}{birth_year % 100:02d}"
            f"{rng.randrange(10**6):06d}"
        )
        if full_name not in taken and personal_id not in taken:
            taken.update((full_name, personal_id))
            break
    mother = " ".join(
        (_surname(rng), rng.choice(MIDDLE_NAMES["Nữ"]), rng.choice(PARENT_GIVEN_NAMES["Nữ"]))
    )
    father = " ".join(
        (surname, rng.choice(MIDDLE_NAMES["Nam"]), rng.choice(PARENT_GIVEN_NAMES["Nam"]))
    )
    return DemoStudent(
        personal_id=personal_id,
        full_name=full_name,
        date_of_birth=date(birth_year, 1, 1) + timedelta(days=rng.randrange(365)),
        gender=gender,
        father_name=father,
        mother_name=mother,
        aptitude=rng.uniform(5.6, 9.3),
    )


def draw_class(
    rng: random.Random, *, count: int, birth_year: int, taken: set[str]
) -> tuple[DemoStudent, ...]:
    """``count`` students born in ``birth_year``, in class-list order; names and IDs unique."""
    students = [_student(rng, birth_year=birth_year, taken=taken) for _ in range(count)]
    return tuple(sorted(students, key=lambda s: class_order(s.full_name)))


def _mark(rng: random.Random, centre: float, step: Fraction) -> Decimal:
    drawn = min(10.0, max(0.0, rng.gauss(centre, 0.9)))
    steps = Fraction(drawn) / step
    return round_score(round(steps) * step)


def _scored(rng: random.Random, centre: float, periods: int) -> dict[str, Any]:
    result: dict[str, Any] = {"kind": SubjectKind.SCORE.value, "periods_per_year": periods}
    averages: list[Decimal] = []
    for semester, drift in (("hk1", 0.0), ("hk2", rng.uniform(-0.3, 0.6))):
        regular = [
            _mark(rng, centre + drift, _REGULAR_STEP)
            for _ in range(regular_assessment_count(periods))
        ]
        midterm = _mark(rng, centre + drift - 0.2, _TERM_STEP)
        final = _mark(rng, centre + drift, _TERM_STEP)
        average = semester_average(regular=regular, midterm=midterm, final=final)
        averages.append(average)
        result[semester] = {
            "regular": [float(r) for r in regular],
            "midterm": float(midterm),
            "final": float(final),
            "average": float(average),
        }
    result["year"] = float(year_average(hk1=averages[0], hk2=averages[1]))
    return result


def _comment(rng: random.Random, aptitude: float, periods: int) -> dict[str, Any]:
    result: dict[str, Any] = {"kind": SubjectKind.COMMENT.value, "periods_per_year": periods}
    for semester, slip in (("hk1", 0.12 if aptitude < 6.2 else 0.0), ("hk2", 0.0)):
        marks = [
            "CD" if rng.random() < slip else "D"
            for _ in range(regular_assessment_count(periods) + 2)
        ]
        regular, midterm, final = marks[:-2], marks[-2], marks[-1]
        # Đạt when every assessment is Đạt (assessment.md); domain/assessment will own this rule.
        result[semester] = {
            "regular": regular,
            "midterm": midterm,
            "final": final,
            "result": "D" if all(m == "D" for m in marks) else "CD",
        }
    result["year"] = result["hk2"]["result"]  # a comment subject's year result is semester II's
    return result


def year_results(
    rng: random.Random, *, student: DemoStudent, grade: int, school_year: str
) -> dict[str, Any]:
    """One student's year, entered into the tracking book by the seed: close to the ``hocba
    assess`` input.

    ``{"grade", "school_year", "subjects": {CODE: {"kind", "periods_per_year", "hk1": {…},
    "hk2": {…}, "year"}}, "conduct": {"hk1", "hk2"}, "absences"}``; a scored semester holds
    ``regular``, ``midterm``, ``final`` and ``average``, a comment one ``result`` instead.
    """
    subjects: dict[str, Any] = {}
    for code, periods in SUBJECTS:
        if CATALOGUE[code].kind is SubjectKind.SCORE:
            centre = student.aptitude + rng.uniform(-0.8, 0.8)
            subjects[code] = _scored(rng, centre, periods)
        else:
            subjects[code] = _comment(rng, student.aptitude, periods)
    conduct = rng.choices(("T", "K", "D"), weights=(70, 24, 6), k=2)
    return {
        "grade": grade,
        "school_year": school_year,
        "subjects": subjects,
        "conduct": {"hk1": conduct[0], "hk2": conduct[1]},
        "absences": rng.choice((0, 0, 0, 1, 1, 2, 3, 4, 6)),
    }
