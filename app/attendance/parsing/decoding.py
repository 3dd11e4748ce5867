"""Bytes to rows through the shared reader (`app.kit.tables`), refusals as ReportError.

A report is either read whole or refused: a row that is not well-formed CSV refuses the file,
naming its line, instead of being read as part of another row.
"""

from collections.abc import Iterable, Iterator

from app.attendance.parsing.model import ReportError
from app.kit import tables
from app.kit.tables import DELIMITER_NAMES, Source

__all__ = ["DELIMITER_NAMES", "Source", "read_rows", "sniff"]


def sniff(data: bytes) -> Source:
    """How to decode `data`; ReportError for empty, binary and other non-text files."""
    if not data:
        raise ReportError("The file is empty (0 bytes).")
    try:
        return tables.open_table(data, subject="the attendance report")
    except tables.NotATable as refused:
        raise ReportError(refused.found) from None


def _refuse(line: int, message: str) -> None:
    raise ReportError(f"Line {line} cannot be read as CSV: {message}")


def _ignore(line: int, message: str) -> None:
    """For a look at the start of a file, whose last record may be cut short."""


def read_rows(
    stream: Iterable[str], delimiter: str, *, strict: bool = True
) -> Iterator[tuple[int, list[str]]]:
    """(line number, cells) for each row with content; trailing empty cells are dropped.

    `strict=False` passes over broken records instead of refusing the file.
    """
    return tables.read_rows(stream, delimiter, on_problem=_refuse if strict else _ignore)
