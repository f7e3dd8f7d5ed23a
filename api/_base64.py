"""Decoding what clients send as text: base64 values and certificates (base64 DER or PEM).

Malformed input is refused as invalid input naming the field (422), before any use case runs.
"""

from __future__ import annotations

import base64
import binascii

from cryptography import x509

from workflow import InvalidInputError

_PEM_MARK = "-----BEGIN"


def decode_base64(text: str, *, field: str) -> bytes:
    """The bytes of strict base64 ``text`` (whitespace ignored); InvalidInputError naming
    ``field`` otherwise."""
    compact = "".join(text.split())
    try:
        value = base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInputError(
            field, "not valid base64", "không phải dữ liệu base64 hợp lệ"
        ) from None
    if not value:
        raise InvalidInputError(field, "empty", "không có dữ liệu")
    return value


def read_certificates(value: str | list[str], *, field: str) -> list[bytes | x509.Certificate]:
    """The chain a client sent: one text or a list, each base64 DER or PEM (which may hold
    several certificates). DER is parsed by the use case; PEM here."""
    texts = [value] if isinstance(value, str) else value
    if not texts:
        raise InvalidInputError(field, "no certificate", "chưa có chứng thư số")
    chain: list[bytes | x509.Certificate] = []
    for index, text in enumerate(texts):
        where = field if isinstance(value, str) else f"{field}[{index}]"
        if _PEM_MARK in text:
            try:
                chain.extend(x509.load_pem_x509_certificates(text.encode("ascii")))
            except (ValueError, UnicodeEncodeError):
                raise InvalidInputError(
                    where, "not a PEM certificate", "chứng thư số PEM không đọc được"
                ) from None
        else:
            chain.append(decode_base64(text, field=where))
    return chain
