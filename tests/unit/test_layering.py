"""``intake/`` is the domain: it must never import the web side."""

import ast
from pathlib import Path

FORBIDDEN = {"portal", "fastapi", "starlette", "jinja2"}
INTAKE = Path(__file__).resolve().parents[2] / "intake"


def imported_roots(path: Path) -> set[str]:
    roots: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def test_intake_imports_nothing_from_the_web_side() -> None:
    files = sorted(INTAKE.rglob("*.py"))
    assert len(files) >= 4
    offenders = {
        str(path.relative_to(INTAKE)): sorted(imported_roots(path) & FORBIDDEN) for path in files
    }
    assert {name: bad for name, bad in offenders.items() if bad} == {}


def test_the_check_would_catch_an_offender(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("import os\nfrom fastapi import Request\nimport portal.app\n")
    assert imported_roots(bad) & FORBIDDEN == {"fastapi", "portal"}
