"""Figure 3, AnalyzeStack: synthetic stacks of n ML resources through four packs (the real and
the no-op pack, each with the convert-once adapter and on the SDK's own servicer), one call each
in turn; the growth per resource from the smallest to the largest size; and the stack rules' own
work alone (in process, CPU time) against linear growth."""

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

KINDS = ("real", "real_stock", "noop", "noop_stock")
CALLS = 4_000  # resources per repetition at least: a small stack is called several times, so its CPU reads precisely


def bench_stack(noop: NoopPack, size: int, reps: int, warmup: bool) -> list[Figure]:
    """``stack_<n>``: the real pack against the no-op pack (same adapter): the rules' cost;
    ``stack_<n>_vs_stock_floor``: against the no-op pack on the SDK's own servicer; ``stack_<n>_vs_stock``:
    against the real pack on the SDK's own servicer."""
    capture = stacks.ml_stack(size)
    request = stack_request(capture)
    warm = stack_request(stacks.ml_stack(70))
    config = config_request()
    times: dict[str, list[float]] = {k: [] for k in KINDS}
    cpu: dict[str, list[float]] = {k: [] for k in KINDS}
    violations: dict[str, int] = {}
    with started(ROOT) as real, started(ROOT, stock=True) as real_stock, started(noop.directory) as floor, \
            started(noop.stock_directory) as floor_stock:
        packs = dict(zip(KINDS, (real, real_stock, floor, floor_stock)))
        for pack in packs.values():
            configure(pack, config)
            if warmup:
                pack.stub.AnalyzeStack(warm, timeout=600)
        calls = max(1, CALLS // size)
        for rep in range(reps):
            for kind in (KINDS if rep % 2 == 0 else KINDS[::-1]):
                before = cpu_seconds(packs[kind].pid)
                started_at = time.perf_counter()
                for _ in range(calls):
                    response = packs[kind].stub.AnalyzeStack(request, timeout=600)
                times[kind].append((time.perf_counter() - started_at) / calls)
                after = cpu_seconds(packs[kind].pid)
                if before is not None and after is not None:
                    cpu[kind].append((after - before) / calls)
                violations[kind] = len(response.diagnostics)
        rss = {kind: peak_rss_mib(pack.pid) for kind, pack in packs.items()}
    count = len(capture.resources)
    wall = {k: median(v) for k, v in times.items()}
    cpu_s = {k: median(v) if v else None for k, v in cpu.items()}
    assert violations["real"] == violations["real_stock"], violations  # the adapter changes no verdict

    def figure(key: str, title: str, baseline: str, name: str, target: float, **notes: Any) -> Figure:
        return Figure(key, title, "s", wall["real"], wall[baseline], name, target, peak_rss_mib=rss.get("real"),
                      baseline_peak_rss_mib=rss.get(baseline), runs=reps, samples=times["real"], baseline_samples=times[baseline],
                      cpu=cpu_s["real"], baseline_cpu=cpu_s[baseline], notes={"calls_per_repetition": calls, **notes})

    return [
        figure(f"stack_{size}", f"AnalyzeStack, {count:,} resources", "noop",
               f"no-op pack ({noop.stack_policies} stack policies), same adapter", 1.5, resources=count,
               violations=violations.get("real", 0), request_bytes=request.ByteSize(),
               us_per_resource={k: v / count * 1e6 for k, v in wall.items()}),
        figure(f"stack_{size}_vs_stock_floor", f"AnalyzeStack, {count:,} resources, vs the stock SDK floor", "noop_stock",
               "no-op pack on the SDK's own servicer", 0.5, resources=count),
        figure(f"stack_{size}_vs_stock", f"AnalyzeStack, {count:,} resources, adapter vs the SDK's own servicer (real pack)",
               "real_stock", "the real pack on the SDK's own servicer", 0.5, resources=count),
    ]


def stack_scaling(small: Figure, large: Figure) -> list[Figure]:
    """The real pack's AnalyzeStack cost per resource at the large size over the small size:
    against the same growth of the no-op pack (same adapter), and against linear growth (1.0)."""
    def growth(which: str) -> float:
        return float(large.notes["us_per_resource"][which]) / float(small.notes["us_per_resource"][which])

    def cpu_growth(figure_small: float | None, figure_large: float | None) -> float | None:
        if figure_small is None or figure_large is None or not figure_small:
            return None
        return (figure_large / int(large.notes["resources"])) / (figure_small / int(small.notes["resources"]))

    span = f"{small.notes['resources']:,} to {large.notes['resources']:,}"
    notes = {"us_per_resource": {k: [small.notes["us_per_resource"][k], large.notes["us_per_resource"][k]] for k in KINDS},
             "growth": {k: growth(k) for k in KINDS}}
    return [
        Figure("stack_scaling", f"AnalyzeStack growth per resource, {span}", "x", growth("real"), growth("noop"),
               "the no-op pack's own growth, same adapter", 1.2, runs=min(small.runs, large.runs),
               cpu=cpu_growth(small.cpu, large.cpu), baseline_cpu=cpu_growth(small.baseline_cpu, large.baseline_cpu), notes=notes),
        Figure("stack_growth", f"AnalyzeStack growth per resource, {span}, against linear", "x", growth("real"), 1.0,
               "linear growth (1.0)", 1.2, runs=min(small.runs, large.runs), cpu=cpu_growth(small.cpu, large.cpu), notes=notes),
    ]


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
