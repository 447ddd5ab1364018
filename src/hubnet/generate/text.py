"""Instance files as text: fixed-format numbers, exact splits, CSV and writing a folder."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from hubnet.instance.schema import TABLE_BY_NAME


def fmt(value: float | None, decimals: int = 0) -> str:
    """Fixed-format number; None or NaN -> empty cell; never "-0"."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    rounded = round(float(value), decimals)
    if rounded == 0:
        rounded = 0.0
    return f"{rounded:.{decimals}f}"


def largest_remainder(total: int, weights: np.ndarray) -> np.ndarray:
    """Split the integer `total` by `weights` into integers that sum exactly to it."""
    weights = np.asarray(weights, dtype=float)
    if total == 0 or weights.sum() <= 0:
        return np.zeros(len(weights), dtype=np.int64)
    raw = total * weights / weights.sum()
    out = np.floor(raw).astype(np.int64)
    short = int(total - out.sum())
    order = np.lexsort((np.arange(len(raw)), -(raw - out)))  # biggest remainder, then index
    out[order[:short]] += 1
    return out


def split_milli(total_t: float, weights: np.ndarray) -> np.ndarray:
    """Split tonnes by weights to 0.001 t so that the parts add up exactly (in kg)."""
    return largest_remainder(int(round(total_t * 1000)), weights) / 1000.0


def csv_text(header: list[str], rows: Iterable[list[str]]) -> str:
    """CSV with LF line endings, quoting only where needed."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue()


def table_text(name: str, df: pd.DataFrame) -> str:
    """A table as CSV: the schema's columns (missing ones empty), rows sorted by the key."""
    table = TABLE_BY_NAME[name]
    cols = [c.name for c in table.columns]
    # object first: a column the frame lacks comes back all-NaN float, which takes no ""
    df = df.reindex(columns=cols).astype(object).fillna("").astype(str)
    # a number in the key sorts as a number (fare bands: 10 km before 100 km)
    numeric = {c.name for c in table.columns if c.type in ("float", "share")}
    df = df.sort_values(
        list(table.key),
        kind="mergesort",
        key=lambda col: pd.to_numeric(col) if col.name in numeric else col,
    )
    if df.duplicated(list(table.key)).any():
        raise ValueError(f"{name}: duplicate keys")
    return csv_text(cols, df.to_numpy().tolist())


def write_folder(folder: Path, files: Mapping[str, str]) -> None:
    """Write text files (UTF-8, LF) into an existing folder."""
    for filename, text in files.items():
        with open(folder / filename, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
