"""Figure 3, AnalyzeStack: synthetic stacks of n ML resources against the no-op pack; the
growth per resource from the smallest to the largest size against the no-op pack's own growth;
and the stack rules' own work alone (in process, CPU time) against linear growth."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from bench import stacks
from bench.harness import ROOT, Figure, config_request, configure, cpu_timed, median, started
from bench.inprocess import linked_resources
from bench.memory import cpu_seconds, peak_rss_mib
from bench.noop_pack import NoopPack
from policies import RULES, StackRule
from policy_gate.analyzer import stack_request


def bench_stack(noop: NoopPack, size: int, reps: int, warmup: bool) -> Figure:
    capture = stacks.ml_stack(size)
    request = stack_request(capture)
    warm = stack_request(stacks.ml_stack(70))
    config = config_request()
    times: dict[str, list[float]] = {"real": [], "noop": []}
    violations: dict[str, int] = {}
    with started(ROOT) as real, started(noop.directory) as floor:
        packs = {"real": real, "noop": floor}
        for pack in packs.values():
            configure(pack, config)
            if warmup:
                pack.stub.AnalyzeStack(warm, timeout=600)
        cpu: dict[str, list[float]] = {"real": [], "noop": []}
        for rep in range(reps):
            for kind in (["real", "noop"] if rep % 2 == 0 else ["noop", "real"]):
                before = cpu_seconds(packs[kind].pid)
                started_at = time.perf_counter()
                response = packs[kind].stub.AnalyzeStack(request, timeout=600)
                times[kind].append(time.perf_counter() - started_at)
                after = cpu_seconds(packs[kind].pid)
                if before is not None and after is not None:
                    cpu[kind].append(after - before)
                violations[kind] = len(response.diagnostics)
        rss = {kind: peak_rss_mib(pack.pid) for kind, pack in packs.items()}
    count = len(capture.resources)

    return Figure(
        f"stack_{size}", f"AnalyzeStack, {count:,} resources", "s", median(times["real"]), median(times["noop"]),
        f"no-op pack ({noop.stack_policies} stack policies)", 1.5, peak_rss_mib=rss.get("real"),
        baseline_peak_rss_mib=rss.get("noop"), runs=reps, samples=times["real"], baseline_samples=times["noop"],
        cpu=median(cpu["real"]) if cpu["real"] else None, baseline_cpu=median(cpu["noop"]) if cpu["noop"] else None,
        notes={"resources": count, "violations": violations.get("real", 0), "request_bytes": request.ByteSize(),
               "real_us_per_resource": median(times["real"]) / count * 1e6,
               "noop_us_per_resource": median(times["noop"]) / count * 1e6})


def stack_scaling(small: Figure, large: Figure) -> Figure:
    """The real pack's AnalyzeStack cost per resource at the large size over the small size,
    against the same growth of the no-op pack (the SDK's own growth: see rules_scaling)."""
    def growth(which: str) -> float:
        return float(large.notes[f"{which}_us_per_resource"]) / float(small.notes[f"{which}_us_per_resource"])

    def cpu_growth(figure_small: float | None, figure_large: float | None) -> float | None:
        if figure_small is None or figure_large is None or not figure_small:
            return None
        return (figure_large / int(large.notes["resources"])) / (figure_small / int(small.notes["resources"]))

    return Figure(
        "stack_scaling", f"AnalyzeStack growth per resource, {small.notes['resources']:,} to {large.notes['resources']:,}",
        "x", growth("real"), growth("noop"), "the no-op pack's own growth", 1.2, runs=min(small.runs, large.runs),
        cpu=cpu_growth(small.cpu, large.cpu), baseline_cpu=cpu_growth(small.baseline_cpu, large.baseline_cpu),
        notes={"real_us_per_resource": [small.notes["real_us_per_resource"], large.notes["real_us_per_resource"]],
               "noop_us_per_resource": [small.notes["noop_us_per_resource"], large.notes["noop_us_per_resource"]]})


def rules_scaling(sizes: Sequence[int], reps: int) -> Figure:
    """The stack rules' own work per resource at the largest size over the smallest, in process
    (CPU time): each StackRule's validate called as the SDK calls it, one policy at a time, on
    resources the SDK has already converted, after a full collection. This is the pack's part of
    AnalyzeStack without the SDK's conversion and gRPC; an index by type and URN keeps it flat, a
    pairwise scan would grow it tenfold from 1,000 to 10,000. The notes add the six rules run back
    to back with and without the cyclic GC: the collector's cost grows with the live heap."""
    from pulumi_policy import StackValidationArgs

    small, large = sizes[0], sizes[-1]
    config = {r.name: r.defaults() for r in RULES}
    stack_rules = [r for r in RULES if isinstance(r, StackRule)]
    per_rule: dict[int, dict[str, float]] = {}
    together: dict[int, float] = {}
    no_gc: dict[int, float] = {}
    counts: dict[int, int] = {}
    for size in (small, large):
        resources = linked_resources(stack_request(stacks.ml_stack(size)))
        counts[size] = len(resources)
        policies = [(rule.name, rule.policy()) for rule in stack_rules]

        def run_all(policies: list[tuple[str, Any]] = policies, resources: list[Any] = resources) -> None:
            for name, policy in policies:
                policy.validate(StackValidationArgs(resources, dict(config[name])), lambda message, urn=None: None)

        run_all()  # warm caches
        per_rule[size] = {}
        for name, policy in policies:
            def one(policy: Any = policy, name: str = name, resources: list[Any] = resources) -> None:
                policy.validate(StackValidationArgs(resources, dict(config[name])), lambda message, urn=None: None)

            # The collector's cost grows with the live heap, not with the rules: measured apart (notes).
            per_rule[size][name] = cpu_timed(one, reps, gc_enabled=False) / len(resources) * 1e6
        together[size] = cpu_timed(run_all, reps) / len(resources) * 1e6
        no_gc[size] = cpu_timed(run_all, reps, gc_enabled=False) / len(resources) * 1e6
    total = {size: sum(per_rule[size].values()) for size in (small, large)}
    return Figure(
        "rules_scaling", f"Stack rules alone, growth per resource, {counts[small]:,} to {counts[large]:,} (in-process CPU)", "x",
        total[large] / total[small], 1.0, "linear growth (1.0)", 1.2, runs=reps,
        notes={"us_per_resource": [total[small], total[large]],
               "per_rule_us_per_resource": {name: [per_rule[small][name], per_rule[large][name]] for name in per_rule[small]},
               "back_to_back_us_per_resource": [together[small], together[large]],
               "back_to_back_growth": together[large] / together[small],
               "back_to_back_gc_disabled_us_per_resource": [no_gc[small], no_gc[large]],
               "back_to_back_gc_disabled_growth": no_gc[large] / no_gc[small]})
