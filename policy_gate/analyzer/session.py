"""One analysis, in the engine's order of calls.

Handshake (UNIMPLEMENTED is tolerated, as the Python SDK answers it), ConfigureStack,
GetPluginInfo, GetAnalyzerInfo, Configure (the merged config for every policy), then per
resource Remediate (only when a policy is at ``remediate``) and Analyze with its inputs, then
AnalyzeStack with every resource's outputs (root stack and providers included), then Cancel.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import grpc
from google.protobuf import empty_pb2
from pulumi.runtime.proto import analyzer_pb2

from .. import config as config_mod
from ..capture import Capture
from ..results import Diagnostic, Outcome, PolicyMeta
from .process import PackOptions, PackProcess, pack_environment
from .requests import analyze_request, configure_request, stack_request
from .responses import Collector, initial_config, policy_metas


def analyze(capture: Capture, options: PackOptions, user_config: Mapping[str, Any], config_origin: str = "config") -> Outcome:
    """Start the pack, run every call on ``capture`` and end the pack; ``user_config`` is the
    ``--policy-pack-config`` object (``config_origin`` names it in errors)."""
    with PackProcess(options, pack_environment(capture)) as pack:
        outcome = _session(pack, capture, user_config, config_origin)
    # pulumi_policy does not connect to the engine: its pulumi.log calls land on stderr.
    outcome.diagnostics.extend(Diagnostic("log", line) for line in pack.log_lines())
    for entry in pack.engine_logs():
        outcome.diagnostics.append(Diagnostic("log", f"{entry.severity}: {entry.message}", urn=entry.urn))
    return outcome


def prepare(pack: PackProcess, capture: Capture) -> analyzer_pb2.AnalyzerInfo:
    """Connect and make the CLI's calls before Configure; returns the pack's AnalyzerInfo."""
    stub = pack.connect()
    # Older SDKs implement neither call (pulumi-policy answers Handshake UNIMPLEMENTED to this
    # day); the engine goes on without them, and so does the gate.
    pack.call(stub.Handshake, analyzer_pb2.AnalyzerHandshakeRequest(
        engine_address="", root_directory=str(capture.source_dir or ""), program_directory=str(capture.source_dir or "")),
        "Handshake", optional=True)
    pack.call(stub.ConfigureStack, analyzer_pb2.AnalyzerStackConfigureRequest(
        stack=capture.stack, project=capture.project, organization=capture.organization, dry_run=capture.dry_run,
        config={k: json.dumps(v) if not isinstance(v, str) else v for k, v in capture.config.items()},
        config_secret_keys=capture.config_secret_keys),
        "ConfigureStack", optional=True)
    pack.call(stub.GetPluginInfo, empty_pb2.Empty(), "GetPluginInfo")
    return pack.call(stub.GetAnalyzerInfo, empty_pb2.Empty(), "GetAnalyzerInfo")


def configure(pack: PackProcess, info: analyzer_pb2.AnalyzerInfo, user_config: Mapping[str, Any],
              config_origin: str = "config") -> tuple[list[PolicyMeta], dict[str, tuple[str, dict[str, Any]]]]:
    """Merge and validate the config as the CLI does, send Configure; returns the pack's
    policies and each one's (level, properties)."""
    policies = policy_metas(info)
    merged = config_mod.merge(policies, initial_config(info), user_config, config_origin)
    pack.call(pack.stub.Configure, configure_request(merged), "Configure")
    return policies, merged


def _session(pack: PackProcess, capture: Capture, user_config: Mapping[str, Any], config_origin: str) -> Outcome:
    info = prepare(pack, capture)
    policies, merged = configure(pack, info, user_config, config_origin)
    stub = pack.stub
    by_urn = capture.by_urn()
    outcome = Outcome(info.name, pack.version or info.version or "", policies, dry_run=capture.dry_run)
    collector = Collector(outcome, by_urn)
    any_remediate = any(level == "remediate" for level, _ in merged.values())
    for resource in capture.resources:
        if resource.is_root_stack or resource.is_provider:
            continue  # providers and the root stack reach the pack through AnalyzeStack only
        request = analyze_request(resource, resource.inputs, by_urn)
        if any_remediate:
            fixed = collector.take_remediation(pack.call(stub.Remediate, request, "Remediate"), resource.urn)
            request = analyze_request(resource, resource.inputs if fixed is None else fixed, by_urn)
        outcome.resources += 1
        collector.take(pack.call(stub.Analyze, request, "Analyze"), resource.urn)
    collector.take(pack.call(stub.AnalyzeStack, stack_request(capture, by_urn), "AnalyzeStack"), capture.root_urn)
    try:
        stub.Cancel(empty_pb2.Empty(), timeout=5)
    except grpc.RpcError:
        pass  # older SDKs do not implement Cancel; the process is ended anyway
    return outcome
