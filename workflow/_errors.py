"""Typed errors of the workflow: each names the reason, in English and in Vietnamese."""

from __future__ import annotations

from typing import ClassVar


class WorkflowError(Exception):
    """A refused or failed use case; nothing was changed.

    ``code`` is stable (APIs and tests rely on it); ``message`` is English for logs and JSON;
    ``message_vi`` is what a school user reads on a page.
    """

    code: ClassVar[str] = "workflow_error"

    def __init__(self, message: str, message_vi: str) -> None:
        super().__init__(message)
        self.message = message
        self.message_vi = message_vi


class NotFoundError(WorkflowError):
    """The object does not exist (or is outside what the actor may see)."""

    code = "not_found"

    def __init__(self, what: str, key: object) -> None:
        super().__init__(f"{what} {key} not found", f"Không tìm thấy {what} {key}")


class InvalidInputError(WorkflowError):
    """An argument is malformed; ``field`` names it."""

    code = "invalid_input"

    def __init__(self, field: str, message: str, message_vi: str) -> None:
        super().__init__(f"{field}: {message}", f"{field}: {message_vi}")
        self.field = field


class NotAllowedInStateError(WorkflowError):
    """The event does not apply to a transcript in its current status."""

    code = "not_allowed_in_state"

    def __init__(self, event: str, status: str) -> None:
        super().__init__(
            f"'{event}' is not allowed while the transcript is {status}",
            f"Không thể thực hiện '{event}' khi học bạ đang ở trạng thái {status}",
        )
        self.event = event
        self.status = status


class NotAssignedError(WorkflowError):
    """The actor holds no assignment that covers this transcript, class or subject now."""

    code = "not_assigned"

    def __init__(self, duty: str, duty_vi: str) -> None:
        super().__init__(f"you are not {duty}", f"Bạn không phải là {duty_vi}")
        self.duty = duty


class AdministratorForbiddenError(WorkflowError):
    """The administrator account may not touch academic data (REQ-07)."""

    code = "administrator_forbidden"

    def __init__(self) -> None:
        super().__init__(
            "the administrator account may not act on academic data",
            "Tài khoản quản trị không được thao tác trên dữ liệu học tập",
        )


class DataLockedError(WorkflowError):
    """The data is locked (finalized or past the lock date) and can no longer change."""

    code = "data_locked"

    def __init__(self, why: str, why_vi: str) -> None:
        super().__init__(f"data is locked: {why}", f"Dữ liệu đã khoá: {why_vi}")


class LockDatePassedError(WorkflowError):
    """Revocation is only possible before the lock date (REQ-22)."""

    code = "lock_date_passed"

    def __init__(self, lock_at: str) -> None:
        super().__init__(
            f"the lock date {lock_at} has passed; request a correction instead",
            f"Đã qua thời hạn khoá dữ liệu {lock_at}; hãy lập đề nghị chỉnh lý",
        )


class NotYetLockedError(WorkflowError):
    """A correction request is only for a locked transcript (REQ-23)."""

    code = "not_locked_yet"

    def __init__(self, lock_at: str) -> None:
        super().__init__(
            f"the transcript locks at {lock_at}; before that, revoke it instead",
            f"Học bạ chỉ khoá vào {lock_at}; trước thời điểm đó hãy thu hồi học bạ",
        )


class SlotAlreadySignedError(WorkflowError):
    """The signature slot already holds a live signature."""

    code = "already_signed"

    def __init__(self, slot: str) -> None:
        super().__init__(f"slot {slot} is already signed", f"Vị trí ký {slot} đã được ký")
        self.slot = slot


class SubjectNotInTranscriptError(WorkflowError):
    """The subject is not one of the transcript's subjects."""

    code = "subject_not_in_transcript"

    def __init__(self, subject_code: str) -> None:
        super().__init__(
            f"subject {subject_code} is not part of this transcript",
            f"Môn {subject_code} không thuộc học bạ này",
        )


class ReasonRequiredError(InvalidInputError):
    """Returning, revoking and requesting a correction need a written reason."""

    code = "reason_required"

    def __init__(self) -> None:
        super().__init__("reason", "a reason is required", "cần ghi rõ lý do")


class OrganisationCertificateRequiredError(WorkflowError):
    """The school seal (DonVi) must be made with the school's organisation certificate."""

    code = "organisation_certificate_required"

    def __init__(self) -> None:
        super().__init__(
            "the school seal needs the school's organisation certificate",
            "Cần chứng thư số tổ chức của nhà trường để đóng dấu",
        )


class ConflictError(WorkflowError):
    """Someone else changed the same transcript at the same time; reload and try again."""

    code = "conflict"

    def __init__(self, what: str) -> None:
        super().__init__(
            f"{what} was changed by someone else at the same time; reload and try again",
            f"{what} vừa được người khác thay đổi; hãy tải lại và thử lại",
        )
