"""Processes a run starts beside its own: whether it may, and a pool of spawned ones.

Standard library only, so that the solve and the exports share it; imports nothing of hubnet.
"""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import os
from collections.abc import Callable, Iterator
from concurrent.futures import Executor
from contextlib import contextmanager


def in_daemon() -> bool:
    """Whether this process may start no process of its own (a daemon, e.g. a batch worker)."""
    return bool(multiprocessing.current_process().daemon)


def may_start_processes() -> bool:
    """Whether a process started here would get a core of its own and may be started: a
    second core, and this process no daemon."""
    return (os.cpu_count() or 1) > 1 and not in_daemon()


@contextmanager
def spawned(count: int, warm: Callable[[], None]) -> Iterator[Executor]:
    """A pool of `count` spawned processes (HiGHS's threads do not survive a fork), each
    given `warm` at once so that its imports overlap the work here."""
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(max_workers=count, mp_context=context) as pool:
        for _ in range(count):
            pool.submit(warm)
        yield pool
