"""One analysis, in the engine's order of calls.

Handshake (UNIMPLEMENTED is tolerated, as the Python SDK answers it), ConfigureStack,
GetPluginInfo, GetAnalyzerInfo, Configure (the merged config for every entry), then per
resource Remediate (only when a policy is at ``remediate``) and Analyze, then AnalyzeStack with
every resource's outputs, then Cancel. Which resources, and with what, depends on where the
capture came from (``Capture.kind``):

- a program or a preview file: ``pulumi preview``/``up`` (pulumi/pulumi
  ``pkg/resource/deploy/step_generator.go``): every registered resource but reads; Analyze gets
  the remediated inputs, and remediated inputs are what gets deployed, so for a program the
  outputs AnalyzeStack sees are computed from them (see ``_settle``);
- a state file: ``pulumi policy analyze --file`` (``pkg/cmd/pulumi/policy/policy_analyze.go``,
  ``pkg/resource/deploy/analyze_snapshot.go``): no ConfigureStack, every resource of the file,
  Remediate then Analyze on the *unremediated* inputs (remediations are reported, not applied),
  AnalyzeStack on the file's outputs.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Callable, Mapping
from typing import Any

import grpc
from google.protobuf import empty_pb2
from pulumi.runtime.proto import analyzer_pb2

from .. import config as config_mod
from ..capture import Capture, Resource
from ..errors import RunError
from ..progress import Progress
from ..results import Diagnostic, Outcome, PolicyMeta
from ..wire import without_references
from .process import PackOptions, PackProcess, pack_environment
from .requests import ProviderCache, analyze_request, configure_request, stack_request
from .responses import Collector, initial_config, policy_metas

# A program re-run with URN -> top-level input changes ({"set": {...}, "remove": [...]}) that
# the monitor applies before the mock provider computes outputs (``runner.monitor``).
Rerun = Callable[[dict[str, dict[str, Any]]], Capture]
MAX_PROGRAM_RUNS = 4  # remediations that feed one another settle in a run or two
IN_FLIGHT = 4  # Analyze calls outstanding at once: the SDK's server answers with 4 worker threads


def analyze(capture: Capture, options: PackOptions, user_config: Mapping[str, Any], config_origin: str = "config",
            rerun: Rerun | None = None, stack_tags: Mapping[str, str] | None = None,
            progress: Progress | None = None, pack: PackProcess | None = None) -> Outcome:
    """Start the pack, run every call on ``capture`` and end the pack; ``user_config`` is the
    ``--policy-pack-config`` object (``config_origin`` names it in errors); ``rerun`` runs the
    program again with remediated inputs; ``stack_tags`` go to ConfigureStack; ``progress``
    shows each stage and each resource analysed; ``pack``, a pack already started with the
    capture's environment (a state file's, ``state_environment``), is used and ended instead.
    The outcome's ``warnings`` are the config's (``checked.record`` adds the rest)."""
    progress = progress or Progress()
    progress.stage("Starting the policy pack")
    with pack or PackProcess(options, pack_environment(capture)) as pack:
        outcome = _session(pack, capture, user_config, config_origin, rerun, dict(stack_tags or {}), progress)
    # pulumi_policy does not connect to the engine: its pulumi.log calls land on stderr.
    outcome.diagnostics.extend(Diagnostic("log", line) for line in pack.log_lines())
    for entry in pack.engine_logs():
        outcome.diagnostics.append(Diagnostic("log", f"{entry.severity}: {entry.message}", urn=entry.urn))
    return outcome


def prepare(pack: PackProcess, capture: Capture, stack_tags: Mapping[str, str] | None = None) -> analyzer_pb2.AnalyzerInfo:
    """Connect and make the CLI's calls before Configure; returns the pack's AnalyzerInfo."""
    stub = pack.connect()
    # Older SDKs implement neither call (pulumi-policy answers Handshake UNIMPLEMENTED to this
    # day); the engine goes on without them, and so does the gate.
    pack.call(stub.Handshake, analyzer_pb2.AnalyzerHandshakeRequest(
        engine_address="", root_directory=str(capture.source_dir or ""), program_directory=str(capture.source_dir or "")),
        "Handshake", optional=True)
    if capture.kind != "state":  # policy analyze loads its packs without stack options: no ConfigureStack
        pack.call(stub.ConfigureStack, analyzer_pb2.AnalyzerStackConfigureRequest(
            stack=capture.stack, project=capture.project, organization=capture.organization, dry_run=capture.dry_run,
            config={k: json.dumps(v) if not isinstance(v, str) else v for k, v in capture.config.items()},
            config_secret_keys=capture.config_secret_keys, tags=dict(stack_tags or {})),
            "ConfigureStack", optional=True)
    pack.call(stub.GetPluginInfo, empty_pb2.Empty(), "GetPluginInfo")
    return pack.call(stub.GetAnalyzerInfo, empty_pb2.Empty(), "GetAnalyzerInfo")


def configure(pack: PackProcess, info: analyzer_pb2.AnalyzerInfo, user_config: Mapping[str, Any],
              config_origin: str = "config", warnings: list[str] | None = None,
              ) -> tuple[list[PolicyMeta], dict[str, tuple[str, dict[str, Any]]]]:
    """Merge and validate the config as the CLI does, send Configure; returns the pack's
    policies and each entry's (level, properties); the config's warnings go to ``warnings``."""
    policies = policy_metas(info)
    merged = config_mod.merge(policies, initial_config(info), user_config, config_origin, warnings)
    pack.call(pack.stub.Configure, configure_request(merged), "Configure")
    return policies, merged


def _session(pack: PackProcess, capture: Capture, user_config: Mapping[str, Any], config_origin: str,
             rerun: Rerun | None, stack_tags: dict[str, str], progress: Progress) -> Outcome:
    info = prepare(pack, capture, stack_tags)
    warnings: list[str] = []
    policies, merged = configure(pack, info, user_config, config_origin, warnings)
    outcome = Outcome(info.name, pack.version or info.version or "", policies, dry_run=capture.dry_run, warnings=warnings)
    remediating = any(level == "remediate" for level, _ in merged.values())
    capture, resources = _settle(pack, capture, remediating, rerun if capture.kind == "program" else None, outcome, progress)
    outcome.resources = resources.resources
    for name in ("violations", "diagnostics", "not_applicable", "remediations"):
        getattr(outcome, name).extend(getattr(resources, name))
    by_urn = capture.by_urn()
    analysed = {r.urn for r in capture.analysed()}
    progress.stage("Analysing the stack")
    Collector(outcome, by_urn).take(pack.call(pack.stub.AnalyzeStack, stack_request(capture, by_urn), "AnalyzeStack"),
                                    capture.root_urn, analysed)
    try:
        pack.stub.Cancel(empty_pb2.Empty(), timeout=5)
    except grpc.RpcError:
        pass  # older SDKs do not implement Cancel; the process is ended anyway
    return outcome


def _settle(pack: PackProcess, capture: Capture, remediating: bool, rerun: Rerun | None,
            outcome: Outcome, progress: Progress) -> tuple[Capture, Outcome]:
    """Remediate and Analyze every resource; while remediations change what a program deploys,
    run the program again with those changes applied (the mock provider then computes outputs
    from the remediated inputs, and resources built from those outputs see them) and analyse
    again. Returns the final capture and the final round's results (earlier rounds' are
    dropped: the pack saw those inputs only on the way to the deployed ones)."""
    applied: dict[str, dict[str, Any]] = {}
    for _ in range(MAX_PROGRAM_RUNS):
        results = Outcome(outcome.pack_name, outcome.pack_version, outcome.policies, dry_run=outcome.dry_run)
        changes = _analyse_resources(pack, capture, remediating, results, progress)
        if rerun is None or changes == applied:
            return capture, results
        applied = changes
        capture = rerun(changes)
    raise RunError(f"remediations still changed the program's inputs after {MAX_PROGRAM_RUNS} runs of the program")


def _analyse_resources(pack: PackProcess, capture: Capture, remediating: bool, results: Outcome,
                       progress: Progress) -> dict[str, dict[str, Any]]:
    """Remediate (when a policy is at ``remediate``) then Analyze each resource, in the capture's
    order; returns URN -> the top-level changes the remediations made to its inputs."""
    stub, by_urn = pack.stub, capture.by_urn()
    collector = Collector(results, by_urn)
    changes: dict[str, dict[str, Any]] = {}
    resources = capture.analysed()
    progress.stage("Analysing resources", total=len(resources))
    if not remediating:
        _analyse_pipelined(pack, resources, by_urn, collector, results, progress)
        return changes
    for resource in resources:
        inputs = resource.inputs
        if remediating:
            response = pack.call(stub.Remediate, analyze_request(resource, inputs, by_urn, remediate=True), "Remediate")
            fixed = collector.take_remediation(response, resource.urn)
            if fixed is not None:
                change = _change(without_references(inputs, False), fixed)
                if change:
                    changes[resource.urn] = change
                if capture.kind != "state":  # policy analyze reports remediations, never applies them
                    inputs = fixed
        results.resources += 1
        collector.take(pack.call(stub.Analyze, analyze_request(resource, inputs, by_urn), "Analyze"), resource.urn)
        progress.advance()
    return changes


def _analyse_pipelined(pack: PackProcess, resources: list[Resource], by_urn: Mapping[str, Resource], collector: Collector,
                       results: Outcome, progress: Progress) -> None:
    """Analyze each resource with up to ``IN_FLIGHT`` calls outstanding, answers taken in the
    capture's order: the gate builds the next request while the pack answers the last (the two
    took turns on 2 cores before; ``docs/performance.md``). The pack sees the same requests: the
    CLI sends each Analyze on its own, and no request depends on another's answer (with a policy at
    ``remediate`` the calls stay one at a time, as Analyze then takes Remediate's answer)."""
    pending: deque[tuple[str, grpc.Future]] = deque()
    providers: ProviderCache = {}
    for resource in resources:
        if len(pending) >= IN_FLIGHT:
            _take(pack, collector, progress, *pending.popleft())
        request = analyze_request(resource, resource.inputs, by_urn, cache=providers)
        pending.append((resource.urn, pack.submit(pack.stub.Analyze, request)))
        results.resources += 1
    while pending:
        _take(pack, collector, progress, *pending.popleft())


def _take(pack: PackProcess, collector: Collector, progress: Progress, urn: str, future: grpc.Future) -> None:
    collector.take(pack.result(future, "Analyze"), urn)
    progress.advance()


def _change(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, Any]:
    """The top-level keys a remediation set or removed ({} when it changed nothing)."""
    changed = {k: v for k, v in after.items() if k not in before or before[k] != v}
    removed = sorted(k for k in before if k not in after)
    return {"set": changed, "remove": removed} if changed or removed else {}
