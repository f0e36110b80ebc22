"""Figure 2, Analyze per resource: the gRPC round trip on a realistic mix (the reference
stack's capture and every resource rule's samples), the real pack against the no-op pack."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import Any

from pulumi.runtime.proto import analyzer_pb2

from bench.harness import ROOT, Figure, config_request, configure, median, started
from bench.memory import cpu_seconds, peak_rss_mib
from bench.noop_pack import NoopPack
from policy_gate.analyzer import PackProcess


def _analyze_pass(packs: Sequence[PackProcess], requests: Sequence[analyzer_pb2.AnalyzeRequest], flip: bool) -> list[list[float]]:
    """One pass over ``requests``, each sent to every pack in turn (the first pack alternating),
    so that both packs see the same load on a shared machine. Per pack: the round trip of each request."""
    durations: list[list[float]] = [[] for _ in packs]
    order = list(range(len(packs)))
    for index, request in enumerate(requests):
        for which in (order[::-1] if (index % 2 == 0) == flip else order):
            started_at = time.perf_counter()
            packs[which].stub.Analyze(request, timeout=60)
            durations[which].append(time.perf_counter() - started_at)
    return durations


def bench_analyze(noop: NoopPack, mix: Mapping[str, list[analyzer_pb2.AnalyzeRequest]], reps: int, warmup: bool) -> Figure:
    requests = [r for group in mix.values() for r in group]
    config = config_request()
    kinds = ("real", "noop")
    per_resource: dict[str, list[float]] = {k: [] for k in kinds}
    cpu: dict[str, list[float]] = {k: [] for k in kinds}
    by_group: dict[str, dict[str, list[float]]] = {k: {g: [] for g in mix} for k in kinds}
    with started(ROOT) as real, started(noop.directory) as floor:
        packs = (real, floor)
        for pack in packs:
            configure(pack, config)
        if warmup:
            _analyze_pass(packs, requests, False)
        for rep in range(reps):
            before = [cpu_seconds(p.pid) for p in packs]
            durations = _analyze_pass(packs, requests, rep % 2 == 1)
            after = [cpu_seconds(p.pid) for p in packs]
            for which, kind in enumerate(kinds):
                per_resource[kind].append(sum(durations[which]) / len(requests))
                start, end = before[which], after[which]
                if start is not None and end is not None:
                    cpu[kind].append((end - start) / len(requests))
                offset = 0
                for group, items in mix.items():
                    chunk = durations[which][offset:offset + len(items)]
                    offset += len(items)
                    by_group[kind][group].append(sum(chunk) / max(len(chunk), 1))
        rss = {kind: peak_rss_mib(pack.pid) for kind, pack in zip(kinds, packs)}
    notes: dict[str, Any] = {"requests": len(requests), "groups": {g: len(v) for g, v in mix.items()},
                             "resource_policies": noop.resource_policies}
    for group in mix:
        real_us, floor_us = median(by_group["real"][group]) * 1e6, median(by_group["noop"][group]) * 1e6
        notes[f"{group}_us"] = {"real": real_us, "noop": floor_us, "ratio": real_us / floor_us if floor_us else None}
    return Figure(
        "analyze", "Analyze round trip per resource (gRPC)", "us/resource", median(per_resource["real"]) * 1e6,
        median(per_resource["noop"]) * 1e6, f"no-op pack ({noop.resource_policies} resource policies)", 1.3,
        peak_rss_mib=rss.get("real"), baseline_peak_rss_mib=rss.get("noop"), runs=reps,
        cpu=median(cpu["real"]) * 1e6 if cpu["real"] else None, baseline_cpu=median(cpu["noop"]) * 1e6 if cpu["noop"] else None,
        samples=[t * 1e6 for t in per_resource["real"]], baseline_samples=[t * 1e6 for t in per_resource["noop"]], notes=notes)
