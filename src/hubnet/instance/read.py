"""Instance folder -> raw tables of strings and the parsed instance.toml; the only file I/O."""

from __future__ import annotations

import csv
import io
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from hubnet.errors import InputError, Issue
from hubnet.instance.schema import TABLES

ENCODINGS = ("utf-8-sig", "cp932")  # UTF-8 with or without BOM, then Shift_JIS (Windows)


@dataclass
class RawInstance:
    folder: Path
    settings: dict
    tables: dict[str, pd.DataFrame | None]
    issues: list[Issue] = field(default_factory=list)


def decode(data: bytes, file: str) -> tuple[str | None, Issue | None]:
    """Text of a CSV in UTF-8 (BOM or not) or Shift_JIS; an issue if it is neither."""
    for enc in ENCODINGS:
        try:
            return data.decode(enc), None
        except UnicodeDecodeError:
            continue
    return None, Issue(file, None, None, None, "text in UTF-8 or Shift_JIS (cp932)")


#: rows with too many values reported per file (the rest add nothing)
MAX_SHAPE_ISSUES = 5


def shape_issues(text: str, file: str) -> list[Issue]:
    """A header column with no name (a trailing comma makes one), and rows with more values
    than the header names: pandas would read the first as a column called 'Unnamed: n' and
    the second by shifting every value one column to the right."""
    reader = csv.reader(io.StringIO(text), skipinitialspace=True)
    header = next((r for r in reader if any(c.strip() for c in r)), [])
    n = len(header)
    issues = [
        Issue(
            file,
            reader.line_num,
            None,
            name,
            f"a name for column {i} of {n} in the header (a trailing comma adds an unnamed one)",
        )
        for i, name in enumerate(header, start=1)
        if not name.strip()
    ]
    longer = 0
    for row in reader:
        if len(row) > n and longer < MAX_SHAPE_ISSUES:
            longer += 1
            issues.append(
                Issue(
                    file,
                    reader.line_num,
                    None,
                    None,
                    f"at most {n} values, one per header column; got {len(row)} "
                    "(a trailing comma adds an empty value)",
                )
            )
    return issues


def read_csv(path: Path) -> tuple[pd.DataFrame | None, list[Issue]]:
    """All cells as stripped strings (empty string for blanks); parsing is validate's job."""
    text, issue = decode(path.read_bytes(), path.name)
    if issue:
        return None, [issue]
    assert text is not None
    if not text.strip():
        return None, [Issue(path.name, None, None, None, "a header row with column names")]
    try:
        shape = shape_issues(text, path.name)
    except csv.Error as exc:
        shape = [Issue(path.name, None, None, None, f"well-formed CSV ({exc})")]
    if shape:
        return None, shape
    try:
        df = pd.read_csv(
            io.StringIO(text),
            dtype=str,
            keep_default_na=False,
            skipinitialspace=True,
            comment=None,
        )
    except (pd.errors.ParserError, ValueError) as exc:
        msg = str(exc).strip().splitlines()[-1]
        return None, [Issue(path.name, None, None, None, f"well-formed CSV ({msg})")]
    df.columns = [str(c).strip() for c in df.columns]
    df = df.apply(lambda s: s.str.strip()) if len(df) else df
    return df, []


def read_folder(folder: Path) -> RawInstance:
    """Read instance.toml and every table file that exists; note what is missing."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(Issue(str(folder), None, None, None, "an instance folder"))
    issues: list[Issue] = []
    settings: dict = {}
    toml_path = folder / "instance.toml"
    if not toml_path.exists():
        issues.append(Issue("instance.toml", None, None, None, "the file to exist"))
    else:
        try:
            settings = tomllib.loads(toml_path.read_bytes().decode("utf-8-sig"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            issues.append(Issue("instance.toml", None, None, None, f"valid TOML ({exc})"))
    tables: dict[str, pd.DataFrame | None] = {}
    for table in TABLES:
        path = folder / table.file
        if not path.exists():
            if table.required:
                issues.append(Issue(table.file, None, None, None, "the file to exist"))
            tables[table.name] = None
            continue
        df, more = read_csv(path)
        issues.extend(more)
        tables[table.name] = df
    return RawInstance(folder, settings, tables, issues)
