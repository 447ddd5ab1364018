"""Batches of scenario runs in parallel on Dask (dask.distributed): one task per run.

Each task calls `run_one` in a worker process, writes its own results folder
(`<batch folder>/<run name>/`, maps included, as `hubnet solve` does) and sends back a small
dict: the Solution never crosses processes. A task never raises: a failing or infeasible
run is a status row, and the other runs go on. HiGHS gets one thread per run unless told
otherwise, so that the workers do not fight over cores.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import os
import time
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import pandas as pd

from hubnet.errors import HubnetError, InputError
from hubnet.run import RunOptions
from hubnet.scenario import Scenario, expand

logger = logging.getLogger(__name__)

COLUMNS = [
    "run",
    "scenario_file",
    "status",
    "objective_jpy_per_yr",
    "best_bound_jpy_per_yr",
    "gap",
    "violations",
    "seconds",
    "result_dir",
    "message",
]
FAILED = ("infeasible", "unbounded", "no_solution", "error")


def plan_runs(scenarios: Iterable[Path | str | Scenario | None]) -> tuple[list, list[dict]]:
    """Expand scenario files (sweeps into their runs). A file that cannot be read, or a run
    name used twice, becomes a failed row instead of stopping the batch.

    `None` stands for the instance as it is (run name `baseline`).
    """
    runs: list[Scenario | None] = []
    failed: list[dict] = []
    names: set[str] = set()
    for item in scenarios:
        try:
            members: list[Scenario | None] = [None] if item is None else list(expand(item))
        except InputError as e:
            name = Path(str(item)).stem
            failed.append(_row(name, str(item), "error", message=e.render()))
            continue
        for m in members:
            name = "baseline" if m is None else m.name
            if name in names:
                ref = None if m is None else m.reference
                failed.append(_row(name, ref, "error", message=f"run name {name!r} used twice"))
                continue
            names.add(name)
            runs.append(m)
    return runs, failed


def _row(run: str, scenario_file: str | None, status: str, **fields: object) -> dict:
    row: dict[str, object] = dict.fromkeys(COLUMNS)
    row.update(run=run, scenario_file=scenario_file, status=status, message="")
    row.update(fields)
    return row


def run_task(
    instance_dir: str, scenario: Scenario | None, options: RunOptions, plan: str | None = None
) -> dict:
    """One run, in whatever process it lands: a small status dict, never an exception.
    With `plan` (a results folder), that plan evaluated in the scenario (`hubnet evaluate`)."""
    from hubnet.evaluate import evaluate
    from hubnet.run import run_one

    name = "baseline" if scenario is None else scenario.name
    ref = None if scenario is None else scenario.reference
    t0 = time.perf_counter()
    try:
        if plan is None:
            record = run_one(instance_dir, scenario, options)
        else:
            record = evaluate(plan, scenario, options)
    except InputError as e:
        return _row(name, ref, "error", message=e.render(), seconds=time.perf_counter() - t0)
    except (HubnetError, OSError, ValueError) as e:
        return _row(name, ref, "error", message=str(e), seconds=time.perf_counter() - t0)
    except Exception as e:  # noqa: BLE001 - one run's bug must not stop the batch
        message = f"{type(e).__name__}: {e}"
        return _row(name, ref, "error", message=message, seconds=time.perf_counter() - t0)
    message = record.message
    if record.violations:
        message = f"checker: {len(record.violations)} violation(s): {record.violations[0]}"
    return _row(
        record.scenario,
        ref,
        record.status,
        objective_jpy_per_yr=record.objective,
        best_bound_jpy_per_yr=record.best_bound,
        gap=record.gap,
        violations=len(record.violations),
        seconds=time.perf_counter() - t0,
        result_dir=str(record.result_dir) if record.result_dir else None,
        message=message,
        worker=os.getpid(),
    )


def batch_folder(instance_dir: Path | str, options: RunOptions) -> Path:
    """Where a batch writes: `options.out_dir`, else results/<instance name>/."""
    from hubnet.instance import load_instance

    if options.out_dir is not None:
        return Path(options.out_dir)
    return Path(options.results_root) / load_instance(instance_dir).name


def run_batch(
    instance_dir: Path | str,
    scenarios: Sequence[Path | str | Scenario | None],
    workers: int = 2,
    scheduler_address: str | None = None,
    options: RunOptions | None = None,
    *,
    show_progress: bool = True,
    compare: bool = True,
    evaluate: Path | str | None = None,
) -> pd.DataFrame:
    """Run every scenario (sweeps expanded) as one Dask task each; one status row per run.

    A `LocalCluster(n_workers=workers, threads_per_worker=1, processes=True)` by default,
    the cluster at `scheduler_address` when given; `workers=0` runs them one after the other
    in this process (no Dask; for benchmarks and debugging). Each run writes
    `<batch folder>/<run name>/` (see `batch_folder`), and the comparison of all runs goes
    to `<batch folder>/_compare/` unless `compare` is off.

    With `evaluate` (a solved run's results folder), each scenario is a future that plan is
    tested in (`hubnet evaluate`), written to `<batch folder>/<plan>-in-<run name>/`; the
    comparison then takes in the batch folder's other runs and the plan's folder, so the
    futures' own optima solved there before give the regret table.
    """
    options = options or RunOptions()
    if options.solve.threads is None:
        options = dataclasses.replace(options, solve=dataclasses.replace(options.solve, threads=1))
    folder = batch_folder(instance_dir, options)  # also validates the instance up front
    runs, failed = plan_runs(scenarios)
    plan, prefix = _plan_of(instance_dir, evaluate)
    instance_dir = str(Path(instance_dir).resolve())
    jobs = [
        (
            m,
            dataclasses.replace(
                options, out_dir=folder / (prefix + ("baseline" if m is None else m.name))
            ),
            plan,
        )
        for m in runs
    ]
    if workers == 0 and scheduler_address is None:
        rows = _run_here(instance_dir, jobs, len(failed), show_progress)
    else:
        rows = _run_on_dask(
            instance_dir, jobs, len(failed), workers, scheduler_address, show_progress
        )
    order = {("baseline" if m is None else m.name): i for i, m in enumerate(runs)}
    rows.sort(key=lambda r: order.get(str(r["run"]), len(order)))
    table = pd.DataFrame(rows + failed)
    table = table[[*COLUMNS, *(c for c in table.columns if c not in COLUMNS)]]
    if compare:
        from hubnet.compare import compare_runs

        others = [folder, plan] if plan is not None else []
        compare_runs(table, folder / "_compare", others)
    return table


def _plan_of(instance_dir: Path | str, result_dir: Path | str | None) -> tuple[str | None, str]:
    """The plan folder an evaluation batch tests (checked up front: a solved run of this
    instance) and its runs' folder prefix; (None, "") for an ordinary batch."""
    if result_dir is None:
        return None, ""
    from hubnet.errors import Issue
    from hubnet.evaluate import read_plan
    from hubnet.instance import load_instance

    plan = read_plan(result_dir)
    name = load_instance(instance_dir).name
    if plan.summary.get("instance") != name:
        where = str(plan.result_dir / "summary.json")
        got = plan.summary.get("instance")
        raise InputError(Issue(where, None, "instance", got, f"a run of instance {name}"))
    return str(plan.result_dir), f"{plan.name}-in-"


class _Bar:
    """A rich progress bar: runs done, running and failed."""

    def __init__(self, total: int, failed: int, show: bool) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        self.progress = Progress(
            TextColumn("[bold]batch[/bold]"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("done · {task.fields[running]} running · {task.fields[failed]} failed"),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            disable=not show,
        )
        self.failed = failed
        self.task = self.progress.add_task("runs", total=total, running=0, failed=failed)

    def __enter__(self) -> _Bar:
        self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()

    def update(self, row: dict | None, running: int) -> None:
        if row is not None:
            self.failed += row["status"] in FAILED or bool(row.get("violations"))
            self.progress.advance(self.task)
            if row["status"] in FAILED:
                logger.info("run %s: %s %s", row["run"], row["status"], row["message"])
        self.progress.update(self.task, running=running, failed=self.failed)


def _run_here(instance_dir: str, jobs: list, n_failed: int, show: bool) -> list[dict]:
    rows = []
    with _Bar(len(jobs) + n_failed, n_failed, show) as bar:
        bar.progress.advance(bar.task, n_failed)
        for scen, opts, plan in jobs:
            bar.update(None, 1)
            rows.append(run_task(instance_dir, scen, opts, plan))
            bar.update(rows[-1], 0)
    return rows


def _run_on_dask(
    instance_dir: str,
    jobs: list,
    n_failed: int,
    workers: int,
    scheduler_address: str | None,
    show: bool,
) -> list[dict]:
    from distributed import as_completed

    rows: list[dict] = []
    with dask_client(workers, scheduler_address) as client:
        slots = sum(client.nthreads().values()) or 1
        futures, what = [], {}
        for i, (scen, opts, plan) in enumerate(jobs):
            name = "baseline" if scen is None else scen.name
            key = f"hubnet-{i}-{name}"
            fut = client.submit(run_task, instance_dir, scen, opts, plan, key=key)
            futures.append(fut)
            what[fut.key] = (name, scen)
        with _Bar(len(jobs) + n_failed, n_failed, show) as bar:
            bar.progress.advance(bar.task, n_failed)
            bar.update(None, min(slots, len(jobs)))
            for fut in as_completed(futures):
                try:
                    row = fut.result()
                except Exception as e:  # noqa: BLE001 - e.g. a worker died: report, go on
                    name, scen = what[fut.key]
                    ref = None if scen is None else scen.reference
                    row = _row(name, ref, "error", message=f"{type(e).__name__}: {e}")
                rows.append(row)
                bar.update(row, min(slots, len(jobs) - len(rows)))
    return rows


@contextlib.contextmanager
def dask_client(workers: int, scheduler_address: str | None) -> Iterator:
    """A client of the Dask scheduler at `scheduler_address`, or of a local cluster of
    `workers` single-threaded processes, closed on exit."""
    from distributed import Client, LocalCluster

    cluster = None
    if scheduler_address:
        client = Client(scheduler_address)
    else:
        cluster = LocalCluster(
            n_workers=max(1, workers),
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",  # a free port: concurrent batches do not clash
            silence_logs=logging.ERROR,
        )
        client = Client(cluster)
    try:
        yield client
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


__all__ = ["COLUMNS", "batch_folder", "dask_client", "plan_runs", "run_batch", "run_task"]
