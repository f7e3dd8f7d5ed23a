"""Verification of one new PDF signature appended to an already verified PDF.

Each signer of the transcript's PDF adds one incremental update (its signature, and for the
seal the validation data after it). ``verify_pdf`` validates every signature of the file,
each with pyHanko's analysis of every revision after it: at the seal's step that is three
CMS, chain and timestamp validations and six revision analyses, most of them repeated from
the steps before. Here the earlier file must be a byte-for-byte prefix of the new one, so
every earlier signature's ``/ByteRange`` still covers exactly the bytes it covered when it
was verified; what was appended is analysed once against the policy the earlier signatures
set (their DocMDP and field locks: form filling and further signatures only), and the new
signature is validated as ``verify_pdf`` validates any (integrity, CMS, chain, timestamp,
coverage, what follows it). The argument in full: docs/verification.md.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from cryptography import x509
from pyhanko.sign.diff_analysis import DEFAULT_DIFF_POLICY, SuspiciousModification
from pyhanko.sign.fields import FieldMDPSpec, MDPPerm, enumerate_sig_fields
from pyhanko.sign.validation import EmbeddedPdfSignature
from pyhanko_certvalidator import ValidationContext

from domain.signatures._pades_common import to_asn1
from domain.signatures._pades_verify import (
    _ALLOWED_AFTER_SIGNING,
    MAX_PDF_BYTES,
    MAX_REVISIONS,
    MAX_SIGNATURES,
    MODIFIED_AFTER_SIGNING,
    PDF_TOO_LARGE,
    PDF_UNPARSEABLE,
    TOO_MANY_REVISIONS,
    TOO_MANY_SIGNATURES,
    PdfSignatureCheck,
    _check,
    _Reader,
)

BASE_CHANGED: Final = "base_changed"
"""The new file does not begin with the earlier (verified) file's bytes."""
SIGNATURE_NOT_NEW: Final = "signature_not_new"
"""The field named as new is not the one signed in the appended revisions."""


@dataclass(frozen=True, slots=True)
class PdfUpdateVerification:
    """What ``verify_pdf_update`` found."""

    fields: tuple[str, ...]
    """Every filled signature field of the new file, in signing order."""
    new: PdfSignatureCheck | None
    """The new signature's full check; None when the file could not get that far."""
    errors: tuple[str, ...]
    """What is wrong with the update as a whole (``base_changed``, ``modified_after_signing``
    for appended revisions the earlier signatures do not allow, the file-level codes of
    ``verify_pdf``)."""

    @property
    def valid(self) -> bool:
        """The update is allowed and its new signature passes."""
        return not self.errors and self.new is not None and self.new.ok


def verify_pdf_update(
    data: bytes,
    *,
    base: bytes | None,
    field: str,
    now: datetime,
    trust_roots: Sequence[x509.Certificate] = (),
    max_bytes: int = MAX_PDF_BYTES,
) -> PdfUpdateVerification:
    """Verify ``data``: ``base`` with ``field``'s signature appended (None: a fresh file, whose
    only signature ``field``'s must be).

    ``base`` must be a PDF that passed ``verify_pdf`` (or this function) before. ``data`` must
    begin with it byte for byte (else ``base_changed``, nothing else is looked at); the
    revisions appended after it must make only the changes every earlier signature allows
    (pyHanko's difference analysis under their DocMDP and field locks) and fill ``field``
    alone; ``field``'s signature is validated in full against ``trust_roots`` at ``now``.
    Never raises for a bad file.
    """
    if len(data) > max_bytes:
        return PdfUpdateVerification((), None, (PDF_TOO_LARGE,))
    if base is not None and (len(data) <= len(base) or not data.startswith(base)):
        return PdfUpdateVerification((), None, (BASE_CHANGED,))
    try:
        reader = _Reader(io.BytesIO(data), None)
        revisions = int(reader.xrefs.total_revisions)
        if revisions > MAX_REVISIONS:
            return PdfUpdateVerification((), None, (TOO_MANY_REVISIONS,))
        filled = list(enumerate_sig_fields(reader, filled_status=True))
        if len(filled) > MAX_SIGNATURES:
            return PdfUpdateVerification((), None, (TOO_MANY_SIGNATURES,))
        embedded = [EmbeddedPdfSignature(reader, ref, name) for name, _v, ref in filled]
        embedded.sort(key=lambda signature: int(signature.signed_revision))
    except Exception:  # hostile bytes make pyHanko's reader raise nearly anything
        return PdfUpdateVerification((), None, (PDF_UNPARSEABLE,))
    fields = tuple(signature.field_name for signature in embedded)
    # Without a base nothing earlier was verified: the new signature must be the only one.
    alone = base is not None or len(fields) == 1
    if not fields or fields[-1] != field or fields.count(field) != 1 or not alone:
        return PdfUpdateVerification(fields, None, (SIGNATURE_NOT_NEW,))
    errors = () if base is None else _appended_changes(reader, embedded[:-1], len(base), field)

    def context() -> ValidationContext:
        trusted = [to_asn1(root) for root in trust_roots]
        return ValidationContext(trust_roots=trusted, moment=now, allow_fetching=False)

    _revision, new = _check(reader, field, filled[fields.index(field)][2], context)
    return PdfUpdateVerification(fields, new, errors)


def _appended_changes(
    reader: _Reader, earlier: Sequence[EmbeddedPdfSignature], base_length: int, field: str
) -> tuple[str, ...]:
    """``modified_after_signing`` unless the revisions after the base are allowed by every
    earlier signature's policy and change no form field but ``field``."""
    try:
        last_base = max(
            revision
            for revision in range(int(reader.xrefs.total_revisions))
            if reader.xrefs.get_xref_container_info(revision).end_location <= base_length
        )
        for signature in earlier:
            if int(signature.signed_revision) > last_base:
                return (SIGNATURE_NOT_NEW,)
        # One analysis per distinct policy (all the transcript's fields carry the same lock).
        policies: list[tuple[FieldMDPSpec | None, MDPPerm | None]] = []
        for signature in earlier or ():
            policy = (signature.fieldmdp, signature.docmdp_level)
            if policy not in policies:
                policies.append(policy)
        for field_mdp, doc_mdp in policies or [(None, None)]:
            result = DEFAULT_DIFF_POLICY.review_file(
                reader, last_base, field_mdp_spec=field_mdp, doc_mdp=doc_mdp
            )
            if isinstance(result, SuspiciousModification):
                return (MODIFIED_AFTER_SIGNING,)
            if result.modification_level not in _ALLOWED_AFTER_SIGNING or not (
                result.changed_form_fields <= {field}
            ):
                return (MODIFIED_AFTER_SIGNING,)
    except Exception:  # a file pyHanko cannot analyse is refused, never passed
        return (MODIFIED_AFTER_SIGNING,)
    return ()
