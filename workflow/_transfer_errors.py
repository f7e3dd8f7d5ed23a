"""The refusals of transfers between schools, each naming its reason."""

from __future__ import annotations

from datetime import date

from workflow._errors import WorkflowError


class TransferStateError(WorkflowError):
    """The transfer is not at the step the action needs."""

    code = "transfer_state"

    def __init__(self, action: str, stage: str) -> None:
        super().__init__(
            f"cannot {action} a transfer that is {stage}",
            f"Không thể {action} hồ sơ chuyển trường đang ở bước {stage}",
        )
        self.stage = stage


class TransferPendingError(WorkflowError):
    """The student already has a transfer under way."""

    code = "transfer_pending"

    def __init__(self, transfer_id: int) -> None:
        super().__init__(
            f"the student already has transfer {transfer_id} under way",
            f"Học sinh đang có hồ sơ chuyển trường số {transfer_id} chưa xong",
        )
        self.transfer_id = transfer_id


class TransferNotSignedError(WorkflowError):
    """The leaving school's ChuyenTruong transcript is not signed and sealed yet."""

    code = "transfer_not_signed"

    def __init__(self, transcript_id: str | None) -> None:
        super().__init__(
            f"the leaving school has not signed and sealed the transfer record {transcript_id}",
            "Trường chuyển đi chưa ký và đóng dấu số học bạ chuyển trường",
        )
        self.transcript_id = transcript_id


class NotEnrolledError(WorkflowError):
    """The student is not enrolled anywhere now: there is nothing to transfer from."""

    code = "not_enrolled"

    def __init__(self) -> None:
        super().__init__(
            "the student is not enrolled in a class now",
            "Học sinh hiện không theo học lớp nào",
        )


class YearStartedError(WorkflowError):
    """The new school year has started: the student moves by a mid-year transfer."""

    code = "year_started"

    def __init__(self, year: str, starts_on: date) -> None:
        super().__init__(
            f"the school year {year} started on {starts_on.isoformat()}: ask for a mid-year "
            "transfer instead",
            f"Năm học {year} đã bắt đầu ngày {starts_on.strftime('%d/%m/%Y')}: "
            "hãy đề nghị chuyển trường trong năm học",
        )


class RecordNotFinalizedError(WorkflowError):
    """A transcript of an earlier year at the leaving school is not finalized yet."""

    code = "record_not_finalized"

    def __init__(self, pending: tuple[tuple[str, str, str], ...]) -> None:
        listed = ", ".join(f"{year} ({status})" for _, year, status in pending)
        super().__init__(
            f"the leaving school's transcripts are not all finalized: {listed}",
            f"Học bạ tại trường chuyển đi chưa hoàn tất hết: {listed}",
        )
        self.pending = pending
        """(transcript id, NamHoc, status) of each transcript not finalized."""


class YearNotOverError(WorkflowError):
    """The student's last school year at the leaving school has not reached its lock date."""

    code = "year_not_over"

    def __init__(self, year: str, lock_on: date) -> None:
        super().__init__(
            f"the school year {year} at the leaving school is not over: it locks on "
            f"{lock_on.isoformat()}",
            f"Năm học {year} tại trường chuyển đi chưa kết thúc: hạn khoá dữ liệu là ngày "
            f"{lock_on.strftime('%d/%m/%Y')}",
        )
