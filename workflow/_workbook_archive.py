"""Checks on an uploaded file before any spreadsheet parser sees it: size, zip structure, XML.

An .xlsx is a zip of XML parts. The checks bound what parsing can cost (compressed size, declared
unpacked size — Python's zipfile never inflates a part beyond the size its header declares — and
the number of parts) and refuse any part with a document type declaration: Excel never writes
one, and it is the door to entity-expansion and external-entity attacks.
"""

from __future__ import annotations

import io
import zipfile

from workflow._workbook_errors import WorkbookUnreadableError

MAX_WORKBOOK_BYTES = 5 * 1024 * 1024
"""The largest file accepted (5 MiB); a class's sheet is about 10 KiB."""
MAX_UNPACKED_BYTES = 25 * 1024 * 1024
"""The most the parts may unpack to, together (25 MiB): refuses zip bombs."""
MAX_PARTS = 200
"""The most parts (files inside the zip) accepted."""

_XML_SUFFIXES = (".xml", ".rels", ".vml")
_DOCTYPE = "<!DOCTYPE"
_DOCTYPE_MARKS = tuple(_DOCTYPE.encode(codec) for codec in ("utf-8", "utf-16-le", "utf-16-be"))


def not_xlsx() -> WorkbookUnreadableError:
    """The refusal of a file that is not an .xlsx workbook (or is damaged)."""
    return WorkbookUnreadableError(
        "not_xlsx",
        "the file is not an .xlsx workbook, or it is damaged or password-protected",
        "Tệp không phải tệp Excel .xlsx, hoặc đã bị hỏng hay đặt mật khẩu. "
        "Hãy mở tệp trong Excel và lưu lại dưới dạng Excel Workbook (.xlsx).",
    )


def _vi_number(number: int) -> str:
    """``number`` with Vietnamese thousands separators (5.242.880)."""
    return f"{number:,}".replace(",", ".")


def _too_large(size: int, limit: int, what: str, what_vi: str) -> WorkbookUnreadableError:
    return WorkbookUnreadableError(
        "too_large",
        f"the {what} is {size} bytes; the limit is {limit}",
        f"{what_vi} quá lớn ({_vi_number(size)} byte; tối đa {_vi_number(limit)} byte).",
    )


def check_archive(data: bytes) -> None:
    """Refuse ``data`` unless it is a zip small enough to parse safely, without DOCTYPE parts."""
    if not isinstance(data, bytes | bytearray):
        raise not_xlsx()
    if len(data) > MAX_WORKBOOK_BYTES:
        raise _too_large(len(data), MAX_WORKBOOK_BYTES, "file", "Tệp")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
            _check_parts(parts)
            for part in parts:
                if part.filename.lower().endswith(_XML_SUFFIXES):
                    _check_xml(part.filename, archive.read(part))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError):
        raise not_xlsx() from None
    except NotImplementedError:  # an unsupported compression method
        raise not_xlsx() from None


def _check_parts(parts: list[zipfile.ZipInfo]) -> None:
    names = [part.filename for part in parts]
    if "[Content_Types].xml" not in names or len(set(names)) != len(names):
        raise not_xlsx()
    if len(parts) > MAX_PARTS:
        raise WorkbookUnreadableError(
            "unsafe",
            f"the file has {len(parts)} parts; the limit is {MAX_PARTS}",
            "Tệp có cấu trúc bất thường (quá nhiều thành phần), không thể đọc an toàn.",
        )
    if any(part.flag_bits & 0x1 for part in parts):  # encrypted zip entries
        raise not_xlsx()
    unpacked = sum(part.file_size for part in parts)
    if unpacked > MAX_UNPACKED_BYTES:
        raise _too_large(unpacked, MAX_UNPACKED_BYTES, "unpacked content", "Nội dung tệp")


def _check_xml(name: str, content: bytes) -> None:
    if any(mark in content for mark in _DOCTYPE_MARKS):
        raise WorkbookUnreadableError(
            "unsafe",
            f"part {name} declares a document type, which an Excel workbook never does",
            "Tệp chứa thành phần bất thường (khai báo DOCTYPE), không thể đọc an toàn.",
        )
