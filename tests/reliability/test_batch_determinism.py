"""The same scenarios give byte-identical result tables whatever the number of workers."""

from __future__ import annotations

from builders import write_instance

from hubnet.batch import run_batch
from hubnet.run import RunOptions

SCENARIOS = {
    "baseline.toml": 'name = "baseline"\n',
    "cheap-metal.toml": (
        '[[scale]]\ntable = "elements"\ncolumn = "price_jpy_per_kg"\nfactor = 0.5\n'
    ),
}
TABLES = ("facilities", "flows", "leakage", "imports", "metals", "kpis")


def test_one_worker_and_two_workers_write_the_same_bytes(tmp_path):
    inst = write_instance(tmp_path / "inst")
    files = []
    for name, text in SCENARIOS.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
        files.append(tmp_path / name)
    for workers in (1, 2):
        opts = RunOptions(results_root=tmp_path / f"w{workers}", maps=False)
        table = run_batch(inst, files, workers=workers, options=opts, show_progress=False)
        assert set(table["status"]) == {"optimal"}
    for run in ("baseline", "cheap-metal"):
        for name in TABLES:
            one = (tmp_path / "w1" / "tiny" / run / f"{name}.csv").read_bytes()
            two = (tmp_path / "w2" / "tiny" / run / f"{name}.csv").read_bytes()
            assert one == two, (run, name)
