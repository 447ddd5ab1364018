"""One function per kind of override: set, update, scale, ban, add_site."""

from __future__ import annotations

import logging

import pandas as pd

from hubnet.instance.schema import SETTINGS, TABLE_BY_NAME
from hubnet.instance.validate import coerce_table, parse_settings
from hubnet.scenario.core import ADD_SITE_ROWS, PERMITS, Override
from hubnet.scenario.roadmap import is_roadmap_target, set_roadmap
from hubnet.scenario.state import (
    State,
    assign,
    known_values,
    matching_rows,
    override_issue,
    table_column,
    toml_text,
    typed_values,
    where_text,
)

# the package's logger: users configure "hubnet.scenario" to see the overrides applied
logger = logging.getLogger("hubnet.scenario")


def set_(state: State, o: Override, scen: str) -> None:
    """`[set]`: a table column (every row, or the row with an id) or an instance.toml setting."""
    if o.spec["target"].partition(".")[0] in TABLE_BY_NAME:
        _set_column(state, o, scen)
    else:
        _set_setting(state, o, scen)


def _set_column(state: State, o: Override, scen: str) -> None:
    target, value = o.spec["target"], o.spec["value"]
    head, _, rest = target.partition(".")
    column, _, row_id = rest.partition(".")
    tc = table_column(state, o, head, column)
    if tc is None:
        return
    t, col = tc
    df = state.tables[t.name]
    if row_id:
        if len(t.key) != 1:
            expected = f"<table>.<column> ({t.file} has no single id)"
            state.flag(o, "", target, expected)
            return
        mask = df[t.key[0]] == row_id
        if not mask.any():
            expected = f"an id of {t.file} ({known_values(df[t.key[0]])})"
            state.flag(o, "", row_id, expected)
            return
    else:
        mask = pd.Series(True, index=df.index)
    typed, bad = typed_values(t, col, [value])
    if bad:
        state.issues.extend(override_issue(o, "", value, i.expected) for i in bad)
        return
    assign(state.writable(t.name), mask, col.name, typed.iloc[0])
    logger.info("scenario %s: %s = %r (%d rows)", scen, target, value, int(mask.sum()))


def _set_setting(state: State, o: Override, scen: str) -> None:
    target = o.spec["target"]
    if is_roadmap_target(target):
        set_roadmap(state, o, scen)
        return
    section, _, key = target.rpartition(".")
    if section == PERMITS:
        if key not in state.origin_regions():
            expected = "an origin region (" + known_values(state.origin_regions()) + ")"
            state.flag(o, "", key, expected)
            return
    elif section not in SETTINGS or not section or key not in SETTINGS[section]:
        known = [f"{s}.{k}" for s, ks in SETTINGS.items() if s and s != PERMITS for k in ks]
        expected = (
            "a setting (" + ", ".join(known) + f", {PERMITS}.<region>), "
            "<table>.<column> or <table>.<column>.<id>"
        )
        state.flag(o, "", target, expected)
        return
    ok, typed_value = _setting_value(state, o, section, key)
    if not ok:
        return
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


def _setting_value(state: State, o: Override, section: str, key: str) -> tuple[bool, object]:
    """The value typed as instance.toml would type it; "" clears an optional setting."""
    value = o.spec["value"]
    spec = SETTINGS[section]
    kind, default = spec.get(key, spec.get("<region>"))[:2]  # type: ignore[index]
    if value == "" and (default is None or section == PERMITS):
        return True, None
    raw: dict = {"name": "x"}
    node = raw
    for part in section.split("."):
        node = node.setdefault(part, {})
    node[key] = value
    parsed, bad = parse_settings(raw)
    if bad:
        state.issues.extend(override_issue(o, "", value, i.expected) for i in bad)
        return False, None
    typed_value = parsed[section][key]
    if kind in ("float", "share"):
        typed_value = float(typed_value)  # type: ignore[arg-type]
    return True, typed_value


def update(state: State, o: Override, scen: str) -> None:
    tc = table_column(state, o, o.spec.get("table"), o.spec.get("column"))
    if tc is None:
        return
    t, col = tc
    mask = matching_rows(state, o, t)
    if mask is None:
        return
    typed, bad = typed_values(t, col, [o.spec["value"]])
    if bad:
        state.issues.extend(override_issue(o, ".value", o.spec["value"], i.expected) for i in bad)
        return
    assign(state.writable(t.name), mask, col.name, typed.iloc[0])
    logger.info(
        "scenario %s: %s.%s = %r%s (%d rows)",
        scen,
        t.name,
        col.name,
        o.spec["value"],
        where_text(o),
        int(mask.sum()),
    )


def scale(state: State, o: Override, scen: str) -> None:
    tc = table_column(state, o, o.spec.get("table"), o.spec.get("column"), numeric=True)
    factor = o.spec.get("factor")
    if isinstance(factor, bool) or not isinstance(factor, int | float) or not factor >= 0:
        state.flag(o, ".factor", factor, "a non-negative number")
        return
    if tc is None:
        return
    t, col = tc
    mask = matching_rows(state, o, t)
    if mask is None:
        return
    df = state.writable(t.name)
    df.loc[mask, col.name] = df.loc[mask, col.name] * float(factor)
    _, bad = typed_values(t, col, list(df.loc[mask, col.name]))
    state.issues.extend(
        override_issue(o, ".factor", factor, f"{i.expected} after scaling") for i in bad
    )
    logger.info(
        "scenario %s: %s.%s x %g%s (%d rows)",
        scen,
        t.name,
        col.name,
        factor,
        where_text(o),
        int(mask.sum()),
    )


def ban(state: State, o: Override, scen: str) -> None:
    regions = state.origin_regions()
    for r in o.spec["regions"]:
        if r not in regions:
            state.flag(o, "", r, f"an origin region ({known_values(regions)})")
            continue
        state.permits[r] = 0.0
        logger.info("scenario %s: imports from %s banned (permit 0)", scen, r)


def add_site(state: State, o: Override, scen: str) -> None:
    spec = o.spec
    site_cols = [c.name for c in TABLE_BY_NAME["sites"].columns]
    for k in spec:
        if k not in site_cols and k not in ADD_SITE_ROWS:
            known = ", ".join([*site_cols, *ADD_SITE_ROWS])
            state.flag(o, f".{k}", None, f"a known key ({known})")
    site_id = spec.get("id")
    if not isinstance(site_id, str) or not site_id:
        state.flag(o, ".id", site_id, "a new site id")
        return
    if site_id in set(state.tables["sites"]["id"]):
        state.flag(o, ".id", site_id, "a new site id (this one exists)")
        return
    site_row = {k: v for k, v in spec.items() if k in site_cols}
    groups: list[tuple[str, str, list[dict]]] = [("", "sites", [site_row])]
    for sub, (table, id_col) in ADD_SITE_ROWS.items():
        rows = spec.get(sub, [])
        rows = [rows] if isinstance(rows, dict) else rows
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            state.flag(o, f".{sub}", None, "a table or an array of tables")
            continue
        if rows:
            groups.append((f".{sub}", table, [{**r, id_col: site_id} for r in rows]))
    added = []
    roadmap = state.instance.is_roadmap or bool(state.periods)
    for suffix, table, rows in groups:
        t = TABLE_BY_NAME[table]
        cols = [c.name for c in t.columns] + (["year"] if roadmap and t.yearly else [])
        for n, row in enumerate(rows, start=1):
            for k in row:
                if k not in cols:
                    where = f"{suffix}[{n}].{k}" if suffix else f".{k}"
                    expected = f"a column of {t.file}: " + ", ".join(cols)
                    state.flag(o, where, None, expected)
        frame = pd.DataFrame(
            [{k: toml_text(v) for k, v in row.items() if k in cols} for row in rows], dtype=object
        ).fillna("")
        typed, bad = coerce_table(t, frame)
        for i in bad:
            n = "" if i.row in (None, 1) else f"[{i.row - 1}]"
            where = f"{suffix}{n}.{i.column}" if i.column else suffix
            state.flag(o, where, i.value, i.expected)
        df = state.writable(table)
        state.tables[table] = pd.concat([df, typed], ignore_index=True)
        added.append(f"{len(typed)} {table}")
    logger.info("scenario %s: site %s added (%s rows)", scen, site_id, ", ".join(added))


#: each kind of override records its issues in the state rather than stopping
APPLY = {"set": set_, "update": update, "scale": scale, "ban": ban, "add_site": add_site}
