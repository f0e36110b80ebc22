"""What the pack answers, read into the gate's results: its policies (GetAnalyzerInfo) and
the diagnostics of Analyze, AnalyzeStack and Remediate."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from google.protobuf import json_format
from pulumi.runtime.proto import analyzer_pb2

from ..capture import Resource
from ..results import SEVERITIES, Diagnostic, NotApplicable, Outcome, PolicyMeta, Remediation, Violation
from .requests import PROTO_TO_LEVEL

_UNKNOWN_PREFIX = "can't run policy"


def _level(value: Any) -> str:
    return PROTO_TO_LEVEL.get(value, "advisory")


def _severity(value: int) -> str:
    return SEVERITIES[value] if 0 <= value < len(SEVERITIES) else ""


def policy_metas(info: analyzer_pb2.AnalyzerInfo) -> list[PolicyMeta]:
    metas = []
    for policy in info.policies:
        schema = json_format.MessageToDict(policy.configSchema.properties) if policy.HasField("configSchema") else {}
        required = tuple(policy.configSchema.required) if policy.HasField("configSchema") else ()
        framework = policy.framework.reference if policy.HasField("framework") else ""
        metas.append(PolicyMeta(
            name=policy.name, description=policy.description, level=_level(policy.enforcementLevel),
            severity=_severity(policy.severity), remediation=policy.remediation_steps, framework=framework,
            tags=tuple(policy.tags), config_schema=schema, required=required))
    return metas


def initial_config(info: analyzer_pb2.AnalyzerInfo) -> dict[str, dict[str, Any]]:
    initial: dict[str, dict[str, Any]] = {}
    for name, cfg in info.initialConfig.items():
        block = json_format.MessageToDict(cfg.properties)
        # Unset and ADVISORY look alike on the wire (0): only a stricter level overrides the policy's own.
        if cfg.enforcementLevel != analyzer_pb2.ADVISORY:
            block["enforcementLevel"] = _level(cfg.enforcementLevel)
        initial[name] = block
    return initial


class Collector:
    """Turns the pack's responses into the outcome's lists."""

    def __init__(self, outcome: Outcome, by_urn: Mapping[str, Resource]):
        self._outcome, self._by_urn = outcome, by_urn

    def take(self, response: analyzer_pb2.AnalyzeResponse, default_urn: str) -> None:
        """An Analyze or AnalyzeStack response; ``default_urn`` for diagnostics without one."""
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
                policy=diag.policyName, level=_level(diag.enforcementLevel), severity=_severity(diag.severity),
                urn=urn, type=resource.type if resource else "", message=message, description=diag.description))
        self._not_applicable(response.not_applicable, default_urn)

    def take_remediation(self, response: analyzer_pb2.RemediateResponse, urn: str) -> dict[str, Any] | None:
        """A Remediate response: records what was fixed and returns the fixed inputs (None when
        no policy changed them)."""
        fixed = None
        for item in response.remediations:
            self._outcome.remediations.append(Remediation(item.policyName, urn, item.diagnostic))
            if item.HasField("properties"):
                fixed = json_format.MessageToDict(item.properties)
        self._not_applicable(response.not_applicable, urn)
        return fixed

    def _not_applicable(self, items: Any, urn: str) -> None:
        for na in items:
            self._outcome.not_applicable.append(NotApplicable(na.policy_name, urn, na.reason))
