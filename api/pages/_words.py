"""The Vietnamese names a page shows for the workflow's English codes."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from domain.model import CATALOGUE

STATUS_VI = {
    "draft": "Bản nháp",
    "subject_signed": "Giáo viên bộ môn đã ký",
    "homeroom_signed": "Giáo viên chủ nhiệm đã ký",
    "principal_signed": "Hiệu trưởng đã ký",
    "school_stamped": "Đã ký số của nhà trường",
    "finalized": "Đã phát hành",
    "correction_requested": "Đang chờ Sở duyệt đính chính",
    "superseded": "Đã được thay thế",
}
STEP_VI = {
    "subject": "Giáo viên bộ môn ký",
    "homeroom": "Giáo viên chủ nhiệm ký",
    "principal": "Hiệu trưởng ký",
    "school": "Văn thư ký số của nhà trường",
    # A window task's "step" is the entry period it opens or closes.
    "hk1": "Học kỳ I",
    "hk2": "Học kỳ II",
    "supplementary": "Kiểm tra lại, rèn luyện hè",
    # A transfer task's steps.
    "request": "Trả lời đề nghị chuyển trường",
    "inherit": "Tiếp nhận hồ sơ đã ký",
}
PERIOD_VI = {k: STEP_VI[k] for k in ("hk1", "hk2", "supplementary")}
WINDOW_ACTION_VI = {"open": "Mở nhập điểm", "close": "Khoá nhập điểm"}
ACTION_VI = {
    "sign": "Ký học bạ",
    "review_correction": "Duyệt yêu cầu đính chính",
    "accept_transfer": "Tiếp nhận học sinh chuyển trường",
    "build_transcripts": "Lập học bạ từ sổ theo dõi",
    "carry_out_window": "Thực hiện quyết định về cửa sổ nhập điểm",
}
KIND_VI = {"CaNam": "Cả năm", "ChuyenTruong": "Chuyển trường", "SoHoa": "Số hóa từ bản giấy"}
CORRECTION_STATUS_VI = {"pending": "Đang chờ", "approved": "Đã duyệt", "rejected": "Đã từ chối"}
LEVEL_VI = {"T": "Tốt", "K": "Khá", "D": "Đạt", "CD": "Chưa đạt"}
_SLOTS_VI = {"GVCN": "Giáo viên chủ nhiệm", "HieuTruong": "Hiệu trưởng", "DonVi": "Nhà trường"}


def status_vi(status: str) -> str:
    """A transcript status in Vietnamese."""
    return STATUS_VI.get(status, status)


def kind_vi(kind: str) -> str:
    """A transcript's kind (``LoaiHocBa``) in Vietnamese."""
    return KIND_VI.get(kind, kind)


def step_vi(step: str | None) -> str:
    """A signing step in Vietnamese."""
    return STEP_VI.get(step or "", step or "")


def action_vi(action: str) -> str:
    """A queue action in Vietnamese."""
    return ACTION_VI.get(action, action)


def subject_vi(code: str | None) -> str:
    """A subject's Vietnamese name (the code itself when unknown)."""
    if code is None:
        return ""
    info = CATALOGUE.get(code)
    return info.name if info else code


def slot_vi(slot: str) -> str:
    """A signature slot (``GVBM:TOAN``, ``GVCN``, ``HieuTruong``, ``DonVi``) in Vietnamese."""
    kind, _, code = slot.partition(":")
    if kind == "GVBM":
        return f"Giáo viên bộ môn {subject_vi(code)}"
    return _SLOTS_VI.get(kind, slot)


def when_vi(moment: datetime | None, zone: str) -> str:
    """``29/11/2026 09:00`` in the school's zone; an empty string for no moment."""
    if moment is None:
        return ""
    return moment.astimezone(ZoneInfo(zone)).strftime("%d/%m/%Y %H:%M")


def mark_vi(value: object) -> str:
    """A result as printed: a score as is, a level or comment result in words, ``—`` if none."""
    if value is None:
        return "—"
    return LEVEL_VI.get(str(value), str(value))
