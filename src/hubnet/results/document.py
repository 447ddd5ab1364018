"""models/results_format.md, generated from the declarations of `schema.py` (tables) and
`summary_schema.py` (summary.json keys)."""

from __future__ import annotations

from hubnet.results.schema import OPTIONAL_TABLES, TABLES, TWO_STAGE_TABLES
from hubnet.results.summary_schema import SUMMARY, TWO_STAGE_SUMMARY, Key

HEADER = """# Results folder format

<!-- generated from src/hubnet/results/schema.py by `python -m hubnet.results
models/results_format.md`; a test keeps the two equal: edit the schema, not this file -->

A solved run writes `results/<instance>/<scenario>/` whole or not at all: `summary.json`,
one CSV per table below (UTF-8, comma, header row, rows sorted as stated, numbers with up
to 10 significant digits, empty cell = no value, flags `True`/`False`) and the same tables
as the sheets of `results.xlsx` (after a `summary` sheet of summary.json's keys). An
infeasible run writes `summary.json` and `diagnosis.txt` only. The map files (`routes.gpkg`,
`geojson/`, `map.html`, `map.png`) are drawn from `sites`, `facilities`, `flows` and
`leakage` alone, and `hubnet compare` reads nothing but these folders.
"""


TWO_STAGE_HEADER = """## `summary.json` of a two-stage run

`hubnet solve INSTANCE --futures A.toml B.toml ...` writes one folder: `summary.json` (the keys
every run writes, from `instance` to `termination`, and those below), `plan.csv`,
`futures.csv`, and `futures/<name>/`, an ordinary results folder of the shared plan operated
in each future.
"""


def _keys_markdown(keys: tuple[Key, ...], prefix: str = "") -> list[str]:
    out = []
    for k in keys:
        runs = "" if k.runs == "all" or prefix else f" ({k.runs} runs only)"
        out.append(f"| `{prefix}{k.name}` | {k.type} | {k.description}{runs} |")
        out.extend(_keys_markdown(k.keys, f"{prefix}{k.name}."))
    return out


def format_markdown() -> str:
    """models/results_format.md, generated from the declarations above."""
    out = [HEADER, "## `summary.json`\n", "| key | type | meaning |", "|---|---|---|"]
    out.extend(_keys_markdown(SUMMARY))
    out.append("")
    out += [TWO_STAGE_HEADER, "| key | type | meaning |", "|---|---|---|"]
    out.extend(_keys_markdown(TWO_STAGE_SUMMARY))
    out.append("")
    for t in (*TABLES, *OPTIONAL_TABLES, *TWO_STAGE_TABLES):
        order = ", ".join(f"`{c}`" for c in t.sort)
        sort = f" Rows sorted by {order}." if t.sort else ""
        out.append(f"## `{t.file}`\n\n{t.description}{sort}\n")
        out.append("| column | type | unit | meaning |")
        out.append("|---|---|---|---|")
        for c in t.columns:
            typ = c.type + (f": {' / '.join(c.choices)}" if c.choices else "")
            out.append(f"| `{c.name}` | {typ} | {c.unit or '-'} | {c.description} |")
        out.append("")
    return "\n".join(out)
