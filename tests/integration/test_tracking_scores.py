"""Score sheets and homeroom records: what is stored, what is refused, what is audited.

Entry is open (semesters 1 and 2) and every write happens before the lock date, unless a
test says otherwise; windows and lock dates have their own tests (test_tracking_windows.py).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from sqlmodel import Session

from domain.model import ClassSubject, CommentResult, ConductLevel, TranscriptKind, state_hash
from domain.model import TranscriptStatus as S
from tests.support.journeys import drive_to
from tests.support.tracking import (
    audit_entries,
    last_seq,
    open_entry,
    sign_step,
    sign_subject,
    tracking_footprint,
    transcript_row,
)
from tests.support.world import BEFORE_LOCK, World
from workflow import (
    EntrySignedError,
    HomeroomEntry,
    HomeroomValues,
    InvalidEntryError,
    SigningStep,
    SubjectEntry,
    SubjectValues,
    WorkflowError,
    read_student_year,
    read_subject_sheet,
    record_homeroom_data,
    record_subject_scores,
)

D = Decimal
CA_NAM = TranscriptKind.CA_NAM


@pytest.fixture
def school(world: World) -> World:
    """The test school with entry open for both semesters."""
    open_entry(world)
    return world


def scores(
    world: World,
    lines: list[SubjectEntry],
    *,
    subject: str = "TOAN",
    semester: int = 1,
    who: str = "gvbm.toan",
) -> int:
    return record_subject_scores(
        world.uow(),
        class_id=world.class_ids["6A1"],
        subject_code=subject,
        semester=semester,
        lines=lines,
        actor=world.actor(who),
        now=BEFORE_LOCK,
    )


def homeroom(world: World, entries: list[HomeroomEntry], semester: int = 1) -> int:
    return record_homeroom_data(
        world.uow(),
        class_id=world.class_ids["6A1"],
        semester=semester,
        entries=entries,
        actor=world.actor("gvcn.6a1"),
        now=BEFORE_LOCK,
    )


def sheet(world: World, subject: str = "TOAN", semester: int = 1) -> dict[int, SubjectValues]:
    read = read_subject_sheet(
        world.uow(),
        class_id=world.class_ids["6A1"],
        subject_code=subject,
        semester=semester,
        actor=world.actor("hieutruong"),
        now=BEFORE_LOCK,
    )
    return {line.student_id: line.values for line in read.lines}


def homeroom_values(world: World, student: int, semester: int = 1) -> HomeroomValues:
    year = read_student_year(
        world.uow(),
        student_id=world.student_ids[student],
        class_id=world.class_ids["6A1"],
        actor=world.actor("gvcn.6a1"),
        now=BEFORE_LOCK,
    )
    return next(h.values for h in year.homeroom if h.semester == semester)


def refused(
    world: World, action: Callable[[], object], error: type[WorkflowError]
) -> WorkflowError:
    """Run ``action``; it must fail with exactly ``error`` and change nothing."""
    before = tracking_footprint(world.engine)
    with pytest.raises(WorkflowError) as raised:
        action()
    assert type(raised.value) is error
    assert tracking_footprint(world.engine) == before
    return raised.value


# --- recording and reading back -------------------------------------------------------------


def test_a_teacher_records_a_whole_class_sheet_and_reads_it_back_exactly(school: World) -> None:
    an, binh = school.student_ids

    changed = scores(
        school,
        [
            SubjectEntry(an, regular=[8, "7,5", D("9.0"), 6.5], midterm="7", final=8.2),
            SubjectEntry(binh, regular=["10"], midterm=D("0"), remark="Tiến bộ rõ"),
        ],
    )

    assert changed == 2
    assert sheet(school) == {
        an: SubjectValues(
            regular=(D("8.0"), D("7.5"), D("9.0"), D("6.5")), midterm=D("7.0"), final=D("8.2")
        ),
        binh: SubjectValues(regular=(D("10.0"),), midterm=D("0.0"), remark="Tiến bộ rõ"),
    }


def test_a_sheet_lists_every_student_of_the_class_even_without_scores(school: World) -> None:
    an, binh = school.student_ids
    scores(school, [SubjectEntry(binh, regular=[9])])

    assert sheet(school) == {an: SubjectValues(), binh: SubjectValues(regular=(D("9.0"),))}


def test_a_line_sent_again_replaces_the_stored_one_whole(school: World) -> None:
    an = school.student_ids[0]
    scores(school, [SubjectEntry(an, regular=[8, 9], midterm=7, remark="Khá")])

    scores(school, [SubjectEntry(an, regular=[8])])

    assert sheet(school)[an] == SubjectValues(regular=(D("8.0"),))


def test_a_partial_sheet_is_allowed_during_the_semester(school: World) -> None:
    an, binh = school.student_ids

    scores(school, [SubjectEntry(an, regular=[8]), SubjectEntry(binh, final=6)])

    assert sheet(school)[binh] == SubjectValues(final=D("6.0"))


@pytest.mark.parametrize(
    ("periods", "allowed"), [(35, 2), (36, 3), (70, 3), (71, 4), (105, 4)], ids=str
)
def test_never_more_regular_scores_than_the_periods_allow(
    school: World, periods: int, allowed: int
) -> None:
    with Session(school.engine) as session:
        studied = session.get(ClassSubject, (school.class_ids["6A1"], "TOAN"))
        assert studied is not None
        studied.periods_per_year = periods
        session.add(studied)
        session.commit()
    an = school.student_ids[0]

    scores(school, [SubjectEntry(an, regular=[7] * allowed)])
    too_many = [SubjectEntry(an, regular=[8] * (allowed + 1))]
    error = refused(school, lambda: scores(school, too_many), InvalidEntryError)

    assert isinstance(error, InvalidEntryError)
    assert (error.student_id, error.field) == (an, "regular")
    assert f"at most {allowed}" in error.message


# --- all or nothing -------------------------------------------------------------------------


def test_a_batch_with_one_bad_score_applies_nothing_and_names_the_student_and_field(
    school: World,
) -> None:
    an, binh = school.student_ids
    batch = [SubjectEntry(an, regular=[8, 9]), SubjectEntry(binh, regular=[7, "10,5"])]

    error = refused(school, lambda: scores(school, batch), InvalidEntryError)

    assert isinstance(error, InvalidEntryError)
    assert (error.student_id, error.field) == (binh, "regular[1]")
    assert "Trần Thị Bình" in error.message and "between 0 and 10" in error.message
    assert "ĐĐGtx2" in error.message_vi and "phải từ 0 đến 10" in error.message_vi


def test_every_problem_of_a_batch_is_listed_for_the_report(school: World) -> None:
    an, binh = school.student_ids
    batch = [
        SubjectEntry(an, regular=[8.25], midterm="abc"),
        SubjectEntry(binh, final=-1, comment_results=["D"]),
    ]

    error = refused(school, lambda: scores(school, batch), InvalidEntryError)

    assert isinstance(error, InvalidEntryError)
    assert [(p.student_id, p.field, p.why) for p in error.problems] == [
        (an, "regular[0]", "must have at most one decimal"),
        (an, "midterm", "must be a number"),
        (binh, "comment_results", "is only for comment subjects"),
        (binh, "final", "must be between 0 and 10"),
    ]
    assert "and 3 more problems" in error.message


@pytest.mark.parametrize(
    "student", [pytest.param(99, id="unknown"), pytest.param(-1, id="named twice")]
)
def test_a_student_outside_the_class_or_named_twice_is_refused(school: World, student: int) -> None:
    an = school.student_ids[0]
    other = an if student == -1 else student
    batch = [SubjectEntry(an, regular=[8]), SubjectEntry(other, regular=[9])]

    error = refused(school, lambda: scores(school, batch), InvalidEntryError)

    assert isinstance(error, InvalidEntryError)
    assert (error.student_id, error.field) == (other, "student_id")


# --- comment subjects and homeroom data -----------------------------------------------------


def test_a_comment_subject_takes_d_or_cd_results_and_no_scores(school: World) -> None:
    an, binh = school.student_ids

    scores(school, [SubjectEntry(an, comment_results=["D", "CD"])], subject="GDTC", who="gvbm.gdtc")
    error = refused(
        school,
        lambda: scores(
            school,
            [SubjectEntry(binh, regular=[8], comment_results=["Đạt"])],
            subject="GDTC",
            who="gvbm.gdtc",
        ),
        InvalidEntryError,
    )

    assert sheet(school, "GDTC")[an].comment_results == (
        CommentResult.DAT,
        CommentResult.CHUA_DAT,
    )
    assert isinstance(error, InvalidEntryError)
    assert [p.field for p in error.problems] == ["regular", "comment_results[0]"]


def test_the_homeroom_teacher_records_conduct_absences_and_a_comment(school: World) -> None:
    an = school.student_ids[0]

    homeroom(school, [HomeroomEntry(an, conduct="K", absences=3, comment="Hăng hái")])

    assert homeroom_values(school, 0) == HomeroomValues(ConductLevel.KHA, 3, "Hăng hái")


def test_homeroom_values_are_checked(school: World) -> None:
    an, binh = school.student_ids
    batch = [HomeroomEntry(an, conduct="Tốt"), HomeroomEntry(binh, absences=-2)]

    error = refused(school, lambda: homeroom(school, batch), InvalidEntryError)

    assert isinstance(error, InvalidEntryError)
    assert [(p.student_id, p.field) for p in error.problems] == [
        (an, "conduct"),
        (binh, "absences"),
    ]


# --- audit ----------------------------------------------------------------------------------


def test_each_changed_line_is_audited_with_before_and_after_fingerprints(school: World) -> None:
    an, binh = school.student_ids
    start = last_seq(school.engine)
    scores(school, [SubjectEntry(an, regular=[8]), SubjectEntry(binh, regular=[9])])
    middle = last_seq(school.engine)

    changed = scores(school, [SubjectEntry(an, regular=[8]), SubjectEntry(binh, regular=[6])])

    first, second = (
        audit_entries(school.engine, after=start),
        audit_entries(school.engine, after=middle),
    )
    assert changed == 1
    assert [(e.action, e.details["student_id"]) for e in first[:2]] == [
        ("tracking.scores", an),
        ("tracking.scores", binh),
    ]
    assert first[0].before_sha256 is None and first[1].before_sha256 is None
    (update,) = second
    assert update.before_sha256 == first[1].after_sha256
    assert update.after_sha256 == state_hash(
        {
            "student_id": binh,
            "class_id": school.class_ids["6A1"],
            "subject_code": "TOAN",
            "semester": 1,
            **SubjectValues(regular=(D("6.0"),)).stored(),
        }
    )
    assert "6.0" not in str(update.details)  # the log holds fingerprints, never the scores


# --- frozen once signed ---------------------------------------------------------------------


def test_a_subject_signed_on_the_transcript_is_frozen_and_points_to_the_correction_route(
    school: World,
) -> None:
    an, binh = school.student_ids
    scores(school, [SubjectEntry(an, regular=[8])])
    sign_subject(school, school.new_transcript(student=0), "TOAN")

    error = refused(
        school,
        lambda: scores(school, [SubjectEntry(binh, regular=[7]), SubjectEntry(an, regular=[9])]),
        EntrySignedError,
    )

    assert "GVBM:TOAN" in error.message and "entry correction" in error.message
    assert "đề nghị sửa sai sót" in error.message_vi
    scores(school, [SubjectEntry(binh, regular=[7])])  # no transcript signed for Bình
    scores(school, [SubjectEntry(an, regular=[9])], subject="NGUVAN", who="gvbm.nguvan")
    scores(school, [SubjectEntry(an, regular=[9])], semester=2, subject="NGUVAN", who="gvcn.6a1")


def test_the_homeroom_data_is_frozen_once_the_homeroom_teacher_signs(school: World) -> None:
    tid = school.new_transcript(student=0)
    homeroom(school, [HomeroomEntry(school.student_ids[0], conduct="T")])
    for code in ("TOAN", "NGUVAN", "GDTC"):
        sign_subject(school, tid, code)
    homeroom(school, [HomeroomEntry(school.student_ids[0], conduct="K")])  # not signed yet
    sign_step(school, tid, SigningStep.HOMEROOM, "gvcn.6a1")

    error = refused(
        school,
        lambda: homeroom(school, [HomeroomEntry(school.student_ids[0], conduct="T")]),
        EntrySignedError,
    )

    assert "GVCN" in error.message


def test_a_revoked_versions_signatures_no_longer_freeze_the_entries(school: World) -> None:
    student = transcript_row(school.engine, drive_to(school, CA_NAM, S.SUPERSEDED)).student_id

    scores(school, [SubjectEntry(student, regular=[8])])

    assert sheet(school)[student] == SubjectValues(regular=(D("8.0"),))
