"""instance.toml -> typed settings: the sections of `schema.SETTINGS`, `[periods]` and
`[policy.from_year.Y]`; every problem is an issue naming the key."""

from __future__ import annotations

import math

from hubnet.errors import Issue
from hubnet.instance.periods import FORESIGHT, Periods
from hubnet.instance.schema import SETTINGS

FILE = "instance.toml"
PERIODS = "periods"
FROM_YEAR = "from_year"
PERMITS = "import_permits_t_per_yr"


def parse_settings(raw: dict) -> tuple[dict[str, dict[str, object]], list[Issue]]:
    """instance.toml -> {section: {key: value}} with defaults; unknown keys are issues."""
    issues: list[Issue] = []
    out: dict[str, dict[str, object]] = {
        sec: {k: d for k, (_, d, _) in spec.items() if not k.startswith("<")}
        for sec, spec in SETTINGS.items()
    }
    out["policy.import_permits_t_per_yr"] = {}

    def put(section: str, key: str, value: object) -> None:
        spec = SETTINGS[section]
        where = f"{section}.{key}" if section else key
        typ, _, desc = spec["<region>"] if "<region>" in spec else spec[key]
        ok = True
        if typ in ("float", "share", "int"):
            ok = isinstance(value, int | float) and not isinstance(value, bool)
            ok = ok and math.isfinite(float(value)) and float(value) >= 0  # type: ignore[arg-type]
            ok = ok and (typ != "share" or float(value) <= 1)  # type: ignore[arg-type]
            ok = ok and (typ != "int" or float(value) == int(value))  # type: ignore[arg-type]
        elif typ == "bool":
            ok = isinstance(value, bool)
        elif typ == "str":
            ok = isinstance(value, str)
        if not ok:
            kind = {"share": "a share between 0 and 1", "float": "a non-negative number"}
            issues.append(Issue("instance.toml", None, where, value, kind.get(typ, f"a {typ}")))
            return
        out[section][key] = int(value) if typ == "int" else value  # type: ignore[arg-type]

    def walk(section: str, table: dict) -> None:
        for key, value in table.items():
            sub = f"{section}.{key}" if section else key
            if sub in (PERIODS, f"policy.{FROM_YEAR}"):
                continue  # parse_roadmap's
            if isinstance(value, dict):
                if sub not in SETTINGS:
                    issues.append(Issue("instance.toml", None, f"[{sub}]", None, _known_sections()))
                    continue
                walk(sub, value)
            elif section in SETTINGS and (
                key in SETTINGS[section] or "<region>" in SETTINGS[section]
            ):
                put(section, key, value)
            else:
                known = ", ".join(k for k in SETTINGS.get(section, {}))
                issues.append(Issue("instance.toml", None, sub, value, f"a known key ({known})"))

    walk("", raw)
    if not out[""].get("name"):
        issues.append(Issue("instance.toml", None, "name", None, "a name for the instance"))
    return out, issues


def _known_sections() -> str:
    return "one of the sections " + ", ".join(f"[{s}]" for s in SETTINGS if s)


def parse_roadmap(raw: dict) -> tuple[Periods | None, dict[int, dict[str, object]], list[Issue]]:
    """`[periods]` and `[policy.from_year.Y]` of a parsed instance.toml (absent: None, {})."""
    periods, issues = (None, []) if PERIODS not in raw else parse_periods(raw[PERIODS])
    changes = raw.get("policy", {}).get(FROM_YEAR) if isinstance(raw.get("policy"), dict) else None
    if changes is None:
        return periods, {}, issues
    if PERIODS not in raw:
        expected = "a [periods] section listing the planning years (from_year needs them)"
        issues.append(Issue(FILE, None, f"[policy.{FROM_YEAR}]", None, expected))
    from_year, more = parse_from_year(changes)
    return periods, from_year, issues + more


def parse_periods(raw: object) -> tuple[Periods | None, list[Issue]]:
    """`[periods]` -> `Periods`; each bad key an issue."""
    if not isinstance(raw, dict):
        return None, [Issue(FILE, None, f"[{PERIODS}]", raw, "a section of keys")]
    issues = [
        Issue(FILE, None, f"{PERIODS}.{k}", None, "a known key (" + ", ".join(_KNOWN) + ")")
        for k in raw
        if k not in _KNOWN
    ]
    years = raw.get("years")
    if not _is_years(years):
        expected = "a list of planning years: ascending, unique integers (e.g. [2025, 2030])"
        issues.append(Issue(FILE, None, f"{PERIODS}.years", years, expected))
    r = raw.get("discount_rate", 0.0)
    if not (_is_number(r) and 0 <= r < 1):
        issues.append(Issue(FILE, None, f"{PERIODS}.discount_rate", r, "a number 0 <= r < 1"))
    n = raw.get("last_period_years", 1)
    if not (_is_number(n) and n == int(n) and n >= 1):
        issues.append(Issue(FILE, None, f"{PERIODS}.last_period_years", n, "an integer >= 1"))
    foresight = raw.get("foresight", "perfect")
    if foresight not in FORESIGHT:
        expected = "one of " + ", ".join(FORESIGHT)
        issues.append(Issue(FILE, None, f"{PERIODS}.foresight", foresight, expected))
    if issues:
        return None, issues
    return Periods(tuple(years), float(r), int(n), str(foresight)), []  # type: ignore[arg-type]


_KNOWN = tuple(SETTINGS[PERIODS])


def _is_number(v: object) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)


def _is_years(v: object) -> bool:
    if not isinstance(v, list) or not v:
        return False
    if not all(isinstance(y, int) and not isinstance(y, bool) for y in v):
        return False
    return all(a < b for a, b in zip(v, v[1:], strict=False))


def parse_from_year(raw: object) -> tuple[dict[int, dict[str, object]], list[Issue]]:
    """`[policy.from_year.Y]` sections -> year -> the policy keys set (typed as [policy])."""
    where = f"[policy.{FROM_YEAR}]"
    if not isinstance(raw, dict):
        return {}, [Issue(FILE, None, where, raw, "sections [policy.from_year.<year>]")]
    out: dict[int, dict[str, object]] = {}
    issues: list[Issue] = []
    for key, section in raw.items():
        name = f"policy.{FROM_YEAR}.{key}"
        if not (isinstance(key, str) and key.isdigit()):
            issues.append(Issue(FILE, None, f"[{name}]", key, "an integer year, e.g. 2030"))
            continue
        if not isinstance(section, dict):
            issues.append(Issue(FILE, None, name, section, "a section of [policy] keys"))
            continue
        out[int(key)], more = _policy_section(section, name)
        issues.extend(more)
    return out, issues


def _policy_section(section: dict, name: str) -> tuple[dict[str, object], list[Issue]]:
    """One from_year section, typed by the [policy] declarations (only the keys it sets)."""
    parsed, bad = parse_settings({"name": "x", "policy": section})
    issues = [
        Issue(i.file, i.row, (i.column or "").replace("policy", name, 1), i.value, i.expected)
        for i in bad
    ]
    spec = SETTINGS["policy"]
    values: dict[str, object] = {
        k: float(parsed["policy"][k]) if spec[k][0] in ("float", "share") else parsed["policy"][k]  # type: ignore[arg-type]
        for k in section
        if k in spec and parsed["policy"][k] is not None
    }
    if isinstance(section.get(PERMITS), dict):
        permits = parsed[f"policy.{PERMITS}"]
        values[PERMITS] = {r: float(v) for r, v in permits.items()}  # type: ignore[arg-type]
    return values, issues
