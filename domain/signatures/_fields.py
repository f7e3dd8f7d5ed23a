"""Where the PDF transcript is signed: the three visible signature fields and their boxes.

The layout is the domain's (REQ-11), shared by the renderer that draws the boxes and by the
PAdES step that puts a field exactly over each of them. All fields are created in one
incremental update right after rendering, before the first signature: a field added later
would be a change the earlier signatures do not cover.
"""

from __future__ import annotations

import io
from typing import Final

from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.sign.fields import (
    FieldMDPAction,
    FieldMDPSpec,
    MDPPerm,
    SigFieldSpec,
    append_signature_field,
)
from pyhanko.sign.general import SigningError

from domain.model import TranscriptKind
from domain.signatures._pades_errors import PdfUnreadableError

FIELD_GVCN: Final = "GVCN"
"""The homeroom teacher's field (giáo viên chủ nhiệm)."""
FIELD_HIEU_TRUONG: Final = "HieuTruong"
"""The principal's field (hiệu trưởng)."""
FIELD_DON_VI: Final = "DonVi"
"""The school seal's field (đơn vị): the organisation certificate."""
FIELD_NAMES: Final = (FIELD_GVCN, FIELD_HIEU_TRUONG, FIELD_DON_VI)
"""Every signature field, in signing order."""

KIND_INFO_KEY: Final = "loaihocba"
"""The key of the PDF's document information that names the transcript's kind
(``LoaiHocBa``; lower case, as HTML metadata names reach the PDF). The renderer writes it in
the original revision, which every signature covers; the verifier reads it from that
revision only, so no later update can change it."""

REQUIRED_FIELDS: Final[dict[TranscriptKind, tuple[str, ...]]] = {
    TranscriptKind.CA_NAM: FIELD_NAMES,
    TranscriptKind.CHUYEN_TRUONG: (FIELD_HIEU_TRUONG, FIELD_DON_VI),
    TranscriptKind.SO_HOA: (FIELD_HIEU_TRUONG, FIELD_DON_VI),
}
"""The fields each kind must have signed (transcript-format.md: an annual record needs the
homeroom teacher, the principal and the seal; a transfer or digitised record the principal
and the seal)."""


COPY_KIND: Final = "BanSao"
"""The kind a certified paper copy (REQ-28) names in its document information: a copy of
issued transcripts that the school certifies with its seal alone (``DonVi``)."""


def required_fields(kind: str | None) -> tuple[str, ...]:
    """The fields a PDF of ``kind`` must have signed; every field when the kind is unknown
    (a PDF that names none, or names something else, is held to the strictest profile)."""
    known = {k.value: fields for k, fields in REQUIRED_FIELDS.items()}
    known[COPY_KIND] = (FIELD_DON_VI,)
    return known.get(kind or "", FIELD_NAMES)


SIGNATURE_PAGE: Final = -1
"""The page that carries the signature boxes, as pyHanko counts (0-based, negative from the
back): always the last. The signature sheet is a page of its own after the subject table,
and a table with long comments runs over more than one page."""

SIGNATURE_BOXES: Final[dict[str, tuple[int, float, float, float, float]]] = {
    FIELD_GVCN: (SIGNATURE_PAGE, 56.0, 300.0, 266.0, 420.0),
    FIELD_HIEU_TRUONG: (SIGNATURE_PAGE, 329.28, 300.0, 539.28, 420.0),
    # REQ-11: the school seal (DonVi) goes at the principal's position, over the left third
    # of the HieuTruong box, with the same vertical extent.
    FIELD_DON_VI: (SIGNATURE_PAGE, 329.28, 300.0, 399.28, 420.0),
}
"""Signature field name → (page, x1, y1, x2, y2) in PDF points, origin at the bottom left."""


def field_specs() -> tuple[SigFieldSpec, ...]:
    """pyHanko's description of every field, boxes and lock included."""
    return tuple(_spec(name) for name in FIELD_NAMES)


def add_signature_fields(pdf: bytes) -> bytes:
    """``pdf`` with every empty signature field added, in one incremental update.

    Each field carries a lock dictionary whose DocMDP value (P=2) says that, once it is
    signed, only form filling and further signatures may follow; viewers that read PDF 2.0
    locks (and pyHanko's modification analysis) then flag an added annotation as illegal.
    Raises PdfUnreadableError when ``pdf`` cannot be read or already has these fields.
    """
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=True)
        for spec in field_specs():
            append_signature_field(writer, spec)
        out = io.BytesIO()
        writer.write(out)  # type: ignore[no-untyped-call]
    except (PdfError, SigningError, ValueError, KeyError, IndexError, TypeError) as error:
        raise PdfUnreadableError(f"cannot add the signature fields: {error}") from None
    return out.getvalue()


def add_seal_field(pdf: bytes, *, page: int, box: tuple[float, float, float, float]) -> bytes:
    """``pdf`` with the school seal's empty field (``DonVi``) alone, on ``page`` (0-based) at
    ``box`` (x1, y1, x2, y2 in points, origin bottom left), in one incremental update: the
    certified paper copy's only signature. Raises PdfUnreadableError."""
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=True)
        append_signature_field(writer, _spec(FIELD_DON_VI, (page, *box)))
        out = io.BytesIO()
        writer.write(out)  # type: ignore[no-untyped-call]
    except (PdfError, SigningError, ValueError, KeyError, IndexError, TypeError) as error:
        raise PdfUnreadableError(f"cannot add the seal field: {error}") from None
    return out.getvalue()


def _spec(name: str, where: tuple[int, float, float, float, float] | None = None) -> SigFieldSpec:
    page, x1, y1, x2, y2 = where or SIGNATURE_BOXES[name]
    return SigFieldSpec(
        sig_field_name=name,
        on_page=page,
        # pyHanko types the box as ints but writes whatever numbers it is given; the
        # DonVi third of the principal's box is not a whole number of points.
        box=(x1, y1, x2, y2),  # type: ignore[arg-type]
        field_mdp_spec=FieldMDPSpec(action=FieldMDPAction.INCLUDE, fields=[]),
        doc_mdp_update_value=MDPPerm.FILL_FORMS,
    )
