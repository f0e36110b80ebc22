"""What the benchmark prints: the Markdown table of figures, the machine, and the breakdown
lines (docs/performance.md quotes them)."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import platform
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from bench.harness import Figure


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "x":
        return f"{value:.2f}"
    if unit == "s":
        return f"{value:.2f} s"
    if unit == "ms":
        return f"{value:.0f} ms"
    return f"{value:.0f} us"


def _rss(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}"


def table(figures: Sequence[Figure]) -> str:
    header = ("Figure", "Measured", "Baseline", "Ratio", "Target", "Met", "CPU ratio", "Peak RSS MiB (this / baseline)")
    rows = []
    for f in figures:
        ratio = f.ratio
        if f.higher_is_better or f.key == "gate_vs_checkov":
            target = f"<= {f.target:.2f}" if f.target is not None else "-"
        else:
            target = f"<= {f.target:.1f}" if f.target is not None else "-"
        baseline = f"{_fmt(f.baseline, f.unit)} ({f.baseline_name})" if f.baseline is not None else f"- ({f.status})"
        met = "-" if f.met is None else ("yes" if f.met else "NO")
        cpu = f.cpu_ratio
        rows.append((f.title, _fmt(f.value, f.unit), baseline, "-" if ratio is None else f"{ratio:.2f}", target, met,
                     "-" if cpu is None else f"{cpu:.2f}", f"{_rss(f.peak_rss_mib)} / {_rss(f.baseline_peak_rss_mib)}"))
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines.extend("| " + " | ".join(row) + " |" for row in rows)
    return "\n".join(lines)


def machine() -> dict[str, Any]:
    def version(name: str) -> str:
        from importlib import metadata

        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return "-"

    memory = None
    with contextlib.suppress(OSError):
        match = re.search(r"MemTotal:\s+(\d+) kB", Path("/proc/meminfo").read_text(encoding="ascii"))
        memory = round(int(match.group(1)) / 1024 / 1024, 1) if match else None
    cpu = ""
    with contextlib.suppress(OSError):
        match = re.search(r"model name\s*:\s*(.+)", Path("/proc/cpuinfo").read_text(encoding="utf-8"))
        cpu = match.group(1).strip() if match else ""
    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"), "cpus": os.cpu_count(), "cpu": cpu,
        "memory_gib": memory, "platform": platform.platform(), "python": platform.python_version(),
        "packages": {name: version(name) for name in ("pulumi", "pulumi-policy", "grpcio", "protobuf", "pulumi-azure-native")},
    }



def loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text(encoding="ascii").split()[:3])
    except OSError:
        return "-"


def print_details(details: Mapping[str, Any]) -> None:
    print(f"Load average before / after: {details['loadavg_before']} / {details['loadavg_after']}.")
    if "import_ms" in details:
        imports, compiled = details["import_ms"], details["compile_ms"]
        print(f"Import: policies' own modules {imports['policies_own_ms']:.1f} ms on top of pulumi_policy "
              f"{imports['pulumi_policy_ms']:.1f} ms; a fresh checkout compiles policies/ once in {compiled['policies_ms']:.0f} ms "
              f"and policy_gate/ in {compiled['policy_gate_ms']:.0f} ms.")
    if "breakdown" not in details:
        return
    for key, what in (("analyze_in_process", "per resource of the mix"), ("analyze_in_process_workspaces", "per workspace")):
        a = details["breakdown"][key]
        print(f"Analyze in-process {what}: with the adapter real {a['real_us']:.0f} us, no-op {a['noop_us']:.0f} us; "
              f"on the SDK's own servicer real {a['real_stock_us']:.0f} us, no-op {a['noop_stock_us']:.0f} us; one conversion "
              f"{a['one_conversion_us']:.1f} us, which the SDK's servicer makes {a['resource_policies']} times "
              f"({a['stock_conversion_us']:.0f} us) and the adapter once.")
    stack = details["breakdown"]["stack_in_process"]
    print(f"AnalyzeStack in-process, {stack['resources']:,} resources (CPU; without the cyclic GC in brackets): with the adapter "
          f"real {stack['real_s']:.2f} s ({stack['real_gc_disabled_s']:.2f}), no-op {stack['noop_s']:.2f} s "
          f"({stack['noop_gc_disabled_s']:.2f}); on the SDK's own servicer real {stack['real_stock_s']:.2f} s "
          f"({stack['real_stock_gc_disabled_s']:.2f}), no-op {stack['noop_stock_s']:.2f} s ({stack['noop_stock_gc_disabled_s']:.2f}); "
          f"one conversion of every resource {stack['one_conversion_s']:.2f} s (the SDK: once per stack policy, "
          f"{stack['stack_policies']}); StackItems {stack['stack_items_s']:.2f} s, checks {sum(stack['checks_s'].values()):.2f} s.")
    phases = details["gate_phases"]
    print(f"Gate phases (reference stack): program under mocks {phases['program_under_mocks_s']:.2f} s "
          f"(its azure-native imports alone {phases['program_imports_s']:.2f} s), analysis {phases['analysis_s']:.2f} s, "
          f"CLI start {phases['cli_help_s']:.2f} s.")
    split = details.get("gate_split")
    if split:
        shown = ", ".join(f"{name} {seconds:.2f} s" for name, seconds in split["profiled"]["phases_s"].items())
        print(f"Gate on the {split['workspaces']:,}-workspace export ({split['resources']:,} resources), unprofiled: wall "
              f"{split['wall_s']:.2f} s, the gate's own CPU (client side) {split['client_cpu_s']:.2f} s, the pack's CPU "
              f"{split['pack_cpu_s']:.2f} s. Under cProfile (wall {split['profiled']['wall_s']:.2f} s): {shown}.")
        side = split["pack_side"]
        print(f"The pack's side of it: start-up {side['startup_cpu_s']:.2f} s, its servicer in process {side['analyze_cpu_s']:.2f} s "
              f"for the {side['analyze_requests']:,} Analyze requests and {side['analyze_stack_cpu_s']:.2f} s for AnalyzeStack, "
              f"the rest (gRPC serving) {side['grpc_serving_cpu_s']:.2f} s.")
