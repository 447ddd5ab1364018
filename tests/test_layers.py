"""Imports point one way: the model knows no files, checker and exports know no Pyomo."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "hubnet"


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module)
    return out


def test_no_pyomo_in_checker_kpis_or_exports():
    files = sorted((SRC / "results").glob("check*.py"))
    files += [SRC / "results" / "solution.py", SRC / "report.py"]
    files += sorted((SRC / "export").glob("*.py"))
    for f in files:
        bad = {
            m
            for m in imports_of(f)
            if m.startswith(("pyomo", "highspy", "hubnet.model", "hubnet.solve"))
        }
        assert not bad, f"{f.name} imports {bad}"


def test_model_touches_no_files_geometry_or_solver():
    for f in sorted((SRC / "model").glob("*.py")):
        bad = {
            m
            for m in imports_of(f)
            if m.startswith(
                (
                    "hubnet.instance.read",
                    "hubnet.export",
                    "hubnet.solve",
                    "highspy",
                    "geopandas",
                    "shapely",
                    "hubnet.network",
                )
            )
        }
        assert not bad, f"{f.name} imports {bad}"


def test_only_solve_imports_the_solver():
    for f in sorted(SRC.rglob("*.py")):
        if f.parent.name == "solve":
            continue
        assert "highspy" not in imports_of(f), f


def test_the_shared_modules_import_nothing_of_hubnet():
    """units.py, errors.py and processes.py serve every layer, so they lean on none."""
    for name in ("units.py", "errors.py", "processes.py"):
        bad = {m for m in imports_of(SRC / name) if m.startswith("hubnet")}
        assert not bad, f"{name} imports {bad}"
