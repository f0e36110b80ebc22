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
    analyze = details["breakdown"]["analyze_in_process"]
    print(f"Analyze in-process per resource: real {analyze['real_us']:.0f} us, no-op {analyze['noop_us']:.0f} us; "
          f"the SDK's per-policy re-conversion {analyze['sdk_conversion_us']:.0f} us "
          f"({analyze['conversions_per_request']} x {analyze['one_conversion_us']:.1f} us).")
    workspaces = details["breakdown"]["analyze_in_process_workspaces"]
    print(f"Analyze in-process per workspace or compute: real {workspaces['real_us']:.0f} us, no-op {workspaces['noop_us']:.0f} us; "
          f"the SDK's per-policy re-conversion {workspaces['sdk_conversion_us']:.0f} us "
          f"({workspaces['conversions_per_request']} x {workspaces['one_conversion_us']:.1f} us).")
    stack = details["breakdown"]["stack_in_process"]
    print(f"AnalyzeStack in-process, {stack['resources']:,} resources: real {stack['real_s']:.2f} s, no-op {stack['noop_s']:.2f} s "
          f"(without the cyclic GC: {stack['real_gc_disabled_s']:.2f} s, {stack['noop_gc_disabled_s']:.2f} s); "
          f"SDK re-conversion {stack['sdk_conversion_s']:.2f} s ({stack['conversions']} x {stack['one_conversion_s']:.3f} s), "
          f"StackItems {stack['stack_items_s']:.2f} s, checks {sum(stack['checks_s'].values()):.2f} s.")
    phases = details["gate_phases"]
    print(f"Gate phases (reference stack): program under mocks {phases['program_under_mocks_s']:.2f} s "
          f"(its azure-native imports alone {phases['program_imports_s']:.2f} s), analysis {phases['analysis_s']:.2f} s, "
          f"CLI start {phases['cli_help_s']:.2f} s.")
