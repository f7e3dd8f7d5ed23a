"""A PDF signature between its two steps: a frozen value that can wait in a database."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Final

from domain.signatures._pades_common import ClientAlgorithm
from domain.signatures._pades_errors import PreparedPdfSignatureError

_FORMAT: Final = "hocba-pades-prepared/1"


class PadesLevel(StrEnum):
    """The PAdES baseline level a signature is made at (ETSI EN 319 142-1)."""

    B_B = "B-B"
    """The signature alone."""
    B_T = "B-T"
    """Plus a signature timestamp from a TSA (an unsigned attribute of the CMS)."""
    B_LT = "B-LT"
    """Plus the chain and revocation data in the document security store (DSS), added in a
    further incremental update, so the file stays verifiable after the certificates expire."""

    @property
    def timestamped(self) -> bool:
        """Whether the level needs a signature timestamp."""
        return self is not PadesLevel.B_B


@dataclass(frozen=True, slots=True, kw_only=True)
class PreparedPdfSignature:
    """One field's signature waiting for its value.

    ``document`` is the PDF with this signature's incremental update already written and its
    ``/Contents`` a zero-filled placeholder (bytes ``reserved_start``..``reserved_end``,
    the angle brackets included); ``document_digest`` is SHA-256 over everything else (the
    ``/ByteRange``). The client signs ``to_sign``; ``complete_pdf_signature`` puts the CMS
    into the placeholder.
    """

    field: str
    """The signature field (``GVCN``, ``HieuTruong``, ``DonVi``)."""
    level: PadesLevel
    """The level this signature will be completed at; room was reserved for it."""
    algorithm: ClientAlgorithm
    """How the client must sign ``to_sign``."""
    document: bytes
    """The prepared PDF with the reserved, zero-filled ``/Contents``."""
    document_digest: bytes
    """SHA-256 of the ``/ByteRange`` (the document without the placeholder)."""
    reserved_start: int
    """Offset of the ``<`` that opens the placeholder."""
    reserved_end: int
    """Offset just past the ``>`` that closes it."""
    signed_attributes: bytes
    """DER of the CMS signed attributes (content type, message digest, signing certificate)."""
    chain: tuple[bytes, ...]
    """DER of the signer's certificate, then intermediates."""
    signing_time: datetime
    """The time written into the signature dictionary (``/M``) and the appearance."""

    @property
    def to_sign(self) -> bytes:
        """The exact bytes the client signs: the DER of the signed attributes."""
        return self.signed_attributes

    @property
    def to_sign_digest(self) -> bytes:
        """SHA-256 of ``to_sign``, for signers that take a hash (HSM, remote services)."""
        return hashlib.sha256(self.signed_attributes).digest()

    def to_bytes(self) -> bytes:
        """A JSON serialisation for storage between the two steps (``from_bytes`` reads it)."""
        record = {
            "format": _FORMAT,
            "field": self.field,
            "level": self.level.value,
            "algorithm": self.algorithm.value,
            "document": _b64(self.document),
            "document_digest": _b64(self.document_digest),
            "reserved_start": self.reserved_start,
            "reserved_end": self.reserved_end,
            "signed_attributes": _b64(self.signed_attributes),
            "chain": [_b64(der) for der in self.chain],
            "signing_time": self.signing_time.isoformat(),
        }
        return json.dumps(record, separators=(",", ":")).encode("ascii")

    @classmethod
    def from_bytes(cls, data: bytes) -> PreparedPdfSignature:
        """The value ``to_bytes`` wrote; PreparedPdfSignatureError for anything else."""
        try:
            record: dict[str, Any] = json.loads(data)
            if record.get("format") != _FORMAT:
                raise PreparedPdfSignatureError("not a stored prepared PDF signature")
            signing_time = datetime.fromisoformat(record["signing_time"])
            prepared = cls(
                field=str(record["field"]),
                level=PadesLevel(record["level"]),
                algorithm=ClientAlgorithm(record["algorithm"]),
                document=_unb64(record["document"]),
                document_digest=_unb64(record["document_digest"]),
                reserved_start=_int(record["reserved_start"]),
                reserved_end=_int(record["reserved_end"]),
                signed_attributes=_unb64(record["signed_attributes"]),
                chain=tuple(_unb64(der) for der in record["chain"]),
                signing_time=signing_time,
            )
        except PreparedPdfSignatureError:
            raise
        except (ValueError, KeyError, TypeError, AttributeError, binascii.Error):
            raise PreparedPdfSignatureError("the stored prepared signature is damaged") from None
        if signing_time.utcoffset() is None or not prepared.chain:
            raise PreparedPdfSignatureError("the stored prepared signature is damaged")
        return prepared


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: object) -> bytes:
    if not isinstance(text, str):
        raise TypeError("expected base64 text")
    return base64.b64decode(text, validate=True)


def _int(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise TypeError("expected a non-negative integer")
    return value
