"""What the pack answers, read into the gate's results: its policies (GetAnalyzerInfo) and
the diagnostics of Analyze, AnalyzeStack and Remediate, read as the engine reads them.

pulumi/pulumi ``pkg/resource/plugin/analyzer_plugin.go`` ``convertDiagnostics``: a diagnostic
without a severity gets its policy's severity from GetAnalyzerInfo; its enforcement level is
taken as sent (the proto default, 0, is ADVISORY). ``pkg/resource/deploy/step_generator.go``:
a ``remediate`` level is reported as ``mandatory`` (Analyze and AnalyzeStack), and a remediation
that carries a diagnostic is an advisory violation.

Diagnostics are classified by the structure the protocol gives, never by message text alone:
pulumi_policy reports a policy it could not run because a value is unknown during preview as an
ADVISORY diagnostic without a URN whose message is exactly
``can't run policy '<policyName>' from policy pack '<policyPackName>@v<policyPackVersion>' during
preview: ...`` (``can't run remediation`` for a remediation), all three names being the
diagnostic's own fields. Anything else, whatever its text, is a violation.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from google.protobuf import json_format
from pulumi.runtime.proto import analyzer_pb2

from ..capture import Resource
from ..results import SEVERITIES, Diagnostic, NotApplicable, Outcome, PolicyMeta, Remediation, Violation
from .requests import PROTO_TO_LEVEL


def _level(value: Any) -> str:
    level = PROTO_TO_LEVEL.get(value, "advisory")
    return "mandatory" if level == "remediate" else level


def _severity(value: int) -> str:
    return SEVERITIES[value] if 0 <= value < len(SEVERITIES) else ""


def policy_metas(info: analyzer_pb2.AnalyzerInfo) -> list[PolicyMeta]:
    metas = []
    for policy in info.policies:
        schema = json_format.MessageToDict(policy.configSchema.properties) if policy.HasField("configSchema") else {}
        required = tuple(policy.configSchema.required) if policy.HasField("configSchema") else ()
        framework = policy.framework.reference if policy.HasField("framework") else ""
        metas.append(PolicyMeta(
            name=policy.name, description=policy.description, level=PROTO_TO_LEVEL.get(policy.enforcementLevel, "advisory"),
            severity=_severity(policy.severity), remediation=policy.remediation_steps, framework=framework,
            tags=tuple(policy.tags), config_schema=schema, required=required, title=policy.displayName, url=policy.url))
    return metas


def initial_config(info: analyzer_pb2.AnalyzerInfo) -> dict[str, dict[str, Any]]:
    initial: dict[str, dict[str, Any]] = {}
    for name, cfg in info.initialConfig.items():
        block = json_format.MessageToDict(cfg.properties)
        # Unset and ADVISORY look alike on the wire (0): only a stricter level overrides the policy's own.
        if cfg.enforcementLevel != analyzer_pb2.ADVISORY:
            block["enforcementLevel"] = PROTO_TO_LEVEL.get(cfg.enforcementLevel, "advisory")
        initial[name] = block
    return initial


def could_not_run(kind: str, policy: str, pack: str, version: str, message: str) -> bool:
    """Whether ``message`` is pulumi_policy's "can't run <kind>" text for exactly this policy and
    pack (``pulumi_policy/policy.py``, the ``UnknownValueError`` handlers)."""
    return message.startswith(f"can't run {kind} '{policy}' from policy pack '{pack}@v{version}' during preview: ")


class Collector:
    """Turns the pack's responses into the outcome's lists."""

    def __init__(self, outcome: Outcome, by_urn: Mapping[str, Resource]):
        self._outcome, self._by_urn = outcome, by_urn
        self._severities = {m.name: m.severity for m in outcome.policies}

    def take(self, response: analyzer_pb2.AnalyzeResponse, default_urn: str, known: Collection[str] | None = None) -> None:
        """An Analyze or AnalyzeStack response; ``default_urn`` for diagnostics without a URN
        (or, when ``known`` is given, with a URN outside it: AnalyzeStack attributes those to the
        root stack, ``step_generator.go`` ``AnalyzeResources``)."""
        for diag in response.diagnostics:
            urn = diag.urn if diag.urn and (known is None or diag.urn in known) else default_urn
            message = diag.message
            if diag.description and message.startswith(diag.description + "\n"):
                message = message[len(diag.description) + 1:]
            elif message == diag.description:
                message = ""
            if (diag.enforcementLevel == analyzer_pb2.ADVISORY and not diag.urn
                    and could_not_run("policy", diag.policyName, diag.policyPackName, diag.policyPackVersion, message)):
                self._outcome.diagnostics.append(Diagnostic("unknown", message, diag.policyName, urn))
                continue
            self._violation(diag.policyName, _level(diag.enforcementLevel), diag.severity, urn, message, diag.description)
        self._not_applicable(response.not_applicable, default_urn)

    def take_remediation(self, response: analyzer_pb2.RemediateResponse, urn: str) -> dict[str, Any] | None:
        """A Remediate response: records what was fixed (a remediation's diagnostic as the
        engine reports it) and returns the fixed inputs (None when no policy changed them)."""
        fixed = None
        for item in response.remediations:
            self._outcome.remediations.append(Remediation(item.policyName, urn, item.diagnostic))
            if item.diagnostic:
                if could_not_run("remediation", item.policyName, item.policyPackName, item.policyPackVersion,
                                 item.diagnostic):
                    self._outcome.diagnostics.append(Diagnostic("unknown", item.diagnostic, item.policyName, urn))
                else:
                    self._violation(item.policyName, "advisory", 0, urn, item.diagnostic, item.description)
            elif item.HasField("properties"):
                fixed = json_format.MessageToDict(item.properties)
        self._not_applicable(response.not_applicable, urn)
        return fixed

    def _violation(self, policy: str, level: str, severity: int, urn: str, message: str, description: str) -> None:
        resource = self._by_urn.get(urn)
        self._outcome.violations.append(Violation(
            policy=policy, level=level, severity=_severity(severity) or self._severities.get(policy, ""), urn=urn,
            type=resource.type if resource else "", message=message, description=description))

    def _not_applicable(self, items: Any, urn: str) -> None:
        for na in items:
            self._outcome.not_applicable.append(NotApplicable(na.policy_name, urn, na.reason))
