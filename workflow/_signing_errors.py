"""Typed errors of two-step signing: the certificate, the session, the document."""

from __future__ import annotations

from datetime import datetime

from workflow._errors import DataLockedError, InvalidInputError, WorkflowError


class CertificateUnreadableError(InvalidInputError):
    """The certificate chain given is empty or not DER/X.509."""

    code = "certificate_unreadable"

    def __init__(self, why: str) -> None:
        super().__init__("certificate", why, "chứng thư số không đọc được")


class CertificateNotValidError(WorkflowError):
    """The signer's certificate is not within its validity period at the signing time."""

    code = "certificate_not_valid"

    def __init__(self, not_before: datetime, not_after: datetime, at: datetime) -> None:
        super().__init__(
            f"the certificate is valid from {not_before.isoformat()} to "
            f"{not_after.isoformat()}, not at {at.isoformat()}",
            f"chứng thư số chỉ có hiệu lực từ {not_before:%d/%m/%Y} đến {not_after:%d/%m/%Y}",
        )
        self.not_before, self.not_after = not_before, not_after


class CertificateNotTrustedError(WorkflowError):
    """The signer's certificate does not chain to a trust root, is revoked, or its status
    cannot be established at the signing time (the trust layer's verdict)."""

    code = "certificate_not_trusted"

    def __init__(self, reasons: tuple[str, ...]) -> None:
        super().__init__(
            f"the certificate is not trusted for signing: {', '.join(reasons) or 'unknown'}",
            "chứng thư số không được tin cậy để ký (không thuộc tổ chức chứng thực được tin "
            "cậy, đã bị thu hồi hoặc chưa kiểm tra được)",
        )
        self.reasons = reasons


class TrustRootsMissingError(WorkflowError):
    """No trust root is configured (``HOCBA_TRUST_ROOTS`` unset outside demo mode): no
    signer's certificate can be checked, so nothing is signed."""

    code = "trust_roots_missing"

    def __init__(self) -> None:
        super().__init__(
            "no trust roots are configured: set HOCBA_TRUST_ROOTS to the PEM bundle of the "
            "certification authorities whose certificates may sign",
            "Máy chủ chưa cấu hình tổ chức chứng thực được tin cậy (HOCBA_TRUST_ROOTS); "
            "chưa thể ký. Hãy báo quản trị hệ thống.",
        )


class CertificateNotOwnedError(WorkflowError):
    """The certificate is not the signer's: another person's, or not the school's seal."""

    code = "certificate_not_owned"

    def __init__(self, why: str, why_vi: str) -> None:
        super().__init__(f"the certificate is not the signer's: {why}", why_vi)


class SignedXmlMismatchError(DataLockedError):
    """The transcript's data no longer matches what an earlier signature in its XML covers."""

    code = "signed_xml_mismatch"

    def __init__(self, transcript_id: str, detail: str) -> None:
        super().__init__(
            f"transcript {transcript_id}: the data differs from what is already signed ({detail})",
            f"học bạ {transcript_id}: dữ liệu khác với phần đã được ký ({detail})",
        )
        self.transcript_id = transcript_id
        self.detail = detail


class DocumentNotPreparableError(WorkflowError):
    """The XML document of a transcript cannot take this signature now (``reason`` says why)."""

    code = "document_not_preparable"

    def __init__(self, transcript_id: str, reason: str) -> None:
        super().__init__(
            f"transcript {transcript_id}: cannot prepare the signature: {reason}",
            f"học bạ {transcript_id}: chưa thể chuẩn bị chữ ký ({reason})",
        )
        self.transcript_id = transcript_id
        self.reason = reason


class SigningSessionExpiredError(WorkflowError):
    """The session's time to complete has passed; prepare a new one."""

    code = "signing_session_expired"

    def __init__(self, expires_at: datetime) -> None:
        super().__init__(
            f"the signing session expired at {expires_at.isoformat()}",
            "Phiên ký đã hết hạn; hãy bắt đầu lại",
        )
        self.expires_at = expires_at


class SigningSessionNotYoursError(WorkflowError):
    """Only the signer who prepared a session completes it."""

    code = "signing_session_not_yours"

    def __init__(self) -> None:
        super().__init__(
            "the signing session belongs to another signer", "Phiên ký này của người khác"
        )


class SigningSessionCompletedError(WorkflowError):
    """The session was completed already (each session completes once)."""

    code = "signing_session_completed"

    def __init__(self) -> None:
        super().__init__(
            "the signing session was completed already", "Phiên ký này đã được hoàn tất"
        )


class SignerFailedError(WorkflowError):
    """A server-side signer (PKCS#12, PKCS#11) could not sign."""

    code = "signer_failed"

    def __init__(self, why: str) -> None:
        super().__init__(f"the signer failed: {why}", f"Không ký được: {why}")


class SignedDocumentInvalidError(WorkflowError):
    """The assembled document does not verify (or cannot be merged): its new signature, or
    the rest against the stored XML."""

    code = "document_invalid"

    def __init__(self, detail: str) -> None:
        super().__init__(f"the signed document does not verify: {detail}", "Tệp đã ký không hợp lệ")


class TranscriptMovedError(WorkflowError):
    """The transcript's signed XML changed since the session was prepared."""

    code = "transcript_changed"

    def __init__(self) -> None:
        super().__init__(
            "the transcript changed since the signature was prepared",
            "Học bạ đã thay đổi kể từ khi chuẩn bị ký",
        )
