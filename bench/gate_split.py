"""Where the gate's time goes on the n-workspace export (the Checkov comparison): its own process
(the client side: imports, reading the export, building requests, the report) against the pack's
process (the pack side), in CPU seconds, with a profile of the client that says what it waits for,
and the pack's side split into its start, its servicer's work (the same requests in process) and
the rest (gRPC serving: the SDK's server, request parsing, response building).

The gate runs in a fresh interpreter through a small driver (so its imports count), once without
and once under cProfile; the pack is the driver's only child, so ``RUSAGE_CHILDREN`` is the pack's
CPU."""

from __future__ import annotations

import json
import pstats
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import stacks
from bench.breakdown import cumulative, top_functions
from bench.harness import ROOT, child_env, config_request, cpu_timed, median, started
from bench.inprocess import pack_environment_here, servicer
from bench.memory import cpu_seconds
from bench.workload import analyze_requests
from policy_gate.analyzer import stack_request

_DRIVER = r"""
import cProfile, json, resource, sys, time
profile_to, argv = sys.argv[1], sys.argv[2:]
wall, cpu = time.perf_counter(), time.process_time()

def run():
    from policy_gate.cli import main
    return main(argv)

if profile_to:
    profiler = cProfile.Profile()
    code = profiler.runcall(run)
    profiler.dump_stats(profile_to)
else:
    code = run()
pack = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"rc": code, "wall_s": time.perf_counter() - wall, "client_cpu_s": time.process_time() - cpu,
                  "pack_cpu_s": pack.ru_utime + pack.ru_stime}))
"""

# What the client spends its time on (cumulative time of the outermost matching calls).
PHASES: dict[str, Callable[[str, str], bool]] = {
    "imports": lambda f, n: n == "_find_and_load",
    "reading the export": lambda f, n: f.endswith("policy_gate/inputs.py") and n == "load",
    "collecting secret strings": lambda f, n: f.endswith("policy_gate/capture.py") and n == "secret_strings",
    "building requests": lambda f, n: f.endswith("policy_gate/analyzer/requests.py") and n in ("analyze_request", "stack_request"),
    "waiting for the pack's port": lambda f, n: f.endswith("policy_gate/analyzer/process.py") and n == "connect",
    "waiting for the pack's answers (gRPC calls)": lambda f, n: f.endswith("grpc/_channel.py") and n == "__call__",
    "taking the answers": lambda f, n: f.endswith("policy_gate/analyzer/responses.py") and n in ("take", "take_remediation"),
    "writing the report": lambda f, n: "policy_gate/reports/" in f and n == "render",
}


def _run(export: Path, report: Path, profile: Path | None) -> dict[str, Any]:
    command = [sys.executable, "-c", _DRIVER, str(profile or ""), "run", str(export), "--format", "json", "--output",
               str(report), "--fail-on", "none", "--pack-python", sys.executable]
    result = subprocess.run(command, cwd=ROOT, env={**child_env(), "PYTHONPATH": str(ROOT)}, capture_output=True, text=True,
                            check=True)
    data: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    if data["rc"] != 0:
        raise RuntimeError(f"the gate exited {data['rc']}: {result.stderr.strip()[-300:]}")
    return data


def gate_split(workspaces: int, tmp: Path, reps: int = 3) -> dict[str, Any]:
    export = tmp / f"split-export-{workspaces}.json"
    export.write_text(json.dumps(stacks.workspace_export(workspaces)), encoding="utf-8")
    plain = [_run(export, tmp / "split-report.json", None) for _ in range(max(reps, 1))]
    profile = tmp / "split.prof"
    profiled = _run(export, tmp / "split-report.json", profile)
    stats = pstats.Stats(str(profile))
    phases = {name: cumulative(stats, predicate) for name, predicate in PHASES.items()}
    profile.unlink()
    result: dict[str, Any] = {
        "workspaces": workspaces, "resources": 2 * workspaces, "runs": len(plain),
        **{key: median([p[key] for p in plain]) for key in ("wall_s", "client_cpu_s", "pack_cpu_s")},
        "profiled": {"wall_s": profiled["wall_s"], "phases_s": phases, "top": top_functions(stats, 12)},
    }
    side = pack_side(workspaces, reps)
    side["grpc_serving_cpu_s"] = result["pack_cpu_s"] - sum(side[k] for k in ("startup_cpu_s", "analyze_cpu_s", "analyze_stack_cpu_s"))
    result["pack_side"] = side
    return result


def pack_side(workspaces: int, reps: int) -> dict[str, float]:
    """The pack's CPU on the export's requests without gRPC: its start (to the port line) and its
    servicer called in this process (with the pack's GC thresholds), for every Analyze and the AnalyzeStack."""
    import gc

    from policies import build_policies

    with started(ROOT) as pack:
        startup = cpu_seconds(pack.pid) or 0.0
    captured = stacks.workspace_capture(workspaces)
    requests, stack = analyze_requests(captured), stack_request(captured)
    thresholds = gc.get_threshold()
    gc.set_threshold(50_000, 20, 20)  # as the pack's __main__.py
    try:
        with pack_environment_here():
            analyzer = servicer(build_policies())
            analyzer.Configure(config_request(), None)
            analyze = cpu_timed(lambda: [analyzer.Analyze(r, None) for r in requests], reps)
            analyze_stack = cpu_timed(lambda: analyzer.AnalyzeStack(stack, None), reps)
    finally:
        gc.set_threshold(*thresholds)
    return {"startup_cpu_s": startup, "analyze_cpu_s": analyze, "analyze_stack_cpu_s": analyze_stack,
            "analyze_requests": len(requests)}
