"""Plain Vietnamese words for a report's verdicts and reasons (the CLI, the web portal).

JSON keeps the English codes; these sentences are for the people who read a verdict. A code
without a sentence of its own (from a newer version) still gets a general one, never nothing.
"""

from __future__ import annotations

from domain.documents import ProblemCode
from domain.signatures._codes import ErrorCode, Finding
from domain.signatures._indications import Indication

_VERDICTS = {
    Indication.TOTAL_PASSED: "hợp lệ",
    Indication.TOTAL_FAILED: "không hợp lệ",
    Indication.INDETERMINATE: "chưa xác định",
}

_ROLES = {
    "subject_teacher": "Giáo viên bộ môn",
    "homeroom_teacher": "Giáo viên chủ nhiệm",
    "principal": "Hiệu trưởng",
    "school": "Nhà trường (con dấu số)",
}

_REASONS: dict[str, str] = {
    # The file.
    ErrorCode.EMPTY_INPUT: "Tệp rỗng.",
    ErrorCode.NOT_A_TRANSCRIPT: "Tệp không phải học bạ số (không phải XML hay PDF).",
    ErrorCode.INPUT_TOO_LARGE: "Tệp lớn hơn mức cho phép.",
    ErrorCode.UNPROCESSABLE_INPUT: "Không xử lý được tệp.",
    # PDF files and their signatures (pyHanko).
    "pdf_unparseable": "Không đọc được tệp PDF (tệp hỏng hoặc không đúng định dạng).",
    "pdf_too_large": "Tệp PDF lớn hơn mức cho phép.",
    "too_many_signatures": "Tệp PDF có nhiều chữ ký hơn một học bạ có thể có.",
    "too_many_revisions": "Tệp PDF bị cập nhật quá nhiều lần.",
    "duplicate_field": "Tệp PDF có hai ô chữ ký trùng tên.",
    "unexpected_field": "Chữ ký nằm ở ô không dành cho người ký học bạ.",
    "not_a_signature": "Ô chữ ký không chứa chữ ký số.",
    "subfilter_not_allowed": "Chữ ký PDF không theo chuẩn PAdES.",
    "signature_unparseable": "Không đọc được chữ ký trong tệp PDF.",
    "signature_unverifiable": "Không kiểm tra được chữ ký trong tệp PDF.",
    "digest_mismatch": "Nội dung tệp PDF đã bị thay đổi sau khi ký.",
    "signature_invalid": "Giá trị chữ ký không đúng với chứng thư số.",
    "byte_range_incomplete": "Chữ ký không bao phủ toàn bộ tệp PDF tại thời điểm ký.",
    "modified_after_signing": (
        "Tệp PDF bị sửa sau khi ký (thay nội dung trang hoặc thêm chú thích)."
    ),
    "timestamp_invalid": "Dấu thời gian của chữ ký không hợp lệ.",
    # Parsing and structure (domain.documents).
    ProblemCode.DOCTYPE_FORBIDDEN: "Tệp chứa khai báo DOCTYPE, không được phép.",
    ProblemCode.ENCODING_NOT_ALLOWED: "Tệp không được mã hoá UTF-8.",
    ProblemCode.MALFORMED_XML: "Tệp XML bị lỗi cú pháp.",
    ProblemCode.SCHEMA_INVALID: "Nội dung không đúng cấu trúc học bạ số (lược đồ XSD).",
    ProblemCode.PROCESSING_INSTRUCTION: "Tệp chứa chỉ thị xử lý không được phép.",
    ProblemCode.UNEXPECTED_NAMESPACE: "Tệp chứa không gian tên lạ.",
    ProblemCode.DUPLICATE_ID: "Tệp có mã định danh (Id) bị trùng.",
    ProblemCode.UNEXPECTED_ID: "Tệp có mã định danh (Id) không đúng chỗ.",
    ProblemCode.SIGNATURE_OUTSIDE_SLOT: "Có chữ ký nằm ngoài vị trí dành cho chữ ký.",
    ProblemCode.SLOTS_DO_NOT_MATCH_KIND: "Danh sách người ký không đúng với loại học bạ.",
    ProblemCode.DATA_INCONSISTENT: "Dữ liệu học bạ không nhất quán.",
    ProblemCode.SIGNATURE_IN_WRONG_SLOT: "Chữ ký nằm sai vị trí (bị chuyển chỗ hoặc đổi thứ tự).",
    ProblemCode.SIGNATURE_SHAPE: "Chữ ký không đúng cấu trúc quy định.",
    ProblemCode.UNEXPECTED_REFERENCES: "Chữ ký không ký đúng các phần dữ liệu quy định.",
    ProblemCode.REFERENCE_MISPLACED: "Chữ ký trỏ tới dữ liệu ở sai vị trí.",
    ProblemCode.ALGORITHM_NOT_ALLOWED: "Chữ ký dùng thuật toán không được chấp nhận.",
    ProblemCode.KEY_INFO: "Chữ ký không kèm chứng thư số của người ký.",
    ProblemCode.CERTIFICATE_UNREADABLE: "Không đọc được chứng thư số kèm theo chữ ký.",
    ProblemCode.SIGNING_TIME_INVALID: "Thời điểm ký bị thiếu hoặc sai định dạng.",
    ProblemCode.DIGEST_MISMATCH: "Nội dung đã bị thay đổi sau khi ký.",
    ProblemCode.SIGNATURE_VALUE_INVALID: "Giá trị chữ ký không đúng với chứng thư số.",
    ProblemCode.SIGNATURE_MISSING: "Thiếu chữ ký bắt buộc.",
    ProblemCode.SIGNING_TIME_ORDER: "Thời điểm ký sớm hơn chữ ký phải có trước nó.",
    # The signer's certificate.
    ErrorCode.SIGNING_CERTIFICATE_MISSING: "Không có chứng thư số của người ký.",
    ErrorCode.SIGNING_TIME_MISSING: "Không có thời điểm ký để kiểm tra chứng thư số.",
    ErrorCode.CERTIFICATE_EXPIRED: "Chứng thư số đã hết hạn vào thời điểm ký.",
    ErrorCode.CERTIFICATE_NOT_YET_VALID: "Chứng thư số chưa có hiệu lực vào thời điểm ký.",
    ErrorCode.CERTIFICATE_REVOKED: "Chứng thư số đã bị thu hồi trước thời điểm ký.",
    ErrorCode.CERTIFICATE_REVOKED_AFTER_SIGNING: (
        "Chứng thư số đã bị thu hồi sau thời điểm ghi trong chữ ký; không có dấu thời gian "
        "chứng minh chữ ký được tạo trước khi thu hồi."
    ),
    ErrorCode.CA_CERTIFICATE_REVOKED: "Chứng thư của tổ chức cấp chứng thư số đã bị thu hồi.",
    ErrorCode.CHAIN_UNTRUSTED: "Chứng thư số không do tổ chức chứng thực được tin cậy cấp.",
    ErrorCode.CHAIN_INVALID: "Chuỗi chứng thư số không hợp lệ.",
    ErrorCode.WEAK_CERTIFICATE_ALGORITHM: "Chuỗi chứng thư số dùng thuật toán yếu.",
    ErrorCode.REVOCATION_UNKNOWN: (
        "Chưa kiểm tra được tình trạng thu hồi của chứng thư số (máy chủ OCSP/CRL không trả lời); "
        "hãy thử lại sau."
    ),
    ErrorCode.REVOCATION_NOT_PUBLISHED: "Chứng thư số không công bố nơi kiểm tra thu hồi.",
    ErrorCode.KEY_USAGE_NOT_ALLOWED: "Chứng thư số không được phép dùng để ký.",
    ErrorCode.ORGANISATION_CERTIFICATE_REQUIRED: (
        "Chữ ký của nhà trường phải dùng chứng thư số của tổ chức, không phải của cá nhân."
    ),
    ErrorCode.ORGANISATION_NOT_OF_SCHOOL: (
        "Chứng thư số đóng dấu không phải của trường ghi trên học bạ (mã số thuế khác mã trường)."
    ),
    ErrorCode.CERTIFICATE_UNPROCESSABLE: "Không xử lý được chứng thư số kèm theo chữ ký.",
    ErrorCode.VALIDATION_TIMED_OUT: (
        "Kiểm tra chứng thư số quá thời gian cho phép; hãy thử lại sau."
    ),
}


def verdict_vi(indication: Indication) -> str:
    """``hợp lệ``, ``không hợp lệ`` or ``chưa xác định``."""
    return _VERDICTS[indication]


def role_vi(role: str) -> str:
    """The signer's role in Vietnamese (``principal`` → ``Hiệu trưởng``)."""
    return _ROLES.get(role, role)


def describe_vi(reason: Finding | str) -> str:
    """One sentence in Vietnamese for an error code (or a finding), for people to read."""
    code = reason.code if isinstance(reason, Finding) else reason
    return _REASONS.get(code, f"Lỗi khi kiểm tra ({code}).")


def known_codes() -> frozenset[str]:
    """Every code that has a sentence of its own."""
    return frozenset(_REASONS)
