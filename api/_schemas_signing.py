"""Request and response schemas of two-step signing, certificate login and the demo signer."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec


def _d(text: str) -> msgspec.Meta:
    return msgspec.Meta(description=text)


MAX_BATCH = 200
"""Transcripts in one signing session (a class is at most ~50)."""
MAX_CERTIFICATE_TEXT = 32 * 1024
MAX_SIGNATURE_TEXT = 4096
"""Base64 of a signature value: an RSA-8192 value is 1,368 characters."""

TranscriptIdText = Annotated[
    str, msgspec.Meta(pattern="^[0-9A-Za-z-]{1,36}$", description="MaHocBa: a transcript id.")
]
Step = Literal["subject", "homeroom", "principal", "school"]
SubjectCode = Annotated[
    str,
    msgspec.Meta(
        pattern="^[A-Z0-9]{1,16}$", description="For the `subject` step only: e.g. `TOAN`."
    ),
]
CertificateText = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        max_length=MAX_CERTIFICATE_TEXT,
        description="A certificate: base64 of its DER, or PEM (a PEM text may hold the chain).",
    ),
]
Base64Signature = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        max_length=MAX_SIGNATURE_TEXT,
        description="Base64 of the signature value over `to_sign` (RSA PKCS#1 v1.5 or ECDSA "
        "as DER, SHA-256).",
    ),
]


class SigningSessionRequest(msgspec.Struct, forbid_unknown_fields=True):
    """Prepare one step's signature on a batch of transcripts (usually a class)."""

    transcript_ids: Annotated[
        list[TranscriptIdText],
        msgspec.Meta(min_length=1, max_length=MAX_BATCH, description="Distinct transcript ids."),
    ]
    step: Annotated[Step, _d("`subject`, `homeroom`, `principal` or `school` (the seal).")]
    certificate: Annotated[
        CertificateText | list[CertificateText],
        _d(
            "The signer's certificate, or the chain as a list (the signer's first, then "
            "intermediates): base64 DER or PEM."
        ),
    ]
    subject_code: SubjectCode | None = None


class CompletionItemIn(msgspec.Struct, forbid_unknown_fields=True):
    """The signature values the client made for one prepared transcript."""

    transcript_id: TranscriptIdText
    xml_signature: Base64Signature
    pdf_signature: Base64Signature | None = None


class CompletionRequest(msgspec.Struct, forbid_unknown_fields=True):
    """The values of a prepared session; an item left out is reported `signature_missing`."""

    items: Annotated[
        list[CompletionItemIn],
        msgspec.Meta(
            min_length=1, max_length=MAX_BATCH, description="One value per prepared transcript."
        ),
    ]


class ToSignOut(msgspec.Struct):
    """What the client signs for one format."""

    to_sign: Annotated[str, _d("Base64 of the exact bytes to sign.")]
    algorithm: Annotated[str, _d("`sha256WithRSA` (PKCS#1 v1.5) or `sha256WithECDSA`.")]


class PreparedItemOut(msgspec.Struct):
    """One transcript of a prepared session."""

    transcript_id: Annotated[str, _d("The transcript.")]
    xml: Annotated[ToSignOut, _d("The XML signature's `ds:SignedInfo`, canonical.")]
    pdf: Annotated[ToSignOut | None, _d("The PDF signature's signed attributes, if any.")] = None


class SigningSessionOut(msgspec.Struct):
    """A prepared session: sign every `to_sign`, then complete before `expires_at`."""

    session_id: Annotated[str, _d("The session's id.")]
    expires_at: Annotated[datetime, _d("Complete before this instant (UTC).")]
    items: Annotated[list[PreparedItemOut], _d("One per transcript, in the order asked.")]


class ItemResultOut(msgspec.Struct):
    """The outcome of one transcript."""

    transcript_id: Annotated[str, _d("The transcript.")]
    ok: Annotated[bool, _d("Signed and moved on; false: nothing changed.")]
    status: Annotated[str | None, _d("The transcript's status after the attempt.")]
    error: Annotated[str | None, _d("The refusal's code when `ok` is false.")] = None


class ItemResultList(msgspec.Struct):
    """Per-transcript results of a completion (or of the demo signer)."""

    items: Annotated[list[ItemResultOut], _d("One per transcript of the session.")]


class DemoSignRequest(msgspec.Struct, forbid_unknown_fields=True):
    """Sign a batch with the caller's demo key (demo mode only)."""

    transcript_ids: Annotated[
        list[TranscriptIdText],
        msgspec.Meta(min_length=1, max_length=MAX_BATCH, description="Distinct transcript ids."),
    ]
    step: Annotated[Step, _d("`subject`, `homeroom`, `principal` or `school` (the seal).")]
    subject_code: SubjectCode | None = None


class CertificateChallengeOut(msgspec.Struct):
    """A nonce to sign with the certificate's key; single use, short-lived."""

    challenge_id: Annotated[str, _d("Send it back with the signature.")]
    nonce: Annotated[str, _d("Base64 of the bytes to sign (SHA256withRSA or ECDSA).")]
    expires_at: Annotated[datetime, _d("Log in before this instant (UTC).")]


class CertificateLoginRequest(msgspec.Struct, forbid_unknown_fields=True):
    """A certificate login: the challenge, the certificate and the signature over the nonce."""

    challenge_id: Annotated[
        str, msgspec.Meta(pattern="^[0-9a-f-]{36}$", description="From `cert-challenge`.")
    ]
    certificate: Annotated[
        CertificateText | list[CertificateText],
        _d("The certificate (or chain, signer's first): base64 DER or PEM."),
    ]
    signature: Base64Signature
