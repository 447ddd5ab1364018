"""OR-Library capacitated warehouse location (`cap` files) as hubnet instances.

Beasley's CFLP benchmark (OR-Library, J.E. Beasley 1988/1990) has published optima, so turning
its files into ordinary hubnet instance folders lets the engine be checked against the
literature. The mapping: customers are sources, warehouses candidate hubs with one opening level,
and one free smelter ``sink`` takes everything the hubs pass on; a customer's cost of being
served wholly by a warehouse becomes a per-tonne lane rate (cost / demand).
"""

from __future__ import annotations

import csv
import io
import logging
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import tomli_w

from hubnet.export.tables import atomic_folder
from hubnet.instance.schema import SETTINGS, TABLES, Table

logger = logging.getLogger(__name__)

#: the word OR-Library writes instead of a capacity in capa/capb/capc (the user sets it)
CAPACITY_WORD = "capacity"

COMMODITY = "demand"
SINK = "sink"

#: neutral layout at sea (western Pacific): OR-Library has no geography
_CENTRE_LAT, _CENTRE_LON = 5.0, 155.0
_CUSTOMER_RADIUS_DEG = 4.0
_WAREHOUSE_RADIUS_DEG = 2.0

_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


@dataclass(frozen=True, slots=True, eq=False)
class CapProblem:
    """One OR-Library `cap` file: m warehouses, n customers.

    ``costs[j, i]`` is the cost of serving ALL of customer j's demand from warehouse i (a total,
    not a unit cost). ``capacities[i]`` is None where the file says ``capacity``.
    """

    path: Path
    capacities: tuple[float | None, ...]
    fixed_costs: np.ndarray
    demands: np.ndarray
    costs: np.ndarray

    @property
    def name(self) -> str:
        return self.path.stem

    @property
    def n_warehouses(self) -> int:
        return len(self.capacities)

    @property
    def n_customers(self) -> int:
        return len(self.demands)

    @property
    def total_demand(self) -> float:
        return math.fsum(float(d) for d in self.demands)


# --------------------------------------------------------------------------------------------
# reading


def _tokens(path: Path) -> list[tuple[str, int]]:
    """Whitespace-separated tokens with their 1-based line numbers."""
    try:
        text = path.read_text(encoding="utf-8-sig")  # tolerate a byte-order mark
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path}: not a text file (byte {exc.start} is not UTF-8)") from exc
    return [(tok, ln) for ln, line in enumerate(text.splitlines(), start=1) for tok in line.split()]


def _describe(k: int, m: int, n: int) -> str:
    """What the k-th token (1-based) of a cap file with m warehouses, n customers stands for."""
    if k == 1:
        return "the number of warehouses m"
    if k == 2:
        return "the number of customers n"
    if k <= 2 + 2 * m:
        i, r = divmod(k - 3, 2)
        return f"warehouse {i + 1}'s {'capacity' if r == 0 else 'fixed cost'}"
    j, r = divmod(k - 3 - 2 * m, 1 + m)
    if j >= n:
        return "nothing (past the end of the data)"
    if r == 0:
        return f"customer {j + 1}'s demand"
    return f"customer {j + 1}'s cost at warehouse {r}"


def _header_int(path: Path, toks: list[tuple[str, int]], k: int) -> int:
    what = _describe(k, 0, 0)
    if len(toks) < k:
        raise ValueError(
            f"{path}: the file ends after {len(toks)} token(s); token {k} should be {what} "
            "(a cap file starts with 'm n')"
        )
    tok, line = toks[k - 1]
    value = float(tok) if _NUMBER.fullmatch(tok) else math.nan
    if not (value.is_integer() and value > 0):
        raise ValueError(
            f"{path}: token {k} (line {line}) should be {what}, a positive whole number; "
            f"got {tok!r}"
        )
    return int(value)


def read_cap(path: Path | str) -> CapProblem:
    """Read an OR-Library `cap` file (token based; line breaks carry no meaning).

    Raises ValueError naming the file, the token position (and line) and what was expected on a
    wrong token count, a non-numeric token or a negative value.
    """
    path = Path(path)
    toks = _tokens(path)
    m = _header_int(path, toks, 1)
    n = _header_int(path, toks, 2)
    expected = 2 + 2 * m + n * (1 + m)
    if len(toks) < expected:
        k = len(toks) + 1
        raise ValueError(
            f"{path}: {m} warehouses and {n} customers need 2 + 2m + n(1 + m) = {expected} "
            f"tokens, but the file has {len(toks)}: it ends where token {k}, "
            f"{_describe(k, m, n)}, was expected"
        )
    if len(toks) > expected:
        tok, line = toks[expected]
        raise ValueError(
            f"{path}: {m} warehouses and {n} customers need 2 + 2m + n(1 + m) = {expected} "
            f"tokens, but the file has {len(toks)}: unexpected extra token {tok!r} at token "
            f"{expected + 1} (line {line})"
        )

    def number(k: int) -> float:
        tok, line = toks[k - 1]
        if not _NUMBER.fullmatch(tok):
            raise ValueError(
                f"{path}: token {k} (line {line}), {_describe(k, m, n)}, is not a number: "
                f"got {tok!r}"
            )
        value = float(tok)
        if value < 0 or not math.isfinite(value):
            raise ValueError(
                f"{path}: token {k} (line {line}), {_describe(k, m, n)}, must be a "
                f"non-negative number: got {tok!r}"
            )
        return value

    capacities: list[float | None] = []
    fixed = np.empty(m)
    for i in range(m):
        k = 3 + 2 * i
        capacities.append(None if toks[k - 1][0].lower() == CAPACITY_WORD else number(k))
        fixed[i] = number(k + 1)
    demands = np.empty(n)
    costs = np.empty((n, m))
    base = 3 + 2 * m
    for j in range(n):
        k = base + j * (1 + m)
        demands[j] = number(k)
        costs[j] = [number(k + 1 + i) for i in range(m)]
    for arr in (fixed, demands, costs):
        arr.flags.writeable = False
    logger.info("read %s: %d warehouses x %d customers", path, m, n)
    return CapProblem(path, tuple(capacities), fixed, demands, costs)


def capacity_setting(text: str) -> tuple[float | None, bool]:
    """Read a capacity setting as optima.csv writes it: ``file ...``, ``uncapacitated`` or Q.

    Returns (capacity, uncapacitated) as write_instance takes them.
    """
    s = text.strip().lower()
    if s.startswith("file"):
        return None, False
    if s == "uncapacitated":
        return None, True
    try:
        return float(s), False
    except ValueError:
        raise ValueError(
            f"capacity setting {text!r}: expected 'file ...', 'uncapacitated' or a number"
        ) from None


# --------------------------------------------------------------------------------------------
# writing


def _fmt(value: object) -> str:
    """CSV text of a value: floats round-trip exactly (repr), whole numbers without '.0'."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | np.floating | np.integer):
        x = float(value)
        if x.is_integer() and abs(x) < 2**53:
            return str(int(x))
        return repr(x)
    return str(value)


def _ids(prefix: str, count: int, min_width: int) -> list[str]:
    """Zero-padded ids, so that string order is number order."""
    width = max(min_width, len(str(count)))
    return [f"{prefix}{k:0{width}d}" for k in range(1, count + 1)]


def _on_circle(k: int, count: int, radius: float) -> tuple[float, float]:
    angle = 2.0 * math.pi * k / count
    lat = _CENTRE_LAT + radius * math.cos(angle)
    lon = _CENTRE_LON + radius * math.sin(angle)
    return round(lat, 6), round(lon, 6)


def _table_text(table: Table, rows: Sequence[Mapping[str, object]]) -> str:
    """CSV text of one table: the schema's columns in schema order, rows sorted by key."""
    names = [c.name for c in table.columns]
    for row in rows:
        unknown = set(row) - set(names)
        missing = {c.name for c in table.columns if c.required} - set(row)
        if unknown or missing:  # the schema changed under us: fail, never write a wrong file
            raise RuntimeError(
                f"{table.file}: row does not match the schema "
                f"(unknown columns {sorted(unknown)}, missing {sorted(missing)})"
            )
    ordered = sorted(rows, key=lambda r: tuple(str(r[k]) for k in table.key))
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(names)
    for row in ordered:
        writer.writerow([_fmt(row.get(c, None)) for c in names])
    return buf.getvalue()


def _check_settings(settings: Mapping[str, object], section: str = "") -> None:
    declared = SETTINGS.get(section, {})
    for key, value in settings.items():
        if isinstance(value, dict):
            _check_settings(value, key if not section else f"{section}.{key}")
        elif key not in declared:
            raise RuntimeError(f"instance.toml: [{section}] {key} is not a declared setting")


def default_name(
    problem: CapProblem, capacity: float | None = None, uncapacitated: bool = False
) -> str:
    """Instance name: the file stem, plus ``-cap<Q>`` or ``-uncap``."""
    if uncapacitated:
        return f"{problem.name}-uncap"
    if capacity is not None:
        return f"{problem.name}-cap{_fmt(float(capacity))}"
    return problem.name


def _capacities(
    problem: CapProblem, capacity: float | None, uncapacitated: bool
) -> tuple[list[float], str]:
    """Per-warehouse capacity to write and a phrase saying how it was set."""
    if uncapacitated and capacity is not None:
        raise ValueError(f"{problem.path}: give either a capacity or uncapacitated, not both")
    if uncapacitated:
        total = problem.total_demand
        return [total] * problem.n_warehouses, (
            "uncapacitated (UFLP reading: every warehouse's capacity set to the total demand, "
            f"{_fmt(total)})"
        )
    if capacity is not None:
        cap = float(capacity)
        if not (math.isfinite(cap) and cap > 0):
            raise ValueError(f"{problem.path}: capacity must be a positive number, got {capacity}")
        if any(c is not None for c in problem.capacities):
            logger.info("%s: capacity %s replaces the file's capacities", problem.path, _fmt(cap))
        return [cap] * problem.n_warehouses, f"capacity {_fmt(cap)} at every warehouse"
    words = [i + 1 for i, c in enumerate(problem.capacities) if c is None]
    if words:
        raise ValueError(
            f"{problem.path}: warehouse(s) {words[:5]}{' ...' if len(words) > 5 else ''} "
            f"have the word '{CAPACITY_WORD}' instead of a capacity; give a capacity "
            "(e.g. --capacity 8000) or read it as uncapacitated"
        )
    caps = [float(c) for c in problem.capacities if c is not None]
    if len(set(caps)) == 1:
        return caps, f"capacity {_fmt(caps[0])} at every warehouse (as in the file)"
    return caps, "the file's capacities"


def _instance_rows(
    problem: CapProblem, capacities: Sequence[float]
) -> dict[str, list[dict[str, object]]]:
    """Rows of every table, keyed by table name."""
    m, n = problem.n_warehouses, problem.n_customers
    cust = _ids("c", n, 4)
    ware = _ids("w", m, 3)
    total = problem.total_demand
    if not total > 0:
        raise ValueError(f"{problem.path}: no customer has a positive demand")

    served: list[int] = []
    for j in range(n):
        d = float(problem.demands[j])
        if d > 0:
            served.append(j)
            continue
        nonzero = np.flatnonzero(problem.costs[j])
        if nonzero.size:
            i = int(nonzero[0])
            raise ValueError(
                f"{problem.path}: customer {j + 1} has demand 0 but costs "
                f"{_fmt(float(problem.costs[j, i]))} to serve from warehouse {i + 1}; "
                "hubnet charges per tonne carried, so a customer that costs money to serve "
                "while shipping no tonnes cannot be represented"
            )
        logger.info("%s: customer %d has demand 0 and no cost; left out", problem.path, j + 1)

    rows: dict[str, list[dict[str, object]]] = {t.name: [] for t in TABLES}
    site = {"name_ja": "", "country": "", "region": "", "port_capacity_t_per_yr": None}
    for j in served:
        lat, lon = _on_circle(j, n, _CUSTOMER_RADIUS_DEG)
        rows["sites"].append(
            site
            | {"id": cust[j], "name": f"customer {j + 1}", "kind": "source"}
            | {"lat": lat, "lon": lon}
        )
    for i in range(m):
        lat, lon = _on_circle(i, m, _WAREHOUSE_RADIUS_DEG)
        rows["sites"].append(
            site
            | {"id": ware[i], "name": f"warehouse {i + 1}", "kind": "hub"}
            | {"lat": lat, "lon": lon}
        )
    rows["sites"].append(
        site
        | {"id": SINK, "name": "sink (free downstream stage)", "kind": "smelter"}
        | {"lat": _CENTRE_LAT, "lon": _CENTRE_LON}
    )
    rows["commodities"].append(
        {
            "id": COMMODITY,
            "name": "customer demand (OR-Library)",
            "hub_yield_share": 1.0,
            "leakage_penalty_jpy_per_t": 0.0,
            "max_leakage_share": 0.0,
        }
    )
    for j in served:
        rows["supply"].append(
            {
                "site": cust[j],
                "commodity": COMMODITY,
                "generation_t_per_yr": float(problem.demands[j]),
            }
        )
    facility = {"processing_cost_jpy_per_t": 0.0, "accepts": "*", "status": "candidate"}
    for i in range(m):
        rows["facilities"].append(
            facility | {"site": ware[i], "role": "hub", "existing_capacity_t_per_yr": 0.0}
        )
        rows["capacity_levels"].append(
            {
                "facility": ware[i],
                "level": "open",
                "capacity_t_per_yr": float(capacities[i]),
                "fixed_cost_jpy_per_yr": float(problem.fixed_costs[i]),
                "min_throughput_t_per_yr": 0.0,
            }
        )
    rows["facilities"].append(
        facility | {"site": SINK, "role": "smelter", "existing_capacity_t_per_yr": total}
    )
    lane = {"distance_km": None, "co2_kg_per_t": 0.0}
    for j in served:
        d = float(problem.demands[j])
        for i in range(m):
            cost = float(problem.costs[j, i]) / d
            rows["lanes"].append(
                lane | {"origin": cust[j], "destination": ware[i], "cost_jpy_per_t": cost}
            )
    for i in range(m):
        rows["lanes"].append(lane | {"origin": ware[i], "destination": SINK, "cost_jpy_per_t": 0.0})
    return rows


def _settings(problem: CapProblem, name: str, how: str) -> dict[str, object]:
    m, n = problem.n_warehouses, problem.n_customers
    description = (
        f"OR-Library capacitated warehouse location instance {problem.path.name} "
        "(J.E. Beasley, EJOR 33 (1988) 314-325; OR-Library, JORS 41 (1990) 1069-1072): "
        f"{m} warehouses x {n} customers, read with {how}. Customers are sources, warehouses "
        f"candidate hubs with one level 'open', and one free smelter '{SINK}' takes all hub "
        "output; every tonne must be collected (no leakage). Costs are OR-Library's cost "
        "units, not yen: the lane cost per tonne is the file's cost of serving a whole "
        "customer divided by its demand. OR-Library has no geography: sites sit on a made-up "
        f"layout at sea around {_CENTRE_LAT:g}N {_CENTRE_LON:g}E (customers on a circle, "
        "warehouses on an inner circle, the sink at the centre); positions mean nothing and "
        "distances play no part."
    )
    return {
        "name": name,
        "description": description,
        "currency": "cost units",
        "collection": {"reach_at_zero_km": 1.0, "reach_loss_per_100_km": 0.0, "reach_floor": 0.0},
    }


def _write_files(folder: Path, files: Iterable[tuple[str, str]]) -> None:
    for filename, text in files:
        with open(folder / filename, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)


def write_instance(
    problem: CapProblem,
    out_dir: Path | str,
    *,
    capacity: float | None = None,
    uncapacitated: bool = False,
    name: str | None = None,
) -> Path:
    """Write `problem` as a hubnet instance folder at `out_dir`; return its path.

    `capacity` sets every warehouse's capacity (needed where the file says ``capacity``);
    `uncapacitated` sets it to the total demand (the UFLP reading). The folder is written to a
    temporary sibling and renamed, so a failure leaves nothing behind; an existing non-empty
    `out_dir` is never overwritten.
    """
    out_dir = Path(out_dir)
    caps, how = _capacities(problem, capacity, uncapacitated)
    if math.fsum(caps) < problem.total_demand:
        logger.warning(
            "%s: total capacity %s is below total demand %s; the instance will be infeasible",
            problem.path,
            _fmt(math.fsum(caps)),
            _fmt(problem.total_demand),
        )
    name = name or default_name(problem, capacity, uncapacitated)
    rows = _instance_rows(problem, caps)
    settings = _settings(problem, name, how)
    _check_settings(settings)
    files = [(t.file, _table_text(t, rows[t.name])) for t in TABLES]
    files.append(("instance.toml", tomli_w.dumps(settings)))

    if out_dir.exists() and not (out_dir.is_dir() and not any(out_dir.iterdir())):
        raise FileExistsError(f"{out_dir}: already exists and is not an empty folder")
    with atomic_folder(out_dir) as tmp:
        _write_files(tmp, files)
    logger.info(
        "wrote %s (%d sources, %d hubs, %d lanes) to %s",
        name,
        len(rows["supply"]),
        problem.n_warehouses,
        len(rows["lanes"]),
        out_dir,
    )
    return out_dir


def import_orlib(
    file: Path, out_dir: Path, capacity: float | None = None, uncapacitated: bool = False
) -> Path:
    """`hubnet import orlib FILE OUT_DIR [--capacity Q] [--uncapacitated]`: read, then write."""
    return write_instance(read_cap(file), out_dir, capacity=capacity, uncapacitated=uncapacitated)
