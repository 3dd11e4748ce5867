import csv
import io

from app.dashboards.csv_export import neutralise, to_csv


def test_neutralise_prefixes_formula_cells_with_a_quote() -> None:
    cells = ["=1+2", "+33 1 23", "-2", "@SUM(A1)", "\tx", "\rx", "plain", "a=b"]
    assert [neutralise(c) for c in cells] == [
        "'=1+2",
        "'+33 1 23",
        "'-2",
        "'@SUM(A1)",
        "'\tx",
        "'\rx",
        "plain",
        "a=b",
    ]


def test_neutralise_quotes_triggers_after_a_separator_too() -> None:
    cells = [
        'Ops;=HYPERLINK("http://evil.example")',
        "Chief ; =1+1",
        "Sales,-2+3",
        "Ops|@SUM(A1)",
        "Line one\n+1",
        ' "=1"',
        "Head of Sales - EMEA",
        "R&D",
    ]
    assert [neutralise(c) for c in cells] == [
        'Ops;\'=HYPERLINK("http://evil.example")',
        "Chief ; '=1+1",
        "Sales,'-2+3",
        "Ops|'@SUM(A1)",
        "Line one\n'+1",
        ' "\'=1"',
        "Head of Sales - EMEA",
        "R&D",
    ]


def test_neutralise_leaves_numbers_alone() -> None:
    assert [neutralise(-3), neutralise(1.5), neutralise(None)] == [-3, 1.5, None]


def test_to_csv_writes_a_bom_header_and_neutralised_rows() -> None:
    text = to_csv(["Name", "=Count"], [['=HYPERLINK("http://evil")', 3], ["Ada", None]])
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert rows == [["Name", "'=Count"], ['\'=HYPERLINK("http://evil")', "3"], ["Ada", ""]]
    assert text.splitlines()[1:] == ['"\'=HYPERLINK(""http://evil"")",3', '"Ada",""']
