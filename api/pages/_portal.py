"""``/xac-thuc``: the public verification portal (REQ-13), print-friendly.

Anyone may upload an XML or PDF transcript and read the verdict and every signature's
details in plain Vietnamese (under the form, without a reload, when JavaScript runs).
Trust roots as ``hocba verify``: the configured bundle, else (demo mode) the demo PKI's
root, else nothing is trusted.
"""

from __future__ import annotations

from pathlib import Path

from litestar import Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency

from api.pages._core import PageError, Visit
from domain.signatures import (
    MAX_PDF_BYTES,
    TrustRootsError,
    TrustSettings,
    VerificationReport,
    describe_vi,
    load_trust_roots,
    role_vi,
    verdict_vi,
    verify_transcript_file,
)
from workflow import Settings


def trust_roots_file(settings: Settings) -> Path | None:
    """HOCBA_TRUST_ROOTS, else (demo mode) the demo PKI's root."""
    if settings.trust_roots is not None:
        return settings.trust_roots
    return settings.data_dir / "pki" / "root-ca.pem" if settings.demo else None


def _trust(settings: Settings) -> TrustSettings:
    path = trust_roots_file(settings)
    if path is None:
        raise PageError(503, "Chưa cấu hình chứng thư gốc tin cậy; chưa thể xác thực.")
    try:
        return TrustSettings(trust_roots=load_trust_roots(path.read_bytes()))
    except (OSError, TrustRootsError):
        raise PageError(503, "Không đọc được chứng thư gốc tin cậy đã cấu hình.") from None


@get("/xac-thuc", include_in_schema=False)
async def portal(*, visit: NamedDependency[Visit]) -> Response[str]:
    """The upload form."""
    return visit.render("verify.html.j2", report=None, file_name=None)


@post("/xac-thuc", include_in_schema=False, request_max_body_size=MAX_PDF_BYTES + 65536)
async def verify_upload(*, visit: NamedDependency[Visit]) -> Response[str]:
    """Verify the uploaded file and show the report."""
    form = await visit.form()
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise PageError(422, "Hãy chọn một tệp XML hoặc PDF để xác thực.")
    data = await upload.read(MAX_PDF_BYTES + 1)
    if not data:
        raise PageError(422, "Tệp đã chọn rỗng.")
    trust = _trust(visit.settings)
    report: VerificationReport = await visit.run(
        lambda: verify_transcript_file(data, trust=trust, now=visit.now)
    )
    return visit.render(
        # htmx puts the report under the form; without JavaScript the whole page follows.
        "verify_report.html.j2" if visit.htmx else "verify.html.j2",
        report=report,
        file_name=(upload.filename or "")[:200],
        verdict_vi=verdict_vi,
        describe_vi=describe_vi,
        role_vi=role_vi,
        checked_at=visit.now,
    )
