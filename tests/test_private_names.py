"""No module reaches into another package's private names.

import-linter checks which modules import which; this checks the names. A leading underscore
says "only this module's business": a second package that needs it needs a public function
(often in app/kit/), not a private one borrowed.
"""

import ast
from pathlib import Path

APP = Path(__file__).resolve().parent.parent / "app"


def _package(module: str) -> str:
    """The domain or shared package a module belongs to: app.people.importer -> app.people."""
    parts = module.split(".")
    return ".".join(parts[:2])


def borrowed_private_names(root: Path = APP) -> list[str]:
    found = []
    for path in sorted(root.rglob("*.py")):
        module = ".".join(path.relative_to(root.parent).with_suffix("").parts)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ImportFrom) or not node.module or node.level:
                continue
            if not node.module.startswith("app") or _package(node.module) == _package(module):
                continue
            for alias in node.names:
                if alias.name.startswith("_") and not alias.name.startswith("__"):
                    found.append(f"{module}:{node.lineno} imports {node.module}.{alias.name}")
    return found


def test_no_module_imports_another_packages_private_names() -> None:
    assert borrowed_private_names() == []


def test_the_check_sees_a_borrowed_private_name(tmp_path: Path) -> None:
    (tmp_path / "app" / "people").mkdir(parents=True)
    (tmp_path / "app" / "distribution").mkdir()
    (tmp_path / "app" / "people" / "importer.py").write_text("def _records(): ...\n")
    (tmp_path / "app" / "distribution" / "importer.py").write_text(
        "from app.people.importer import _records, decode\nfrom app.distribution import _own\n"
    )
    assert borrowed_private_names(tmp_path / "app") == [
        "app.distribution.importer:1 imports app.people.importer._records"
    ]
