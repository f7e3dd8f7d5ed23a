"""Typed errors of the workflow: each names the reason, in English and in Vietnamese."""

from __future__ import annotations

from dataclasses import dataclass
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
        super().__init__(
            f"{what} {key} not found", f"Không tìm thấy {_NOUNS_VI.get(what, what)} {key}"
        )


# What a school user reads in an error is Vietnamese: the objects NotFoundError names.
_NOUNS_VI: dict[str, str] = {
    "certified copy": "bản sao y",
    "class": "lớp",
    "correction request": "yêu cầu điều chỉnh",
    "digitised record": "học bạ số hóa",
    "entry correction": "yêu cầu sửa điểm",
    "entry window decision": "quyết định về thời hạn nhập điểm",
    "issued transcript of student": "học bạ đã phát hành tại trường của học sinh",
    "outbox message": "thông điệp gửi hệ thống của Sở",
    "person": "người dùng",
    "readable signed XML": "tệp XML đã ký đọc được",
    "role assignment": "phân công",
    "scanned original": "bản quét bản gốc",
    "school year": "năm học",
    "school": "trường",
    "share link": "liên kết chia sẻ",
    "signed file": "tệp đã ký",
    "signed XML": "tệp XML đã ký",
    "signing session": "phiên ký",
    "student": "học sinh",
    "transcript": "học bạ",
    "transfer": "hồ sơ chuyển trường",
}


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


class EntryWindowClosedError(DataLockedError):
    """Data entry for the period is closed: the tracking book is read-only (REQ-18)."""

    code = "entry_window_closed"

    def __init__(self, period: str, school_year: str) -> None:
        names = {
            "hk1": ("semester 1 (HK1)", "học kỳ I"),
            "hk2": ("semester 2 (HK2)", "học kỳ II"),
            "supplementary": (
                "the supplementary period (retests, summer training)",
                "đợt bổ sung (kiểm tra lại, rèn luyện hè)",
            ),
        }
        name, name_vi = names.get(period, (period, period))
        super().__init__(
            f"the entry window for {name} of {school_year} is closed; the tracking book is "
            "read-only until the principal decides to open it and the administrator does so",
            f"đã khoá nhập liệu {name_vi} năm học {school_year}; sổ theo dõi chỉ được xem cho "
            "đến khi hiệu trưởng quyết định mở và quản trị viên thực hiện",
        )
        self.period = period
        self.school_year = school_year


class EntrySignedError(DataLockedError):
    """The entry is signed on the student's transcript: only an entry correction changes it."""

    code = "entry_signed"

    def __init__(self, *, entry: str, entry_vi: str, student: str, slot: str) -> None:
        super().__init__(
            f"{entry} of {student} is signed on the transcript ({slot}); request an entry "
            "correction, which the principal approves",
            f"{entry_vi} của học sinh {student} đã được ký trên học bạ ({slot}); hãy lập đề "
            "nghị sửa sai sót để hiệu trưởng phê duyệt",
        )
        self.slot = slot


class EntryNotSignedError(WorkflowError):
    """A correction request for an entry nobody has signed: it can be changed directly."""

    code = "entry_not_signed"

    def __init__(self, entry: str, entry_vi: str) -> None:
        super().__init__(
            f"{entry} is not signed on any transcript; change it directly instead",
            f"{entry_vi} chưa được ký trên học bạ; hãy sửa trực tiếp",
        )


class DecisionNotDueError(WorkflowError):
    """The principal's decision takes effect later; it cannot be carried out before then."""

    code = "not_due_yet"

    def __init__(self, effective_at: str) -> None:
        super().__init__(
            f"the decision takes effect at {effective_at}; carry it out from then on",
            f"quyết định có hiệu lực từ {effective_at}; chỉ thực hiện từ thời điểm đó",
        )
        self.effective_at = effective_at


@dataclass(frozen=True, slots=True)
class EntryProblem:
    """One invalid value of a batch: whose it is, which field, and why it is refused."""

    student_id: int
    student_name: str
    field: str
    """Where the value sits in the input: ``regular[2]``, ``midterm``, ``conduct`` …"""
    field_vi: str
    """The same, as a Vietnamese teacher names it: ``ĐĐGtx3``, ``ĐĐGgk``, ``rèn luyện`` …"""
    value: object
    why: str
    why_vi: str


class InvalidEntryError(InvalidInputError):
    """Values of the tracking book that break the rules; nothing of the batch was applied.

    The message names the first problem (student and field); ``problems`` lists them all, so
    an import can report every cell at once.
    """

    code = "invalid_entry"

    def __init__(self, problems: tuple[EntryProblem, ...]) -> None:
        first = problems[0]
        more = len(problems) - 1
        WorkflowError.__init__(
            self,
            f"student {first.student_name} (id {first.student_id}), {first.field}: "
            f"{first.value!r} {first.why}" + (f" (and {more} more problems)" if more else ""),
            f"học sinh {first.student_name}, {first.field_vi}: {first.value!r} {first.why_vi}"
            + (f" (và {more} lỗi khác)" if more else ""),
        )
        self.field = first.field
        self.student_id = first.student_id
        self.problems = problems


# --- the year-end review and the transcript built from the tracking book ------------------


@dataclass(frozen=True, slots=True)
class TrackingGap:
    """One entry the tracking book still lacks for a student's year."""

    student_id: int
    student_name: str
    subject_code: str | None
    """The subject whose line lacks it; None for the homeroom record."""
    semester: int
    what: str
    """What is missing: ``the mid-term (ĐĐGgk)``, ``conduct`` …"""
    what_vi: str


class IncompleteTrackingError(WorkflowError):
    """The tracking book lacks entries the year's assessment needs; nothing was changed.

    The message names the first gap (student, subject, semester); ``gaps`` lists them all.
    """

    code = "tracking_incomplete"

    def __init__(self, gaps: tuple[TrackingGap, ...]) -> None:
        first = gaps[0]
        more = len(gaps) - 1
        where = first.subject_code or "homeroom record"
        where_vi = f"môn {first.subject_code}" if first.subject_code else "hồ sơ chủ nhiệm"
        super().__init__(
            f"the tracking book is incomplete: student {first.student_name} (id "
            f"{first.student_id}), {where} of semester {first.semester}: {first.what}"
            + (f" (and {more} more gaps)" if more else ""),
            f"Sổ theo dõi chưa đủ dữ liệu: học sinh {first.student_name}, {where_vi} học kỳ "
            f"{first.semester}: {first.what_vi}" + (f" (và {more} chỗ thiếu khác)" if more else ""),
        )
        self.student_id = first.student_id
        self.subject_code = first.subject_code
        self.gaps = gaps


class YearEndNotProposedError(WorkflowError):
    """The principal approves a proposal: there is none (for a student) yet."""

    code = "year_end_not_proposed"

    def __init__(self, class_name: str, student: str) -> None:
        super().__init__(
            f"the homeroom teacher of class {class_name} has not proposed the year-end results "
            f"of {student} yet",
            f"giáo viên chủ nhiệm lớp {class_name} chưa đề xuất kết quả cuối năm của học sinh "
            f"{student}",
        )
        self.student = student


class YearEndOutdatedError(WorkflowError):
    """The tracking book changed after the proposal: the homeroom teacher proposes again."""

    code = "year_end_outdated"

    def __init__(self, student: str) -> None:
        super().__init__(
            f"the tracking book of {student} changed after the year-end proposal; the homeroom "
            "teacher must propose again",
            f"sổ theo dõi của học sinh {student} đã thay đổi sau khi đề xuất kết quả cuối năm; "
            "giáo viên chủ nhiệm cần đề xuất lại",
        )
        self.student = student


class YearEndApprovedError(WorkflowError):
    """The year-end results of the class are approved already: they are not proposed again."""

    code = "year_end_approved"

    def __init__(self, class_name: str) -> None:
        super().__init__(
            f"the year-end results of class {class_name} are approved already",
            f"kết quả cuối năm của lớp {class_name} đã được phê duyệt",
        )


class NotInSupplementaryGroupError(WorkflowError):
    """Retest and summer-training results are only for the approved supplementary group."""

    code = "not_in_supplementary_group"

    def __init__(self, student: str) -> None:
        super().__init__(
            f"{student} is not in the approved retest / summer-training group",
            f"học sinh {student} không thuộc danh sách kiểm tra lại / rèn luyện hè đã phê duyệt",
        )
        self.student = student


class SignedDataChangedError(DataLockedError):
    """The tracking book differs from a part of the transcript a live signature covers."""

    code = "signed_data_changed"

    def __init__(self, *, part: str, part_vi: str, student: str, slot: str) -> None:
        super().__init__(
            f"{part} of {student}'s transcript is signed ({slot}) and the tracking book now "
            "differs from it; request an entry correction, which the principal approves and "
            "which reopens the transcript for signing again",
            f"{part_vi} trong học bạ của học sinh {student} đã được ký ({slot}) nhưng sổ theo "
            "dõi nay khác; hãy lập đề nghị sửa sai sót để hiệu trưởng phê duyệt và ký lại",
        )
        self.part = part
        self.slot = slot
