"""Bytes to rows: encoding from the BOM (or NUL bytes, UTF-8, cp1252), rows via the csv module.

The text is decoded as a stream, never held whole, so a 200,000-row file stays small.
"""

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TextIO

from app.attendance.parsing.model import ReportError

_CHUNK = 1 << 20
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "This is a PDF document, not a CSV or text export."),
    (
        b"PK\x03\x04",
        "This is an Excel workbook (.xlsx) or another ZIP archive, not a CSV export; "
        "save it from Excel as “CSV UTF-8” and upload that.",
    ),
    (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
        "This is an old Excel (.xls) or Word document, not a CSV export; "
        "save it as “CSV UTF-8” and upload that.",
    ),
    (b"\x89PNG", "This is a PNG image, not a CSV export."),
    (b"\xff\xd8\xff", "This is a JPEG image, not a CSV export."),
    (b"\x1f\x8b", "This is a gzip archive, not a CSV export."),
    (b"{\\rtf", "This is a rich-text (RTF) document, not a CSV export."),
)

DELIMITER_NAMES = {"\t": "tab", ",": "comma", ";": "semicolon"}


@dataclass(frozen=True, slots=True)
class Source:
    """The file's bytes and how to read them as text."""

    data: bytes
    codec: str
    label: str

    def open(self) -> TextIO:
        """A fresh text stream over the whole file (newline="" as the csv module wants)."""
        return io.TextIOWrapper(io.BytesIO(self.data), encoding=self.codec, newline="")


def _utf16_without_bom(head: bytes) -> str | None:
    even, odd = head[0::2], head[1::2]
    if len(head) < 4:
        return None
    if odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.1 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.4 * len(even) and odd.count(0) < 0.1 * len(odd):
        return "utf-16-be"
    return None


def _decodes(data: bytes, codec: str) -> bool:
    decoder = codecs.getincrementaldecoder(codec)()
    try:
        for start in range(0, len(data), _CHUNK):
            decoder.decode(data[start : start + _CHUNK])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _looks_binary(text: str) -> bool:
    controls = sum(1 for ch in text if ch < " " and ch not in "\t\r\n\f\v")
    return controls > max(2, len(text) // 100) or "\ufffd" in text


def sniff(data: bytes) -> Source:
    """How to decode `data`; ReportError for empty, binary and other non-text files."""
    if not data:
        raise ReportError("The file is empty (0 bytes).")
    stripped = data.lstrip()
    for signature, message in _SIGNATURES:
        if stripped.startswith(signature):
            raise ReportError(message)
    if data.startswith(codecs.BOM_UTF8):
        source = Source(data, "utf-8-sig", "UTF-8 with BOM")
    elif data.startswith(codecs.BOM_UTF16_LE):
        source = Source(data, "utf-16", "UTF-16LE with BOM")
    elif data.startswith(codecs.BOM_UTF16_BE):
        source = Source(data, "utf-16", "UTF-16BE with BOM")
    elif (utf16 := _utf16_without_bom(data[:4096])) is not None:
        source = Source(data, utf16, f"UTF-16{utf16[-2:].upper()} without BOM")
    elif b"\x00" in data[:65536]:
        raise ReportError(
            "This file is binary data (it contains NUL bytes), not a CSV or text export."
        )
    elif _decodes(data, "utf-8"):
        source = Source(data, "utf-8", "UTF-8")
    elif _decodes(data, "cp1252"):
        source = Source(data, "cp1252", "Windows-1252")
    else:
        raise ReportError("This file is not text in any encoding we know (UTF-8, UTF-16, cp1252).")
    head = source.open().read(4096)
    if _looks_binary(head):
        raise ReportError("This file looks like binary data, not a CSV or text export.")
    return source


def read_rows(stream: TextIO, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """(line number, cells) for each row with content; trailing empty cells are dropped."""
    reader = csv.reader(stream, delimiter=delimiter)
    try:
        for row in reader:
            while row and not row[-1].strip():
                row.pop()
            if row:
                yield reader.line_num, row
    except csv.Error as error:
        raise ReportError(f"Line {reader.line_num} cannot be read as CSV ({error}).") from None
    except UnicodeDecodeError as error:
        raise ReportError(
            f"Near line {reader.line_num} the file is not valid text ({error.reason})."
        ) from None
