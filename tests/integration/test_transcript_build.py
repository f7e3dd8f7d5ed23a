"""The annual transcript's data built from the tracking book only (REQ-04): its shape, what a
refresh brings in, when data may no longer change, who builds.

The scene is 6A1's year of tests/support/year_end.py, entered before the lock.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from domain.model import Transcript, TranscriptKind, TranscriptStatus
from tests.support.clock import vn
from tests.support.tracking import (
    any_row,
    audit_entries,
    last_seq,
    sign_subject,
    tracking_footprint,
    transcript_row,
)
from tests.support.world import AFTER_LOCK, BEFORE_LOCK, MAIN_LOCK, World
from tests.support.year_end import (
    SUBJECTS,
    Scene,
    approve,
    build,
    enter_homeroom,
    enter_scores,
    open_supplementary,
    propose,
    saved_scene,
    small_class,
    supplementary,
    uniform,
)
from workflow import (
    AdministratorForbiddenError,
    DataLockedError,
    HomeroomEntry,
    IncompleteTrackingError,
    NotAssignedError,
    NotFoundError,
    WorkflowError,
    build_class_transcripts,
)

NAMES = {
    "TOAN": "Toán",
    "NGUVAN": "Ngữ văn",
    "NGOAINGU1": "Ngoại ngữ 1",
    "GDCD": "Giáo dục công dân",
    "LSDL": "Lịch sử và Địa lí",
    "KHTN": "Khoa học tự nhiên",
    "CONGNGHE": "Công nghệ",
    "TINHOC": "Tin học",
    "GDTC": "Giáo dục thể chất",
}
"""6A1's subjects in catalogue order, as printed."""


@pytest.fixture
def scene(engine: Engine) -> Scene:
    """6A1 with its whole year in the tracking book."""
    return saved_scene(engine, "entered")


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


def subject(data: dict[str, Any], code: str) -> dict[str, Any]:
    part: dict[str, Any] = next(s for s in data["KetQuaHocTap"] if s["Ma"] == code)
    return part


def scored(code: str, mark: str, remark: str | None = None) -> dict[str, Any]:
    return {
        "Ma": code,
        "Ten": NAMES[code],
        "HinhThucDanhGia": "DiemSo",
        "HK1": mark,
        "HK2": mark,
        "CaNam": mark,
        "DiemKiemTraLai": None,
        "NhanXet": remark,
        "GiaoVien": f"GVBM.{code}",
    }


# --- the data -------------------------------------------------------------------------------


def test_a_built_transcript_holds_the_students_year_in_the_documented_shape(
    scene: Scene,
) -> None:
    tid = build(scene, scene.an)

    row = transcript_row(scene.world.engine, tid)
    assert (row.kind, row.status, row.version, row.supplementary) == (
        TranscriptKind.CA_NAM,
        TranscriptStatus.DRAFT,
        1,
        False,
    )
    toan = scored("TOAN", "9.3", "Tư duy nhanh") | {"HK1": "9.2"}
    assert row.data == {
        "TTChung": {
            "LoaiHocBa": "CaNam",
            "NamHoc": "2024-2025",
            "MaSoGD": "79",
            "MaTruong": "79000001",
            "TenTruong": "Trường THCS Thử Nghiệm",
            "CapHoc": "THCS",
            "Khoi": 6,
            "Lop": "6A1",
            "ThongTu": "22/2021",
        },
        "HocSinh": {
            "MaDinhDanh": "079212000101",
            "HoVaTen": "Nguyễn Văn An",
            "NgaySinh": "2013-03-01",
            "GioiTinh": "Nam",
            "DanToc": "Kinh",
            "QuocTich": "Việt Nam",
            "NoiSinh": "",
            "HoTenCha": None,
            "HoTenMe": None,
            "HoTenNguoiGiamHo": None,
        },
        "KetQuaHocTap": [
            toan,
            *(scored(code, "8.5") for code in list(NAMES)[1:8]),
            {
                "Ma": "GDTC",
                "Ten": "Giáo dục thể chất",
                "HinhThucDanhGia": "NhanXet",
                "HK1": "D",
                "HK2": "D",
                "CaNam": "D",
                "DiemKiemTraLai": None,
                "NhanXet": None,
                "GiaoVien": "GVBM.GDTC",
            },
        ],
        "TongHop": {
            "HocTap": {"HK1": "T", "HK2": "T", "CaNam": "T", "SauDanhGiaLai": None},
            "RenLuyen": {"HK1": "T", "HK2": "T", "CaNam": "T", "SauDanhGiaLai": None},
            "SoBuoiNghi": 3,
            "DuocLenLop": None,
            "DanhHieu": None,
            "NhanXetGVCN": "Chăm ngoan, học tốt.",
            "KhenThuong": None,
        },
    }


def test_the_decisions_appear_once_the_principal_has_approved_the_year_end_review(
    scene: Scene,
) -> None:
    tid = build(scene, scene.an)
    propose(scene)
    approve(scene)

    build(scene, scene.an)

    summary = transcript_row(scene.world.engine, tid).data["TongHop"]
    assert (summary["DuocLenLop"], summary["DanhHieu"]) == (True, "Gioi")


def test_a_change_in_the_tracking_book_is_brought_in_by_a_refresh_and_audited(
    scene: Scene,
) -> None:
    tid = build(scene, scene.an)
    enter_scores(scene.world, "NGUVAN", 2, [uniform(scene.an, "NGUVAN", 9)])
    before = transcript_row(scene.world.engine, tid)
    start = last_seq(scene.world.engine)

    assert build(scene, scene.an) == tid

    after = transcript_row(scene.world.engine, tid)
    # (8.5 + 2 · 9.0) / 3 = 8.83 → 8.8
    assert subject(after.data, "NGUVAN") == scored("NGUVAN", "8.5") | {"HK2": "9.0", "CaNam": "8.8"}
    (entry,) = audit_entries(scene.world.engine, after=start)
    assert (entry.action, entry.object_id, entry.details) == (
        "transcript.build",
        tid,
        {"source": "tracking_book"},
    )
    assert entry.before_sha256 != entry.after_sha256
    assert after.row_version != before.row_version


def test_building_again_without_a_change_writes_nothing(scene: Scene) -> None:
    tid = build(scene, scene.an)
    before = tracking_footprint(scene.world.engine)

    assert build(scene, scene.an, who="hocvu") == tid
    assert tracking_footprint(scene.world.engine) == before


def test_a_retest_students_transcript_waits_for_the_retest_then_shows_it(scene: Scene) -> None:
    propose(scene)
    approve(scene)
    tid = build(scene, scene.binh)
    summary = transcript_row(scene.world.engine, tid).data["TongHop"]
    assert (summary["HocTap"]["CaNam"], summary["DuocLenLop"]) == ("CD", None)
    open_supplementary(scene.world)
    first_of_august = vn(2025, 8, 1)
    supplementary(scene, scene.binh, at=first_of_august, retest={"TOAN": 6})

    build(scene, scene.binh, at=first_of_august)

    data = transcript_row(scene.world.engine, tid).data
    assert subject(data, "TOAN")["CaNam"] == "3.0"
    assert subject(data, "TOAN")["DiemKiemTraLai"] == "6.0"
    assert data["TongHop"]["HocTap"]["SauDanhGiaLai"] == "D"
    assert data["TongHop"]["DuocLenLop"] is True


def test_the_summer_training_students_transcript_shows_the_conduct_re_evaluated(
    scene: Scene,
) -> None:
    propose(scene)
    approve(scene)
    open_supplementary(scene.world)
    supplementary(scene, scene.cuong, at=AFTER_LOCK, who="gvcn.6a1", conduct="K")

    tid = build(scene, scene.cuong, at=AFTER_LOCK)

    summary = transcript_row(scene.world.engine, tid).data["TongHop"]
    assert summary["RenLuyen"] == {"HK1": "CD", "HK2": "CD", "CaNam": "CD", "SauDanhGiaLai": "K"}
    assert (summary["SoBuoiNghi"], summary["DuocLenLop"]) == (7, True)


# --- a whole class ----------------------------------------------------------------------------


def test_a_class_is_built_in_one_transaction_in_class_list_order(scene: Scene) -> None:
    start = last_seq(scene.world.engine)

    built = build_class_transcripts(
        scene.world.uow(),
        class_id=scene.class_id,
        actor=scene.world.actor("hieutruong"),
        now=BEFORE_LOCK,
    )

    rows = {t.id: t for t in any_row(scene.world.engine, Transcript)}
    assert [rows[t].student_id for t in built] == list(scene.students)
    assert [e.action for e in audit_entries(scene.world.engine, after=start)] == [
        "transcript.create"
    ] * 4
    assert [rows[t].data["HocSinh"]["HoVaTen"] for t in built] == [
        "Nguyễn Văn An",
        "Trần Thị Bình",
        "Lê Văn Cường",
        "Phạm Thị Dung",
    ]


def test_one_incomplete_year_builds_no_transcript_of_the_class(world: World) -> None:
    scene = small_class(world, skip=("GDTC", 1, 3))  # Dung's GDTC of semester 1

    def whole_class() -> None:
        build_class_transcripts(
            world.uow(), class_id=scene.class_id, actor=world.actor("gvcn.6a1"), now=BEFORE_LOCK
        )

    error = refused(world, whole_class, IncompleteTrackingError)

    assert isinstance(error, IncompleteTrackingError)
    assert (error.student_id, error.subject_code) == (scene.dung, "GDTC")
    assert any_row(world.engine, Transcript) == []


# --- when data may no longer change ---------------------------------------------------------


def test_from_the_lock_date_on_the_data_no_longer_changes(scene: Scene) -> None:
    tid = build(scene, scene.an)
    enter_scores(scene.world, "NGUVAN", 2, [uniform(scene.an, "NGUVAN", 9)])

    assert build(scene, scene.dung, at=AFTER_LOCK)  # a first build is still made
    error = refused(scene.world, lambda: build(scene, scene.an, at=MAIN_LOCK), DataLockedError)
    build(scene, scene.an, at=MAIN_LOCK - timedelta(seconds=1))

    assert "Nguyễn Văn An" in error.message
    assert build(scene, scene.an, at=AFTER_LOCK) == tid  # nothing differs: nothing to refuse


def test_data_changes_only_in_draft(scene: Scene) -> None:
    tid = build(scene, scene.an)
    for code in SUBJECTS:
        sign_subject(scene.world, tid, code)
    assert transcript_row(scene.world.engine, tid).status == TranscriptStatus.SUBJECT_SIGNED
    entry = HomeroomEntry(scene.an, "T", 1, "Chăm ngoan, tiến bộ.")
    enter_homeroom(scene.world, 2, [entry])

    error = refused(scene.world, lambda: build(scene, scene.an), DataLockedError)

    assert "returned to draft" in error.message


# --- who builds -------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["gvcn.6a1", "hocvu", "hieutruong"])
def test_the_homeroom_teacher_academic_affairs_and_the_principal_build(
    scene: Scene, who: str
) -> None:
    assert build(scene, scene.an, who=who)


@pytest.mark.parametrize(
    ("who", "error"),
    [
        ("gvbm.toan", NotAssignedError),
        ("gvcn.6a2", NotAssignedError),
        ("vanthu", NotAssignedError),
        ("so.gddt", NotAssignedError),
        ("admin", AdministratorForbiddenError),
    ],
)
def test_nobody_else_builds_and_the_administrator_never(
    scene: Scene, who: str, error: type[WorkflowError]
) -> None:
    refused(scene.world, lambda: build(scene, scene.an, who=who), error)
    refused(
        scene.world,
        lambda: build_class_transcripts(
            scene.world.uow(),
            class_id=scene.class_id,
            actor=scene.world.actor(who),
            now=BEFORE_LOCK,
        ),
        error,
    )


def test_a_student_of_another_class_has_no_transcript_built_here(scene: Scene) -> None:
    refused(scene.world, lambda: build(scene, 10_000), NotFoundError)
