"""Reading scenario files: TOML shape checks, bases merged in, overrides listed in order."""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from pathlib import Path

from hubnet.errors import Issue, ScenarioError
from hubnet.scenario.core import (
    ENTRY_KEYS,
    PERIODS,
    TOP_KEYS,
    Override,
    Scenario,
    safe_name,
)


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
        name=safe_name(str(name)),
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
        name=safe_name(str(raw.get("name") or name or Path(file).stem)),
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
    out.extend(_roadmap_sections(raw, file, issues))
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


def _roadmap_sections(raw: dict, file: str, issues: list[Issue]) -> list[Override]:
    """`[periods]` and `[policy.from_year.Y]` sections, written as in instance.toml: the same
    as `[set]` of "periods.<key>" and "policy.from_year.<Y>.<key>"."""
    sections: dict = {}
    if PERIODS in raw:
        if isinstance(raw[PERIODS], dict):
            sections[PERIODS] = raw[PERIODS]
        else:
            issues.append(Issue(file, None, f"[{PERIODS}]", raw[PERIODS], "a section of keys"))
    policy = raw.get("policy")
    if policy is not None:
        if not isinstance(policy, dict) or set(policy) != {"from_year"}:
            expected = "only [policy.from_year.<year>] sections (other policy settings: [set])"
            issues.append(Issue(file, None, "[policy]", None, expected))
        else:
            sections["policy"] = policy
    return [
        Override("set", target, file, {"target": target, "value": value})
        for target, value in _flatten(sections)
    ]


def _flatten(table: dict, prefix: str = "") -> Iterable[tuple[str, object]]:
    """`[set]` accepts quoted dotted keys and nested tables alike: both flatten to a.b.c."""
    for k, v in table.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            yield from _flatten(v, key + ".")
        else:
            yield key, v
