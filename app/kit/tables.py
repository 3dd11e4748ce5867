"""Uploaded tables (CSV, or text separated by tabs or semicolons): bytes in, numbered rows out.

The one reader every importer uses. `open_table` names a file that is not text (a PDF, an
Excel workbook, an image…) and finds the encoding (BOM, UTF-16, UTF-8, Windows-1252);
`delimiters` ranks the separators; `read_rows` yields each row with the line it starts on,
and hands a record it cannot read (an unclosed quote) to the caller, then goes on at the
next line. The text is decoded as a stream, never held whole, so a 200,000-row file stays
small.
"""

import codecs
import csv
import io
import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TextIO

from app.errors import Invalid

DELIMITER_NAMES = {"\t": "tab", ",": "comma", ";": "semicolon"}
# Header synonyms of the two columns every list of people has; compared by `header_key`.
EMAIL_HEADERS = ("email", "work email", "e-mail", "email address", "work email address", "mail")
NAME_HEADERS = ("name", "full name", "display name", "employee name")

SAVE_AS_CSV = "in Excel, use File > Save As > CSV UTF-8"
_CHUNK = 1 << 20
_HEAD_BYTES = 65_536
# (signature, what the file is, what to do); "{subject}" is the importer's own noun.
_SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"%PDF", "a PDF document", "export {subject} as CSV"),
    (b"PK\x03\x04", "an Excel workbook or a zip archive", SAVE_AS_CSV),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Excel workbook or a Word document", SAVE_AS_CSV),
    (b"\x89PNG", "a PNG image", "export {subject} as CSV"),
    (b"\xff\xd8\xff", "a JPEG image", "export {subject} as CSV"),
    (b"\x1f\x8b", "a gzip archive", "unpack it and upload the CSV inside"),
    (b"{\\rtf", "a rich-text (RTF) document", "export {subject} as CSV"),
)
_QUOTED = re.compile(r'"[^"\r\n]*"')
_SPACES = re.compile(r"\s+")


class NotATable(Invalid):
    """The file is not text a table can be read from; the message says what it is instead."""

    def __init__(self, found: str) -> None:
        self.found = found
        super().__init__(found)


@dataclass(frozen=True, slots=True)
class Source:
    """The file's bytes and how to read them as text."""

    data: bytes
    codec: str
    label: str
    """The encoding for people, e.g. "UTF-8 with BOM"."""

    def open(self) -> TextIO:
        """A fresh text stream over the whole file (newline="" as the csv module wants)."""
        return io.TextIOWrapper(io.BytesIO(self.data), encoding=self.codec, newline="")

    def head(self, chars: int = _HEAD_BYTES) -> str:
        """The first `chars` characters, cut after the last whole line if the file goes on."""
        with self.open() as stream:
            head = stream.read(chars)
            complete = not stream.read(1)
        return head if complete else head[: head.rfind("\n") + 1] or head


def document_kind(data: bytes) -> str | None:
    """What kind of non-text document `data` is ("a PDF document"), or None if none we know."""
    start = data[:64].lstrip()
    return next((what for signature, what, _ in _SIGNATURES if start.startswith(signature)), None)


def _refusal(what: str, advice: str, subject: str) -> NotATable:
    return NotATable(f"This file is {what}, not a CSV file: {advice.format(subject=subject)}.")


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


def open_table(data: bytes, *, subject: str) -> Source:
    """How to read `data` as text; NotATable for binary files and other kinds of document.

    `subject` is what the person should export instead, e.g. "the directory".
    """
    start = data[:64].lstrip()
    for signature, what, advice in _SIGNATURES:
        if start.startswith(signature):
            raise _refusal(what, advice, subject)
    if data.startswith(codecs.BOM_UTF8):
        source = Source(data, "utf-8-sig", "UTF-8 with BOM")
    elif data.startswith(codecs.BOM_UTF16_LE):
        source = Source(data, "utf-16", "UTF-16LE with BOM")
    elif data.startswith(codecs.BOM_UTF16_BE):
        source = Source(data, "utf-16", "UTF-16BE with BOM")
    elif (utf16 := _utf16_without_bom(data[:4096])) is not None:
        source = Source(data, utf16, f"UTF-16{utf16[-2:].upper()} without BOM")
    elif b"\x00" in data[:_HEAD_BYTES]:
        raise _refusal("binary data (it contains NUL bytes)", "export {subject} as CSV", subject)
    elif _decodes(data, "utf-8"):
        source = Source(data, "utf-8", "UTF-8")
    elif _decodes(data, "cp1252"):
        source = Source(data, "cp1252", "Windows-1252")
    else:
        raise NotATable(
            "This file is not text in UTF-8, UTF-16 or Windows-1252: save it as CSV UTF-8."
        )
    if source.codec.startswith("utf-16") and not _decodes(data, source.codec):
        raise NotATable(f"This file is not valid {source.label} text: save it as CSV UTF-8.")
    if _looks_binary(source.head(4096)):
        raise NotATable(
            f"This file looks like binary data, not a CSV file: export {subject} as CSV."
        )
    return source


def delimiters(head: str) -> list[str]:
    """The separators found in the first lines, the one on most lines first; [","] if none.

    Quoted cells are left out, so a comma inside "Doe, Jane" does not count; a tie goes to
    tab, then comma, then semicolon (Teams separates by tabs and writes commas in its dates).
    """
    lines = [_QUOTED.sub("", line) for line in head.splitlines()[:50] if line.strip()]
    scores = {d: sum(1 for line in lines if d in line) for d in DELIMITER_NAMES}
    ranked = sorted((d for d in scores if scores[d]), key=lambda d: -scores[d])
    return ranked or [","]


Problem = Callable[[int, str], None]
"""Told (line, message) about a record that cannot be read; may raise to stop the reading."""


def _feed(backlog: deque[str], rest: Iterator[str], pending: list[str]) -> Iterator[str]:
    """The lines to read again first, then the rest of the stream; each one kept in `pending`."""
    while backlog:
        text = backlog.popleft()
        pending.append(text)
        yield text
    for text in rest:
        pending.append(text)
        yield text


def _broken(error: csv.Error, start: int, end: int, delimiter: str) -> str:
    """What is wrong with the record from line `start` that failed on line `end`."""
    reason = str(error)
    if "unexpected end of data" in reason:
        return "A quote opened on this line is never closed: close it, or remove it."
    if "field larger than field limit" in reason:
        return (
            f"A cell starting on this line is longer than {csv.field_size_limit():,} characters: "
            "a quote opened on it is probably never closed."
        )
    if "expected after" in reason and end > start:
        return f"A quote opened on this line runs on to line {end}: close it, or remove it."
    if "expected after" in reason:
        return (
            f"A quoted cell is followed by more text before the next {DELIMITER_NAMES[delimiter]}"
            ": put the whole cell in quotes, or remove the quotes."
        )
    return f"This line cannot be read as CSV ({reason})."


def read_rows(
    stream: Iterable[str], delimiter: str, *, on_problem: Problem
) -> Iterator[tuple[int, list[str]]]:
    """(line it starts on, cells) for each row with content; trailing empty cells dropped.

    A record that is not well-formed CSV (a quote never closed, text after a closing
    quote) goes to `on_problem` with its first line, and reading resumes at the line after
    that one, so one broken row neither swallows the rest of the file nor stops it.
    """
    rest = iter(stream)
    backlog: deque[str] = deque()
    first = 1  # the number of the next line read
    while True:
        # The current record's lines, to read again from its second line if it is broken.
        pending: list[str] = []
        reader = csv.reader(_feed(backlog, rest, pending), delimiter=delimiter, strict=True)
        read = 0
        try:
            for row in reader:
                start, read = first + read, reader.line_num
                pending.clear()
                while row and not row[-1].strip():
                    row.pop()
                if row:
                    yield start, row
            return
        except csv.Error as error:
            start = first + read
            on_problem(start, _broken(error, start, first + reader.line_num - 1, delimiter))
            backlog.extendleft(reversed(pending[1:]))
            first = start + 1


def header_key(cell: str) -> str:
    """A header compared loosely: case, underscores and runs of spaces ignored."""
    return _SPACES.sub(" ", cell.replace("\ufeff", "").replace("_", " ")).strip().casefold()


def map_columns(header: list[str], synonyms: Mapping[str, Iterable[str]]) -> dict[str, int]:
    """For each field, the index of the first column headed by one of its synonyms.

    `synonyms` lists each field's header names in order of preference.
    """
    positions: dict[str, int] = {}
    for index, cell in enumerate(header):
        positions.setdefault(header_key(cell), index)
    found: dict[str, int] = {}
    for name, names in synonyms.items():
        column = next((positions[n] for n in names if n in positions), None)
        if column is not None:
            found[name] = column
    return found


def read_table(
    data: bytes, *, subject: str, on_problem: Problem
) -> Iterator[tuple[int, list[str]]]:
    """The rows of an uploaded table split by its most used delimiter (see `read_rows`).

    Raises NotATable at once, before any row is read, for a file that is not a table.
    """
    source = open_table(data, subject=subject)
    return read_rows(source.open(), delimiters(source.head())[0], on_problem=on_problem)
