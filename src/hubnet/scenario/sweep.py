"""Sweeps: a list where one value is expected makes one run per combination."""

from __future__ import annotations

import dataclasses
import itertools
import math
from pathlib import Path

from hubnet.scenario.core import SWEEP_SEP, Override, Scenario, safe_name
from hubnet.scenario.reading import load


def _label(o: Override) -> str:
    """Short name of a swept value in run names: the key without its section or table."""
    if o.spec.get("label"):
        return safe_name(str(o.spec["label"]))
    if o.kind == "set":
        label = o.spec["target"].split(".", 1)[-1]
        return label.replace("import_permits_t_per_yr.", "permit_")
    if o.kind == "scale":
        return f"{o.spec.get('column')}_x"
    return str(o.spec.get("column"))


def _fmt(value: object, exact: bool = False) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isfinite(value) and value == int(value) and abs(value) < 1e15:
            return str(int(value))
        return repr(value) if exact else f"{value:.6g}"
    return str(value)


def expand(scenario: Scenario | Path | str) -> list[Scenario]:
    """One scenario per combination of the swept values (Cartesian product, in file order).

    A run is named `<name>__<label>=<value>[__...]`, e.g.
    `leakage-crackdown__max_leakage_share=0.1`. A scenario without lists expands to itself.
    """
    if not isinstance(scenario, Scenario):
        scenario = load(scenario)
    axes = scenario.axes
    if not axes:
        return [scenario]
    labels = [_label(scenario.overrides[i]) for i, _, _ in axes]
    for n, lab in enumerate(labels):  # two axes on the same key: number them
        if labels.count(lab) > 1:
            labels[n] = f"{lab}{labels[: n + 1].count(lab)}"
    combos = list(itertools.product(*(values for _, _, values in axes)))
    names = [_names(scenario.name, labels, c, exact=False) for c in combos]
    if len(set(names)) < len(names):
        names = [_names(scenario.name, labels, c, exact=True) for c in combos]
    runs = []
    for combo, name in zip(combos, names, strict=True):
        overrides = list(scenario.overrides)
        for (i, fld, _), value in zip(axes, combo, strict=True):
            o = overrides[i]
            overrides[i] = dataclasses.replace(o, spec={**o.spec, fld: value})
        runs.append(
            dataclasses.replace(
                scenario,
                name=name,
                overrides=tuple(overrides),
                point=tuple(zip(labels, combo, strict=True)),
            )
        )
    return runs


def _names(base: str, labels: list[str], combo: tuple, exact: bool) -> str:
    parts = [f"{lab}={_fmt(v, exact)}" for lab, v in zip(labels, combo, strict=True)]
    return safe_name(SWEEP_SEP.join([base, *parts]))


def split_run_name(name: str) -> tuple[str, dict[str, str]]:
    """`leakage__max_leakage_share=0.1` -> ("leakage", {"max_leakage_share": "0.1"})."""
    head, *parts = name.split(SWEEP_SEP)
    point = dict(p.split("=", 1) for p in parts if "=" in p)
    if len(point) != len(parts):
        return name, {}
    return head, point
