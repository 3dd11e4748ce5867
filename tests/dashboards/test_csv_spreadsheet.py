"""The CSV exports opened by a real spreadsheet engine: LibreOffice, headless."""

import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from openpyxl.cell.cell import Cell
from sqlmodel import Session

from tests.conftest import PageClient, require
from tests.dashboards.support import build_org
from tests.factories import create_person

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
# LibreOffice's CSV import options: separator, text delimiter ("), UTF-8, from row 1, ..., trim
# spaces and evaluate formulas on: the settings under which a formula is most likely to run.
IMPORT_OPTIONS = "{separator},34,76,1,,0,false,false,false,false,true,0,true"
TRIGGERS = ("=", "+", "-", "@")


def _open_in_libreoffice(data: bytes, separator: str, folder: Path) -> list[Cell]:
    source = folder / "export.csv"
    source.write_bytes(data)
    options = IMPORT_OPTIONS.format(separator=ord(separator))
    subprocess.run(
        [
            str(SOFFICE),
            "--headless",
            "--norestore",
            f"-env:UserInstallation={(folder / 'profile').as_uri()}",
            f"--infilter=Text - txt - csv (StarCalc):{options}",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(folder),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    sheet = openpyxl.load_workbook(folder / "export.xlsx").active
    assert sheet is not None
    return [cell for row in sheet.iter_rows() for cell in row if isinstance(cell, Cell)]


@pytest.mark.libreoffice
@pytest.mark.parametrize("separator", [",", ";"])
def test_leaders_csv_in_libreoffice_runs_no_formula(
    viewer_web: PageClient, db: Session, tmp_path: Path, separator: str
) -> None:
    require(SOFFICE is not None, "LibreOffice (soffice) is not installed")
    build_org(db)
    create_person(
        db,
        email="evil@example.com",
        name='Ops;=HYPERLINK("http://evil.example/")',
        title="Chief ; =1+1",
        department="Sales,-2+3",
        level_key="vp",
    )
    export = viewer_web.get("/dashboard/leaders/export.csv")
    assert export.status_code == 200

    cells = _open_in_libreoffice(export.content, separator, tmp_path)

    assert [cell.coordinate for cell in cells if cell.data_type == "f"] == []
    assert [
        cell.value
        for cell in cells
        if isinstance(cell.value, str) and cell.value.lstrip().startswith(TRIGGERS)
    ] == []
    texts = [cell.value for cell in cells if isinstance(cell.value, str)]
    assert sum("HYPERLINK" in text for text in texts) == 1
    if separator == ",":
        evil = next(
            row for row in _rows(cells) if row[0] == 'Ops;\'=HYPERLINK("http://evil.example/")'
        )
        assert evil[1:5] == ["Chief ; '=1+1", "Sales,'-2+3", "SVP/VP", 0]


def _rows(cells: list[Cell]) -> list[list[object]]:
    rows: dict[int, list[object]] = {}
    for cell in cells:
        rows.setdefault(cell.row, []).append(cell.value)
    return list(rows.values())
