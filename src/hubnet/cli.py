"""The `hubnet` command: parse, call a layer, print the planner's brief; one error boundary."""

from __future__ import annotations

import logging
import sys
import threading
import traceback
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import click
import typer
from rich.console import Console
from rich.live import Live
from rich.markup import escape
from rich.table import Table

from hubnet.cli_brief import (
    console,
    print_brief,
    print_roadmap,
    print_two_stage,
    yen_or_dash,
)
from hubnet.errors import (
    CheckError,
    HubnetError,
    InfeasibleError,
    InputError,
    Issue,
    ResultsError,
    SolveError,
)
from hubnet.report import Progress, SolveOptions

#: the command line's default gap: the calibrated data's own uncertainty (the 2024-25 metal-price
#: bands alone span +-13-27 %) dwarfs 0.5 % of the objective, and the default instance then solves
#: end to end, maps included, in under 10 s; `SolveOptions` keeps 1e-4 for library use and exact
#: comparisons
PLANNER_GAP = 0.005

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Design recycling-hub networks for urban mining (Pyomo MILP, HiGHS).",
)
import_app = typer.Typer(help="Turn other formats into hubnet instance folders.")
app.add_typer(import_app, name="import")
err = Console(stderr=True)
STATE = {"debug": False}

DEFAULT_INSTANCE = "japan"

#: the exit code of each error type: the first entry it is an instance of (a subclass before
#: its base); any other exception is an internal error, exit 1
EXIT_CODES: tuple[tuple[type[BaseException], int], ...] = (
    (CheckError, 5),
    (SolveError, 4),
    (InfeasibleError, 3),
    (InputError, 2),  # its subclasses too: ScenarioError, ResultsError
    (OSError, 2),  # a file or folder named on the command line that cannot be read or written
    (HubnetError, 1),
)
#: exit code of Ctrl-C
INTERRUPTED = 130


def exit_code(error: BaseException) -> int:
    """The exit code `error` ends the command with (see EXIT_CODES)."""
    return next((code for kind, code in EXIT_CODES if isinstance(error, kind)), 1)


def instances_root() -> Path:
    """instances/ in the working folder, else beside the source tree (editable installs)."""
    here = Path.cwd() / "instances"
    if here.is_dir():
        return here
    return Path(__file__).resolve().parents[2] / "instances"


def resolve_instance(arg: str | None) -> Path:
    if arg is None:
        return instances_root() / DEFAULT_INSTANCE
    p = Path(arg)
    if p.is_dir() or p.exists():
        return p
    named = instances_root() / arg
    return named if named.is_dir() else p


@app.callback()
def main_options(
    debug: Annotated[bool, typer.Option(help="Show tracebacks and debug logs.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log each stage.")] = False,
) -> None:
    STATE["debug"] = debug
    level = logging.DEBUG if debug else logging.INFO if verbose else logging.WARNING
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")


class ProgressView:
    """Live line: elapsed, best solution, bound, gap (only for solves that take a while).
    Told from two threads when the relaxation runs beside the level search, or a second
    walk of the search runs beside the first."""

    def __init__(self) -> None:
        self.live: Live | None = None
        self.lock = threading.Lock()

    def __call__(self, p: Progress) -> None:
        if p.elapsed_s < 1.0 or not console.is_terminal:
            return
        text = (
            f"solving… {p.elapsed_s:5.0f} s   best {yen_or_dash(p.best_solution)}   "
            f"bound {yen_or_dash(p.best_bound)}   gap " + ("-" if p.gap is None else f"{p.gap:.2%}")
        )
        with self.lock:
            if self.live is None:
                self.live = Live(text, console=console, refresh_per_second=4, transient=True)
                self.live.start()
            else:
                self.live.update(text)

    def close(self) -> None:
        if self.live is not None:
            self.live.stop()


class Foresight(StrEnum):
    perfect = "perfect"
    myopic = "myopic"


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": False})
def solve(
    ctx: typer.Context,
    instance: Annotated[
        str | None, typer.Argument(help="Instance folder or name (default: japan).")
    ] = None,
    scenario: Annotated[
        Path | None, typer.Option("--scenario", "-s", help="Scenario TOML file.")
    ] = None,
    time_limit: Annotated[
        float | None, typer.Option(help="Seconds for the solve (level search and HiGHS).")
    ] = None,
    gap: Annotated[float, typer.Option(help="Relative MIP gap to stop at.")] = PLANNER_GAP,
    threads: Annotated[
        int | None,
        typer.Option(
            help="HiGHS threads; 1 also keeps the relaxation from running beside the level search "
            "(and the search to one walk)."
        ),
    ] = None,
    out: Annotated[Path | None, typer.Option(help="Results folder (exact path).")] = None,
    results_root: Annotated[
        Path, typer.Option(help="Where results/<instance>/<scenario> go.")
    ] = Path("results"),
    maps: Annotated[bool, typer.Option("--maps/--no-maps", help="Write the maps.")] = True,
    warm_start: Annotated[
        Path | None,
        typer.Option(
            help="A results folder of this instance: its open levels are a starting plan."
        ),
    ] = None,
    foresight: Annotated[
        Foresight | None,
        typer.Option(
            help="A roadmap's foresight: perfect (the whole horizon at once) or myopic (year "
            "by year, earlier builds kept). Default: as the instance's [periods] says."
        ),
    ] = None,
    marginals: Annotated[
        bool,
        typer.Option(
            "--marginals/--no-marginals",
            help="Re-solve the LP with the plan's levels fixed: its operations are the answer, "
            "its duals marginals.csv (what one more unit of each limit is worth).",
        ),
    ] = True,
    futures: Annotated[
        list[Path] | None,
        typer.Option(
            help="Scenario TOML files, one per future (--futures A.toml B.toml ...): one "
            "two-stage plan, its levels shared by every future, its expected cost lowest; "
            "with EVPI and VSS. Results default to results/<instance>/two-stage."
        ),
    ] = None,
    weights: Annotated[
        str | None,
        typer.Option(help="The futures' weights, comma-separated (default equal)."),
    ] = None,
    workers: Annotated[
        int,
        typer.Option(
            help="With --futures: Dask worker processes for the futures' own solves "
            "(0: here, one after another)."
        ),
    ] = 0,
    scheduler: Annotated[
        str | None,
        typer.Option(help="With --futures: address of a running Dask scheduler."),
    ] = None,
) -> None:
    """Solve an instance and write its results folder (tables, summary, maps)."""
    from hubnet.run import RunOptions, run_one

    if futures and instance is not None and instance.endswith(".toml"):
        # `hubnet solve --futures A.toml B.toml`: B.toml took the instance's place
        futures, instance = [*futures, Path(instance)], None
    folder = resolve_instance(instance)
    if ctx.args and not futures:
        raise InputError(Issue("command line", None, None, ctx.args[0], "one instance"))
    if futures and scenario is not None:
        # each future is a scenario: a scenario besides them would be ignored
        raise InputError(
            Issue("--scenario", None, None, str(scenario), "no --scenario with --futures")
        )
    opts = RunOptions(
        solve=SolveOptions(
            time_limit_s=time_limit, mip_rel_gap=gap, threads=threads, marginals=marginals
        ),
        out_dir=out,
        results_root=results_root,
        maps=maps,
        warm_start=warm_start,
        foresight=foresight.value if foresight is not None else None,
    )
    if futures:
        paths = [*futures, *(Path(a) for a in ctx.args)]
        solve_futures(folder, paths, _weights(weights), opts, (workers, scheduler))
        return
    view = ProgressView()
    try:
        record = run_one(folder, scenario, opts, progress=view)
    finally:
        view.close()
    report_run(record)


def _weights(text: str | None) -> list[float] | None:
    """--weights 0.5,0.3,0.2 as numbers; a word that is not one is an InputError."""
    if text is None:
        return None
    out = []
    for part in text.split(","):
        try:
            out.append(float(part))
        except ValueError:
            raise InputError(Issue("--weights", None, None, part, "a number")) from None
    return out


def solve_futures(
    folder: Path,
    paths: list[Path],
    weights: list[float] | None,
    opts,  # noqa: ANN001 - RunOptions
    dask: tuple[int, str | None],
) -> None:
    """`hubnet solve --futures`: the two-stage plan, its brief and where it went."""
    from hubnet.stochastic import dask_solver, run_futures

    view = ProgressView()
    try:
        with dask_solver(*dask) as solver:
            record = run_futures(folder, paths, weights, opts, view, solver)
    finally:
        view.close()
    if record.result_dir is None:
        no_solution = InfeasibleError if record.status == "infeasible" else SolveError
        raise no_solution(f"{record.instance} / two-stage: {record.message}")
    print_two_stage(record)
    if record.violations:
        raise CheckError(
            "the independent checker found violations:\n"
            + "\n".join(f"  - {v}" for v in record.violations)
        )


def report_run(record, before: Callable[[], None] | None = None) -> None:  # noqa: ANN001
    """A run's brief and where it went; an error (and exit code) if it has no solution or
    the checker rejects it. `before` prints what comes ahead of the brief."""
    if record.solution is None:
        text = f"{record.instance} / {record.scenario}: {record.message}"
        if record.result_dir is not None:
            text += f"\nDiagnosis written to {record.result_dir / 'diagnosis.txt'}"
        no_solution = (
            InfeasibleError if record.status in ("infeasible", "unbounded") else SolveError
        )
        raise no_solution(text)
    if before is not None:
        before()
    print_brief(record)
    if record.result_dir is not None:
        print_roadmap(record.result_dir)
        console.print(f"Results written to [bold]{escape(str(record.result_dir))}[/bold]")
    if record.violations:
        raise CheckError(
            "the independent checker found violations:\n"
            + "\n".join(f"  - {v}" for v in record.violations)
        )


@app.command()
def evaluate(
    result_dir: Annotated[
        Path,
        typer.Argument(
            help="Results folder of a solved run: its network (levels, per year for a "
            "roadmap) is kept."
        ),
    ],
    scenario: Annotated[
        Path | None,
        typer.Option(
            "--scenario",
            "-s",
            help="The future to test it in: a scenario TOML file of the plan's instance "
            "(default: the instance as it is).",
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(help="Results folder (default results/<instance>/<plan>-in-<scenario>)."),
    ] = None,
    results_root: Annotated[
        Path, typer.Option(help="Where results/<instance>/<plan>-in-<scenario> go.")
    ] = Path("results"),
    maps: Annotated[bool, typer.Option("--maps/--no-maps", help="Write the maps.")] = True,
    threads: Annotated[int | None, typer.Option(help="HiGHS threads.")] = None,
) -> None:
    """Keep a solved run's network and re-optimise everything else under a scenario."""
    from hubnet.evaluate import evaluate as evaluate_plan
    from hubnet.run import RunOptions

    opts = RunOptions(
        solve=SolveOptions(threads=threads), out_dir=out, results_root=results_root, maps=maps
    )
    record = evaluate_plan(result_dir, scenario, opts)
    report_run(record, lambda: print_evaluated(record.result_dir))


def print_evaluated(result_dir: Path) -> None:
    """Which plan was kept, and its cost in its own future beside this one's."""
    from hubnet.compare_brief import evaluated_line

    console.print(evaluated_line(result_dir), highlight=False)


@app.command()
def validate(
    instance: Annotated[str | None, typer.Argument(help="Instance folder or name.")] = None,
) -> None:
    """Check an instance folder and list every problem (exit code 2 if any)."""
    from hubnet.instance import load_instance
    from hubnet.network import check_reachability

    folder = resolve_instance(instance)
    inst = load_instance(folder)
    issues = check_reachability(inst)
    if issues:
        raise InputError(issues, title=f"instance {folder} is not connected")
    console.print(
        f"{escape(str(folder))}: valid — {len(inst.sites)} sites, "
        f"{len(inst.commodities)} commodities, {len(inst.facilities)} facilities, "
        f"{len(inst.links)} links, {len(inst.lanes)} explicit lanes."
    )


@app.command()
def check(result_dir: Annotated[Path, typer.Argument(help="A results folder.")]) -> None:
    """Re-verify a results folder against its instance, independently of the model."""
    from hubnet.run import check_folder

    summary, violations = check_folder(result_dir)
    if violations:
        raise CheckError(
            f"{result_dir}: {len(violations)} violation(s):\n"
            + "\n".join(f"  - {v}" for v in violations)
        )
    if "futures" in summary:
        console.print(
            f"{escape(str(result_dir))}: every future's folder holds every limit with the "
            f"shared plan's levels; expected cost {yen_or_dash(summary['stochastic_cost_jpy'])}, "
            "EVPI and VSS recomputed."
        )
        return
    console.print(
        f"{escape(str(result_dir))}: every balance, capacity, availability, permit and leakage "
        f"limit holds; objective {yen_or_dash(summary.get('objective_jpy_per_yr'))} recomputed."
    )


@app.command()
def instances() -> None:
    """List the shipped instances."""
    root = instances_root()
    for folder in sorted(p for p in root.iterdir() if (p / "instance.toml").exists()):
        import tomllib

        meta = tomllib.loads((folder / "instance.toml").read_text(encoding="utf-8"))
        desc = str(meta.get("description", "")).strip().splitlines()
        console.print(f"[bold]{escape(folder.name)}[/bold]  {escape(desc[0] if desc else '')}")


@app.command("map")
def map_(
    result_dir: Annotated[Path, typer.Argument(help="A results folder.")],
    format: Annotated[
        str, typer.Option("--format", help="Comma-separated: gpkg,geojson,html,png")
    ] = "gpkg,geojson,html,png",
) -> None:
    """Redraw the maps of a results folder without solving again."""
    from hubnet.export import write_maps

    formats = {f.strip() for f in format.split(",") if f.strip()}
    unknown = formats - {"gpkg", "geojson", "html", "png"}
    if unknown:
        raise InputError([], title=f"unknown map format(s) {sorted(unknown)}")
    try:
        times = write_maps(result_dir, formats)
    except ValueError as exc:  # the reader names the table and what it lacks
        issue = Issue(str(result_dir), None, None, None, f"a results folder with maps ({exc})")
        raise ResultsError(issue) from None
    console.print(
        "Maps written: "
        + ", ".join(f"{k} {v:.2f}s" for k, v in times.items())
        + escape(f" in {result_dir}")
    )


@app.command()
def generate(
    out_dir: Annotated[Path, typer.Argument(help="Instance folder to write (must not exist).")],
    sources: Annotated[int, typer.Option(help="Collection sources (municipality offices).")] = 200,
    hubs: Annotated[int, typer.Option(help="Candidate hubs.")] = 20,
    commodities: Annotated[int, typer.Option(help="Commodities (grades).")] = 8,
    origins: Annotated[int, typer.Option(help="Foreign origin ports.")] = 23,
    seed: Annotated[int, typer.Option(help="Random seed: same seed, same instance.")] = 0,
) -> None:
    """Write a synthetic instance of any size inside Japan's geography."""
    from hubnet.generate import generate as make

    try:
        path = make(
            out_dir, sources=sources, hubs=hubs, commodities=commodities, origins=origins, seed=seed
        )
    except ValueError as exc:  # an option out of range
        raise click.UsageError(str(exc)) from None
    console.print(escape(f"Instance written to {path}"))


@import_app.command("orlib")
def import_orlib_cmd(
    file: Annotated[Path, typer.Argument(help="An OR-Library cap file.")],
    out_dir: Annotated[Path, typer.Argument(help="Instance folder to write.")],
    capacity: Annotated[float | None, typer.Option(help="Capacity of every warehouse.")] = None,
    uncapacitated: Annotated[bool, typer.Option(help="Ignore capacities.")] = False,
) -> None:
    """Turn an OR-Library capacitated warehouse location file into an instance folder."""
    from hubnet.orlib import import_orlib

    try:
        path = import_orlib(file, out_dir, capacity, uncapacitated)
    except ValueError as exc:  # the reader names the file and what it expected
        raise InputError(Issue(str(file), None, None, None, str(exc)), title="import") from None
    console.print(escape(f"Instance written to {path}"))


@app.command()
def batch(
    instance: Annotated[str, typer.Argument(help="Instance folder or name.")],
    scenarios: Annotated[
        list[Path], typer.Argument(help="Scenario TOML files; a sweep runs every combination.")
    ],
    workers: Annotated[
        int, typer.Option(help="Worker processes of the local Dask cluster (0: serial, here).")
    ] = 2,
    scheduler: Annotated[
        str | None, typer.Option(help="Address of a running Dask scheduler (tcp://host:8786).")
    ] = None,
    maps: Annotated[bool, typer.Option("--maps/--no-maps", help="Write the maps.")] = True,
    out: Annotated[
        Path | None,
        typer.Option(
            help="Batch folder (default results/<instance>/): <out>/<run>/, <out>/_compare/."
        ),
    ] = None,
    time_limit: Annotated[float | None, typer.Option(help="Solve seconds, per run.")] = None,
    gap: Annotated[float, typer.Option(help="Relative MIP gap to stop at.")] = PLANNER_GAP,
    warm_start: Annotated[
        Path | None,
        typer.Option(
            help="A results folder of this instance (e.g. its baseline): its open levels "
            "are every run's starting plan."
        ),
    ] = None,
    evaluate: Annotated[
        Path | None,
        typer.Option(
            help="A solved run's results folder: keep its network and test it in every "
            "scenario (hubnet evaluate), into <out>/<plan>-in-<run>/."
        ),
    ] = None,
) -> None:
    """Run scenarios in parallel on Dask (one HiGHS thread per run) and compare them."""
    from hubnet.batch import FAILED, batch_folder, run_batch
    from hubnet.export.tables import previous_plan
    from hubnet.run import RunOptions

    folder = resolve_instance(instance)
    if warm_start is not None:
        previous_plan(warm_start)  # a bad folder stops the batch before any run starts
    opts = RunOptions(
        solve=SolveOptions(time_limit_s=time_limit, mip_rel_gap=gap, threads=1),
        out_dir=out,
        maps=maps,
        warm_start=warm_start,
    )
    table = run_batch(
        folder,
        scenarios,
        workers=workers,
        scheduler_address=scheduler,
        options=opts,
        evaluate=evaluate,
    )
    t = Table(title=f"Batch: {len(table)} runs")
    for c in ("run", "status", "annual cost", "time", "note"):
        t.add_column(c, justify="right" if c in ("annual cost", "time") else "left")
    for r in table.to_dict("records"):
        failed = r["status"] in FAILED or bool(r.get("violations"))
        t.add_row(
            escape(str(r["run"])),
            f"[red]{escape(str(r['status']))}[/red]" if failed else escape(str(r["status"])),
            yen_or_dash(r["objective_jpy_per_yr"])
            if r["objective_jpy_per_yr"] == r["objective_jpy_per_yr"]
            else "-",
            f"{r['seconds']:.0f} s" if r["seconds"] == r["seconds"] and r["seconds"] else "",
            escape(str(r["message"] or "")[:120]),
        )
    console.print(t)
    compare_dir = batch_folder(folder, opts) / "_compare"
    if (compare_dir / "compare_regret.csv").is_file():
        print_regret(compare_dir / "compare_regret.csv")
    console.print(f"Comparison written to [bold]{escape(str(compare_dir / 'compare.html'))}[/bold]")
    bad = table["status"].isin(FAILED) | (table["violations"].fillna(0) > 0)
    if bad.any():
        raise typer.Exit(3)


@app.command("compare")
def compare_cmd(
    result_dirs: Annotated[
        list[Path], typer.Argument(help="Results folders (a batch folder stands for its runs).")
    ],
    out: Annotated[
        Path | None,
        typer.Option(help="Where compare.csv/.html/.png go (default: <parent>/_compare)."),
    ] = None,
) -> None:
    """Compare results folders: a CSV row per run, an HTML report and compare.png."""
    from hubnet.compare import compare as compare_folders

    first = result_dirs[0]
    default = (
        first / "_compare" if not (first / "summary.json").exists() else first.parent / "_compare"
    )
    target = out or default
    table = compare_folders(result_dirs, target)
    base = table["baseline"].iloc[0] if "baseline" in table and len(table) else "-"
    files = f"{target / 'compare.csv'}, {target / 'compare.html'}, {target / 'compare.png'}"
    if (target / "compare_years.csv").is_file():  # roadmap runs: their numbers per year
        files += f", {target / 'compare_years.csv'}"
    if (target / "compare_regret.csv").is_file():  # evaluated plans: the regret table
        files += f", {target / 'compare_regret.csv'}"
        print_regret(target / "compare_regret.csv")
    console.print(
        f"{len(table)} runs compared against [bold]{escape(str(base))}[/bold]: {escape(files)}"
    )


def print_regret(path: Path) -> None:
    """compare_regret.csv: each plan in each future against its own optimum."""
    from hubnet.compare_brief import regret_renderables

    for item in regret_renderables(path):
        console.print(item, highlight=False)


def main() -> None:
    """Entry point: the single error boundary that turns errors into messages + exit codes."""
    try:
        code = app(standalone_mode=False)
        if isinstance(code, int) and code:
            sys.exit(code)
    except typer.Exit as e:
        sys.exit(e.exit_code)
    except click.ClickException as e:
        e.show()
        sys.exit(e.exit_code)
    except click.exceptions.Abort:
        err.print("[yellow]interrupted: nothing was written[/yellow]")
        sys.exit(INTERRUPTED)
    except InputError as e:
        err.print(f"[red]{escape(e.render())}[/red]", highlight=False)
        sys.exit(exit_code(e))
    except HubnetError as e:
        err.print(f"[red]{escape(str(e))}[/red]", highlight=False)
        sys.exit(exit_code(e))
    except OSError as e:
        if STATE["debug"]:
            traceback.print_exc()
        err.print(f"[red]error: {escape(str(e))}[/red]", highlight=False)
        sys.exit(exit_code(e))
    except KeyboardInterrupt:
        err.print("[yellow]interrupted: nothing was written[/yellow]")
        sys.exit(INTERRUPTED)
    except Exception as e:  # noqa: BLE001 - the one boundary: a bug, reported without traceback
        if STATE["debug"]:
            traceback.print_exc()
        err.print(
            f"[red]internal error: {type(e).__name__}: {escape(str(e))} (run with --debug)[/red]"
        )
        sys.exit(exit_code(e))
