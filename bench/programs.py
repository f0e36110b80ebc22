"""Figure 6, the gate's program path next to its state path: ``python -m policy_gate run`` on the
generated program of ``program_limits.py`` (n azure-native resources run under the SDK's mocks)
and on the same resources as a ``pulumi stack export`` (``stacks.program_capture``), each run a
fresh process under the memory wrapper: wall time, CPU and the peak RSS of the largest process.
No target: the figure says what a program costs beyond its state (the SDK running it)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from bench import stacks
from bench.harness import ROOT, Figure, interleaved, median
from bench.memory import Measured, check_ok, measure
from bench.program_limits import write_program

LARGE = 5_000  # sizes from here run once per figure (a 10,000-resource program takes minutes)


def _command(target: Path, report: Path) -> list[str]:
    return [sys.executable, "-m", "policy_gate", "run", str(target), "--format", "json", "--output", str(report),
            "--fail-on", "none", "--timeout", "3600", "--pack-timeout", "1800", "--pack-python", sys.executable]


def bench_program(size: int, reps: int, tmp: Path) -> Figure:
    program = write_program(tmp / f"program-{size}", size)
    export = tmp / f"program-export-{size}.json"
    export.write_text(json.dumps(stacks.export(stacks.program_capture(size))), encoding="utf-8")
    reports = {"program": tmp / f"program-{size}.json", "state": tmp / f"state-{size}.json"}
    runs = {"program": lambda: measure(_command(program, reports["program"]), ROOT),
            "state": lambda: measure(_command(export, reports["state"]), ROOT)}
    results: dict[str, list[Measured]] = interleaved(runs, 1 if size >= LARGE else reps, False)
    analysed = {}
    for name, items in results.items():
        for item in items:
            check_ok(f"the gate on the {name} path ({size} resources)", item)
        analysed[name] = json.loads(reports[name].read_text(encoding="utf-8"))["resources"]
    if analysed["program"] != analysed["state"] or analysed["program"] < size:
        raise RuntimeError(f"the two paths analysed {analysed} resources, not {size} each")
    program_runs, state_runs = results["program"], results["state"]
    return Figure(
        f"program_{size}", f"Gate on a program of {size:,} resources (vs the same as a stack export)", "s",
        median([m.wall for m in program_runs]), median([m.wall for m in state_runs]), "the state path on the same resources",
        None, peak_rss_mib=max(m.peak_rss_mib for m in program_runs), baseline_peak_rss_mib=max(m.peak_rss_mib for m in state_runs),
        runs=len(program_runs), samples=[m.wall for m in program_runs], baseline_samples=[m.wall for m in state_runs],
        cpu=median([m.cpu for m in program_runs]), baseline_cpu=median([m.cpu for m in state_runs]),
        notes={"resources": size, "analysed": analysed})
