"""The level search's moves: plans rounded from the LP relaxation, and the one- and two-site
changes a descent tries from a plan."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from hubnet.report import Facility, Plan


def opened(facilities: list[Facility], relaxed: np.ndarray) -> dict[str, float]:
    """How much of each facility the relaxation opened (its levels' sum)."""
    return {f.name: float(sum(relaxed[c] for _, _, c in f.options)) for f in facilities}


def roundings(facilities: list[Facility], relaxed: np.ndarray) -> list[Plan]:
    """Plans from the relaxation: open a facility whose relaxed opening is at least a
    threshold, at the smallest level holding the capacity the relaxation bought there."""
    plans: list[Plan] = []
    for threshold in (0.5, 0.2, 0.05):
        plan: Plan = {}
        for f in facilities:
            opened = sum(relaxed[col] for _, _, col in f.options)
            bought = sum(cap * relaxed[col] for _, cap, col in f.options)
            if opened >= threshold - 1e-9 or f.must_open:
                fits = [lv for lv, cap, _ in f.options if cap >= bought - 1e-6]
                plan[f.name] = fits[0] if fits else f.options[-1][0]
        if plan not in plans:
            plans.append(plan)
    return plans


def moves(
    plan: Plan, facilities: list[Facility], relaxed_open: dict[str, float]
) -> Iterator[tuple[tuple[str, str | None], ...]]:
    """Closing an open facility (the least promising first); moving one to a neighbour;
    closing one while an open neighbour grows by a level; resizing one by a level; then
    opening a closed one (what the relaxation opened in part first).

    A rounding opens more sites than a good plan keeps, so the moves that close or merge
    come first, and the opens, the most numerous and the least often kept, last: on the
    generated 1,700 x 150 instance, walks from the roundings of the relaxation's last four
    rounds were within 0.5 % in 0.9-5.6 s, against 0.9-11.1 s with the opens before the
    moves to neighbours (from the 22nd round, 6.4 s of opens had saved 0.001 %)."""
    by_name = {f.name: f for f in facilities}
    opened = sorted(plan, key=lambda n: (relaxed_open.get(n, 0.0), n))
    for name in opened:
        if not by_name[name].must_open:
            yield ((name, None),)
    for name in opened:
        f = by_name[name]
        if f.must_open:
            continue
        for other in f.neighbours:
            g = by_name.get(other)
            if g is None or other in plan:
                continue
            yield ((name, None), (other, level_taking(g, f, plan[name])))
    for name in opened:
        # close one and let an open neighbour take its sources with a level more
        if by_name[name].must_open:
            continue
        for other in by_name[name].neighbours:
            if other not in plan or other not in by_name:
                continue
            grown = level_step(by_name[other], plan[other], +1)
            if grown is not None:
                yield ((name, None), (other, grown))
    for name in opened:
        for step in (-1, +1):
            resized = level_step(by_name[name], plan[name], step)
            if resized is not None:
                yield ((name, resized),)
    closed = sorted(
        (f for f in facilities if f.name not in plan),
        key=lambda f: (-relaxed_open.get(f.name, 0.0), f.name),
    )
    for f in closed:
        # every level of what the relaxation opened in part; the smallest of the rest
        opened_part = relaxed_open.get(f.name, 0.0) > 1e-6
        for level, _, _ in f.options if opened_part else f.options[:1]:
            yield ((f.name, level),)


def level_step(f: Facility, level: str, step: int) -> str | None:
    """The level `step` levels above `level` (below, if negative), or None past the ends."""
    levels = [lv for lv, _, _ in f.options]
    at = levels.index(level) + step
    return levels[at] if 0 <= at < len(levels) else None


def level_taking(g: Facility, f: Facility, level: str) -> str:
    """The smallest level of `g` holding `f`'s capacity at `level` (else `g`'s largest)."""
    capacity = next(cap for lv, cap, _ in f.options if lv == level)
    fits = [lv for lv, cap, _ in g.options if cap >= capacity - 1e-6]
    return fits[0] if fits else g.options[-1][0]


def apply_move(plan: Plan, move: tuple[tuple[str, str | None], ...]) -> Plan:
    trial = dict(plan)
    for name, level in move:
        if level is None:
            trial.pop(name, None)
        else:
            trial[name] = level
    return trial
