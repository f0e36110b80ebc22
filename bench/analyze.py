"""Figure 2, Analyze per resource: the gRPC round trip of four packs on the same requests, each
request sent to all four in turn (the order alternating):

- ``analyze``: the real pack against the no-op pack, both with the convert-once adapter, on a
  realistic mix (the reference stack's capture and every resource rule's samples): the rules' own
  cost;
- ``analyze_vs_stock_floor``: the real pack per workspace (the workspaces of the export the gate is
  compared with Checkov on) against the stock SDK floor (the no-op pack on the SDK's own servicer);
- ``analyze_vs_stock``: the same real pack with the adapter against itself on the SDK's own
  servicer (``POLICY_PACK_STOCK_SDK=1``), per workspace: what the adapter saves a user.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import Any

from pulumi.runtime.proto import analyzer_pb2

from bench.harness import ROOT, Figure, config_request, configure, median, started
from bench.memory import cpu_seconds, peak_rss_mib
from bench.noop_pack import NoopPack
from policy_gate.analyzer import PackProcess

KINDS = ("real", "real_stock", "noop", "noop_stock")
WORKSPACES = "workspaces"  # the group the per-workspace figures read


def _analyze_pass(packs: Sequence[PackProcess], requests: Sequence[analyzer_pb2.AnalyzeRequest], flip: bool) -> list[list[float]]:
    """One pass over ``requests``, each sent to every pack in turn (the order reversed every other
    request), so that all packs see the same load on a shared machine. Per pack: each round trip."""
    durations: list[list[float]] = [[] for _ in packs]
    order = list(range(len(packs)))
    for index, request in enumerate(requests):
        for which in (order[::-1] if (index % 2 == 0) == flip else order):
            started_at = time.perf_counter()
            packs[which].stub.Analyze(request, timeout=60)
            durations[which].append(time.perf_counter() - started_at)
    return durations


def bench_analyze(noop: NoopPack, groups: Mapping[str, list[analyzer_pb2.AnalyzeRequest]], reps: int, warmup: bool) -> list[Figure]:
    """``groups``: the mix (any names) and ``WORKSPACES``; one figure each as described above."""
    requests = [r for group in groups.values() for r in group]
    config = config_request()
    by_group: dict[str, dict[str, list[float]]] = {k: {g: [] for g in groups} for k in KINDS}
    cpu: dict[str, dict[str, list[float]]] = {k: {"mix": [], WORKSPACES: []} for k in KINDS}
    with started(ROOT) as real, started(ROOT, stock=True) as real_stock, started(noop.directory) as floor, \
            started(noop.stock_directory) as floor_stock:
        packs = (real, real_stock, floor, floor_stock)
        for pack in packs:
            configure(pack, config)
        if warmup:
            _analyze_pass(packs, requests, False)
        for rep in range(reps):
            for part, items in (("mix", [r for g, rs in groups.items() if g != WORKSPACES for r in rs]), (WORKSPACES, groups[WORKSPACES])):
                before = [cpu_seconds(p.pid) for p in packs]
                durations = _analyze_pass(packs, items, rep % 2 == 1)
                after = [cpu_seconds(p.pid) for p in packs]
                for which, kind in enumerate(KINDS):
                    start, end = before[which], after[which]
                    if start is not None and end is not None:
                        cpu[kind][part].append((end - start) / len(items))
                    names = [g for g in groups if (g == WORKSPACES) == (part == WORKSPACES)]
                    offset = 0
                    for group in names:
                        chunk = durations[which][offset:offset + len(groups[group])]
                        offset += len(groups[group])
                        by_group[kind][group].append(sum(chunk) / max(len(chunk), 1))
        rss = {kind: peak_rss_mib(pack.pid) for kind, pack in zip(KINDS, packs)}
    us = {kind: {g: median(v) * 1e6 for g, v in groups_.items()} for kind, groups_ in by_group.items()}
    mix_groups = [g for g in groups if g != WORKSPACES]
    mix_count = sum(len(groups[g]) for g in mix_groups)

    def mix(kind: str) -> float:  # per resource over the whole mix
        return sum(us[kind][g] * len(groups[g]) for g in mix_groups) / mix_count

    def cpu_us(kind: str, part: str) -> float | None:
        return median(cpu[kind][part]) * 1e6 if cpu[kind][part] else None

    notes: dict[str, Any] = {"requests": {g: len(v) for g, v in groups.items()}, "resource_policies": noop.resource_policies,
                             "us_per_request": us, "mix_us": {k: mix(k) for k in KINDS}}
    return [
        Figure("analyze", "Analyze round trip per resource (gRPC), mix", "us/resource", mix("real"), mix("noop"),
               f"no-op pack ({noop.resource_policies} resource policies), same adapter", 1.3, peak_rss_mib=rss.get("real"),
               baseline_peak_rss_mib=rss.get("noop"), runs=reps, cpu=cpu_us("real", "mix"), baseline_cpu=cpu_us("noop", "mix"),
               notes=notes),
        Figure("analyze_vs_stock_floor", "Analyze per workspace vs the stock SDK floor", "us/resource", us["real"][WORKSPACES],
               us["noop_stock"][WORKSPACES], "no-op pack on the SDK's own servicer", 0.5, peak_rss_mib=rss.get("real"),
               baseline_peak_rss_mib=rss.get("noop_stock"), runs=reps, cpu=cpu_us("real", WORKSPACES),
               baseline_cpu=cpu_us("noop_stock", WORKSPACES), samples=[t * 1e6 for t in by_group["real"][WORKSPACES]],
               baseline_samples=[t * 1e6 for t in by_group["noop_stock"][WORKSPACES]]),
        Figure("analyze_vs_stock", "Analyze per workspace, adapter vs the SDK's own servicer (real pack)", "us/resource",
               us["real"][WORKSPACES], us["real_stock"][WORKSPACES], "the real pack on the SDK's own servicer", 0.5,
               peak_rss_mib=rss.get("real"), baseline_peak_rss_mib=rss.get("real_stock"), runs=reps,
               cpu=cpu_us("real", WORKSPACES), baseline_cpu=cpu_us("real_stock", WORKSPACES),
               notes={"mix_us": {"adapter": mix("real"), "stock": mix("real_stock")},
                      "mix_ratio": mix("real") / mix("real_stock") if mix("real_stock") else None}),
    ]
