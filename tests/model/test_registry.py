"""models/formulation.md and the FAMILIES registry name the same families and numbers."""

from __future__ import annotations

import re
from pathlib import Path

from hubnet.model import FAMILIES

DOC = Path(__file__).resolve().parents[2] / "models" / "formulation.md"


def test_every_constraint_family_is_in_the_formulation_with_its_number():
    text = DOC.read_text(encoding="utf-8")
    rows = dict(re.findall(r"\| \(([0-9a-z]+)\) \| `([a-z0-9_]+)` \|", text))
    documented = {fn: eq for eq, fn in rows.items()}
    for fam in FAMILIES:
        if fam.name in ("variables", "cost_terms", "total_cost"):
            assert f"`{fam.name}`" in text
            continue
        assert documented.get(fam.name) == fam.equation, fam.name


def test_every_builder_docstring_names_its_equation():
    for fam in FAMILIES:
        if fam.equation != "-":
            assert f"({fam.equation})" in (fam.builder.__doc__ or "") or fam.name in (
                "cost_terms",
            ), fam.name
