"""The scenario types: one override as written, and a resolved scenario."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

TOP_KEYS = (
    "name",
    "description",
    "base",
    "set",
    "update",
    "scale",
    "ban",
    "add_site",
    "periods",
    "policy",
)
ENTRY_KEYS = {
    "update": ("table", "column", "value", "where", "label"),
    "scale": ("table", "column", "factor", "where", "label"),
}
#: add_site sub-tables: key -> (table, column that gets the new site's id)
ADD_SITE_ROWS: dict[str, tuple[str, str]] = {
    "facility": ("facilities", "site"),
    "levels": ("capacity_levels", "facility"),
    "links": ("links", "from"),
    "recovery": ("recovery", "facility"),
    "supply": ("supply", "site"),
    "imports": ("imports", "site"),
    "exports": ("exports", "site"),
}
#: the order in which kinds of override are applied (later ones see the earlier ones)
KIND_ORDER = ("add_site", "set", "update", "scale", "ban")
PERMITS = "policy.import_permits_t_per_yr"
#: `[set]` targets of a roadmap's settings (also written as sections, as in instance.toml)
PERIODS = "periods"
FROM_YEAR = "policy.from_year"
SWEEP_SEP = "__"
_UNSAFE = re.compile(r"[^A-Za-z0-9._=-]+")


@dataclass(frozen=True)
class Override:
    """One override as written: its kind, its dotted key and file (for messages), its fields."""

    kind: str
    key: str
    file: str
    spec: dict = field(hash=False)


@dataclass(frozen=True)
class Scenario:
    """A resolved scenario (base files merged in): a name and its overrides in order.

    `point` lists the sweep values of a run made by `expand` ((label, value) pairs).
    """

    name: str
    description: str = ""
    path: Path | None = None
    overrides: tuple[Override, ...] = ()
    point: tuple[tuple[str, object], ...] = ()

    @property
    def axes(self) -> list[tuple[int, str, list]]:
        """Sweep axes: (override index, field, values) for every list-valued override."""
        out = []
        for i, o in enumerate(self.overrides):
            fld = sweep_field(o)
            if fld is not None and isinstance(o.spec.get(fld), list):
                out.append((i, fld, o.spec[fld]))
        return out

    @property
    def is_sweep(self) -> bool:
        return bool(self.axes)

    @property
    def reference(self) -> str | None:
        """What summary.json records to rebuild this run: the file, or `file#run` for a sweep
        member (`apply_scenario_file` understands both); None for a scenario built in code."""
        if self.path is None:
            return None
        path = str(self.path.resolve())
        return f"{path}#{self.name}" if self.point else path


def sweep_field(o: Override) -> str | None:
    """The field of an override whose list of values makes a sweep (the planning years are
    a list, never a sweep)."""
    if o.kind == "set" and o.spec["target"] == f"{PERIODS}.years":
        return None
    return {"set": "value", "update": "value", "scale": "factor"}.get(o.kind)


def safe_name(text: str) -> str:
    """Filesystem-safe (letters, digits, . _ = -) and deterministic."""
    out = _UNSAFE.sub("-", text.replace("+", "")).strip("-.")
    return out or "scenario"
