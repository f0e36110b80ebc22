"""What every figure shares: the result record, medians, interleaved timing, and packs started
through the gate's own pack-process API (``policy_gate.analyzer``), so the benchmark drives a
pack exactly as the gate does."""

from __future__ import annotations

import contextlib
import gc
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from pulumi.runtime.proto import analyzer_pb2

from bench import stacks
from policies import RULES
from policies.core.convert_once import STOCK_ENV
from policy_gate.analyzer import PackOptions, PackProcess, configure_request, pack_environment, prepare
from policy_gate.capture import Capture

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
# The stack every pack process is configured for (PULUMI_* environment, ConfigureStack).
BENCH_STACK = Capture(project=stacks.PROJECT, stack=stacks.STACK, source_dir=str(ROOT))


@dataclass
class Figure:
    key: str
    title: str
    unit: str  # "ms", "us/resource", "s", "x"
    value: float | None
    baseline: float | None
    baseline_name: str
    target: float | None  # the ratio must be at most this (or at least, when higher_is_better)
    higher_is_better: bool = False
    peak_rss_mib: float | None = None
    baseline_peak_rss_mib: float | None = None
    # CPU time of the measured process(es), same unit as value: unlike wall time, it does not
    # grow when other work shares the machine, so its ratio checks the wall-time ratio.
    cpu: float | None = None
    baseline_cpu: float | None = None
    runs: int = 0
    samples: list[float] = field(default_factory=list)
    baseline_samples: list[float] = field(default_factory=list)
    status: str = "measured"  # or "skipped: <why>"
    notes: dict[str, Any] = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        if self.value is None or not self.baseline:
            return None
        return self.value / self.baseline

    @property
    def cpu_ratio(self) -> float | None:
        if self.cpu is None or not self.baseline_cpu:
            return None
        return self.cpu / self.baseline_cpu

    @property
    def met(self) -> bool | None:
        ratio = self.ratio
        if ratio is None or self.target is None:
            return None
        return ratio >= self.target if self.higher_is_better else ratio <= self.target

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["ratio"] = self.ratio
        data["cpu_ratio"] = self.cpu_ratio
        data["met"] = self.met
        return data


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def child_env() -> dict[str, str]:
    """The environment of every measured process: this one's, with Python's default bytecode
    cache (PYTHONDONTWRITEBYTECODE removed), so each figure is the steady state a developer's
    machine or a CI cache sees; the one-off compile of a fresh checkout is reported apart."""
    return {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


# -- packs ---------------------------------------------------------------------------------------

def stock_env(stock: bool = True) -> dict[str, str]:
    """``child_env()``, with the pack told to keep the SDK's own servicer when ``stock``
    (``POLICY_PACK_STOCK_SDK``, policies/core/convert_once.py)."""
    env = {k: v for k, v in child_env().items() if k != STOCK_ENV}
    return {**env, STOCK_ENV: "1"} if stock else env


@contextlib.contextmanager
def started(directory: Path, stock: bool = False) -> Iterator[PackProcess]:
    """The pack in ``directory``, started and connected as the gate starts it, on this Python
    (with the SDK's own servicer when ``stock``); ``startup_seconds`` is the time from Popen to
    the port line."""
    options = PackOptions(directory, python=sys.executable, start_timeout=120.0)
    with PackProcess(options, pack_environment(BENCH_STACK, stock_env(stock))) as pack:
        pack.connect()
        yield pack


def configure(pack: PackProcess, config: analyzer_pb2.ConfigureAnalyzerRequest) -> None:
    """The CLI's calls before the first Analyze."""
    prepare(pack, BENCH_STACK)
    pack.call(pack.stub.Configure, config, "Configure")


def config_request() -> analyzer_pb2.ConfigureAnalyzerRequest:
    """What the CLI sends with no --policy-pack-config: every policy at its level with its schema
    defaults. Both packs get the same request (the no-op pack has the same policy names)."""
    return configure_request({rule.name: (rule.level.value, rule.defaults()) for rule in RULES})


# -- timing --------------------------------------------------------------------------------------

def interleaved(runs: Mapping[str, Callable[[], Any]], reps: int, warmup: bool) -> dict[str, list[Any]]:
    """Each run ``reps`` times, alternating which goes first, so that all see the same load on
    a shared machine."""
    results: dict[str, list[Any]] = {k: [] for k in runs}
    names = list(runs)
    if warmup:
        for name in names:
            runs[name]()
    for rep in range(reps):
        for name in (names if rep % 2 == 0 else names[::-1]):
            results[name].append(runs[name]())
    return results


def timed(fn: Callable[[], Any], reps: int) -> float:
    """Median wall time of ``fn`` over ``reps`` calls."""
    times = []
    for _ in range(max(reps, 1)):
        started_at = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started_at)
    return median(times)


def cpu_timed(fn: Callable[[], Any], reps: int, gc_enabled: bool = True) -> float:
    """Median CPU time of this process over ``reps`` calls of ``fn``, each after a full GC (and
    with the cyclic GC off during the call unless ``gc_enabled``). For in-process figures: CPU
    time does not grow when other work shares the machine."""
    times = []
    for _ in range(max(reps, 1)):
        gc.collect()
        if not gc_enabled:
            gc.disable()
        try:
            started_at = time.process_time()
            fn()
            times.append(time.process_time() - started_at)
        finally:
            gc.enable()
    return median(times)


def paired(calls: Sequence[Callable[[Any], Any]], items: Sequence[Any], reps: int) -> list[float]:
    """Median over ``reps`` passes of the total CPU time of each call over ``items``, the calls
    interleaved item by item (first call alternating) so that they share the machine's state."""
    totals: list[list[float]] = [[] for _ in calls]
    for rep in range(reps):
        spent = [0.0] * len(calls)
        for index, item in enumerate(items):
            order = range(len(calls)) if (index + rep) % 2 == 0 else reversed(range(len(calls)))
            for which in order:
                started_at = time.process_time()
                calls[which](item)
                spent[which] += time.process_time() - started_at
        for which, total in enumerate(spent):
            totals[which].append(total)
    return [median(t) for t in totals]
