"""The one yen format (`hubnet.units.yen`)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from hubnet.units import yen


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1_234_000_000, "¥1.23 bn"),  # 1.234e9 / 1e9 = 1.234 -> 2 decimals
        (12_345_678_901, "¥12.35 bn"),
        (1e9, "¥1.00 bn"),  # the bn threshold itself
        (999_999_999, "¥1.00 bn"),  # 999.999999 M prints as 1,000.0 M: shown in bn
        (999_949_999, "¥999.9 M"),
        (4_500_000, "¥4.5 M"),
        (1e6, "¥1.0 M"),
        (999_999, "¥999,999"),
        (999_999.6, "¥1.0 M"),  # rounds to 1,000,000
        (950, "¥950"),
        (0, "¥0"),
        (-2_500_000_000, "-¥2.50 bn"),
        (-950.4, "-¥950"),
        (-0.2, "¥0"),  # prints as zero: no sign
    ],
)
def test_yen(value: float, text: str) -> None:
    assert yen(value) == text


@pytest.mark.parametrize("value", [None, float("nan"), "abc"])
def test_yen_missing(value: object) -> None:
    assert yen(value) == "n/a"
    assert yen(value, missing="-") == "-"


def test_units_imports_nothing_of_hubnet() -> None:
    # every layer may import it, so it may import none of them
    path = Path(__file__).resolve().parents[1] / "src" / "hubnet" / "units.py"
    tree = ast.parse(path.read_text(encoding="utf-8"))
    mods = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    mods |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert not {m for m in mods if m and m.startswith("hubnet")}
