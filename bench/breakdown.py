"""Where the time goes (reported beside the figures, not as one): the SDK's servicer called
directly in this process for the real and the no-op policies, the share of each request spent
re-converting properties once per policy, profiles, and the gate's phases on the reference
stack."""

from __future__ import annotations

import ast
import cProfile
import io
import pstats
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from google.protobuf import json_format
from pulumi.runtime.proto import analyzer_pb2

from bench import inprocess, stacks
from bench.harness import ROOT, config_request, cpu_timed, paired, timed
from bench.inprocess import noop_policies, pack_environment_here, policy_resource
from bench.workload import analyze_requests
from policies import RULES, ResourceRule, StackRule
from policy_gate.analyzer import stack_request
from policy_gate.capture import Capture


def top_functions(stats: pstats.Stats, limit: int = 15) -> list[dict[str, Any]]:
    """The functions that took most time of their own."""
    rows = []
    for (filename, line, name), (_, calls, tottime, cumtime, _) in stats.stats.items():  # type: ignore[attr-defined]
        rows.append({"function": f"{_short(filename)}:{line}({name})", "calls": calls, "tottime_s": tottime, "cumtime_s": cumtime})
    rows.sort(key=lambda r: r["tottime_s"], reverse=True)
    return rows[:limit]


def _short(filename: str) -> str:
    for marker in ("site-packages/", str(ROOT) + "/"):
        if marker in filename:
            return filename.split(marker, 1)[1]
    return filename


def cumulative(stats: pstats.Stats, predicate: Callable[[str, str], bool]) -> float:
    """Cumulative time of the outermost calls matching ``predicate(filename, function)``."""
    total = 0.0
    for (filename, _, name), (_, _, _, cumtime, callers) in stats.stats.items():  # type: ignore[attr-defined]
        if predicate(filename, name) and not any(predicate(f, n) for (f, _, n) in callers):
            total += cumtime
    return total


def _stats(profile: cProfile.Profile) -> pstats.Stats:
    return pstats.Stats(profile, stream=io.StringIO())


SERVICERS = ("real", "noop", "real_stock", "noop_stock")  # the pack's policies or no-ops; adapter or the SDK's own


def breakdown(mix: Sequence[analyzer_pb2.AnalyzeRequest], stack_size: int, reps: int) -> dict[str, Any]:
    """In-process (no gRPC, no process): the servicers called directly for the real and the no-op
    policies, with the convert-once adapter and the SDK's own; what one conversion costs (the SDK
    pays it once per policy, the adapter once per request); profiles; the stack rules' own work."""
    from policies import build_policies
    from policies.core.stack import StackIndex, stack_item

    result: dict[str, Any] = {}
    resource_policies = sum(1 for r in RULES if isinstance(r, ResourceRule))
    stack_policies = len(RULES) - resource_policies
    config = config_request()
    with pack_environment_here():
        servicers = {name: inprocess.servicer(build_policies() if name.startswith("real") else noop_policies(),
                                              stock=name.endswith("stock")) for name in SERVICERS}
        for servicer in servicers.values():
            servicer.Configure(config, None)

        def run_mix(servicer: Any) -> Callable[[], None]:
            def run() -> None:
                for request in mix:
                    servicer.Analyze(request, None)

            return run

        run_mix(servicers["real"])()  # warm caches
        result["analyze_in_process"] = _analyze_share(servicers, mix, resource_policies, reps)
        workspaces = [r for r in analyze_requests(stacks.workspace_capture(100)) if r.type.endswith(":Workspace")]
        result["analyze_in_process_workspaces"] = _analyze_share(servicers, workspaces, resource_policies, reps)
        profile = cProfile.Profile()
        profile.runcall(run_mix(servicers["real"]))
        stats = _stats(profile)
        total = sum(row[2] for row in stats.stats.values())  # type: ignore[attr-defined]
        result["analyze_profile"] = {
            "total_s": total, "conversion_s": cumulative(stats, lambda f, n: n in ("MessageToDict", "deserialize_properties")),
            "policies_code_s": cumulative(stats, lambda f, n: f.startswith(str(ROOT / "policies")) and "convert_once" not in f),
            "top": top_functions(stats)}

        request = stack_request(stacks.ml_stack(stack_size))
        servicers["real"].AnalyzeStack(request, None)
        # One call each (they are long): with Python's cyclic GC as the pack runs it, and without it,
        # which shows what the collector costs on a large stack.
        timings: dict[str, float] = {}
        for label, servicer in servicers.items():
            def call(servicer: Any = servicer) -> None:
                servicer.AnalyzeStack(request, None)

            timings[f"{label}_s"] = cpu_timed(call, 1)
            timings[f"{label}_gc_disabled_s"] = cpu_timed(call, 1, gc_enabled=False)
        convert_s = cpu_timed(lambda: [_convert(r) for r in request.resources], 1)
        # The pack's own per-rule work on the stack: StackItems from the SDK's resources, then each check.
        resources = [policy_resource(r) for r in request.resources]
        items_s = cpu_timed(lambda: [stack_item(r) for r in resources], reps)
        items = [stack_item(r) for r in resources]
        index_s = cpu_timed(lambda: StackIndex(items), reps)
        checks = {}
        for rule in RULES:
            if isinstance(rule, StackRule):
                checks[rule.name] = cpu_timed(lambda rule=rule: rule.evaluate(items, None), reps)  # type: ignore[misc]
        result["stack_in_process"] = {
            "resources": len(request.resources), **timings, "rules_s": timings["real_s"] - timings["noop_s"],
            "one_conversion_s": convert_s, "stack_policies": stack_policies,
            "stack_items_s_per_rule": items_s, "stack_items_s": items_s * stack_policies, "stack_index_s": index_s,
            "checks_s": checks,
        }
        profiled = stack_request(stacks.ml_stack(min(stack_size, 1000)))  # the profiler triples the time
        profile = cProfile.Profile()
        profile.runcall(lambda: servicers["real"].AnalyzeStack(profiled, None))
        result["stack_profile"] = {"resources": len(profiled.resources), "top": top_functions(_stats(profile))}
    return result


def _convert(message: Any) -> Any:
    """One conversion of a request's properties, as the SDK makes it (its proxy included)."""
    from pulumi_policy.deserialize import deserialize_properties
    from pulumi_policy.proxy import unknown_checking_proxy

    return unknown_checking_proxy(deserialize_properties(json_format.MessageToDict(message.properties)))


def _analyze_share(servicers: dict[str, Any], requests: Sequence[analyzer_pb2.AnalyzeRequest], policies: int,
                   reps: int) -> dict[str, Any]:
    """Per request, in process (CPU, us): each servicer's Analyze, and one property conversion
    (the SDK's servicer makes one per policy, the adapter one per request)."""
    calls = [(lambda r, s=s: s.Analyze(r, None)) for s in servicers.values()]
    *times, convert_us = (t / len(requests) * 1e6 for t in paired([*calls, _convert], requests, max(reps, 3)))
    us = dict(zip(servicers, times))
    return {
        "requests": len(requests), **{f"{k}_us": v for k, v in us.items()}, "rules_us": us["real"] - us["noop"],
        "one_conversion_us": convert_us, "resource_policies": policies, "stock_conversion_us": convert_us * policies,
        "stock_conversion_share_of_noop_stock": convert_us * policies / us["noop_stock"] if us["noop_stock"] else None,
    }


def gate_phases(capture_s: float, capture: Capture, reps: int) -> dict[str, Any]:
    """The gate's phases on the reference stack: program under mocks (a child process that
    imports the program's SDKs), the analysis (pack start and every call), the CLI's own start,
    and the import of the program's azure-native modules (the floor of the program run)."""
    from policy_gate.analyzer import PackOptions, analyze

    analyze_s = timed(lambda: analyze(capture, PackOptions(ROOT, python=sys.executable), {}), reps)
    cli = timed(lambda: subprocess.run([sys.executable, "-m", "policy_gate", "--help"], cwd=ROOT, capture_output=True,
                                        check=True), reps)
    modules = _program_imports(ROOT / "reference_stack")
    # pulumi_azure_native's modules load lazily, on first attribute access: touch each one.
    statement = f"import importlib, pulumi; [getattr(importlib.import_module(m), '__all__', None) for m in {modules!r}]"
    imports = timed(lambda: subprocess.run([sys.executable, "-c", statement], cwd=ROOT, capture_output=True, check=True), reps)
    python = timed(lambda: subprocess.run([sys.executable, "-c", "pass"], capture_output=True, check=True), reps)
    return {"program_under_mocks_s": capture_s, "analysis_s": analyze_s, "cli_help_s": cli,
            "program_imports_s": imports, "program_modules": modules, "python_start_s": python}


def _program_imports(directory: Path) -> list[str]:
    """The pulumi_azure_native modules a program's own files import (``from pulumi_azure_native
    import a, b``), whichever of its modules imports them."""
    modules: list[str] = []
    for path in sorted(directory.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("pulumi_azure_native"):
                modules.extend(f"{node.module}.{alias.name}" for alias in node.names)
            elif isinstance(node, ast.Import):
                modules.extend(a.name for a in node.names if a.name.startswith("pulumi_azure_native"))
    return sorted(set(modules))
