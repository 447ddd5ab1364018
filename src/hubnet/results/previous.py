"""The read side of a results folder that a new run starts from: the plan of a warm start."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from hubnet.errors import Issue, ResultsError
from hubnet.report import Plan


def previous_plan(folder: Path) -> Plan:
    """The open levels in a results folder's facilities.csv."""
    path = Path(folder) / "facilities.csv"
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, pd.errors.ParserError) as exc:
        raise ResultsError(
            [Issue(str(path), None, None, "", f"a readable results table ({exc})")],
            title="warm start",
        ) from None
    missing = [c for c in ("facility", "level") if c not in table.columns]
    if missing:
        raise ResultsError(
            [Issue(str(path), 1, c, "", "a column of a hubnet results table") for c in missing],
            title="warm start",
        )
    opened = table[table["level"] != ""]
    return dict(zip(opened["facility"], opened["level"], strict=True))
