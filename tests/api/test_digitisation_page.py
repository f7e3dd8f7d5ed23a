"""The digitising page /so-hoa over HTTP, as a browser posts its multipart form: what is typed
becomes the use case's record (scores spelled "8.0", empty rows left out, Circular 58 scales),
and each refusal comes back naming its field in Vietnamese with the typed values kept."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from litestar.testing import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session

from domain.model import Transcript
from tests.api.conftest import PASSWORD, Api, set_password
from tests.support.digitisation import PAPER_SCHOOL, SCAN_NAME, paper_world, scan
from tests.support.transfers import AN, MID_YEAR
from tests.support.world import World
from workflow import MAX_SCAN_BYTES

_CSRF = re.compile(r'name="_csrf" value="([^"]+)"')


@pytest.fixture
def world(engine: Engine) -> World:
    return paper_world(engine)


def officer(api: Api) -> TestClient[Any]:
    set_password(api.world, "hocvu")
    api.clock.at = MID_YEAR
    client = api.client
    token = _CSRF.search(client.get("/dang-nhap").text)
    assert token is not None
    client.post(
        "/dang-nhap",
        data={"_csrf": token.group(1), "username": "hocvu", "password": PASSWORD},
        follow_redirects=False,
    )
    return client


def legacy_year(**changes: str) -> dict[str, str]:
    """A Circular 58 paper year as the form sends it: three subjects typed, the rest empty."""
    form = {
        "personal_id": AN,
        "paper_school": PAPER_SCHOOL,
        "nam_hoc": "2020-2021",
        "khoi": "6",
        "lop": "6/3",
        "thong_tu": "58/2011",
        "mon-TOAN-hk1": "7",
        "mon-TOAN-hk2": "8,5",
        "mon-TOAN-cn": "8.0",
        "mon-TOAN-gv": "Lê Văn Tám",
        "mon-VATLI-hk1": "6.5",
        "mon-VATLI-hk2": "7.5",
        "mon-VATLI-cn": "7.2",
        "mon-VATLI-gv": "Ngô Thị Lan",
        "mon-AMNHAC-hk1": "D",
        "mon-AMNHAC-hk2": "D",
        "mon-AMNHAC-cn": "D",
        "mon-AMNHAC-gv": "Phạm Văn Hùng",
        "mon-NGUVAN-hk1": "",
        "ht-hk1": "TB",
        "ht-hk2": "K",
        "ht-cn": "K",
        "rl-hk1": "T",
        "rl-hk2": "T",
        "rl-cn": "T",
        "so-buoi-nghi": "3",
        "len-lop": "co",
        "danh-hieu": "HocSinhTienTien",
        "nhan-xet-gvcn": "Chăm ngoan, tiến bộ.",
        "khen-thuong": "",
    }
    return {**form, **changes}


def submit(client: TestClient[Any], form: dict[str, str]) -> httpx.Response:
    token = _CSRF.search(client.get("/so-hoa").text)
    assert token is not None
    return client.post(
        "/so-hoa",
        data={"_csrf": token.group(1), **form},
        files={"scan": (SCAN_NAME, scan(), "application/pdf")},
        follow_redirects=False,
    )


def test_a_circular_58_year_typed_in_the_form_becomes_the_record(api: Api) -> None:
    client = officer(api)
    done = submit(client, legacy_year())
    assert done.status_code == 303, done.text
    transcript_id = done.headers["location"].removeprefix("/so-hoa?hoc-ba=")
    with Session(api.world.engine) as session:
        row = session.get(Transcript, transcript_id)
        assert row is not None
        data = row.data
    assert data["TTChung"]["NamHoc"] == "2020-2021" and data["TTChung"]["ThongTu"] == "58/2011"
    assert [(s["Ma"], s["HinhThucDanhGia"]) for s in data["KetQuaHocTap"]] == [
        ("TOAN", "DiemSo"),
        ("VATLI", "DiemSo"),
        ("AMNHAC", "NhanXet"),
    ]
    toan = data["KetQuaHocTap"][0]
    assert (toan["HK1"], toan["HK2"], toan["CaNam"], toan["DiemKiemTraLai"]) == (
        "7.0",
        "8.5",
        "8.0",
        None,
    )
    assert data["TongHop"]["HocTap"] == {
        "HK1": "TB",
        "HK2": "K",
        "CaNam": "K",
        "SauDanhGiaLai": None,
    }
    assert data["TongHop"]["DuocLenLop"] is True and data["TongHop"]["KhenThuong"] is None
    assert data["BanGoc"]["TruongGoc"] == PAPER_SCHOOL

    notice = client.get(done.headers["location"])
    assert notice.status_code == 200
    assert "Đã số hóa học bạ giấy năm học 2020-2021 của" in notice.text
    assert f'href="/hoc-ba/{transcript_id}"' in notice.text
    again = submit(client, legacy_year(**{"mon-TOAN-hk1": "7.5"}))
    assert again.status_code == 409
    assert "Học bạ giấy năm học 2020-2021 đã được số hoá" in again.text
    assert 'value="7.5"' in again.text


@pytest.mark.parametrize(
    ("changes", "status", "said", "marked"),
    [
        ({k: "" for k in legacy_year() if k.startswith("mon-")}, 422,
         "Kết quả từng môn: hãy nhập ít nhất một môn học.", "mon-TOAN-hk1"),
        ({"mon-VATLI-gv": ""}, 422, "Môn Vật lí, giáo viên: chưa nhập.", "mon-VATLI-gv"),
        ({"mon-VATLI-cn": "", "mon-VATLI-ktl": "5.0"}, 422,
         "Môn Vật lí, kiểm tra lại: có kết quả này thì phải có các kết quả trước nó.",
         "mon-VATLI-ktl"),
        ({"ht-hk1": "CD"}, 422,
         "Kết quả học tập, học kì I: không thuộc thang đánh giá của thông tư đã chọn.", "ht-hk1"),
        ({"so-buoi-nghi": "ba"}, 422, "Số buổi nghỉ: phải là số nguyên.", "so-buoi-nghi"),
        ({"nhan-xet-gvcn": ""}, 422, "Nhận xét của giáo viên chủ nhiệm: chưa nhập.",
         "nhan-xet-gvcn"),
        ({"nam_hoc": "2020-2022"}, 422, "Năm học: dạng &#39;2023-2024&#39;.", "nam_hoc"),
        ({"personal_id": "079299999999"}, 404, "Không tìm thấy học sinh", "personal_id"),
    ],
)  # fmt: skip
def test_a_refusal_names_the_field_in_vietnamese_and_keeps_what_was_typed(
    api: Api, changes: dict[str, str], status: int, said: str, marked: str
) -> None:
    refused = submit(officer(api), legacy_year(**changes))
    assert refused.status_code == status
    assert said in refused.text
    assert re.search(rf'id="{marked}" name="{marked}" aria-invalid="true"', refused.text)
    assert f'value="{PAPER_SCHOOL}"' in refused.text
    assert "Chăm ngoan, tiến bộ." in refused.text or "nhan-xet-gvcn" in changes


def test_a_scan_above_the_limit_is_refused_as_too_large(api: Api) -> None:
    client = officer(api)
    token = _CSRF.search(client.get("/so-hoa").text)
    assert token is not None
    too_large = b"%PDF-1.7\n" + b"0" * (MAX_SCAN_BYTES + 256 * 1024)
    refused = client.post(
        "/so-hoa",
        data={"_csrf": token.group(1), **legacy_year()},
        files={"scan": (SCAN_NAME, too_large, "application/pdf")},
    )
    assert refused.status_code == 413
    assert "Tệp quá lớn." in refused.text
