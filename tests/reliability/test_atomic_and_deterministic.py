"""Nothing half-written, nothing left behind, and the same bytes on every run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from builders import write_instance

import hubnet.run
from hubnet.run import RunOptions, run_one

TABLES = ("facilities", "flows", "leakage", "exports", "imports", "metals", "kpis", "sites")


def test_same_input_same_bytes(tmp_path):
    folder = write_instance(tmp_path / "inst")
    a = run_one(folder, options=RunOptions(out_dir=tmp_path / "a", maps=False))
    b = run_one(folder, options=RunOptions(out_dir=tmp_path / "b", maps=False))
    for name in TABLES:
        assert (a.result_dir / f"{name}.csv").read_bytes() == (
            b.result_dir / f"{name}.csv"
        ).read_bytes(), name


def test_a_crash_while_writing_leaves_no_folder(tmp_path, monkeypatch):
    folder = write_instance(tmp_path / "inst")

    def broken(tmp, tables, summary):  # writes one file, then fails like a full disk
        (tmp / "flows.csv").write_text("half", encoding="utf-8")
        raise OSError("disk full")

    monkeypatch.setattr(hubnet.run, "write_tables", broken)
    with pytest.raises(OSError):
        run_one(folder, options=RunOptions(out_dir=tmp_path / "out", maps=False))
    assert list(tmp_path.iterdir()) == [tmp_path / "inst"]


def test_a_crash_keeps_the_previous_results(tmp_path, monkeypatch):
    folder = write_instance(tmp_path / "inst")
    out = tmp_path / "out"
    run_one(folder, options=RunOptions(out_dir=out, maps=False))
    before = (out / "flows.csv").read_bytes()

    def broken(tmp, tables, summary):
        raise OSError("disk full")

    monkeypatch.setattr(hubnet.run, "write_tables", broken)
    with pytest.raises(OSError):
        run_one(folder, options=RunOptions(out_dir=out, maps=False))
    assert (out / "flows.csv").read_bytes() == before


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_a_run_killed_mid_write_leaves_no_folder_and_a_rerun_matches(tmp_path):
    """Kill the process while it writes (a slowed writer widens the window), then rerun."""
    folder = write_instance(tmp_path / "inst")
    out = tmp_path / "out"
    code = (
        "import time, hubnet.run as r\n"
        "orig = r.write_tables\n"
        "def slow(tmp, tables, summary):\n"
        "    (tmp / 'started').write_text('x')\n"
        "    time.sleep(30)\n"
        "    orig(tmp, tables, summary)\n"
        "r.write_tables = slow\n"
        "from pathlib import Path\n"
        f"opts = r.RunOptions(out_dir=Path({str(out)!r}), maps=False)\n"
        f"r.run_one({str(folder)!r}, options=opts)\n"
    )
    p = subprocess.Popen([sys.executable, "-c", code])
    deadline = time.time() + 300
    while not list(tmp_path.glob(".out.*.tmp/started")) and time.time() < deadline:
        time.sleep(0.1)
    assert list(tmp_path.glob(".out.*.tmp/started")), "the run never started writing"
    os.kill(p.pid, signal.SIGKILL)
    p.wait()
    assert not out.exists()
    # a rerun clears the dead run's debris and writes what a clean run writes
    rec = run_one(folder, options=RunOptions(out_dir=out, maps=False))
    assert not list(tmp_path.glob(".out.*"))
    clean = run_one(folder, options=RunOptions(out_dir=tmp_path / "clean", maps=False))
    for name in TABLES:
        assert (rec.result_dir / f"{name}.csv").read_bytes() == (
            clean.result_dir / f"{name}.csv"
        ).read_bytes()
