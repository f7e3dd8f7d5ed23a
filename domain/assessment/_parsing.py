"""The JSON of contracts.md (`hocba assess` input) → a checked ``YearInput``."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from types import MappingProxyType

from domain.assessment._errors import InvalidAssessmentInputError
from domain.assessment._validation import check_score, check_year
from domain.assessment._vocabulary import Circular, Comment, Conduct58, Level, circular_for
from domain.assessment._year import (
    CommentSubject,
    Conduct,
    Retest,
    ScoredSemester,
    ScoredSubject,
    Subject,
    YearInput,
)
from domain.model import CATALOGUE, SubjectKind

_TOP = frozenset(
    {"grade", "school_year", "subjects", "conduct", "absences", "retest", "conduct_after_summer"}
)
_SUBJECT = frozenset({"code", "kind", "periods_per_year", "hk1", "hk2"})
_SEMESTER = frozenset({"regular", "midterm", "final"})
_CONDUCT = frozenset({"hk1", "hk2"})


def _object(value: object, path: str, known: frozenset[str]) -> Mapping[str, object]:
    """``value`` as a JSON object with only ``known`` keys."""
    if not isinstance(value, Mapping):
        raise InvalidAssessmentInputError(path or "input", value, "must be a JSON object")
    for key in value:
        if key not in known:
            field = f"{path}.{key}" if path else str(key)
            raise InvalidAssessmentInputError(field, value[key], "is not a known field")
    return value


def _required(mapping: Mapping[str, object], key: str, path: str) -> object:
    field = f"{path}.{key}" if path else key
    if key not in mapping or mapping[key] is None:
        raise InvalidAssessmentInputError.absent(field)
    return mapping[key]


def _list(value: object, path: str) -> list[object]:
    if not isinstance(value, list | tuple):
        raise InvalidAssessmentInputError(path, value, "must be a list")
    return list(value)


def _whole(value: object, path: str) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float | Decimal):
        try:
            if value == int(value):
                return int(value)
        except (ValueError, OverflowError, ArithmeticError):
            pass  # NaN or infinity: refused below like any other non-whole number
    raise InvalidAssessmentInputError(path, value, "must be a whole number")


def _comment(value: object, path: str) -> Comment:
    if value not in ("D", "CD"):
        raise InvalidAssessmentInputError(path, value, "must be D or CD")
    return Comment(value)


def _conduct(value: object, path: str, circular: Circular) -> Conduct:
    scale: type[Level] | type[Conduct58] = Level if circular is Circular.C22 else Conduct58
    names = [member.value for member in scale]
    if value not in names:
        raise InvalidAssessmentInputError(path, value, f"must be one of {', '.join(names)}")
    return scale(value)


def _semester(value: object, path: str) -> ScoredSemester:
    semester = _object(value, path, _SEMESTER)
    regular = _list(_required(semester, "regular", path), f"{path}.regular")
    return ScoredSemester(
        regular=tuple(check_score(s, f"{path}.regular[{i}]") for i, s in enumerate(regular)),
        midterm=check_score(_required(semester, "midterm", path), f"{path}.midterm"),
        final=check_score(_required(semester, "final", path), f"{path}.final"),
    )


def _subject(value: object, path: str) -> Subject:
    subject = _object(value, path, _SUBJECT)
    code = _required(subject, "code", path)
    info = CATALOGUE.get(code) if isinstance(code, str) else None
    if info is None:
        raise InvalidAssessmentInputError(f"{path}.code", code, "is not a known subject code")
    kind = subject.get("kind", info.kind.value)
    if kind not in (SubjectKind.SCORE.value, SubjectKind.COMMENT.value):
        raise InvalidAssessmentInputError(f"{path}.kind", kind, "must be score or comment")
    if kind != info.kind.value:
        raise InvalidAssessmentInputError(
            f"{path}.kind", kind, f"{info.code} is a {info.kind.value} subject"
        )
    periods = subject.get("periods_per_year")
    if info.kind is SubjectKind.COMMENT:
        hk1, hk2 = (
            tuple(
                _comment(c, f"{path}.{s}[{i}]")
                for i, c in enumerate(_list(_required(subject, s, path), f"{path}.{s}"))
            )
            for s in ("hk1", "hk2")
        )
        return CommentSubject(
            code=info.code,
            hk1=hk1,
            hk2=hk2,
            periods_per_year=None
            if periods is None
            else _whole(periods, f"{path}.periods_per_year"),
        )
    return ScoredSubject(
        code=info.code,
        periods_per_year=_whole(
            _required(subject, "periods_per_year", path), f"{path}.periods_per_year"
        ),
        hk1=_semester(_required(subject, "hk1", path), f"{path}.hk1"),
        hk2=_semester(_required(subject, "hk2", path), f"{path}.hk2"),
    )


def _retests(value: object, subjects: tuple[Subject, ...]) -> Mapping[str, Retest]:
    if value is None:
        return MappingProxyType({})
    if not isinstance(value, Mapping):
        raise InvalidAssessmentInputError("retest", value, "must be a JSON object")
    kinds = {s.code: isinstance(s, CommentSubject) for s in subjects}
    retests: dict[str, Retest] = {}
    for code, result in value.items():
        path = f"retest.{code}"
        if code not in kinds:
            raise InvalidAssessmentInputError(path, result, "is not one of the subjects")
        if result is None:  # not known yet
            continue
        retests[code] = _comment(result, path) if kinds[code] else check_score(result, path)
    return MappingProxyType(retests)


def parse_year_input(data: object) -> YearInput:
    """The `hocba assess` JSON (already decoded) as a checked ``YearInput``.

    Raises InvalidAssessmentInputError naming the field (``subjects[0].hk1.regular[2]``) for
    anything the rules cannot assess. ``kind`` may be left out (the catalogue's is used);
    ``retest`` and ``conduct_after_summer`` may be null or absent.
    """
    top = _object(data, "", _TOP)
    grade = _whole(_required(top, "grade", ""), "grade")
    school_year = _required(top, "school_year", "")
    if not isinstance(school_year, str):
        raise InvalidAssessmentInputError("school_year", school_year, "must be text 'YYYY-YYYY'")
    circular = circular_for(grade=grade, school_year=school_year)
    subjects = tuple(
        _subject(s, f"subjects[{i}]")
        for i, s in enumerate(_list(_required(top, "subjects", ""), "subjects"))
    )
    conduct = _object(_required(top, "conduct", ""), "conduct", _CONDUCT)
    after = top.get("conduct_after_summer")
    year = YearInput(
        grade=grade,
        school_year=school_year,
        subjects=subjects,
        conduct_hk1=_conduct(_required(conduct, "hk1", "conduct"), "conduct.hk1", circular),
        conduct_hk2=_conduct(_required(conduct, "hk2", "conduct"), "conduct.hk2", circular),
        absences=_whole(_required(top, "absences", ""), "absences"),
        retest=_retests(top.get("retest"), subjects),
        conduct_after_summer=None
        if after is None
        else _conduct(after, "conduct_after_summer", circular),
    )
    check_year(year)
    return year
