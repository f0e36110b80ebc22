"""Figure 4a, the gate end to end on the reference stack (``python -m policy_gate run``, each
run a fresh process under the memory wrapper), against the gate with the no-op pack."""

from __future__ import annotations

import sys
from pathlib import Path

from bench.harness import ROOT, Figure, interleaved, median
from bench.memory import check_ok, measure
from bench.noop_pack import NoopPack


def gate_command(target: Path, pack: Path, report: Path) -> list[str]:
    return [sys.executable, "-m", "policy_gate", "run", str(target), "--pack", str(pack), "--pack-python", sys.executable,
            "--format", "json", "--output", str(report), "--fail-on", "none"]


def bench_gate_reference(noop: NoopPack, reps: int, warmup: bool, tmp: Path) -> Figure:
    report = tmp / "gate-reference.json"
    target = ROOT / "reference_stack"
    runs = {"real": lambda: measure(gate_command(target, ROOT, report), ROOT),
            "noop": lambda: measure(gate_command(target, noop.directory, tmp / "gate-reference-noop.json"), ROOT)}
    results = interleaved(runs, reps, warmup)
    for name, items in results.items():
        for item in items:
            check_ok(f"the gate ({name} pack) on reference_stack", item)
    real, floor = results["real"], results["noop"]
    return Figure(
        "gate_reference", "Gate end to end, reference stack", "s", median([m.wall for m in real]), median([m.wall for m in floor]),
        "the gate with the no-op pack", 1.2, peak_rss_mib=max(m.peak_rss_mib for m in real),
        baseline_peak_rss_mib=max(m.peak_rss_mib for m in floor), runs=reps, samples=[m.wall for m in real],
        cpu=median([m.cpu for m in real]), baseline_cpu=median([m.cpu for m in floor]),
        baseline_samples=[m.wall for m in floor])
