"""Drive a policy pack the way the Pulumi CLI does.

Start: ``python -u -m pulumi.policy <engine-address> <pack-dir>`` with the pack directory as
working directory, the pack's virtualenv (``PulumiPolicy.yaml`` runtime.options.virtualenv)
when it exists, and the CLI's environment variables; the pack prints its port on stdout.
Calls, in the engine's order: Handshake (UNIMPLEMENTED is tolerated, as the Python SDK
answers it), ConfigureStack, GetPluginInfo, GetAnalyzerInfo, Configure, then per resource
Remediate (only when a policy is at ``remediate``) and Analyze with its inputs, then
AnalyzeStack with every resource's outputs (root stack included), then Cancel.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
import yaml
from google.protobuf import empty_pb2, json_format, struct_pb2
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc

from . import config as config_mod
from .capture import Capture, Resource
from .engine import EngineServer
from .errors import RunError, UsageError
from .results import (
    LEVELS,
    SEVERITIES,
    Diagnostic,
    NotApplicable,
    Outcome,
    PolicyMeta,
    Remediation,
    Violation,
)

_LEVEL_TO_PROTO = {"advisory": analyzer_pb2.ADVISORY, "mandatory": analyzer_pb2.MANDATORY,
                   "disabled": analyzer_pb2.DISABLED, "remediate": analyzer_pb2.REMEDIATE}
_PROTO_TO_LEVEL = {v: k for k, v in _LEVEL_TO_PROTO.items()}
_UNKNOWN_PREFIX = "can't run policy"


@dataclass(frozen=True)
class PackOptions:
    directory: Path
    python: str | None = None  # interpreter override; default: the pack's virtualenv, else this one
    start_timeout: float = 60.0
    call_timeout: float = 120.0


def _pack_manifest(directory: Path) -> dict[str, Any]:
    manifest = directory / "PulumiPolicy.yaml"
    if not manifest.is_file():
        raise UsageError(f"{directory} is not a policy pack (no PulumiPolicy.yaml)")
    try:
        data = yaml.safe_load(manifest.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise UsageError(f"{manifest} is not valid YAML: {str(exc).splitlines()[0]}") from None
    if not isinstance(data, dict):
        raise UsageError(f"{manifest} must be a YAML mapping")
    return data


def _interpreter(options: PackOptions, manifest: Mapping[str, Any]) -> str:
    if options.python:
        return options.python
    runtime = manifest.get("runtime")
    venv = runtime.get("options", {}).get("virtualenv") if isinstance(runtime, Mapping) else None
    if isinstance(venv, str):
        candidate = (options.directory / venv / "bin" / "python")
        if candidate.exists():
            return str(candidate)
    return sys.executable


class PackProcess:
    """The pack's process and a channel to it; always cleaned up by ``close``."""

    def __init__(self, options: PackOptions, manifest: Mapping[str, Any], engine_address: str, env: Mapping[str, str]):
        self._options = options
        python = _interpreter(options, manifest)
        command = [python, "-u", "-m", "pulumi.policy", engine_address, str(options.directory)]
        try:
            self._proc = subprocess.Popen(command, cwd=options.directory, env=dict(env), stdin=subprocess.DEVNULL,
                                          stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        except OSError as exc:
            raise RunError(f"cannot start the policy pack with {python}: {exc.strerror or exc}") from None
        self._stderr: deque[str] = deque(maxlen=1000)  # the pack's own log output, kept for the report
        self._port_lines: queue.Queue[str | None] = queue.Queue()
        self._drains = [threading.Thread(target=self._drain, args=(self._proc.stdout, self._port_lines), daemon=True),
                        threading.Thread(target=self._drain, args=(self._proc.stderr, None), daemon=True)]
        for thread in self._drains:
            thread.start()
        self.channel: grpc.Channel | None = None

    def _drain(self, stream: Any, lines: queue.Queue[str | None] | None) -> None:
        for raw in iter(stream.readline, b""):
            text = raw.decode("utf-8", "replace").rstrip("\n")
            if lines is not None:
                lines.put(text)
                lines = None  # only the first stdout line is the port; the rest is the pack's own output
            else:
                self._stderr.append(text)
        if lines is not None:
            lines.put(None)

    def log_lines(self) -> list[str]:
        return [line for line in self._stderr if line.strip()]

    def last_error_line(self) -> str:
        for line in reversed(self._stderr):
            if line.strip():
                return line.strip()
        return ""

    def _failure(self, what: str) -> RunError:
        detail = self.last_error_line()
        return RunError(f"the policy pack {what}" + (f": {detail}" if detail else ""))

    def connect(self) -> analyzer_pb2_grpc.AnalyzerStub:
        try:
            line = self._port_lines.get(timeout=self._options.start_timeout)
        except queue.Empty:
            raise RunError(f"the policy pack printed no port within {self._options.start_timeout:g}s") from None
        if line is None:
            self._proc.wait(timeout=5)
            raise self._failure(f"exited with code {self._proc.returncode} before printing its port")
        try:
            port = int(line.strip())
        except ValueError:
            raise RunError("the policy pack printed something other than a port on its first line") from None
        self.channel = grpc.insecure_channel(f"127.0.0.1:{port}", options=[
            ("grpc.max_receive_message_length", 400 * 1024 * 1024), ("grpc.max_send_message_length", 400 * 1024 * 1024)])
        return analyzer_pb2_grpc.AnalyzerStub(self.channel)

    def call(self, method: Any, request: Any, name: str, optional: bool = False) -> Any:
        """One call; a failure becomes a one-line ``RunError``. ``optional``: a call the pack may
        not implement (UNIMPLEMENTED then returns None)."""
        try:
            return method(request, timeout=self._options.call_timeout)
        except grpc.RpcError as exc:
            code = exc.code() if hasattr(exc, "code") else None
            if optional and code == grpc.StatusCode.UNIMPLEMENTED:
                return None
            if code in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.CANCELLED, grpc.StatusCode.INTERNAL):
                try:  # a dying pack closes the socket a moment before it exits
                    self._proc.wait(timeout=2)
                except subprocess.TimeoutExpired:
                    pass
            if self._proc.poll() is not None:
                raise self._failure(f"died during {name} (exit code {self._proc.returncode})") from None
            if code == grpc.StatusCode.DEADLINE_EXCEEDED:
                raise RunError(f"the policy pack did not answer {name} within {self._options.call_timeout:g}s") from None
            details = (exc.details() if hasattr(exc, "details") else "") or ""
            first = details.strip().splitlines()[-1] if details.strip() else str(code)
            raise RunError(f"the policy pack failed in {name}: {first}") from None

    def close(self) -> None:
        if self.channel is not None:
            self.channel.close()
        if self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        for thread in self._drains:
            thread.join(timeout=5)  # everything the pack wrote is read before the report is made
        for stream in (self._proc.stdout, self._proc.stderr):
            if stream is not None:
                stream.close()


def _struct(value: Mapping[str, Any]) -> struct_pb2.Struct:
    result = struct_pb2.Struct()
    result.update(value)  # JSON-shaped already; faster than json_format.ParseDict
    return result


def _seconds(duration: str | None) -> float:
    """Go duration strings from resource options (``"1h30m"``, ``"10m"``, ``"45s"``) in seconds."""
    if not duration:
        return 0.0
    total, number = 0.0, ""
    units = {"h": 3600.0, "m": 60.0, "s": 1.0}
    for char in duration:
        if char.isdigit() or char == ".":
            number += char
        elif char in units and number:
            total, number = total + float(number) * units[char], ""
    return total


def _options(resource: Resource) -> analyzer_pb2.AnalyzerResourceOptions:
    options = analyzer_pb2.AnalyzerResourceOptions(
        protect=resource.protect, ignoreChanges=resource.ignore_changes,
        deleteBeforeReplace=bool(resource.delete_before_replace),
        deleteBeforeReplaceDefined=resource.delete_before_replace is not None,
        additionalSecretOutputs=resource.additional_secret_outputs, aliases=resource.aliases, parent=resource.parent)
    if resource.custom_timeouts:
        options.customTimeouts.CopyFrom(analyzer_pb2.AnalyzerResourceOptions.CustomTimeouts(
            create=_seconds(resource.custom_timeouts.get("create")), update=_seconds(resource.custom_timeouts.get("update")),
            delete=_seconds(resource.custom_timeouts.get("delete"))))
    return options


def _provider(resource: Resource, by_urn: Mapping[str, Resource]) -> analyzer_pb2.AnalyzerProviderResource | None:
    if not resource.provider:
        return None
    urn = resource.provider.rsplit("::", 1)[0] if resource.provider.count("::") > 3 else resource.provider
    provider = by_urn.get(urn)
    if provider is None:
        return None
    return analyzer_pb2.AnalyzerProviderResource(type=provider.type, properties=_struct(provider.outputs or provider.inputs),
                                                 urn=provider.urn, name=provider.name)


def _policy_meta(info: analyzer_pb2.AnalyzerInfo) -> list[PolicyMeta]:
    metas = []
    for policy in info.policies:
        schema = json_format.MessageToDict(policy.configSchema.properties) if policy.HasField("configSchema") else {}
        required = tuple(policy.configSchema.required) if policy.HasField("configSchema") else ()
        framework = policy.framework.reference if policy.HasField("framework") else ""
        metas.append(PolicyMeta(
            name=policy.name, description=policy.description, level=_PROTO_TO_LEVEL.get(policy.enforcementLevel, "advisory"),
            severity=SEVERITIES[policy.severity] if 0 <= policy.severity < len(SEVERITIES) else "",
            remediation=policy.remediation_steps, framework=framework, tags=tuple(policy.tags),
            config_schema=schema, required=required))
    return metas


def _initial_config(info: analyzer_pb2.AnalyzerInfo) -> dict[str, dict[str, Any]]:
    initial: dict[str, dict[str, Any]] = {}
    for name, cfg in info.initialConfig.items():
        block = json_format.MessageToDict(cfg.properties)
        # Unset and ADVISORY look alike on the wire (0): only a stricter level overrides the policy's own.
        if cfg.enforcementLevel != analyzer_pb2.ADVISORY:
            block["enforcementLevel"] = _PROTO_TO_LEVEL.get(cfg.enforcementLevel, "advisory")
        initial[name] = block
    return initial


def _environment(capture: Capture) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PULUMI_")}
    env.update({
        "PULUMI_PROJECT": capture.project, "PULUMI_STACK": capture.stack, "PULUMI_ORGANIZATION": capture.organization,
        "PULUMI_DRY_RUN": "true" if capture.dry_run else "false", "PULUMI_CONFIG": json.dumps(capture.config),
    })
    return env


class _Collector:
    """Turns AnalyzeResponses into the outcome's lists."""

    def __init__(self, outcome: Outcome, by_urn: Mapping[str, Resource], root_urn: str):
        self._outcome, self._by_urn, self._root = outcome, by_urn, root_urn

    def take(self, response: analyzer_pb2.AnalyzeResponse, default_urn: str) -> None:
        for diag in response.diagnostics:
            urn = diag.urn or default_urn
            message = diag.message
            if diag.description and message.startswith(diag.description + "\n"):
                message = message[len(diag.description) + 1:]
            elif message == diag.description:
                message = ""
            if message.startswith(_UNKNOWN_PREFIX):
                self._outcome.diagnostics.append(Diagnostic("unknown", message, diag.policyName, urn))
                continue
            resource = self._by_urn.get(urn)
            self._outcome.violations.append(Violation(
                policy=diag.policyName, level=_PROTO_TO_LEVEL.get(diag.enforcementLevel, "advisory"),
                severity=SEVERITIES[diag.severity] if 0 <= diag.severity < len(SEVERITIES) else "",
                urn=urn, type=resource.type if resource else "", message=message, description=diag.description))
        for na in response.not_applicable:
            self._outcome.not_applicable.append(NotApplicable(na.policy_name, default_urn, na.reason))


def analyze(capture: Capture, options: PackOptions, user_config: Mapping[str, Any], config_origin: str = "config") -> Outcome:
    manifest = _pack_manifest(options.directory)
    by_urn = capture.by_urn()
    root = next((r for r in capture.resources if r.is_root_stack), None)
    root_urn = root.urn if root else f"urn:pulumi:{capture.stack}::{capture.project}::pulumi:pulumi:Stack::{capture.project}-{capture.stack}"
    with EngineServer() as engine:
        pack = PackProcess(options, manifest, engine.address, _environment(capture))
        try:
            outcome = _session(pack, capture, manifest, by_urn, root_urn, user_config, config_origin)
        finally:
            pack.close()
        # pulumi_policy does not connect to the engine: its pulumi.log calls land on stderr.
        outcome.diagnostics.extend(Diagnostic("log", line) for line in pack.log_lines())
        for entry in engine.logs:
            outcome.diagnostics.append(Diagnostic("log", f"{entry.severity}: {entry.message}", urn=entry.urn))
    return outcome


def _session(pack: PackProcess, capture: Capture, manifest: Mapping[str, Any], by_urn: Mapping[str, Resource],
             root_urn: str, user_config: Mapping[str, Any], config_origin: str) -> Outcome:
    stub = pack.connect()
    # Older SDKs implement neither call (pulumi-policy answers Handshake UNIMPLEMENTED to this
    # day); the engine goes on without them, and so does the gate.
    pack.call(stub.Handshake, analyzer_pb2.AnalyzerHandshakeRequest(
        engine_address="", root_directory=str(capture.source_dir or ""), program_directory=str(capture.source_dir or "")),
        "Handshake", optional=True)
    pack.call(stub.ConfigureStack, analyzer_pb2.AnalyzerStackConfigureRequest(
        stack=capture.stack, project=capture.project, organization=capture.organization, dry_run=capture.dry_run,
        config={k: json.dumps(v) if not isinstance(v, str) else v for k, v in capture.config.items()}),
        "ConfigureStack", optional=True)
    pack.call(stub.GetPluginInfo, empty_pb2.Empty(), "GetPluginInfo")
    info = pack.call(stub.GetAnalyzerInfo, empty_pb2.Empty(), "GetAnalyzerInfo")
    policies = _policy_meta(info)
    merged = config_mod.merge(policies, _initial_config(info), user_config, config_origin)
    request = analyzer_pb2.ConfigureAnalyzerRequest()
    for name, (level, props) in merged.items():
        request.policyConfig[name].CopyFrom(_policy_config(level, props))
    pack.call(stub.Configure, request, "Configure")

    version = str(manifest.get("version") or info.version or "")
    outcome = Outcome(info.name, version, policies, dry_run=capture.dry_run)
    collector = _Collector(outcome, by_urn, root_urn)
    any_remediate = any(level == "remediate" for level, _ in merged.values())
    for resource in capture.resources:
        if resource.is_root_stack or resource.is_provider:
            continue  # providers and the root stack reach the pack through AnalyzeStack only
        inputs = resource.inputs
        analyze_request = _analyze_request(resource, inputs, by_urn)
        if any_remediate:
            remediated = pack.call(stub.Remediate, analyze_request, "Remediate")
            for item in remediated.remediations:
                outcome.remediations.append(Remediation(item.policyName, resource.urn, item.diagnostic))
                if item.HasField("properties"):
                    inputs = json_format.MessageToDict(item.properties)
            for na in remediated.not_applicable:
                outcome.not_applicable.append(NotApplicable(na.policy_name, resource.urn, na.reason))
            analyze_request = _analyze_request(resource, inputs, by_urn)
        outcome.resources += 1
        collector.take(pack.call(stub.Analyze, analyze_request, "Analyze"), resource.urn)
    stack_request = analyzer_pb2.AnalyzeStackRequest(resources=[_stack_resource(r, by_urn) for r in capture.resources])
    collector.take(pack.call(stub.AnalyzeStack, stack_request, "AnalyzeStack"), root_urn)
    try:
        stub.Cancel(empty_pb2.Empty(), timeout=5)
    except grpc.RpcError:
        pass  # older SDKs do not implement Cancel; the process is ended anyway
    return outcome


def _policy_config(level: str, props: Mapping[str, Any]) -> analyzer_pb2.PolicyConfig:
    if level not in LEVELS:
        raise UsageError(f"unknown enforcement level '{level}'")
    return analyzer_pb2.PolicyConfig(enforcementLevel=_LEVEL_TO_PROTO[level], properties=_struct(props))


def _analyze_request(resource: Resource, inputs: Mapping[str, Any], by_urn: Mapping[str, Resource]) -> analyzer_pb2.AnalyzeRequest:
    request = analyzer_pb2.AnalyzeRequest(type=resource.type, properties=_struct(inputs), urn=resource.urn,
                                          name=resource.name, options=_options(resource))
    provider = _provider(resource, by_urn)
    if provider is not None:
        request.provider.CopyFrom(provider)
    return request


def _stack_resource(resource: Resource, by_urn: Mapping[str, Resource]) -> analyzer_pb2.AnalyzerResource:
    message = analyzer_pb2.AnalyzerResource(
        type=resource.type, properties=_struct(resource.outputs), urn=resource.urn, name=resource.name,
        options=_options(resource), parent=resource.parent, dependencies=resource.dependencies)
    for key, urns in resource.property_dependencies.items():
        message.propertyDependencies[key].CopyFrom(analyzer_pb2.AnalyzerPropertyDependencies(urns=urns))
    provider = _provider(resource, by_urn)
    if provider is not None:
        message.provider.CopyFrom(provider)
    return message

