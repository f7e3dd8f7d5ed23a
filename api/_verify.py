"""``POST /api/v1/verify``: anyone uploads a transcript (XML or PDF) and gets the verification
report of transcript-format.md — the same function as ``hocba verify``. Public, rate limited
per address, the upload capped at the largest file the verifier accepts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from litestar import Response, post
from litestar.datastructures import State, UploadFile
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.middleware.rate_limit import RateLimitConfig
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import Body

from api._openapi import problem_spec
from api._trust import TrustRoots
from domain.signatures import MAX_PDF_BYTES, verify_transcript_file
from workflow import Settings

MAX_UPLOAD_BYTES = MAX_PDF_BYTES + 64 * 1024
"""The largest file the verifier takes, plus room for the multipart envelope."""


def verify_rate_limit(settings: Settings) -> RateLimitConfig:
    """At most ``verify_rate_limit_per_minute`` uploads per client address."""
    return RateLimitConfig(
        rate_limit=("minute", settings.verify_rate_limit_per_minute), store="verify_rate_limit"
    )


@dataclass
class VerifyForm:
    """The upload: one transcript file."""

    file: Annotated[UploadFile, Body(description="The XML or PDF transcript.")]


VERIFY_PROBLEMS: dict[int, ResponseSpec] = {
    400: problem_spec("The body is not a multipart form."),
    413: problem_spec("The upload is larger than the verifier accepts."),
    422: problem_spec("The form has no `file` field."),
    429: problem_spec("Too many uploads from this address."),
    503: problem_spec("No trust roots are configured."),
}


@post(
    "/verify",
    status_code=200,
    sync_to_thread=True,
    request_max_body_size=MAX_UPLOAD_BYTES,
    responses=VERIFY_PROBLEMS,
    tags=["verify"],
    summary="Verify a transcript file (XML or PDF)",
)
def verify(
    *,
    data: Annotated[VerifyForm, Body(media_type=RequestEncodingType.MULTI_PART)],
    state: State,
    now: NamedDependency[datetime],
) -> Response[dict[str, Any]]:
    """The verification report: `valid`, the overall `indication`, each signature with its
    signer, time and findings, and what is missing. A file that is no transcript at all gets
    a report too (`format` `unknown`, `valid` false). Runs in a worker thread: checking
    signatures and certificates is CPU work and may ask OCSP/CRL services."""
    roots: TrustRoots = state.trust_roots
    trust = roots.settings()
    content = data.file.file.read(MAX_PDF_BYTES + 1)
    report = verify_transcript_file(content, trust=trust, now=now)
    return Response(report.to_json(), media_type="application/json")
