"""The supplementary period (REQ-20): retest results and the conduct after summer training.

Only for a student of the approved supplementary group, while the supplementary entry
window is open and before the supplementary lock date (15 August by default). Who: a
retest result the teacher of that subject in the class (or the homeroom teacher, who may
write the class's scores: REQ-07); the conduct after summer training the homeroom teacher.
Each result replaces the one entered before for the same subject; the decision is then
recomputed by the assessment engine and kept on the year-end record (``promoted``: None
while another awaited result is missing).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from domain.assessment import InvalidScoreError, parse_score
from domain.model import ConductLevel, SubjectKind, YearEndRecord, state_hash
from workflow._actor import Actor
from workflow._errors import (
    AdministratorForbiddenError,
    InvalidEntryError,
    InvalidInputError,
    NotFoundError,
    NotInSupplementaryGroupError,
)
from workflow._tracking_checks import COMMENT_RESULTS, CONDUCT_LEVELS, Problems
from workflow._tracking_locks import check_supplementary_open
from workflow._tracking_scope import (
    ClassYear,
    check_may_write_homeroom,
    check_may_write_scores,
    load_class_year,
)
from workflow._tracking_values import ScoreInput
from workflow._transfer_freeze import check_not_transferred
from workflow._transitions import acting_person
from workflow._uow import UnitOfWork
from workflow._year_end_input import assess, load_class_book, read_students, with_supplementary
from workflow._year_end_values import (
    YearEndView,
    record_snapshot,
    reviewed_students,
    save_record,
    view_of,
    year_end_records,
)

_WHY_VI = {
    "must be a number": "phải là một số",
    "must be between 0 and 10": "phải từ 0 đến 10",
    "must have at most one decimal": "chỉ được có một chữ số thập phân",
}


def _check_who(actor: Actor, where: ClassYear, codes: list[str], conduct: bool) -> None:
    if actor.is_administrator:
        raise AdministratorForbiddenError
    for code in codes:
        check_may_write_scores(actor, where, code)
    if conduct:
        check_may_write_homeroom(actor, where)


def _checked_retests(
    given: Mapping[str, ScoreInput],
    record: YearEndRecord,
    kinds: Mapping[str, SubjectKind],
    student: tuple[int, str],
    problems: Problems,
) -> dict[str, str]:
    """The record's retest results with ``given`` checked and put in (stored form)."""
    results = dict(record.retest)
    for code, value in given.items():
        field = (f"retest.{code}", f"điểm kiểm tra lại môn {code}")
        if code not in record.retests:
            why = ("needs no retest", "không thuộc các môn phải kiểm tra lại")
            problems.add(student, field, value, why)
        elif kinds[code] is SubjectKind.COMMENT:
            if value in COMMENT_RESULTS:
                results[code] = str(value)
            else:
                problems.add(student, field, value, ("must be D or CD", "phải là Đ hoặc CĐ"))
        else:
            try:
                results[code] = str(parse_score(value, field=field[0]))
            except InvalidScoreError as error:
                problems.add(student, field, value, (error.why, _WHY_VI.get(error.why, error.why)))
    return results


def _checked_conduct(
    given: str | None, record: YearEndRecord, student: tuple[int, str], problems: Problems
) -> ConductLevel | None:
    """The conduct after summer training: ``given`` checked, else the one entered before."""
    if given is None:
        return record.conduct_after_summer
    field = ("conduct_after_summer", "rèn luyện sau hè")
    if not record.summer_training:
        why = ("needs no summer training", "không phải rèn luyện trong hè")
    elif given not in CONDUCT_LEVELS:
        why = ("must be T, K, D or CD", "phải là T, K, Đ hoặc CĐ (T/K/D/CD)")
    else:
        return ConductLevel(given)
    problems.add(student, field, given, why)
    return None


def record_supplementary_results(
    uow: UnitOfWork,
    *,
    class_id: int,
    student_id: int,
    actor: Actor,
    now: datetime,
    retest: Mapping[str, ScoreInput] | None = None,
    conduct_after_summer: str | None = None,
) -> YearEndView:
    """Enter a student's retest results (subject code → score, or ``D``/``CD`` for a
    comment subject) and/or conduct after summer training (``T``/``K``/``D``/``CD``), and
    recompute the year-end decision; returns the student's year-end review."""
    given = dict(retest or {})
    if not given and conduct_after_summer is None:
        raise InvalidInputError(
            "retest",
            "give a retest result or the conduct after summer training",
            "cần nhập điểm kiểm tra lại hoặc kết quả rèn luyện sau hè",
        )
    with uow:
        session = uow.session
        where = load_class_year(session, class_id)
        _check_who(actor, where, list(given), conduct_after_summer is not None)
        name = reviewed_students(session, where).get(student_id)
        if name is None:
            raise NotFoundError(f"student of class {where.klass.name}", student_id)
        assert where.year.id is not None  # a stored row
        check_not_transferred(
            session,
            school_id=where.klass.school_id,
            school_year_id=where.year.id,
            student_ids=(student_id,),
        )
        record = year_end_records(session, where).get(student_id)
        if record is None or record.approved_at is None or not record.supplementary:
            raise NotInSupplementaryGroupError(name)
        check_supplementary_open(session, where, now=now)
        book = load_class_book(session, where)
        problems, student = Problems(), (student_id, name)
        kinds = {s.code: s.kind for s in book.subjects}
        results = _checked_retests(given, record, kinds, student, problems)
        conduct = _checked_conduct(conduct_after_summer, record, student, problems)
        if problems.found:
            raise InvalidEntryError(tuple(problems.found))
        year = read_students(session, book, [student_id])[student_id].year
        before = state_hash(record_snapshot(record))
        record.retest, record.conduct_after_summer = results, conduct
        record.promoted = assess(with_supplementary(year, record), name).decisions.promoted
        if state_hash(record_snapshot(record)) != before:
            record.updated_by_id, record.updated_at = acting_person(actor), now
            save_record(
                uow, record, before=before, action="year_end.supplementary", actor=actor, now=now
            )
        view = view_of(record, name)
        uow.commit("the year-end review")
        return view
