"""The shared table reader (app.kit.tables): file kinds, encodings, delimiters, broken rows."""

import io

import pytest

from app.kit.tables import (
    NotATable,
    delimiters,
    map_columns,
    open_table,
    read_rows,
    read_table,
)


def _rows(text: str, delimiter: str = ",") -> tuple[list[tuple[int, list[str]]], list[str]]:
    problems: list[str] = []
    rows = list(
        read_rows(
            io.StringIO(text, newline=""),
            delimiter,
            on_problem=lambda line, message: problems.append(f"{line}: {message}"),
        )
    )
    return rows, problems


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj",
            "This file is a PDF document, not a CSV file: export the list as CSV.",
        ),
        (
            b"\n  PK\x03\x04\x14\x00\x06\x00",
            "This file is an Excel workbook or a zip archive, not a CSV file: in Excel, use "
            "File > Save As > CSV UTF-8.",
        ),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00",
            "This file is an old Excel workbook or a Word document, not a CSV file: in Excel, "
            "use File > Save As > CSV UTF-8.",
        ),
        (b"\x89PNG\r\n\x1a\n", "This file is a PNG image, not a CSV file: export the list as CSV."),
        (
            b"\x1f\x8b\x08\x00",
            "This file is a gzip archive, not a CSV file: unpack it and upload the CSV inside.",
        ),
        (
            b"Email\x00\x01\x02\x03,Name\n",
            "This file is binary data (it contains NUL bytes), not a CSV file: export the list "
            "as CSV.",
        ),
        (
            b"Email,Name\n\x81\x8d\x8f\x90\x9d\n",
            "This file is not text in UTF-8, UTF-16 or Windows-1252: save it as CSV UTF-8.",
        ),
        (
            b"Email\x01\x02\x03\x04,Name\n",
            "This file looks like binary data, not a CSV file: export the list as CSV.",
        ),
        (
            b"\xff\xfeE\x00m\x00\x00\xd8",  # a lone surrogate: not UTF-16 at all
            "This file is not valid UTF-16LE with BOM text: save it as CSV UTF-8.",
        ),
    ],
)
def test_open_table_names_what_a_file_is_instead(data: bytes, message: str) -> None:
    with pytest.raises(NotATable) as refused:
        open_table(data, subject="the list")
    assert refused.value.detail == message
    assert refused.value.status_code == 422


@pytest.mark.parametrize(
    ("data", "label"),
    [
        ("Email,Name\nzoe@example.com,Zoë\n".encode(), "UTF-8"),
        ("\ufeffEmail,Name\nzoe@example.com,Zoë\n".encode(), "UTF-8 with BOM"),
        ("Email,Name\nzoe@example.com,Zoë\n".encode("utf-16"), "UTF-16LE with BOM"),
        ("\ufeffEmail,Name\nzoe@example.com,Zoë\n".encode("utf-16-be"), "UTF-16BE with BOM"),
        ("Email,Name\nzoe@example.com,Zoë\n".encode("utf-16-le"), "UTF-16LE without BOM"),
        ("Email,Name\nzoe@example.com,Zoë\n".encode("cp1252"), "Windows-1252"),
    ],
)
def test_open_table_finds_the_encoding(data: bytes, label: str) -> None:
    source = open_table(data, subject="the list")
    assert source.label == label
    assert source.open().read().lstrip("\ufeff") == "Email,Name\nzoe@example.com,Zoë\n"


@pytest.mark.parametrize(
    ("head", "ranked"),
    [
        ("Email;Name\na@example.com;Ann\n", [";"]),
        ('Email;Name\na@example.com;"Doe, Ann"\nb@example.com;"Roe, Bo"\n', [";"]),
        ("Name\tJoined\nAnn\t3/4/2024, 10:00:00\n", ["\t", ","]),  # Teams: tabs, dated commas
        ("a@example.com\nb@example.com\n", [","]),
    ],
)
def test_delimiters_rank_the_separators_outside_quotes(head: str, ranked: list[str]) -> None:
    assert delimiters(head) == ranked


def test_read_rows_numbers_rows_by_their_first_line_and_drops_empty_ones() -> None:
    rows, problems = _rows('Email,Name,\n\na@example.com,"Two\nlines",,\n ,  ,\nb@example.com\n')
    assert rows == [
        (1, ["Email", "Name"]),
        (3, ["a@example.com", "Two\nlines"]),
        (6, ["b@example.com"]),
    ]
    assert problems == []


def test_read_rows_reports_an_unclosed_quote_and_reads_the_lines_after_it() -> None:
    rows, problems = _rows('Email,Name\na@example.com,"Ann\nb@example.com,Bob\nc@example.com,Cy\n')
    assert problems == ["2: A quote opened on this line is never closed: close it, or remove it."]
    assert rows == [
        (1, ["Email", "Name"]),
        (3, ["b@example.com", "Bob"]),
        (4, ["c@example.com", "Cy"]),
    ]


def test_read_rows_reports_a_quote_that_runs_into_a_later_row() -> None:
    rows, problems = _rows('Email;Name\na@x.example;"Ann\nb@x.example;Bob\nc@x.example;"Cy"\n', ";")
    assert problems == ["2: A quote opened on this line runs on to line 4: close it, or remove it."]
    assert [line for line, _ in rows] == [1, 3, 4]
    assert rows[-1] == (4, ["c@x.example", "Cy"])


def test_read_rows_reports_text_after_a_closing_quote() -> None:
    rows, problems = _rows('Email\tName\na@x.example\t"Ann" Lee\nb@x.example\tBob\n', "\t")
    assert problems == [
        "2: A quoted cell is followed by more text before the next tab: put the whole cell in "
        "quotes, or remove the quotes."
    ]
    assert rows == [(1, ["Email", "Name"]), (3, ["b@x.example", "Bob"])]


def test_read_rows_stops_when_the_caller_raises() -> None:
    def refuse(line: int, message: str) -> None:
        raise ValueError(line)

    rows = read_rows(io.StringIO('a,b\n"c,d\n'), ",", on_problem=refuse)
    assert next(rows) == (1, ["a", "b"])
    with pytest.raises(ValueError, match="2"):
        next(rows)


def test_read_table_reads_a_semicolon_utf16_file() -> None:
    data = "Email;Name\r\nzoe@example.com;Zoë;\r\n".encode("utf-16")
    assert list(read_table(data, subject="the list", on_problem=print)) == [
        (1, ["Email", "Name"]),
        (2, ["zoe@example.com", "Zoë"]),
    ]


def test_read_table_refuses_a_binary_file_before_reading_a_row() -> None:
    with pytest.raises(NotATable):
        read_table(b"PK\x03\x04rest", subject="the list", on_problem=print)


def test_map_columns_takes_the_first_synonym_found() -> None:
    header = ["\ufeffWork_Email", "  Display   Name ", "E-mail", "name"]
    synonyms = {"email": ("email", "work email"), "name": ("name", "display name"), "x": ("x",)}
    assert map_columns(header, synonyms) == {"email": 0, "name": 3}
