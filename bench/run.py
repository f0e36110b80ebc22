"""Benchmark the policy pack and the offline gate against honest baselines.

    python bench/run.py                      # full run: 5 repetitions, 1,000/10,000-resource stacks, Checkov
    python bench/run.py --quick --skip-checkov --json out.json   # CI smoke test: tiny sizes, one repetition

Every figure is the median of ``--reps`` runs and is reported as a ratio against a baseline
measured in the same run, with its target and whether it is met (see docs/performance.md):

1. ``startup``: pack start-up (Popen to the port line) against the no-op pack.
2. ``analyze``: Analyze round trip per resource over gRPC, on a realistic mix (the reference
   stack's capture and every resource rule's samples), against the no-op pack.
3. ``stack_<n>``: AnalyzeStack on synthetic stacks of n ML resources, against the no-op pack;
   ``stack_scaling``: the per-resource cost at the largest size over the smallest, against the
   same growth of the no-op pack; ``rules_scaling``: the same growth for the stack rules' own
   work alone (in process, CPU time), against linear growth.
4. ``gate_reference``: the gate end to end on the reference stack, against the gate with the
   no-op pack; ``gate_vs_checkov``: the gate on an n-workspace stack export against Checkov on
   the equivalent ARM template with its Azure ML checks.
5. Peak memory (peak RSS) of every measured process, each on a fresh process.

The no-op pack (same number and kinds of policies, generated from ``policies.RULES``) lives
in a temporary directory that is removed afterwards. Checkov runs from its own virtualenv
(``bench/.venv-checkov``, created from bench/requirements.txt on first full run), never from
the project's.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import cProfile
import datetime as dt
import gc
import io
import json
import os
import platform
import pstats
import re
import select
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import ModuleType
from typing import IO, Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import grpc  # noqa: E402
from google.protobuf import empty_pb2, json_format, struct_pb2  # noqa: E402
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc  # noqa: E402

from bench import stacks  # noqa: E402
from bench.noop_pack import NoopPack, noop_pack  # noqa: E402
from policies import RULES, ResourceRule, StackRule  # noqa: E402
from policy_gate.capture import Capture, Resource  # noqa: E402
from policy_gate.engine import EngineServer  # noqa: E402

BENCH = ROOT / "bench"
CHECKOV_VENV = BENCH / ".venv-checkov"
MIB = 1024.0
_LEVELS = {"advisory": analyzer_pb2.ADVISORY, "mandatory": analyzer_pb2.MANDATORY,
           "disabled": analyzer_pb2.DISABLED, "remediate": analyzer_pb2.REMEDIATE}
_GRPC_OPTIONS = [("grpc.max_receive_message_length", 400 * 1024 * 1024), ("grpc.max_send_message_length", 400 * 1024 * 1024)]


# ----------------------------------------------------------------------------------------------
# Results
# ----------------------------------------------------------------------------------------------

@dataclass
class Figure:
    key: str
    title: str
    unit: str  # "ms", "us/resource", "s", "x"
    value: float | None
    baseline: float | None
    baseline_name: str
    target: float | None  # the ratio must be at most this (or at least, when higher_is_better)
    higher_is_better: bool = False
    peak_rss_mib: float | None = None
    baseline_peak_rss_mib: float | None = None
    # CPU time of the measured process(es), same unit as value: unlike wall time, it does not
    # grow when other work shares the machine, so its ratio checks the wall-time ratio.
    cpu: float | None = None
    baseline_cpu: float | None = None
    runs: int = 0
    samples: list[float] = field(default_factory=list)
    baseline_samples: list[float] = field(default_factory=list)
    status: str = "measured"  # or "skipped: <why>"
    notes: dict[str, Any] = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        if self.value is None or not self.baseline:
            return None
        return self.value / self.baseline

    @property
    def cpu_ratio(self) -> float | None:
        if self.cpu is None or not self.baseline_cpu:
            return None
        return self.cpu / self.baseline_cpu

    @property
    def met(self) -> bool | None:
        ratio = self.ratio
        if ratio is None or self.target is None:
            return None
        return ratio >= self.target if self.higher_is_better else ratio <= self.target

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["ratio"] = self.ratio
        data["cpu_ratio"] = self.cpu_ratio
        data["met"] = self.met
        return data


def _median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def _log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


# ----------------------------------------------------------------------------------------------
# A pack process, started the way the CLI starts it
# ----------------------------------------------------------------------------------------------

def child_env() -> dict[str, str]:
    """The environment of every measured process: this one's, with Python's default bytecode
    cache (PYTHONDONTWRITEBYTECODE removed), so each figure is the steady state a developer's
    machine or a CI cache sees; the one-off compile of a fresh checkout is reported apart."""
    return {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def _pack_env() -> dict[str, str]:
    env = {k: v for k, v in child_env().items() if not k.startswith("PULUMI_")}
    env.update({"PULUMI_PROJECT": stacks.PROJECT, "PULUMI_STACK": stacks.STACK, "PULUMI_ORGANIZATION": "organization",
                "PULUMI_DRY_RUN": "false", "PULUMI_CONFIG": "{}"})
    return env


def peak_rss_mib(pid: int) -> float | None:
    """VmHWM (the process's peak resident set so far) from /proc, in MiB; None off Linux."""
    try:
        text = Path(f"/proc/{pid}/status").read_text(encoding="ascii")
    except OSError:
        return None
    match = re.search(r"^VmHWM:\s+(\d+) kB", text, re.MULTILINE)
    return int(match.group(1)) / MIB if match else None


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process so far (/proc/<pid>/stat), None off Linux."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text(encoding="ascii").rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class PackRun:
    """``python -u -m pulumi.policy <engine> <pack-dir>`` in the pack directory; ``startup`` is
    the time from Popen to the port line."""

    def __init__(self, directory: Path, engine_address: str, timeout: float = 120.0):
        self._stderr: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115 - closed in close()
        command = [sys.executable, "-u", "-m", "pulumi.policy", engine_address, str(directory)]
        started = time.perf_counter()
        self.proc = subprocess.Popen(command, cwd=directory, env=_pack_env(), stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=self._stderr)
        assert self.proc.stdout is not None
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        line = self.proc.stdout.readline() if ready else b""
        self.startup = time.perf_counter() - started
        self.startup_cpu = cpu_seconds(self.proc.pid)
        if not line.strip().isdigit():
            self.close()
            raise RuntimeError(f"pack {directory} printed no port: {self.stderr_tail()}")
        self.channel = grpc.insecure_channel(f"127.0.0.1:{int(line)}", options=_GRPC_OPTIONS)
        self.stub = analyzer_pb2_grpc.AnalyzerStub(self.channel)

    def stderr_tail(self) -> str:
        self._stderr.seek(0)
        lines = self._stderr.read().decode("utf-8", "replace").strip().splitlines()
        return lines[-1] if lines else "(no output)"

    def peak_rss(self) -> float | None:
        return peak_rss_mib(self.proc.pid)

    def configure(self, config: analyzer_pb2.ConfigureAnalyzerRequest) -> None:
        """The CLI's calls before the first Analyze."""
        try:
            self.stub.Handshake(analyzer_pb2.AnalyzerHandshakeRequest(engine_address="", root_directory=str(ROOT),
                                                                      program_directory=str(ROOT)), timeout=30)
        except grpc.RpcError:
            pass  # the Python SDK answers UNIMPLEMENTED
        self.stub.ConfigureStack(analyzer_pb2.AnalyzerStackConfigureRequest(
            stack=stacks.STACK, project=stacks.PROJECT, organization="organization", dry_run=False), timeout=30)
        self.stub.GetPluginInfo(empty_pb2.Empty(), timeout=30)
        self.stub.GetAnalyzerInfo(empty_pb2.Empty(), timeout=30)
        self.stub.Configure(config, timeout=30)

    def close(self) -> None:
        with contextlib.suppress(AttributeError):
            self.channel.close()
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        self._stderr.close()


@contextlib.contextmanager
def started(directory: Path) -> Iterator[PackRun]:
    with EngineServer() as engine:
        pack = PackRun(directory, engine.address)
        try:
            yield pack
        finally:
            pack.close()


def config_request() -> analyzer_pb2.ConfigureAnalyzerRequest:
    """What the CLI sends with no --policy-pack-config: every policy at its level with its schema
    defaults. Both packs get the same request (the no-op pack has the same policy names)."""
    request = analyzer_pb2.ConfigureAnalyzerRequest()
    for rule in RULES:
        properties = struct_pb2.Struct()
        json_format.ParseDict(rule.defaults(), properties)
        request.policyConfig[rule.name].CopyFrom(analyzer_pb2.PolicyConfig(
            enforcementLevel=_LEVELS[rule.level.value], properties=properties))
    return request


# ----------------------------------------------------------------------------------------------
# Requests in wire form
# ----------------------------------------------------------------------------------------------

def _analyzer() -> ModuleType:
    from policy_gate import analyzer  # the gate's own request builders: the requests the gate sends

    return analyzer


def analyze_requests(capture: Capture) -> list[analyzer_pb2.AnalyzeRequest]:
    analyzer = _analyzer()
    by_urn = capture.by_urn()
    return [analyzer._analyze_request(r, r.inputs, by_urn) for r in capture.resources
            if not r.is_root_stack and not r.is_provider]


def sample_requests() -> tuple[list[analyzer_pb2.AnalyzeRequest], int]:
    """One Analyze request per sample of every resource rule (config samples included: the pack
    judges them with the configured defaults). Returns the requests and how many samples could
    not be put on the wire."""
    analyzer = _analyzer()
    requests, skipped = [], 0
    for rule in RULES:
        if not isinstance(rule, ResourceRule):
            continue
        for index, sample in enumerate(rule.samples):
            type_token = sample.type or rule.types[0]
            resource = Resource(urn=f"urn:pulumi:bench::samples::{type_token}::{rule.name}-{index}", type=type_token,
                                name=f"{rule.name}-{index}", inputs=dict(sample.props))
            try:
                requests.append(analyzer._analyze_request(resource, resource.inputs, {}))
            except (json_format.ParseError, TypeError, ValueError):
                skipped += 1
    return requests, skipped


def stack_request(capture: Capture) -> analyzer_pb2.AnalyzeStackRequest:
    analyzer = _analyzer()
    by_urn = capture.by_urn()
    return analyzer_pb2.AnalyzeStackRequest(resources=[analyzer._stack_resource(r, by_urn) for r in capture.resources])


# ----------------------------------------------------------------------------------------------
# Figure 1: start-up
# ----------------------------------------------------------------------------------------------

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
            rss = pack.peak_rss()
            if kind in cpu and pack.startup_cpu is not None:
                cpu[kind].append(pack.startup_cpu)
            if kind == "real":
                real_times.append(pack.startup)
                real_rss.extend([rss] if rss is not None else [])
            elif kind == "noop":
                noop_times.append(pack.startup)
                noop_rss.extend([rss] if rss is not None else [])
    return Figure(
        "startup", "Pack start-up (Popen to port line)", "ms", _median(real_times) * 1e3, _median(noop_times) * 1e3,
        f"no-op pack ({noop.policies} policies)", 1.2, peak_rss_mib=max(real_rss, default=None),
        baseline_peak_rss_mib=max(noop_rss, default=None), runs=reps,
        cpu=_median(cpu["real"]) * 1e3 if cpu["real"] else None, baseline_cpu=_median(cpu["noop"]) * 1e3 if cpu["noop"] else None,
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
    return {"policies_own_ms": _median(own), "pulumi_policy_ms": _median(sdk)}


# ----------------------------------------------------------------------------------------------
# Figure 2: Analyze per resource
# ----------------------------------------------------------------------------------------------

def _analyze_pass(packs: Sequence[PackRun], requests: Sequence[analyzer_pb2.AnalyzeRequest], flip: bool) -> list[list[float]]:
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
            pack.configure(config)
        if warmup:
            _analyze_pass(packs, requests, False)
        for rep in range(reps):
            before = [cpu_seconds(p.proc.pid) for p in packs]
            durations = _analyze_pass(packs, requests, rep % 2 == 1)
            after = [cpu_seconds(p.proc.pid) for p in packs]
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
        rss = {kind: pack.peak_rss() for kind, pack in zip(kinds, packs)}
    notes: dict[str, Any] = {"requests": len(requests), "groups": {g: len(v) for g, v in mix.items()},
                             "resource_policies": noop.resource_policies}
    for group in mix:
        real_us, floor_us = _median(by_group["real"][group]) * 1e6, _median(by_group["noop"][group]) * 1e6
        notes[f"{group}_us"] = {"real": real_us, "noop": floor_us, "ratio": real_us / floor_us if floor_us else None}
    return Figure(
        "analyze", "Analyze round trip per resource (gRPC)", "us/resource", _median(per_resource["real"]) * 1e6,
        _median(per_resource["noop"]) * 1e6, f"no-op pack ({noop.resource_policies} resource policies)", 1.3,
        peak_rss_mib=rss.get("real"), baseline_peak_rss_mib=rss.get("noop"), runs=reps,
        cpu=_median(cpu["real"]) * 1e6 if cpu["real"] else None, baseline_cpu=_median(cpu["noop"]) * 1e6 if cpu["noop"] else None,
        samples=[t * 1e6 for t in per_resource["real"]], baseline_samples=[t * 1e6 for t in per_resource["noop"]], notes=notes)


# ----------------------------------------------------------------------------------------------
# Figure 3: AnalyzeStack
# ----------------------------------------------------------------------------------------------

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
            pack.configure(config)
            if warmup:
                pack.stub.AnalyzeStack(warm, timeout=600)
        cpu: dict[str, list[float]] = {"real": [], "noop": []}
        for rep in range(reps):
            for kind in (["real", "noop"] if rep % 2 == 0 else ["noop", "real"]):
                before = cpu_seconds(packs[kind].proc.pid)
                started_at = time.perf_counter()
                response = packs[kind].stub.AnalyzeStack(request, timeout=600)
                times[kind].append(time.perf_counter() - started_at)
                after = cpu_seconds(packs[kind].proc.pid)
                if before is not None and after is not None:
                    cpu[kind].append(after - before)
                violations[kind] = len(response.diagnostics)
        rss = {kind: pack.peak_rss() for kind, pack in packs.items()}
    count = len(capture.resources)

    return Figure(
        f"stack_{size}", f"AnalyzeStack, {count:,} resources", "s", _median(times["real"]), _median(times["noop"]),
        f"no-op pack ({noop.stack_policies} stack policies)", 1.5, peak_rss_mib=rss.get("real"),
        baseline_peak_rss_mib=rss.get("noop"), runs=reps, samples=times["real"], baseline_samples=times["noop"],
        cpu=_median(cpu["real"]) if cpu["real"] else None, baseline_cpu=_median(cpu["noop"]) if cpu["noop"] else None,
        notes={"resources": count, "violations": violations.get("real", 0), "request_bytes": request.ByteSize(),
               "real_us_per_resource": _median(times["real"]) / count * 1e6,
               "noop_us_per_resource": _median(times["noop"]) / count * 1e6})


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


def _linked_resources(request: analyzer_pb2.AnalyzeStackRequest) -> list[Any]:
    """The SDK's PolicyResources for a stack request, parents and dependencies linked as
    pulumi_policy's AnalyzeStack links them."""
    resources = [_policy_resource(r) for r in request.resources]
    by_urn = {r.urn: r for r in resources}
    for message, resource in zip(request.resources, resources):
        resource.parent = by_urn.get(message.parent)
        resource.dependencies.extend(by_urn[u] for u in message.dependencies if u in by_urn)
        for key, urns in message.propertyDependencies.items():
            resource.property_dependencies[key] = [by_urn[u] for u in urns.urns if u in by_urn]
    return resources


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
        resources = _linked_resources(stack_request(stacks.ml_stack(size)))
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
            per_rule[size][name] = _cpu_timed(one, reps, gc_enabled=False) / len(resources) * 1e6
        together[size] = _cpu_timed(run_all, reps) / len(resources) * 1e6
        no_gc[size] = _cpu_timed(run_all, reps, gc_enabled=False) / len(resources) * 1e6
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


# ----------------------------------------------------------------------------------------------
# Figure 4: the gate, and Checkov
# ----------------------------------------------------------------------------------------------

_MEASURE = r"""
import json, resource, subprocess, sys, time
out, err, cmd = sys.argv[1], sys.argv[2], sys.argv[3:]
with open(out, "wb") as stdout, open(err, "wb") as stderr:
    started = time.perf_counter()
    code = subprocess.call(cmd, stdout=stdout, stderr=stderr, stdin=subprocess.DEVNULL)
    wall = time.perf_counter() - started
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"wall": wall, "rc": code, "maxrss_kib": usage.ru_maxrss, "cpu": usage.ru_utime + usage.ru_stime}))
"""


@dataclass(frozen=True)
class Measured:
    wall: float
    rc: int
    peak_rss_mib: float  # the largest single process (the command or any of its children)
    cpu: float  # user + system time of the command and all its children
    stdout: str
    stderr: str


def measure(command: Sequence[str], cwd: Path, env: Mapping[str, str] | None = None) -> Measured:
    """Run ``command`` under a fresh wrapper process: its wall time and, through the wrapper's
    RUSAGE_CHILDREN, the peak RSS of the largest process it started."""
    with tempfile.TemporaryDirectory(prefix="aml-bench-") as tmp:
        out, err = Path(tmp, "stdout"), Path(tmp, "stderr")
        result = subprocess.run([sys.executable, "-c", _MEASURE, str(out), str(err), *command], cwd=cwd,
                                env=dict(env) if env is not None else child_env(), capture_output=True, text=True, check=True)
        data = json.loads(result.stdout.strip().splitlines()[-1])
        return Measured(data["wall"], data["rc"], data["maxrss_kib"] / MIB, data["cpu"],
                        out.read_text(encoding="utf-8", errors="replace"), err.read_text(encoding="utf-8", errors="replace"))


def _gate(target: Path, pack: Path, report: Path) -> list[str]:
    return [sys.executable, "-m", "policy_gate", "run", str(target), "--pack", str(pack), "--pack-python", sys.executable,
            "--format", "json", "--output", str(report), "--fail-on", "none"]


def _interleaved(runs: Mapping[str, Callable[[], Measured]], reps: int, warmup: bool) -> dict[str, list[Measured]]:
    results: dict[str, list[Measured]] = {k: [] for k in runs}
    names = list(runs)
    if warmup:
        for name in names:
            runs[name]()
    for rep in range(reps):
        for name in (names if rep % 2 == 0 else names[::-1]):
            results[name].append(runs[name]())
    return results


def _check_ok(name: str, result: Measured, allowed: tuple[int, ...] = (0,)) -> None:
    if result.rc not in allowed:
        tail = (result.stderr.strip().splitlines() or ["(no output)"])[-1]
        raise RuntimeError(f"{name} exited {result.rc}: {tail}")


def bench_gate_reference(noop: NoopPack, reps: int, warmup: bool, tmp: Path) -> Figure:
    report = tmp / "gate-reference.json"
    target = ROOT / "reference_stack"
    runs = {"real": lambda: measure(_gate(target, ROOT, report), ROOT),
            "noop": lambda: measure(_gate(target, noop.directory, tmp / "gate-reference-noop.json"), ROOT)}
    results = _interleaved(runs, reps, warmup)
    for name, items in results.items():
        for item in items:
            _check_ok(f"the gate ({name} pack) on reference_stack", item)
    real, floor = results["real"], results["noop"]
    return Figure(
        "gate_reference", "Gate end to end, reference stack", "s", _median([m.wall for m in real]), _median([m.wall for m in floor]),
        "the gate with the no-op pack", 1.2, peak_rss_mib=max(m.peak_rss_mib for m in real),
        baseline_peak_rss_mib=max(m.peak_rss_mib for m in floor), runs=reps, samples=[m.wall for m in real],
        cpu=_median([m.cpu for m in real]), baseline_cpu=_median([m.cpu for m in floor]),
        baseline_samples=[m.wall for m in floor])


def checkov_python(venv: Path) -> Path:
    return venv / "bin" / "python"


def ensure_checkov(venv: Path, install: bool) -> Path | None:
    """The ``checkov`` executable of the benchmark's own virtualenv; created from
    bench/requirements.txt when ``install`` and missing. None when unavailable."""
    executable = venv / "bin" / "checkov"
    if executable.exists():
        return executable
    if not install:
        return None
    _log(f"creating {venv} for Checkov (bench/requirements.txt)")
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(checkov_python(venv)), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                    "-r", str(BENCH / "requirements.txt")], check=True)
    return executable if executable.exists() else None


def checkov_ml_checks(venv: Path) -> list[str]:
    """Ids of the installed Checkov's ARM checks on Azure ML (resource checks in Python, graph
    checks in JSON/YAML), found by grepping its checks directory for MachineLearningServices."""
    located = subprocess.run([str(checkov_python(venv)), "-c", "import checkov, os; print(os.path.dirname(checkov.__file__))"],
                             capture_output=True, text=True, check=True)
    checks_dir = Path(located.stdout.strip()) / "arm" / "checks"
    ids: set[str] = set()
    for path in checks_dir.rglob("*"):
        if path.suffix not in (".py", ".json", ".yaml", ".yml") or "__pycache__" in path.parts:
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        if "Microsoft.MachineLearningServices" in text:
            ids.update(re.findall(r"\bCKV2?_AZURE_\d+\b", text))
    return sorted(ids)


def checkov_version(venv: Path) -> str:
    result = subprocess.run([str(venv / "bin" / "checkov"), "--version"], capture_output=True, text=True, check=False)
    return result.stdout.strip().splitlines()[-1] if result.stdout.strip() else "?"


def gate_checks(capture: Capture) -> dict[str, int]:
    """What the gate evaluates on a capture: (resource rule, resource) pairs whose types match,
    and one run of each stack rule over the whole stack."""
    resources = [r for r in capture.resources if not r.is_root_stack and not r.is_provider]
    resource_rules = [r for r in RULES if isinstance(r, ResourceRule)]
    pairs = sum(1 for res in resources for rule in resource_rules if rule.applies_to(res.type))
    stack_rules = sum(1 for r in RULES if isinstance(r, StackRule))
    return {"rules": len(RULES), "resource_rule_evaluations": pairs, "stack_rule_runs": stack_rules,
            "evaluations": pairs + stack_rules}


def bench_gate_checkov(noop: NoopPack, workspaces: int, reps: int, warmup: bool, tmp: Path, checkov: Path | None,
                       skip_reason: str) -> Figure:
    export = tmp / f"stack-export-{workspaces}.json"
    template = tmp / f"template-{workspaces}.json"
    export.write_text(json.dumps(stacks.workspace_export(workspaces)), encoding="utf-8")
    template.write_text(json.dumps(stacks.arm_template(workspaces), indent=1), encoding="utf-8")
    report = tmp / "gate-export.json"
    title = f"Gate on a {workspaces:,}-workspace stack export vs Checkov (ARM)"
    runs: dict[str, Callable[[], Measured]] = {
        "gate": lambda: measure(_gate(export, ROOT, report), ROOT),
        "gate_noop": lambda: measure(_gate(export, noop.directory, tmp / "gate-export-noop.json"), ROOT),
    }
    notes: dict[str, Any] = {"workspaces": workspaces, "computes": workspaces,
                             "gate": gate_checks(stacks.workspace_capture(workspaces))}
    venv = checkov.parent.parent if checkov is not None else None
    if checkov is not None and venv is not None:
        ids = checkov_ml_checks(venv)
        notes["checkov"] = {"version": checkov_version(venv), "checks": ids}
        # --skip-download: no calls to the Prisma Cloud API (offline, as the gate is).
        command = [str(checkov), "-f", str(template), "--framework", "arm", "--check", ",".join(ids), "-o", "json",
                   "--compact", "--quiet", "--skip-download"]
        env = {**child_env(), "BC_SKIP_MAPPING": "TRUE"}
        runs["checkov"] = lambda: measure(command, tmp, env)
    results = _interleaved(runs, reps, warmup)
    for item in results["gate"] + results["gate_noop"]:
        _check_ok("the gate on the stack export", item)
    gate = results["gate"]
    violations = json.loads(report.read_text(encoding="utf-8")) if report.exists() else {}
    notes["gate"]["violations"] = len(violations.get("violations", []))
    notes["gate_noop_s"] = _median([m.wall for m in results["gate_noop"]])
    notes["gate_noop_cpu_s"] = _median([m.cpu for m in results["gate_noop"]])
    notes["gate_noop_peak_rss_mib"] = max(m.peak_rss_mib for m in results["gate_noop"])
    figure = Figure("gate_vs_checkov", title, "s", _median([m.wall for m in gate]), None, "Checkov on the equivalent ARM template",
                    1 / 3, peak_rss_mib=max(m.peak_rss_mib for m in gate), runs=reps, samples=[m.wall for m in gate],
                    cpu=_median([m.cpu for m in gate]),
                    notes=notes)
    if "checkov" not in results:
        figure.status = f"skipped Checkov: {skip_reason}"
        return figure
    checkov_runs = results["checkov"]
    for item in checkov_runs:
        _check_ok("checkov", item, (0, 1))
    summary = _checkov_summary(checkov_runs[-1].stdout)
    notes["checkov"].update(summary)
    figure.baseline = _median([m.wall for m in checkov_runs])
    figure.baseline_samples = [m.wall for m in checkov_runs]
    figure.baseline_peak_rss_mib = max(m.peak_rss_mib for m in checkov_runs)
    figure.baseline_cpu = _median([m.cpu for m in checkov_runs])
    return figure


def _checkov_summary(stdout: str) -> dict[str, Any]:
    data = json.loads(stdout)
    reports = data if isinstance(data, list) else [data]
    summary: dict[str, int] = {"passed": 0, "failed": 0, "skipped": 0, "resource_count": 0}
    for item in reports:
        for key in summary:
            summary[key] += int(item.get("summary", {}).get(key, 0))
    return {**summary, "evaluations": summary["passed"] + summary["failed"] + summary["skipped"]}


# ----------------------------------------------------------------------------------------------
# Breakdown: where the time goes (in-process, no gRPC)
# ----------------------------------------------------------------------------------------------

def _servicer(policies: list[Any]) -> Any:
    from pulumi_policy import EnforcementLevel
    from pulumi_policy.policy import _PolicyAnalyzerServicer

    return _PolicyAnalyzerServicer("bench", "0.0.1", policies, EnforcementLevel.ADVISORY, None, None, None, None, None, None, None)


def _noop_policies() -> list[Any]:
    from pulumi_policy import ResourceValidationPolicy, StackValidationPolicy

    def noop(args: Any, report: Any) -> None:
        return None

    return [(StackValidationPolicy if isinstance(r, StackRule) else ResourceValidationPolicy)(
        name=r.name, description="no-op", validate=noop, enforcement_level=r.level) for r in RULES]


@contextlib.contextmanager
def _pack_environment() -> Iterator[None]:
    saved = dict(os.environ)
    os.environ.update({k: v for k, v in _pack_env().items() if k.startswith("PULUMI_")})
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def _timed(fn: Callable[[], Any], reps: int) -> float:
    """Median wall time of ``fn`` over ``reps`` calls."""
    times = []
    for _ in range(max(reps, 1)):
        started_at = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started_at)
    return _median(times)


def _cpu_timed(fn: Callable[[], Any], reps: int, gc_enabled: bool = True) -> float:
    """Median CPU time of this process over ``reps`` calls of ``fn``, each after a full GC (and
    with the cyclic GC off during the call unless ``gc_enabled``). For in-process figures: CPU
    time does not grow when other work shares the machine."""
    times = []
    for _ in range(max(reps, 1)):
        gc.collect()
        if not gc_enabled:
            gc.disable()
        try:
            started_at = time.process_time()
            fn()
            times.append(time.process_time() - started_at)
        finally:
            gc.enable()
    return _median(times)


def _paired(calls: Sequence[Callable[[Any], Any]], items: Sequence[Any], reps: int) -> list[float]:
    """Median over ``reps`` passes of the total CPU time of each call over ``items``, the calls
    interleaved item by item (first call alternating) so that they share the machine's state."""
    totals: list[list[float]] = [[] for _ in calls]
    for rep in range(reps):
        spent = [0.0] * len(calls)
        for index, item in enumerate(items):
            order = range(len(calls)) if (index + rep) % 2 == 0 else reversed(range(len(calls)))
            for which in order:
                started_at = time.process_time()
                calls[which](item)
                spent[which] += time.process_time() - started_at
        for which, total in enumerate(spent):
            totals[which].append(total)
    return [_median(t) for t in totals]


def _top(profile: cProfile.Profile, limit: int = 15) -> list[dict[str, Any]]:
    stats = pstats.Stats(profile, stream=io.StringIO())
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


def _cumulative(profile: cProfile.Profile, predicate: Callable[[str, str], bool]) -> float:
    """Cumulative time of the outermost calls matching ``predicate(filename, function)``."""
    stats = pstats.Stats(profile, stream=io.StringIO())
    total = 0.0
    for (filename, _, name), (_, _, _, cumtime, callers) in stats.stats.items():  # type: ignore[attr-defined]
        if predicate(filename, name) and not any(predicate(f, n) for (f, _, n) in callers):
            total += cumtime
    return total


def breakdown(mix: Sequence[analyzer_pb2.AnalyzeRequest], stack_size: int, reps: int) -> dict[str, Any]:
    """In-process: the SDK's servicer called directly (no gRPC, no process), for the real and the
    no-op policies, and the share of each request spent re-converting properties once per policy
    (pulumi_policy ``Analyze``: ``deserialize_properties(json_format.MessageToDict(...))``)."""
    from pulumi_policy.deserialize import deserialize_properties
    from pulumi_policy.proxy import unknown_checking_proxy

    from policies import build_policies
    from policies.rule import StackIndex, _stack_item

    result: dict[str, Any] = {}
    resource_policies = sum(1 for r in RULES if isinstance(r, ResourceRule))
    stack_policies = len(RULES) - resource_policies
    config = config_request()
    with _pack_environment():
        real, noop = _servicer(build_policies()), _servicer(_noop_policies())
        for servicer in (real, noop):
            servicer.Configure(config, None)

        def run_mix(servicer: Any) -> Callable[[], None]:
            def run() -> None:
                for request in mix:
                    servicer.Analyze(request, None)

            return run

        run_mix(real)()  # warm caches
        result["analyze_in_process"] = _analyze_share(real, noop, mix, resource_policies, reps)
        workspaces = analyze_requests(stacks.workspace_capture(100))
        result["analyze_in_process_workspaces"] = _analyze_share(real, noop, workspaces, resource_policies, reps)
        profile = cProfile.Profile()
        profile.runcall(run_mix(real))
        total = sum(row[2] for row in pstats.Stats(profile, stream=io.StringIO()).stats.values())  # type: ignore[attr-defined]
        sdk_conv = _cumulative(profile, lambda f, n: n in ("MessageToDict", "deserialize_properties", "unknown_checking_proxy"))
        rules = _cumulative(profile, lambda f, n: f.startswith(str(ROOT / "policies")))
        result["analyze_profile"] = {"total_s": total, "sdk_conversion_s": sdk_conv, "policies_code_s": rules,
                                     "top": _top(profile)}

        capture = stacks.ml_stack(stack_size)
        request = stack_request(capture)
        real.AnalyzeStack(request, None)
        # One call each (they are long): with Python's cyclic GC as the pack runs it, and without it,
        # which shows what the collector costs on a large stack.
        timings: dict[str, float] = {}
        for label, servicer in (("real", real), ("noop", noop)):
            def call(servicer: Any = servicer) -> None:
                servicer.AnalyzeStack(request, None)

            timings[f"{label}_s"] = _cpu_timed(call, 1)
            timings[f"{label}_gc_disabled_s"] = _cpu_timed(call, 1, gc_enabled=False)

        def convert_stack() -> None:
            for r in request.resources:
                unknown_checking_proxy(deserialize_properties(json_format.MessageToDict(r.properties)))

        convert_s = _cpu_timed(convert_stack, 1)
        # The pack's own per-rule work on the stack: StackItems from the SDK's resources, then each check.
        resources = [_policy_resource(r) for r in request.resources]
        items_s = _cpu_timed(lambda: [_stack_item(r) for r in resources], reps)
        items = [_stack_item(r) for r in resources]
        index_s = _cpu_timed(lambda: StackIndex(items), reps)
        checks = {}
        for rule in RULES:
            if isinstance(rule, StackRule):
                checks[rule.name] = _cpu_timed(lambda rule=rule: rule.evaluate(items, None), reps)  # type: ignore[misc]
        result["stack_in_process"] = {
            "resources": len(request.resources), **timings, "rules_s": timings["real_s"] - timings["noop_s"],
            "gc_share_of_noop": 1 - timings["noop_gc_disabled_s"] / timings["noop_s"] if timings["noop_s"] else None,
            "one_conversion_s": convert_s, "conversions": stack_policies, "sdk_conversion_s": convert_s * stack_policies,
            "stack_items_s_per_rule": items_s, "stack_items_s": items_s * stack_policies, "stack_index_s": index_s,
            "checks_s": checks,
        }
        profiled = stack_request(stacks.ml_stack(min(stack_size, 1000)))  # the profiler triples the time
        profile = cProfile.Profile()
        profile.runcall(lambda: real.AnalyzeStack(profiled, None))
        result["stack_profile"] = {"resources": len(profiled.resources), "top": _top(profile)}
    return result


def _analyze_share(real: Any, noop: Any, requests: Sequence[analyzer_pb2.AnalyzeRequest], policies: int,
                   reps: int) -> dict[str, Any]:
    """Per request, in process: the real and no-op servicers' Analyze, and one property
    conversion as pulumi_policy does it once per policy."""
    from pulumi_policy.deserialize import deserialize_properties
    from pulumi_policy.proxy import unknown_checking_proxy

    def convert(request: analyzer_pb2.AnalyzeRequest) -> None:
        unknown_checking_proxy(deserialize_properties(json_format.MessageToDict(request.properties)))

    real_us, noop_us, convert_us = (t / len(requests) * 1e6 for t in _paired(
        [lambda r: real.Analyze(r, None), lambda r: noop.Analyze(r, None), convert], requests, max(reps, 3)))
    return {
        "requests": len(requests), "real_us": real_us, "noop_us": noop_us, "rules_us": real_us - noop_us,
        "one_conversion_us": convert_us, "conversions_per_request": policies, "sdk_conversion_us": convert_us * policies,
        "sdk_conversion_share_of_noop": convert_us * policies / noop_us if noop_us else None,
        "sdk_conversion_share_of_real": convert_us * policies / real_us if real_us else None,
    }


def _policy_resource(message: analyzer_pb2.AnalyzerResource) -> Any:
    from pulumi_policy import PolicyCustomTimeouts, PolicyResource, PolicyResourceOptions
    from pulumi_policy.deserialize import deserialize_properties
    from pulumi_policy.proxy import unknown_checking_proxy

    props = unknown_checking_proxy(deserialize_properties(json_format.MessageToDict(message.properties)))
    options = PolicyResourceOptions(False, [], None, [], PolicyCustomTimeouts(0, 0, 0), [], None)
    return PolicyResource(message.type, props, message.urn, message.name, options, None, None, [], {})


def gate_phases(capture_s: float, capture: Capture, reps: int) -> dict[str, Any]:
    """The gate's phases on the reference stack: program under mocks (a child process that
    imports the program's SDKs), the analysis (pack start and every call), the CLI's own start,
    and the import of the program's azure-native modules (the floor of the program run)."""
    from policy_gate.analyzer import PackOptions, analyze

    analyze_s = _timed(lambda: analyze(capture, PackOptions(ROOT, python=sys.executable), {}), reps)
    cli = _timed(lambda: subprocess.run([sys.executable, "-m", "policy_gate", "--help"], cwd=ROOT, capture_output=True,
                                        check=True), reps)
    modules = _program_imports(ROOT / "reference_stack")
    # pulumi_azure_native's modules load lazily, on first attribute access: touch each one.
    statement = f"import importlib, pulumi; [getattr(importlib.import_module(m), '__all__', None) for m in {modules!r}]"
    imports = _timed(lambda: subprocess.run([sys.executable, "-c", statement], cwd=ROOT, capture_output=True, check=True), reps)
    python = _timed(lambda: subprocess.run([sys.executable, "-c", "pass"], capture_output=True, check=True), reps)
    return {"program_under_mocks_s": capture_s, "analysis_s": analyze_s, "cli_help_s": cli,
            "program_imports_s": imports, "program_modules": modules, "python_start_s": python}


def _program_imports(directory: Path) -> list[str]:
    """The pulumi_azure_native modules a program's Python files import (``from pulumi_azure_native
    import a, b``); the program may be split over several modules."""
    modules: list[str] = []
    nodes = (node for path in sorted(directory.glob("*.py")) for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))))
    for node in nodes:
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("pulumi_azure_native"):
            modules.extend(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            modules.extend(a.name for a in node.names if a.name.startswith("pulumi_azure_native"))
    return sorted(set(modules))


# ----------------------------------------------------------------------------------------------
# Output
# ----------------------------------------------------------------------------------------------

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


# ----------------------------------------------------------------------------------------------
# Main
# ----------------------------------------------------------------------------------------------

def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python bench/run.py", description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="smoke test: tiny sizes, one repetition, no warm-up, "
                        "Checkov only if already installed")
    parser.add_argument("--reps", type=int, help="repetitions per figure (default 5; --quick 1)")
    parser.add_argument("--stack-sizes", help="comma-separated AnalyzeStack sizes (default 1000,10000; --quick 70,350)")
    parser.add_argument("--workspaces", type=int, help="workspaces in the export compared with Checkov (default 1000; --quick 20)")
    parser.add_argument("--skip-checkov", action="store_true", help="do not run (or install) Checkov")
    parser.add_argument("--checkov-venv", default=str(CHECKOV_VENV), help="Checkov's own virtualenv (default bench/.venv-checkov)")
    parser.add_argument("--json", metavar="FILE", help="also write every figure, the breakdown and the machine as JSON")
    parser.add_argument("--only", help="comma-separated subset of: " + ", ".join(FIGURE_GROUPS) + " (default: all)")
    return parser.parse_args(argv)


def compile_cost(reps: int) -> dict[str, float]:
    """What a fresh checkout (no __pycache__) pays once per module: compiling the pack's and the
    gate's sources, in ms."""
    result = {}
    for package in ("policies", "policy_gate"):
        sources = [(p, p.read_text(encoding="utf-8")) for p in sorted((ROOT / package).glob("*.py"))]
        result[f"{package}_ms"] = _timed(lambda sources=sources: [compile(text, str(p), "exec") for p, text in sources],  # type: ignore[misc]
                                         reps) * 1e3
    return result


FIGURE_GROUPS = ("startup", "analyze", "stack", "gate", "checkov", "breakdown")


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse(argv)
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)  # see child_env: every child process uses the bytecode cache
    only = set(args.only.split(",")) if args.only else set(FIGURE_GROUPS)
    unknown = only - set(FIGURE_GROUPS)
    if unknown:
        print(f"error: --only takes {', '.join(FIGURE_GROUPS)}", file=sys.stderr)
        return 2
    reps = args.reps or (1 if args.quick else 5)
    warmup = not args.quick
    sizes = [int(s) for s in (args.stack_sizes or ("70,350" if args.quick else "1000,10000")).split(",") if s.strip()]
    workspaces = args.workspaces or (20 if args.quick else 1000)
    checkov: Path | None = None
    skip_reason = "--skip-checkov"
    if not args.skip_checkov:
        try:
            checkov = ensure_checkov(Path(args.checkov_venv), install=not args.quick)
        except (OSError, subprocess.CalledProcessError) as exc:
            checkov, skip_reason = None, f"cannot install Checkov ({exc})"
        if checkov is None and skip_reason == "--skip-checkov":
            skip_reason = f"not installed in {args.checkov_venv} (--quick does not install it)"

    figures: list[Figure] = []
    details: dict[str, Any] = {"loadavg_before": _loadavg()}
    with noop_pack() as noop, tempfile.TemporaryDirectory(prefix="aml-bench-") as tmp_name:
        tmp = Path(tmp_name)
        _log(f"no-op pack: {noop.resource_policies} resource + {noop.stack_policies} stack policies; {reps} repetition(s)")
        if "startup" in only:
            _log("start-up")
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
            _log("Analyze per resource (reference stack capture + rule samples)")
            figures.append(bench_analyze(noop, mix, reps, warmup))

        if "stack" in only:
            _log(f"AnalyzeStack at {', '.join(map(str, sizes))} resources")
            stack_figures = [bench_stack(noop, size, reps, warmup) for size in sizes]
            figures.extend(stack_figures)
            if len(stack_figures) >= 2:
                figures.append(stack_scaling(stack_figures[0], stack_figures[-1]))
                figures.append(rules_scaling(sizes, reps))

        if "gate" in only:
            _log("the gate on the reference stack")
            figures.append(bench_gate_reference(noop, reps, warmup, tmp))
        if "checkov" in only:
            _log(f"the gate on a {workspaces}-workspace stack export, and Checkov")
            figures.append(bench_gate_checkov(noop, workspaces, reps, warmup, tmp, checkov, skip_reason))

        if "breakdown" in only and capture is not None:
            _log("breakdown (in-process)")
            details["breakdown"] = breakdown([r for group in mix.values() for r in group], sizes[-1], reps)
            details["gate_phases"] = gate_phases(capture_s, capture, reps)
    details["loadavg_after"] = _loadavg()

    info = machine()
    print(f"\nAzure ML governance pack benchmark - {info['date']}, {info['cpus']} CPUs, {info['memory_gib']} GiB, "
          f"Python {info['python']}, {reps} repetition(s)\n")
    print(table(figures))
    print()
    _print_details(details)
    if args.json:
        payload = {"machine": info, "reps": reps, "quick": bool(args.quick), "sizes": sizes, "workspaces": workspaces,
                   "figures": {f.key: f.to_json() for f in figures}, **details}
        Path(args.json).write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
        _log(f"wrote {args.json}")
    return 0


def _loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text(encoding="ascii").split()[:3])
    except OSError:
        return "-"


def _print_details(details: Mapping[str, Any]) -> None:
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


if __name__ == "__main__":
    sys.exit(main())
