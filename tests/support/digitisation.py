"""A student of the test school's 6A1 who arrived from a school on paper: two paper years of
their record (a whole year repeated in grade 6, and semester I of this year) and the scan."""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy.engine import Engine
from weasyprint import HTML

from tests.support.signing import record_birthplaces, register_personal_ids, sign_session
from tests.support.transfers import AN, MID_YEAR, SIGNED, own_world
from tests.support.world import World
from workflow import SigningStep, digitise_paper_record

PAPER_SCHOOL = "Trường THCS Cần Giờ (học bạ giấy)"
SCAN_NAME = "hoc-ba-giay-nguyen-van-an.pdf"


def paper_world(engine: Engine) -> World:
    """The "entered" scene's test school, its staff able to sign."""
    world = own_world(engine)
    register_personal_ids(world)
    record_birthplaces(world)
    return world


def issued_paper_world(engine: Engine) -> World:
    """``paper_world`` with the whole paper year digitised, signed by the principal and sealed
    by the clerk: an issued SoHoa record to copy."""
    world = paper_world(engine)
    record_id = digitise_paper_record(
        world.uow(),
        personal_id=AN,
        record=whole_year(),
        paper_school=PAPER_SCHOOL,
        scan=scan(),
        scan_name=SCAN_NAME,
        actor=world.actor("hocvu", MID_YEAR),
        now=MID_YEAR,
    )
    for who, step in (("hieutruong", SigningStep.PRINCIPAL), ("vanthu", SigningStep.SCHOOL)):
        (result,) = sign_session(world, who, [record_id], step, SIGNED)
        assert result.ok, result
    return world


@cache
def scan() -> bytes:
    """A scanned paper original (a real PDF, as a scanner writes one)."""
    html = "<h1>HỌC BẠ</h1><p>Trường THCS Cần Giờ — năm học 2023-2024 — lớp 6/3</p>"
    pdf: bytes = HTML(string=html).write_pdf()
    return pdf


def whole_year(**changes: Any) -> dict[str, Any]:
    """The paper record of 2023-2024: grade 6 repeated (not promoted)."""
    record: dict[str, Any] = {
        "NamHoc": "2023-2024",
        "Khoi": 6,
        "Lop": "6/3",
        "ThongTu": "22/2021",
        "KetQuaHocTap": [
            {
                "Ma": "TOAN",
                "Ten": "Toán",
                "HinhThucDanhGia": "DiemSo",
                "HK1": "4.0",
                "HK2": "4.5",
                "CaNam": "4.3",
                "DiemKiemTraLai": None,
                "NhanXet": "Cần cố gắng nhiều hơn.",
                "GiaoVien": "Lê Văn Tám",
            },
            {
                "Ma": "NGUVAN",
                "Ten": "Ngữ văn",
                "HinhThucDanhGia": "DiemSo",
                "HK1": "6.0",
                "HK2": "6.5",
                "CaNam": "6.3",
                "DiemKiemTraLai": None,
                "NhanXet": None,
                "GiaoVien": "Trần Thị Mai",
            },
            {
                "Ma": "GDTC",
                "Ten": "Giáo dục thể chất",
                "HinhThucDanhGia": "NhanXet",
                "HK1": "D",
                "HK2": "D",
                "CaNam": "D",
                "DiemKiemTraLai": None,
                "NhanXet": None,
                "GiaoVien": "Phạm Văn Hùng",
            },
        ],
        "TongHop": {
            "HocTap": {"HK1": "CD", "HK2": "CD", "CaNam": "CD", "SauDanhGiaLai": None},
            "RenLuyen": {"HK1": "K", "HK2": "K", "CaNam": "K", "SauDanhGiaLai": None},
            "SoBuoiNghi": 12,
            "DuocLenLop": False,
            "DanhHieu": None,
            "NhanXetGVCN": "Cần chăm chỉ hơn trong học tập.",
            "KhenThuong": None,
        },
    }
    record.update(changes)
    return record


def first_semester() -> dict[str, Any]:
    """The paper record of semester I of 2024-2025, before the student arrived."""
    record = whole_year(NamHoc="2024-2025", Lop="6/1")
    record["KetQuaHocTap"] = [
        {**subject, "HK2": None, "CaNam": None} for subject in record["KetQuaHocTap"]
    ]
    record["TongHop"] = {
        **record["TongHop"],
        "HocTap": {"HK1": "D", "HK2": None, "CaNam": None, "SauDanhGiaLai": None},
        "RenLuyen": {"HK1": "T", "HK2": None, "CaNam": None, "SauDanhGiaLai": None},
        "SoBuoiNghi": 2,
        "DuocLenLop": None,
    }
    return record
