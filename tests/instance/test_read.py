"""Reading instance tables: a header column with no name, or rows longer than the header, is a
malformed table, reported with the file and the position like any other input error."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from builders import write_instance

from hubnet.errors import InputError
from hubnet.instance import load_instance
from hubnet.instance.read import read_csv

EXPORTS_HEADER = "site,commodity,max_t_per_yr,price_jpy_per_t,\n"


def _expect_issue(folder: Path, *parts: str) -> None:
    with pytest.raises(InputError) as err:
        load_instance(folder)
    text = str(err.value)
    for part in parts:
        assert part in text, text


def test_an_exports_table_cut_after_a_header_with_a_trailing_comma_is_refused(tmp_path):
    """Read as no exports before: the export market silently disappeared."""
    folder = write_instance(tmp_path / "inst")
    (folder / "exports.csv").write_text(EXPORTS_HEADER, encoding="utf-8")
    _expect_issue(folder, "exports.csv, row 1", "column 5 of 5 in the header")


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("site,,generation_t_per_yr\nS1,pcb,100\n", "column 2 of 3 in the header"),
        ("site,commodity,generation_t_per_yr,\nS1,pcb,100,\n", "column 4 of 4 in the header"),
        ("  site , commodity ,generation_t_per_yr, \nS1,pcb,100,\n", "column 4 of 4"),
    ],
    ids=["middle", "trailing", "blank-name"],
)
def test_a_header_column_without_a_name_is_refused_in_any_table(tmp_path, text, where):
    folder = write_instance(tmp_path / "inst")
    (folder / "supply.csv").write_text(text, encoding="utf-8")
    _expect_issue(folder, "supply.csv, row 1", where)


def test_a_row_longer_than_the_header_is_refused_with_its_row(tmp_path):
    """pandas would take the first value as the row's index and shift the rest one column to
    the right: commodity '100', generation ''."""
    folder = write_instance(tmp_path / "inst")
    (folder / "supply.csv").write_text(
        "site,commodity,generation_t_per_yr\nS1,pcb,100,\n", encoding="utf-8"
    )
    _expect_issue(folder, "supply.csv, row 2", "at most 3 values", "got 4")


def test_a_well_formed_table_reads_as_before(tmp_path):
    path = tmp_path / "supply.csv"
    path.write_text(
        '\nsite, commodity ,generation_t_per_yr\nS1,"pcb",100\nS2,lib\n', encoding="utf-8"
    )
    df, issues = read_csv(path)
    assert issues == []
    assert list(df.columns) == ["site", "commodity", "generation_t_per_yr"]
    assert df.values.tolist() == [["S1", "pcb", "100"], ["S2", "lib", ""]]


def test_the_cli_exits_2_naming_the_file_and_writes_nothing(tmp_path):
    folder = write_instance(tmp_path / "inst")
    (folder / "exports.csv").write_text(EXPORTS_HEADER, encoding="utf-8")
    out = tmp_path / "res"
    for args in (["validate", str(folder)], ["solve", str(folder), "--out", str(out)]):
        p = subprocess.run(
            [sys.executable, "-c", "from hubnet.cli import main; main()", *args],
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert p.returncode == 2, p.stderr
        assert "exports.csv, row 1" in p.stderr
        assert "column 5 of 5" in p.stderr
        assert "Traceback" not in p.stderr + p.stdout
    assert not out.exists()
