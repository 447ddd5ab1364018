"""Scenario files: TOML overrides of one instance, resolved into a new `Instance`.

A scenario changes what it names and nothing else. The shape (documented with an example of
every override in the README, "Scenarios and batches")::

    name = "asean-partnership"          # default: the file name without .toml
    description = "..."
    base = "baseline.toml"              # optional; resolved relative to this file

    [set]                               # assign one value
    "policy.co2_price_jpy_per_t" = 10000              # an instance.toml setting
    "policy.import_permits_t_per_yr.asean" = 45000    # a permit (0 = ban)
    "commodities.max_leakage_share" = 0.15            # a column, every row
    "commodities.max_leakage_share.lead_acid" = 0.35  # a column, the row with that id

    [[update]]                          # assign a column for the rows that match
    table = "facilities"
    column = "status"
    value = "open"
    where = { site = "sm_mmc_naoshima" }

    [[scale]]                           # multiply a numeric column for the rows that match
    table = "imports"
    column = "available_t_per_yr"
    factor = 1.5
    where = { region = "asean" }        # region: through the sites the rows refer to

    ban = ["eu"]                        # import permit 0 for these origin regions

    [[add_site]]                        # a new site, with rows of other tables for it
    id = "hub_x"; name = "X"; kind = "hub"; lat = 35.0; lon = 139.0
    facility = { role = "hub", processing_cost_jpy_per_t = 15000, accepts = "*" }
    levels = [{ level = "small", capacity_t_per_yr = 10000, fixed_cost_jpy_per_yr = 3.5e8 }]
    links = [{ to = "JPTYO", mode = "road", distance_km = 12 }]

A list where one value is expected (a `[set]` value, an `update` value, a `scale` factor)
makes a sweep: `expand` gives one `Scenario` per combination, named after its values.

Priority: CLI flags (solver options) > scenario > instance.toml > built-in defaults.
"""

from __future__ import annotations

import dataclasses
import itertools
import logging
import math
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from hubnet.errors import Issue, ScenarioError
from hubnet.instance.core import Instance
from hubnet.instance.schema import SETTINGS, TABLE_BY_NAME, TABLES, Column, Table
from hubnet.instance.validate import (
    check_accepts,
    check_coordinates,
    check_keys,
    check_levels,
    check_recovery,
    check_references,
    check_roles,
    coerce_column,
    coerce_table,
    parse_settings,
)

logger = logging.getLogger(__name__)

TOP_KEYS = ("name", "description", "base", "set", "update", "scale", "ban", "add_site")
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
            fld = _sweep_field(o)
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


# ----------------------------------------------------------------------------- reading


def load(path: Path | str) -> Scenario:
    """Read a scenario file and its bases; the result may still be a sweep (see `expand`)."""
    return _load(Path(path), ())


def _load(path: Path, stack: tuple[Path, ...]) -> Scenario:
    path = path.resolve()
    if path in stack:
        chain = " -> ".join(p.name for p in (*stack, path))
        raise ScenarioError(
            Issue(stack[-1].name, None, "base", path.name, f"a base that is not a cycle ({chain})"),
            title=f"scenario {stack[0].name} is not valid",
        )
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError:
        if stack:
            issue = Issue(stack[-1].name, None, "base", path.name, f"an existing file ({path})")
        else:
            issue = Issue(path.name, None, None, None, f"an existing scenario file ({path})")
        raise ScenarioError(issue, title="scenario file not found") from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ScenarioError(
            Issue(path.name, None, None, None, f"valid TOML ({e})"),
            title=f"scenario {path.name} is not valid",
        ) from None
    own, issues = _parse(raw, path.name)
    base: Scenario | None = None
    if "base" in raw:
        if isinstance(raw["base"], str) and raw["base"]:
            base = _load(path.parent / raw["base"], (*stack, path))
        else:
            issues.append(Issue(path.name, None, "base", raw["base"], "a file name"))
    if issues:
        raise ScenarioError(issues, title=f"scenario {path.name} is not valid")
    overrides = list(own)
    if base is not None:
        mine = {o.spec["target"] for o in own if o.kind == "set"}
        inherited = [
            o for o in base.overrides if not (o.kind == "set" and o.spec["target"] in mine)
        ]
        overrides = inherited + overrides
    name = raw.get("name") or path.stem
    return Scenario(
        name=_safe(str(name)),
        description=str(raw.get("description", "")).strip(),
        path=path,
        overrides=tuple(overrides),
    )


def parse(raw: dict, file: str = "<scenario>", name: str | None = None) -> Scenario:
    """A scenario from an already-parsed TOML dict (no `base`): for scenarios built in code."""
    overrides, issues = _parse(raw, file)
    if "base" in raw:
        issues.append(Issue(file, None, "base", raw["base"], "no base (only files have one)"))
    if issues:
        raise ScenarioError(issues, title=f"scenario {file} is not valid")
    return Scenario(
        name=_safe(str(raw.get("name") or name or Path(file).stem)),
        description=str(raw.get("description", "")).strip(),
        overrides=tuple(overrides),
    )


def _parse(raw: dict, file: str) -> tuple[list[Override], list[Issue]]:
    """Check the shape of one file (not yet against an instance) and list its overrides."""
    issues: list[Issue] = []
    out: list[Override] = []
    for key in raw:
        if key not in TOP_KEYS:
            issues.append(Issue(file, None, key, None, "a known key (" + ", ".join(TOP_KEYS) + ")"))
    for key in ("name", "description"):
        if key in raw and not isinstance(raw[key], str):
            issues.append(Issue(file, None, key, raw[key], "a text"))
    sets = raw.get("set", {})
    if not isinstance(sets, dict):
        issues.append(Issue(file, None, "set", None, "a table of dotted keys = values"))
        sets = {}
    for target, value in _flatten(sets):
        key = f"set.{target}"
        if isinstance(value, list) and not value:
            issues.append(Issue(file, None, key, value, "a value or a non-empty list (a sweep)"))
        out.append(Override("set", key, file, {"target": target, "value": value}))
    for kind in ("update", "scale"):
        entries = raw.get(kind, [])
        if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
            issues.append(Issue(file, None, kind, None, f"an array of tables [[{kind}]]"))
            continue
        value_key = "value" if kind == "update" else "factor"
        for n, entry in enumerate(entries, start=1):
            key = f"{kind}[{n}]"
            for k in entry:
                if k not in ENTRY_KEYS[kind]:
                    expected = "a known key (" + ", ".join(ENTRY_KEYS[kind]) + ")"
                    issues.append(Issue(file, None, f"{key}.{k}", None, expected))
            for k in ("table", "column", value_key):
                if k not in entry:
                    issues.append(Issue(file, None, f"{key}.{k}", None, f"a '{k}'"))
            if isinstance(entry.get(value_key), list) and not entry[value_key]:
                issues.append(Issue(file, None, f"{key}.{value_key}", [], "a non-empty list"))
            if not isinstance(entry.get("where", {}), dict):
                issues.append(Issue(file, None, f"{key}.where", None, "a table column = value(s)"))
            out.append(Override(kind, key, file, dict(entry)))
    if "ban" in raw:
        ban = raw["ban"]
        ban = [ban] if isinstance(ban, str) else ban
        if not isinstance(ban, list) or not all(isinstance(r, str) for r in ban):
            issues.append(Issue(file, None, "ban", raw["ban"], "a list of origin regions"))
        else:
            out.append(Override("ban", "ban", file, {"regions": list(ban)}))
    sites = raw.get("add_site", [])
    if not isinstance(sites, list) or not all(isinstance(e, dict) for e in sites):
        issues.append(Issue(file, None, "add_site", None, "an array of tables [[add_site]]"))
        sites = []
    for n, entry in enumerate(sites, start=1):
        out.append(Override("add_site", f"add_site[{n}]", file, dict(entry)))
    return out, issues


def _flatten(table: dict, prefix: str = "") -> Iterable[tuple[str, object]]:
    """`[set]` accepts quoted dotted keys and nested tables alike: both flatten to a.b.c."""
    for k, v in table.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            yield from _flatten(v, key + ".")
        else:
            yield key, v


# ----------------------------------------------------------------------------- sweeps


def _sweep_field(o: Override) -> str | None:
    return {"set": "value", "update": "value", "scale": "factor"}.get(o.kind)


def _label(o: Override) -> str:
    """Short name of a swept value in run names: the key without its section or table."""
    if o.spec.get("label"):
        return _safe(str(o.spec["label"]))
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


def _safe(text: str) -> str:
    """Filesystem-safe (letters, digits, . _ = -) and deterministic."""
    out = _UNSAFE.sub("-", text.replace("+", "")).strip("-.")
    return out or "scenario"


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
    return _safe(SWEEP_SEP.join([base, *parts]))


def split_run_name(name: str) -> tuple[str, dict[str, str]]:
    """`leakage__max_leakage_share=0.1` -> ("leakage", {"max_leakage_share": "0.1"})."""
    head, *parts = name.split(SWEEP_SEP)
    point = dict(p.split("=", 1) for p in parts if "=" in p)
    if len(point) != len(parts):
        return name, {}
    return head, point


# ----------------------------------------------------------------------------- applying


def apply_scenario_file(instance: Instance, path: Path | str) -> tuple[Instance, str]:
    """Apply a scenario file (or `file#run` of a sweep, as summary.json records it)."""
    path = Path(path)
    if not path.exists() and "#" in path.name:
        file, run = str(path).rsplit("#", 1)
        for member in expand(file):
            if member.name == run:
                return apply(instance, member), member.name
        raise ScenarioError(
            Issue(Path(file).name, None, None, run, "a run of this sweep"),
            title="scenario run not found",
        )
    scenario = load(path)
    return apply(instance, scenario), scenario.name


class _State:
    """The tables and settings being changed (copied on first write: the input is untouched)."""

    def __init__(self, instance: Instance) -> None:
        self.instance = instance
        self.tables: dict[str, pd.DataFrame] = {t.name: instance.table(t.name) for t in TABLES}
        self.copied: set[str] = set()
        self.collection: dict[str, object] = {}
        self.policy: dict[str, object] = {}
        self.permits = dict(instance.policy.import_permits_t_per_yr)
        self.issues: list[Issue] = []

    def writable(self, table: str) -> pd.DataFrame:
        if table not in self.copied:
            self.tables[table] = self.tables[table].copy()
            self.copied.add(table)
        return self.tables[table]

    def origin_regions(self) -> list[str]:
        sites = self.tables["sites"]
        return sorted(set(sites.loc[sites["kind"] == "origin", "region"]) - {""})


def apply(instance: Instance, scenario: Scenario) -> Instance:
    """A copy of `instance` with every override of `scenario` applied (the input is untouched).

    Kinds apply in this order: add_site, set (settings, then whole columns, then single
    rows), update, scale, ban; within a kind, in the order written (a base file first).
    Every override is logged. Whatever names an unknown table, column, id, region or key is
    an error naming the scenario file and the key; afterwards the instance checks that an
    override can break (types and ranges, keys, references, roles, levels) run again.
    Priority: CLI flags > scenario > instance.toml > defaults.
    """
    if scenario.is_sweep:
        n = math.prod(len(v) for _, _, v in scenario.axes)
        raise ScenarioError(
            [
                Issue(scenario.overrides[i].file, None, scenario.overrides[i].key, v, "one value")
                for i, _, v in scenario.axes
            ],
            title=f"scenario {scenario.name} is a sweep of {n} runs: run it with `hubnet batch`",
        )
    state = _State(instance)
    ordered = sorted(
        scenario.overrides,
        key=lambda o: (KIND_ORDER.index(o.kind), _set_rank(o) if o.kind == "set" else 0),
    )
    for o in ordered:
        getattr(_Apply, o.kind)(state, o, scenario.name)
    # an override with a problem changed nothing, so the tables are still typed: check them
    file = scenario.path.name if scenario.path else scenario.name
    state.issues.extend(_recheck(state, file))
    if state.issues:
        raise ScenarioError(state.issues, title=f"scenario {scenario.name} is not valid")
    changes: dict[str, object] = {t: state.tables[t] for t in state.copied}
    if state.collection:
        changes["collection"] = dataclasses.replace(instance.collection, **state.collection)
    if state.policy or state.permits != instance.policy.import_permits_t_per_yr:
        changes["policy"] = dataclasses.replace(
            instance.policy, **state.policy, import_permits_t_per_yr=state.permits
        )
    return instance.replace(**changes)


def _set_rank(o: Override) -> int:
    """Settings first, then whole columns, then single rows: the more specific key wins."""
    head, _, rest = o.spec["target"].partition(".")
    if head not in TABLE_BY_NAME:
        return 0
    return 1 if "." not in rest else 2


def _typed(table: Table, col: Column, values: list[object]) -> tuple[pd.Series, list[Issue]]:
    """TOML values -> the column's type, through the reader's own coercion (same checks)."""
    return coerce_column(table, col, pd.Series([_text(v) for v in values], dtype=object))


def _text(v: object) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, tuple | list):
        return ";".join(str(x) for x in v)
    return repr(v) if isinstance(v, float) else str(v)


def _issue(o: Override, suffix: str, value: object, expected: str) -> Issue:
    return Issue(o.file, None, o.key + suffix, value, expected)


def _known(values: Iterable[object], n: int = 8) -> str:
    vals = sorted({str(v) for v in values} - {"", "nan"})
    if not vals:
        return "none in this instance"
    return ", ".join(vals[:n]) + (f", … ({len(vals)} in all)" if len(vals) > n else "")


def _table_column(
    state: _State, o: Override, table: object, column: object, numeric: bool = False
) -> tuple[Table, Column] | None:
    suffix = "" if o.kind == "set" else ".table"
    if table not in TABLE_BY_NAME:
        state.issues.append(_issue(o, suffix, table, "a table: " + _known(TABLE_BY_NAME, 20)))
        return None
    t = TABLE_BY_NAME[str(table)]
    names = [c.name for c in t.columns if not numeric or c.type in ("float", "share")]
    if column not in names:
        what = "a numeric column of " if numeric else "a column of "
        suffix = "" if o.kind == "set" else ".column"
        state.issues.append(_issue(o, suffix, column, what + f"{t.file}: " + ", ".join(names)))
        return None
    return t, t.column(str(column))


def _site_column(t: Table) -> str | None:
    refs = [c.name for c in t.columns if c.references == ("sites", "id")]
    return refs[0] if len(refs) == 1 else None


def _match(state: _State, o: Override, t: Table) -> pd.Series | None:
    """Rows of `t` matching `where` (all rows without one); unknown columns/values are issues."""
    df = state.tables[t.name]
    mask = pd.Series(True, index=df.index)
    ok = True
    for col, want in (o.spec.get("where") or {}).items():
        wants = want if isinstance(want, list) else [want]
        key = f".where.{col}"
        if col == "region" and "region" not in df.columns:
            site_col = _site_column(t)
            if site_col is None:
                state.issues.append(_issue(o, key, col, f"a column of {t.file} (no region here)"))
                ok = False
                continue
            sites = state.tables["sites"]
            region = df[site_col].map(dict(zip(sites["id"], sites["region"], strict=True)))
            have = region
        elif col in df.columns:
            have = df[col]
        else:
            cols = [c.name for c in t.columns] + (["region"] if _site_column(t) else [])
            state.issues.append(_issue(o, key, col, f"a column of {t.file}: " + ", ".join(cols)))
            ok = False
            continue
        if pd.api.types.is_float_dtype(have):
            try:
                wants = [float(w) for w in wants]
            except (TypeError, ValueError):
                state.issues.append(_issue(o, key, want, "numbers"))
                ok = False
                continue
        else:
            wants = [str(w) for w in wants]
        present = set(have)
        for w in wants:
            if w not in present:
                what = "a region of the sites in " if col == "region" else "a value of "
                state.issues.append(_issue(o, key, w, f"{what}{t.file} ({_known(present)})"))
                ok = False
        mask &= have.isin(wants)
    if not ok:
        return None
    if not mask.any():
        state.issues.append(_issue(o, ".where", o.spec.get("where"), "a filter some row matches"))
        return None
    return mask


def _assign(df: pd.DataFrame, mask: pd.Series, column: str, value: object) -> None:
    """Set one value on the masked rows (a tuple, as `accepts` holds, stays one cell)."""
    rows = df.index[mask.to_numpy()]
    df.loc[rows, column] = pd.Series([value] * len(rows), index=rows, dtype=df[column].dtype)


def _where_text(o: Override) -> str:
    where = o.spec.get("where") or {}
    return " where " + ", ".join(f"{k}={v}" for k, v in where.items()) if where else ""


class _Apply:
    """One function per kind of override; each records issues rather than stopping."""

    @staticmethod
    def set(state: _State, o: Override, scen: str) -> None:
        target, value = o.spec["target"], o.spec["value"]
        head, _, rest = target.partition(".")
        if head in TABLE_BY_NAME:
            column, _, row_id = rest.partition(".")
            tc = _table_column(state, o, head, column)
            if tc is None:
                return
            t, col = tc
            df = state.tables[t.name]
            if row_id:
                if len(t.key) != 1:
                    state.issues.append(
                        _issue(o, "", target, f"<table>.<column> ({t.file} has no single id)")
                    )
                    return
                mask = df[t.key[0]] == row_id
                if not mask.any():
                    expected = f"an id of {t.file} ({_known(df[t.key[0]])})"
                    state.issues.append(_issue(o, "", row_id, expected))
                    return
            else:
                mask = pd.Series(True, index=df.index)
            typed, bad = _typed(t, col, [value])
            if bad:
                state.issues.extend(_issue(o, "", value, i.expected) for i in bad)
                return
            _assign(state.writable(t.name), mask, col.name, typed.iloc[0])
            logger.info("scenario %s: %s = %r (%d rows)", scen, target, value, int(mask.sum()))
            return
        section, _, key = target.rpartition(".")
        if section == PERMITS:
            if key not in state.origin_regions():
                expected = "an origin region (" + _known(state.origin_regions()) + ")"
                state.issues.append(_issue(o, "", key, expected))
                return
        elif section not in SETTINGS or not section or key not in SETTINGS[section]:
            known = [f"{s}.{k}" for s, ks in SETTINGS.items() if s and s != PERMITS for k in ks]
            expected = (
                "a setting (" + ", ".join(known) + f", {PERMITS}.<region>), "
                "<table>.<column> or <table>.<column>.<id>"
            )
            state.issues.append(_issue(o, "", target, expected))
            return
        spec = SETTINGS[section]
        default = spec.get(key, spec.get("<region>"))[1]  # type: ignore[index]
        if value == "" and (default is None or section == PERMITS):
            typed_value: object = None
        else:
            raw: dict = {"name": "x"}
            node = raw
            for part in section.split("."):
                node = node.setdefault(part, {})
            node[key] = value
            parsed, bad = parse_settings(raw)
            if bad:
                state.issues.extend(_issue(o, "", value, i.expected) for i in bad)
                return
            typed_value = parsed[section][key]
            if spec.get(key, spec.get("<region>"))[0] in ("float", "share"):  # type: ignore[index]
                typed_value = float(typed_value)  # type: ignore[arg-type]
        if section == PERMITS:
            if typed_value is None:
                state.permits.pop(key, None)
            else:
                state.permits[key] = typed_value  # type: ignore[assignment]
        elif section == "collection":
            state.collection[key] = typed_value
        else:
            state.policy[key] = typed_value
        logger.info("scenario %s: %s = %r", scen, target, typed_value)

    @staticmethod
    def update(state: _State, o: Override, scen: str) -> None:
        tc = _table_column(state, o, o.spec.get("table"), o.spec.get("column"))
        if tc is None:
            return
        t, col = tc
        mask = _match(state, o, t)
        if mask is None:
            return
        typed, bad = _typed(t, col, [o.spec["value"]])
        if bad:
            state.issues.extend(_issue(o, ".value", o.spec["value"], i.expected) for i in bad)
            return
        _assign(state.writable(t.name), mask, col.name, typed.iloc[0])
        logger.info(
            "scenario %s: %s.%s = %r%s (%d rows)",
            scen,
            t.name,
            col.name,
            o.spec["value"],
            _where_text(o),
            int(mask.sum()),
        )

    @staticmethod
    def scale(state: _State, o: Override, scen: str) -> None:
        tc = _table_column(state, o, o.spec.get("table"), o.spec.get("column"), numeric=True)
        factor = o.spec.get("factor")
        if isinstance(factor, bool) or not isinstance(factor, int | float) or not factor >= 0:
            state.issues.append(_issue(o, ".factor", factor, "a non-negative number"))
            return
        if tc is None:
            return
        t, col = tc
        mask = _match(state, o, t)
        if mask is None:
            return
        df = state.writable(t.name)
        df.loc[mask, col.name] = df.loc[mask, col.name] * float(factor)
        _, bad = _typed(t, col, list(df.loc[mask, col.name]))
        state.issues.extend(
            _issue(o, ".factor", factor, f"{i.expected} after scaling") for i in bad
        )
        logger.info(
            "scenario %s: %s.%s x %g%s (%d rows)",
            scen,
            t.name,
            col.name,
            factor,
            _where_text(o),
            int(mask.sum()),
        )

    @staticmethod
    def ban(state: _State, o: Override, scen: str) -> None:
        regions = state.origin_regions()
        for r in o.spec["regions"]:
            if r not in regions:
                state.issues.append(_issue(o, "", r, f"an origin region ({_known(regions)})"))
                continue
            state.permits[r] = 0.0
            logger.info("scenario %s: imports from %s banned (permit 0)", scen, r)

    @staticmethod
    def add_site(state: _State, o: Override, scen: str) -> None:
        spec = o.spec
        site_cols = [c.name for c in TABLE_BY_NAME["sites"].columns]
        for k in spec:
            if k not in site_cols and k not in ADD_SITE_ROWS:
                known = ", ".join([*site_cols, *ADD_SITE_ROWS])
                state.issues.append(_issue(o, f".{k}", None, f"a known key ({known})"))
        site_id = spec.get("id")
        if not isinstance(site_id, str) or not site_id:
            state.issues.append(_issue(o, ".id", site_id, "a new site id"))
            return
        if site_id in set(state.tables["sites"]["id"]):
            state.issues.append(_issue(o, ".id", site_id, "a new site id (this one exists)"))
            return
        site_row = {k: v for k, v in spec.items() if k in site_cols}
        groups: list[tuple[str, str, list[dict]]] = [("", "sites", [site_row])]
        for sub, (table, id_col) in ADD_SITE_ROWS.items():
            rows = spec.get(sub, [])
            rows = [rows] if isinstance(rows, dict) else rows
            if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
                state.issues.append(_issue(o, f".{sub}", None, "a table or an array of tables"))
                continue
            if rows:
                groups.append((f".{sub}", table, [{**r, id_col: site_id} for r in rows]))
        added = []
        for suffix, table, rows in groups:
            t = TABLE_BY_NAME[table]
            cols = [c.name for c in t.columns]
            for n, row in enumerate(rows, start=1):
                for k in row:
                    if k not in cols:
                        where = f"{suffix}[{n}].{k}" if suffix else f".{k}"
                        expected = f"a column of {t.file}: " + ", ".join(cols)
                        state.issues.append(_issue(o, where, None, expected))
            frame = pd.DataFrame(
                [{k: _text(v) for k, v in row.items() if k in cols} for row in rows], dtype=object
            ).fillna("")
            typed, bad = coerce_table(t, frame)
            for i in bad:
                n = "" if i.row in (None, 1) else f"[{i.row - 1}]"
                where = f"{suffix}{n}.{i.column}" if i.column else suffix
                state.issues.append(_issue(o, where, i.value, i.expected))
            df = state.writable(table)
            state.tables[table] = pd.concat([df, typed], ignore_index=True)
            added.append(f"{len(typed)} {table}")
        logger.info("scenario %s: site %s added (%s rows)", scen, site_id, ", ".join(added))


def _recheck(state: _State, file: str) -> list[Issue]:
    """The instance checks an override can break, over the changed tables."""
    tables = state.tables
    found: list[Issue] = []
    for name in sorted(state.copied):
        found.extend(check_keys(TABLE_BY_NAME[name], tables[name]))
    found += check_references(tables)
    found += check_coordinates(tables["sites"])
    found += check_roles(tables)
    found += check_accepts(tables)
    found += check_levels(tables["capacity_levels"])
    found += check_recovery(tables)
    return [
        Issue(
            file,
            None,
            f"{Path(i.file).stem}.{i.column}" if i.column else Path(i.file).stem,
            i.value,
            f"{i.expected} (after applying the scenario: {i.file} row {i.row})",
        )
        for i in found
    ]


__all__ = [
    "Override",
    "Scenario",
    "apply",
    "apply_scenario_file",
    "expand",
    "load",
    "parse",
    "split_run_name",
]
