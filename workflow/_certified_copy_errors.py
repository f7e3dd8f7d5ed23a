"""The refusals of certified paper copies (REQ-28), each naming its reason."""

from __future__ import annotations

from workflow._errors import WorkflowError


class SealCertificateRequiredError(WorkflowError):
    """The copy is sealed with the school's own organisation certificate only."""

    code = "organisation_certificate_required"

    def __init__(self) -> None:
        super().__init__(
            "the copy is sealed with the school's organisation certificate",
            "Bản sao phải được đóng dấu bằng chứng thư số tổ chức của chính nhà trường",
        )


class PrincipalMissingError(WorkflowError):
    """The school has no principal assigned now, whose name the certification carries."""

    code = "principal_missing"

    def __init__(self) -> None:
        super().__init__(
            "the school has no principal assigned now", "Nhà trường hiện chưa có hiệu trưởng"
        )


class CopyAlreadySealedError(WorkflowError):
    """The copy was sealed already; a new copy is prepared for another seal."""

    code = "copy_already_sealed"

    def __init__(self, copy_id: int) -> None:
        super().__init__(
            f"certified copy {copy_id} is already sealed",
            f"Bản sao số {copy_id} đã được đóng dấu",
        )
