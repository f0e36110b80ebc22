"""Figure 1, pack start-up: Popen to the port line, the real pack against the no-op pack, and
the detail behind it (the pack's own import cost, the one-off compile of a fresh checkout)."""

from __future__ import annotations

import subprocess
import sys

from bench.harness import ROOT, Figure, median, started, timed
from bench.memory import cpu_seconds, peak_rss_mib
from bench.noop_pack import NoopPack


def bench_startup(noop: NoopPack, reps: int, warmup: bool) -> Figure:
    real_times: list[float] = []
    noop_times: list[float] = []
    real_rss: list[float] = []
    noop_rss: list[float] = []
    cpu: dict[str, list[float]] = {"real": [], "noop": []}
    rounds = ([("warmup", ROOT), ("warmup", noop.directory)] if warmup else [])
    for rep in range(reps):
        pair = [("real", ROOT), ("noop", noop.directory)]
        rounds.extend(pair if rep % 2 == 0 else pair[::-1])  # alternate the order against drift
    for kind, directory in rounds:
        with started(directory) as pack:
            startup_cpu = cpu_seconds(pack.pid)
            rss = peak_rss_mib(pack.pid)
            startup = pack.startup_seconds or 0.0
            if kind in cpu and startup_cpu is not None:
                cpu[kind].append(startup_cpu)
            if kind == "real":
                real_times.append(startup)
                real_rss.extend([rss] if rss is not None else [])
            elif kind == "noop":
                noop_times.append(startup)
                noop_rss.extend([rss] if rss is not None else [])
    return Figure(
        "startup", "Pack start-up (Popen to port line)", "ms", median(real_times) * 1e3, median(noop_times) * 1e3,
        f"no-op pack ({noop.policies} policies)", 1.2, peak_rss_mib=max(real_rss, default=None),
        baseline_peak_rss_mib=max(noop_rss, default=None), runs=reps,
        cpu=median(cpu["real"]) * 1e3 if cpu["real"] else None, baseline_cpu=median(cpu["noop"]) * 1e3 if cpu["noop"] else None,
        samples=[t * 1e3 for t in real_times], baseline_samples=[t * 1e3 for t in noop_times])


def import_cost(reps: int) -> dict[str, float]:
    """``-X importtime``: the pack's own import cost (``policies`` minus ``pulumi_policy``), in ms."""
    own: list[float] = []
    sdk: list[float] = []
    for _ in range(max(reps, 1)):
        result = subprocess.run([sys.executable, "-X", "importtime", "-c", "import policies"], cwd=ROOT,
                                capture_output=True, text=True, check=True)
        cumulative: dict[str, int] = {}
        for line in result.stderr.splitlines():
            parts = line.split("|")
            if len(parts) == 3 and parts[1].strip().isdigit():
                cumulative[parts[2].strip()] = int(parts[1].strip())
        total, policy_sdk = cumulative.get("policies", 0), cumulative.get("pulumi_policy", 0)
        own.append((total - policy_sdk) / 1e3)
        sdk.append(policy_sdk / 1e3)
    return {"policies_own_ms": median(own), "pulumi_policy_ms": median(sdk)}


def compile_cost(reps: int) -> dict[str, float]:
    """What a fresh checkout (no __pycache__) pays once per module: compiling the pack's and the
    gate's sources, in ms."""
    result = {}
    for package in ("policies", "policy_gate"):
        sources = [(p, p.read_text(encoding="utf-8")) for p in sorted((ROOT / package).rglob("*.py"))]
        result[f"{package}_ms"] = timed(lambda sources=sources: [compile(text, str(p), "exec") for p, text in sources],  # type: ignore[misc]
                                        reps) * 1e3
    return result
