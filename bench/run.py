"""Benchmark the policy pack and the offline gate against honest baselines.

    python bench/run.py                      # full run: 5 repetitions, 1,000/10,000-resource stacks, Checkov
    python bench/run.py --quick --skip-checkov --json out.json   # CI smoke test: tiny sizes, one repetition

Every figure is the median of ``--reps`` runs and is reported as a ratio against a baseline
measured in the same run, with its target and whether it is met (see docs/performance.md):

The real pack and the no-op pack run with the convert-once adapter (policies/core/convert_once.py),
so that ratios between them isolate the rules; the "stock" figures compare with the SDK's own
servicer (each policy converting each request): the no-op pack on it is the stock SDK floor.

1. ``startup``: pack start-up (Popen to the port line) against the no-op pack (``startup.py``).
2. ``analyze``: Analyze round trip per resource over gRPC, on a realistic mix (the reference
   stack's capture and every resource rule's samples), against the no-op pack;
   ``analyze_vs_stock_floor``: per workspace against the stock SDK floor; ``analyze_vs_stock``:
   per workspace against the real pack on the SDK's own servicer (``analyze.py``).
3. ``stack_<n>``: AnalyzeStack on synthetic stacks of n ML resources, against the no-op pack,
   ``stack_<n>_vs_stock_floor`` and ``stack_<n>_vs_stock`` as above; ``stack_scaling``: the
   per-resource cost at the largest size over the smallest, against the same growth of the no-op
   pack, ``stack_growth`` against linear growth; ``rules_scaling``: the same growth for the stack
   rules' own work alone (in process, CPU time), against linear growth (``analyze_stack.py``).
4. ``gate_reference``: the gate end to end on the reference stack, against the gate with the
   no-op pack (``gate.py``); ``gate_vs_checkov``: the gate on an n-workspace stack export
   against Checkov on the equivalent ARM template with its Azure ML checks (``checkov.py``).
5. ``program_<n>``: the gate on a generated program of n resources against the same resources as
   a stack export (``programs.py``; no target).
6. Peak memory (peak RSS) of every measured process, each on a fresh process (``memory.py``).

Packs are started and driven through the gate's own pack-process API (``harness.py``); the
requests are the gate's (``workload.py``); ``breakdown.py`` and ``gate_split.py`` say where the
time goes. The no-op packs (same number and kinds of policies, generated from ``policies.RULES``)
live in a temporary directory that is removed afterwards. Checkov runs from its own virtualenv
(``bench/.venv-checkov``, created from bench/requirements.txt on first full run), never from
the project's.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from pulumi.runtime.proto import analyzer_pb2  # noqa: E402

from bench import output, stacks  # noqa: E402
from bench.analyze import WORKSPACES, bench_analyze  # noqa: E402
from bench.analyze_stack import bench_stack, rules_scaling, stack_scaling  # noqa: E402
from bench.breakdown import breakdown, gate_phases  # noqa: E402
from bench.checkov import CHECKOV_VENV, bench_gate_checkov, ensure_checkov  # noqa: E402
from bench.gate import bench_gate_reference  # noqa: E402
from bench.gate_split import gate_split  # noqa: E402
from bench.harness import Figure, log  # noqa: E402
from bench.noop_pack import noop_pack  # noqa: E402
from bench.programs import bench_program  # noqa: E402
from bench.startup import bench_startup, compile_cost, import_cost  # noqa: E402
from bench.workload import analyze_requests, sample_requests  # noqa: E402
from policy_gate.capture import Capture  # noqa: E402

FIGURE_GROUPS = ("startup", "analyze", "stack", "gate", "checkov", "programs", "breakdown")


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python bench/run.py", description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="smoke test: tiny sizes, one repetition, no warm-up, "
                        "Checkov only if already installed")
    parser.add_argument("--reps", type=int, help="repetitions per figure (default 5; --quick 1)")
    parser.add_argument("--stack-sizes", help="comma-separated AnalyzeStack sizes (default 1000,10000; --quick 70,350)")
    parser.add_argument("--workspaces", type=int, help="workspaces in the export compared with Checkov (default 1000; --quick 20)")
    parser.add_argument("--program-sizes", help="comma-separated program sizes, in resources (default 1000,10000; --quick 20)")
    parser.add_argument("--skip-checkov", action="store_true", help="do not run (or install) Checkov")
    parser.add_argument("--checkov-venv", default=str(CHECKOV_VENV), help="Checkov's own virtualenv (default bench/.venv-checkov)")
    parser.add_argument("--json", metavar="FILE", help="also write every figure, the breakdown and the machine as JSON")
    parser.add_argument("--only", help="comma-separated subset of: " + ", ".join(FIGURE_GROUPS) + " (default: all)")
    return parser.parse_args(argv)


def _checkov(args: argparse.Namespace) -> tuple[Path | None, str]:
    """Checkov's executable (None when it is not used) and why it is not."""
    if args.skip_checkov:
        return None, "--skip-checkov"
    try:
        checkov = ensure_checkov(Path(args.checkov_venv), install=not args.quick)
    except (OSError, subprocess.CalledProcessError) as exc:
        return None, f"cannot install Checkov ({exc})"
    return checkov, "" if checkov is not None else f"not installed in {args.checkov_venv} (--quick does not install it)"


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse(argv)
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)  # see harness.child_env: every child process uses the bytecode cache
    only = set(args.only.split(",")) if args.only else set(FIGURE_GROUPS)
    if only - set(FIGURE_GROUPS):
        print(f"error: --only takes {', '.join(FIGURE_GROUPS)}", file=sys.stderr)
        return 2
    reps = args.reps or (1 if args.quick else 5)
    warmup = not args.quick
    sizes = [int(s) for s in (args.stack_sizes or ("70,350" if args.quick else "1000,10000")).split(",") if s.strip()]
    workspaces = args.workspaces or (20 if args.quick else 1000)
    program_sizes = [int(s) for s in (args.program_sizes or ("20" if args.quick else "1000,10000")).split(",") if s.strip()]
    checkov, skip_reason = _checkov(args)

    figures: list[Figure] = []
    details: dict[str, Any] = {"loadavg_before": output.loadavg()}
    with noop_pack() as noop, tempfile.TemporaryDirectory(prefix="aml-bench-") as tmp_name:
        tmp = Path(tmp_name)
        log(f"no-op pack: {noop.resource_policies} resource + {noop.stack_policies} stack policies; {reps} repetition(s)")
        if "startup" in only:
            log("start-up")
            figures.append(bench_startup(noop, reps, warmup))
            details["import_ms"] = import_cost(reps)
            details["compile_ms"] = compile_cost(reps)

        capture: Capture | None = None
        capture_s = 0.0
        mix: dict[str, list[analyzer_pb2.AnalyzeRequest]] = {}
        if only & {"analyze", "breakdown"}:
            from policy_gate.program import run_program

            started_at = time.perf_counter()
            capture = run_program(ROOT / "reference_stack", "dev", False, 300)
            capture_s = time.perf_counter() - started_at
            samples, unsendable = sample_requests()
            mix = {"reference_stack": analyze_requests(capture), "samples": samples}
            details["samples_not_sendable"] = unsendable
        if "analyze" in only:
            log("Analyze per resource (reference stack capture + rule samples; workspaces)")
            workspace_requests = [r for r in analyze_requests(stacks.workspace_capture(min(workspaces, 200))) if r.type.endswith(":Workspace")]
            figures.extend(bench_analyze(noop, {**mix, WORKSPACES: workspace_requests}, reps, warmup))

        if "stack" in only:
            log(f"AnalyzeStack at {', '.join(map(str, sizes))} resources")
            stack_figures = [bench_stack(noop, size, reps, warmup) for size in sizes]
            figures.extend(f for group in stack_figures for f in group)
            if len(stack_figures) >= 2:
                figures.extend(stack_scaling(stack_figures[0][0], stack_figures[-1][0]))
                figures.append(rules_scaling(sizes, reps))

        if "gate" in only:
            log("the gate on the reference stack")
            figures.append(bench_gate_reference(noop, reps, warmup, tmp))
        if "checkov" in only:
            log(f"the gate on a {workspaces}-workspace stack export, and Checkov")
            figures.append(bench_gate_checkov(noop, workspaces, reps, warmup, tmp, checkov, skip_reason))
        if "programs" in only:
            for size in program_sizes:
                log(f"the gate on a program of {size} resources, and on the same resources as a stack export")
                figures.append(bench_program(size, reps, tmp))

        if "breakdown" in only and capture is not None:
            log("breakdown (in-process)")
            details["breakdown"] = breakdown([r for group in mix.values() for r in group], sizes[-1], reps)
            details["gate_phases"] = gate_phases(capture_s, capture, reps)
            log(f"the gate's client and pack sides on the {workspaces}-workspace export")
            details["gate_split"] = gate_split(workspaces, tmp)
    details["loadavg_after"] = output.loadavg()

    info = output.machine()
    print(f"\nAzure ML governance pack benchmark - {info['date']}, {info['cpus']} CPUs, {info['memory_gib']} GiB, "
          f"Python {info['python']}, {reps} repetition(s)\n")
    print(output.table(figures))
    print()
    output.print_details(details)
    if args.json:
        payload = {"machine": info, "reps": reps, "quick": bool(args.quick), "sizes": sizes, "workspaces": workspaces,
                   "program_sizes": program_sizes,
                   "figures": {f.key: f.to_json() for f in figures}, **details}
        Path(args.json).write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
        log(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
