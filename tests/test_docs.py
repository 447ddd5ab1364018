"""The documents stay what they are for: a short guide, a benchmark record each script feeds."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
RESULTS = ROOT / "bench" / "RESULTS.md"
FORMULATION = ROOT / "models" / "formulation.md"
ARCHITECTURE = ROOT / "docs" / "architecture.md"
SOLVER = ROOT / "docs" / "solver.md"
SRC = ROOT / "src" / "hubnet"

#: the README stays a guide (the instance format is models/instance_format.md)
GUIDE_LINES = 280


def headings(path: Path) -> set[str]:
    return {
        line.lstrip("#").strip()
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.startswith("#")
    }


def named_sections(docstring: str) -> list[str]:
    """The quoted section names after 'Refreshes bench/RESULTS.md'."""
    _, _, tail = docstring.partition("Refreshes bench/RESULTS.md")
    return re.findall(r'"([^"]+)"', tail.split("\n\n", 1)[0])


def test_every_bench_script_names_the_results_sections_it_refreshes():
    known = headings(RESULTS)
    scripts = sorted((ROOT / "bench").glob("*.py"))
    assert scripts
    for script in scripts:
        doc = ast.get_docstring(ast.parse(script.read_text(encoding="utf-8"))) or ""
        sections = named_sections(doc)
        assert sections, f"{script.name} names no section of bench/RESULTS.md"
        missing = [s for s in sections if s not in known]
        assert not missing, f"{script.name} names sections RESULTS.md lacks: {missing}"


def test_results_lists_every_bench_script():
    text = RESULTS.read_text(encoding="utf-8")
    for script in sorted((ROOT / "bench").glob("*.py")):
        assert f"`bench/{script.name}`" in text, script.name


def test_readme_is_a_guide_not_a_record():
    guide = len(README.read_text(encoding="utf-8").splitlines())
    assert guide <= GUIDE_LINES, f"the README's guide is {guide} lines (at most {GUIDE_LINES})"


def test_readme_links_resolve():
    text = README.read_text(encoding="utf-8")
    links = re.findall(r"\]\(([^)#]+)\)", text)
    assert links
    for link in links:
        assert (ROOT / link).exists(), link


def test_formulation_holds_no_measurements():
    text = FORMULATION.read_text(encoding="utf-8")
    timings = re.findall(r"\d+(?:\.\d+)? ?(?:s|ms|min)\b|\d ?%", text)
    assert not timings, f"measurements belong in bench/RESULTS.md: {timings}"


def test_architecture_names_every_module():
    text = ARCHITECTURE.read_text(encoding="utf-8")
    missing = [
        f"{f.parent.name}/{f.name}" if f.parent != SRC else f.name
        for f in sorted(SRC.rglob("*.py"))
        if f.stem not in ("__init__", "__main__")
        and f"`{f.name}`" not in text
        and f"`{f.stem}`" not in text
    ]
    assert not missing, f"docs/architecture.md does not name {missing}"


def test_solver_doc_names_every_solve_module_and_strategy_constant():
    from dataclasses import fields

    from hubnet.solve.strategy import Strategy

    text = SOLVER.read_text(encoding="utf-8")
    modules = [f.name for f in sorted((SRC / "solve").glob("*.py")) if f.stem != "__init__"]
    missing = [m for m in modules if f"`{m}`" not in text]
    missing += [f.name for f in fields(Strategy) if f"`{f.name}`" not in text]
    assert not missing, f"docs/solver.md does not name {missing}"
