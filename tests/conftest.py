"""Shared test setup: the repository root on sys.path, and the two test tiers.

Tiers: a test that starts a subprocess (the pack process, a Pulumi program run, a virtualenv, a
benchmark) carries the ``process`` marker, usually for its whole module
(``pytestmark = pytest.mark.process``). ``./scripts/test`` runs the fast tier, ``-m "not
process"``; ``./scripts/test --full`` (and CI) runs everything.

The fast tier is kept honest: while a test without the marker runs (its fixtures included), the
process-starting primitives are replaced by a guard, so a test that starts a subprocess without
the marker fails with ``UnmarkedProcessError`` saying so, in either tier.
"""

from __future__ import annotations

import _posixsubprocess
import os
import subprocess
import sys
from collections.abc import Callable, Generator, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

MARKER = "process"


class UnmarkedProcessError(RuntimeError):
    """A test without the ``process`` marker tried to start a subprocess."""


# Every way a test can start another process: subprocess (and asyncio, os.popen) end in
# _posixsubprocess.fork_exec or os.posix_spawn; multiprocessing's "spawn" and "forkserver" in
# fork_exec, its "fork" in os.fork; pty and os.spawn* in os.fork or os.forkpty; os.system is its own.
_PRIMITIVES: tuple[tuple[Any, str], ...] = (
    (_posixsubprocess, "fork_exec"),
    (subprocess, "_fork_exec"),  # Python 3.12+ binds fork_exec here
    (os, "fork"),
    (os, "forkpty"),
    (os, "posix_spawn"),
    (os, "posix_spawnp"),
    (os, "system"),
)


def _refuse(name: str) -> Callable[..., Any]:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise UnmarkedProcessError(
            f"this test started a subprocess ({name}) without the '{MARKER}' marker: mark it (or its module, "
            f"pytestmark = pytest.mark.{MARKER}) so that it runs in the full tier (./scripts/test --full) only")

    return refuse


@contextmanager
def no_processes() -> Iterator[None]:
    """Starting a subprocess raises ``UnmarkedProcessError`` inside this block."""
    saved = [(owner, name, getattr(owner, name)) for owner, name in _PRIMITIVES if hasattr(owner, name)]
    for owner, name, _ in saved:
        setattr(owner, name, _refuse(f"{getattr(owner, '__name__', owner)}.{name}"))
    try:
        yield
    finally:
        for owner, name, original in saved:
            setattr(owner, name, original)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", f"{MARKER}: the test starts a subprocess (the pack process, a program run, a "
                                       "virtualenv); only the full tier (./scripts/test --full) runs it")


def _guarded(item: pytest.Item) -> Generator[None, None, None]:
    if item.get_closest_marker(MARKER) is not None:
        yield
        return
    with no_processes():
        yield


# Setup, call and teardown each: fixtures of any scope run inside one of them.
@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Generator[None, None, None]:
    yield from _guarded(item)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    yield from _guarded(item)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item: pytest.Item) -> Generator[None, None, None]:
    yield from _guarded(item)
