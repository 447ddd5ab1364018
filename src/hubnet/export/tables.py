"""Result tables as CSV, one Excel workbook and summary.json, in a folder written whole;
and the same tables read back, as results/schema.py declares them.

`atomic_folder` gives a temporary folder beside the target and renames it into place at the
end, so an interrupted run leaves no half-written results folder.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import xlsxwriter

from hubnet.errors import Issue, ResultsError
from hubnet.results.schema import TABLE_BY_NAME, YEAR, Column, conform
from hubnet.results.solution import TABLE_NAMES
from hubnet.results.summary_schema import summary_keys

FLOAT_FORMAT = "%.10g"
TRUE = ("true", "1", "yes")
FALSE = ("false", "0", "no")


@contextlib.contextmanager
def atomic_folder(target: Path) -> Iterator[Path]:
    """Yield a fresh temporary folder; on success it replaces `target`, on error it vanishes."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    for stale in target.parent.glob(f".{target.name}.*.tmp"):
        if not _alive(stale):
            shutil.rmtree(stale, ignore_errors=True)  # debris of a run that was killed
    tmp = Path(
        tempfile.mkdtemp(prefix=f".{target.name}.{os.getpid()}.", suffix=".tmp", dir=target.parent)
    )
    try:
        yield tmp
        old = None
        if target.exists():
            old = target.parent / f".{target.name}.old-{os.getpid()}"
            os.replace(target, old)
        os.replace(tmp, target)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _alive(tmp: Path) -> bool:
    """Whether the process that made a temporary results folder is still running."""
    try:
        pid = int(tmp.name.split(".")[2])
        os.kill(pid, 0)
    except (IndexError, ValueError, ProcessLookupError):
        return False
    except PermissionError:
        return True
    return True


def _clean(obj: object) -> object:
    """JSON-safe: NaN/inf become null, numpy scalars plain numbers."""
    if isinstance(obj, dict):
        return {str(k): _clean(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_clean(v) for v in obj]
    if hasattr(obj, "item"):
        obj = obj.item()  # type: ignore[union-attr]
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj


def write_tables(folder: Path, tables: dict[str, pd.DataFrame], summary: dict) -> None:
    """Every table as <name>.csv and as a sheet of results.xlsx, plus summary.json.

    A declared table (results/schema.py) is written with its declared columns, in order.
    """
    tables = {n: conform(n, df) if n in TABLE_BY_NAME else df for n, df in tables.items()}
    for name, df in tables.items():
        df.to_csv(
            folder / f"{name}.csv", index=False, float_format=FLOAT_FORMAT, lineterminator="\n"
        )
    items = pd.DataFrame(
        [(k, json.dumps(_clean(v), ensure_ascii=False)) for k, v in summary.items()],
        columns=["item", "value"],
    )
    # typed writes, column by column into shared strings: pandas' to_excel took 9 s on a
    # municipal run, row-by-row writes in constant-memory mode 4 s, this 2 s
    book = xlsxwriter.Workbook(
        str(folder / "results.xlsx"),
        {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False},
    )
    try:
        for name, df in {"summary": items, **tables}.items():
            _sheet(book.add_worksheet(name[:31]), df)
    finally:
        book.close()
    text = json.dumps(_clean(summary), indent=2, ensure_ascii=False, sort_keys=False)
    (folder / "summary.json").write_text(text + "\n", encoding="utf-8")


def _sheet(ws, df: pd.DataFrame) -> None:  # noqa: ANN001 - an xlsxwriter worksheet
    """One table as a sheet: a header row, then numbers as numbers, booleans as booleans,
    text as text and missing values as empty cells."""
    ws.write_row(0, 0, [str(c) for c in df.columns])
    for c, name in enumerate(df.columns):
        column = df[name]
        kind = column.dtype.kind
        if kind in "iub" and not column.hasnans:
            write = ws.write_boolean if kind == "b" else ws.write_number
            for r, x in enumerate(column.tolist(), start=1):
                write(r, c, x)
        elif kind == "f":
            values = column.to_numpy(dtype=float, na_value=np.nan)
            for r in (np.flatnonzero(np.isfinite(values)) + 1).tolist():
                ws.write_number(r, c, float(values[r - 1]))
        else:
            for r, x in enumerate(column.tolist(), start=1):
                _write_any(ws, r, c, x)


def _write_any(ws, r: int, c: int, x: object) -> None:  # noqa: ANN001 - a worksheet
    """A cell of a text or mixed column, typed by its value; missing values stay empty."""
    if x is None or x is pd.NA:
        return
    if isinstance(x, bool | np.bool_):
        ws.write_boolean(r, c, bool(x))
    elif isinstance(x, int | float | np.integer | np.floating):
        if np.isfinite(x):
            ws.write_number(r, c, float(x))
    else:
        ws.write_string(r, c, str(x))


def read_table(folder: Path, name: str) -> pd.DataFrame:
    """A declared table of a results folder, with the declared columns, order and types.

    Ids stay text ("NA" is an id, not a missing value); empty cells are '' in text columns
    and NaN in number columns; a roadmap run's table keeps its `year` column (integers) first.
    A missing file or column, or a value of the wrong type, is a ResultsError naming the
    file, row and column.
    """
    table = TABLE_BY_NAME[name]
    path = Path(folder) / table.file
    if not path.is_file():
        raise ResultsError(_where(path, None, None, None, "a file of a hubnet results folder"))
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as e:
        raise ResultsError(_where(path, None, None, None, f"a readable CSV table ({e})")) from None
    missing = [c for c in table.names if c not in raw.columns]
    if missing:
        raise ResultsError(
            [
                _where(path, 1, c, None, f"column '{c}' ({table.column(c).description})")
                for c in missing
            ]
        )
    typed = {c.name: _typed(path, raw[c.name], c) for c in table.columns}
    if (
        YEAR in raw.columns and YEAR not in table.names
    ):  # a roadmap run's table: the planning year of each row, first
        typed = {YEAR: _years(path, raw[YEAR]), **typed}
    return pd.DataFrame(typed)


def _years(path: Path, raw: pd.Series) -> pd.Series:
    """The `year` column of a roadmap run's table as integers; a bad value is a ResultsError."""
    values = pd.to_numeric(raw.str.strip(), errors="coerce")
    bad = values.isna() | (values != values.round())
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise ResultsError(_where(path, i + 2, YEAR, raw.iloc[i], "a planning year (integer)"))
    return values.astype(int)


def _where(path: Path, row: int | None, column: str | None, value: object, expected: str) -> Issue:
    return Issue(str(path), row, column, value, expected)


def _typed(path: Path, raw: pd.Series, column: Column) -> pd.Series:
    """One column as its declared type; the first bad value is a ResultsError."""
    if column.type == "str":
        bad = ~raw.isin(("", *column.choices)) if column.choices else raw.ne(raw)
        expected = "one of " + ", ".join(column.choices)
        values = raw
    elif column.type == "float":
        values = pd.to_numeric(raw.replace("", np.nan), errors="coerce").astype(float)
        bad = values.isna() & raw.ne("")
        expected = "a number"
    else:
        words = raw.str.strip().str.lower()
        values = words.isin(TRUE)
        bad = ~(values | words.isin(FALSE))
        expected = "True or False"
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise ResultsError(_where(path, i + 2, column.name, raw.iloc[i], expected))
    return values


def read_tables(folder: Path, names: Iterable[str] = TABLE_NAMES) -> dict[str, pd.DataFrame]:
    """The declared tables `names` of a results folder (see `read_table`)."""
    return {name: read_table(folder, name) for name in names}


def previous_plan(folder: Path) -> dict[str, str]:
    """The open levels (facility -> level) in a results folder's facilities.csv: the plan a
    warm start begins from."""
    table = read_table(folder, "facilities")
    opened = table[table["level"] != ""]
    return dict(zip(opened["facility"], opened["level"], strict=True))


def read_summary(folder: Path) -> dict:
    """summary.json of a results folder; it must hold the keys every run writes."""
    path = Path(folder) / "summary.json"
    if not path.is_file():
        raise ResultsError(_where(path, None, None, None, "the summary of a hubnet results folder"))
    try:
        summary = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ResultsError(_where(path, None, None, None, f"readable JSON ({e})")) from None
    if not isinstance(summary, dict):
        raise ResultsError(_where(path, None, None, None, "a JSON object"))
    missing = [k for k in summary_keys("all") if k not in summary]
    if missing:
        raise ResultsError(_where(path, None, None, None, f"the key(s) {', '.join(missing)}"))
    return summary


def has_tables(summary: dict) -> bool:
    """Whether a run wrote its tables (a solution), not only a diagnosis."""
    return "kpis" in summary
