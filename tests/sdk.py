"""Run a rule the way pulumi_policy does in-process: real ``ResourceValidationArgs`` /
``StackValidationArgs`` over the SDK's own deserialisation and unknown-checking proxy."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi_policy import PolicyCustomTimeouts, PolicyResource, PolicyResourceOptions, ResourceValidationArgs, StackValidationArgs
from pulumi_policy.deserialize import deserialize_properties
from pulumi_policy.policy import _NotApplicableError
from pulumi_policy.proxy import unknown_checking_proxy

from policies.rule import ResourceRule, SampleResource, StackRule


def _opts() -> PolicyResourceOptions:
    return PolicyResourceOptions(False, [], None, [], PolicyCustomTimeouts(0, 0, 0), [], None)


def _props(raw: Mapping[str, Any]) -> Any:
    return unknown_checking_proxy(deserialize_properties(dict(raw)))


def run_resource(rule: ResourceRule, type_token: str, props: Mapping[str, Any],
                 config: Mapping[str, Any] | None = None) -> list[str]:
    """Violation messages (the part after the description) the SDK would report."""
    found: list[str] = []
    args = ResourceValidationArgs(type_token, _props(props), f"urn:pulumi:dev::p::{type_token}::r", "r", _opts(), None,
                                  dict(config or {}))
    def report(message: str, urn: str | None = None) -> None:
        found.append(message)

    rule.policy().validate(args, report)
    return found


def run_stack(rule: StackRule, resources: tuple[SampleResource, ...],
              config: Mapping[str, Any] | None = None) -> list[tuple[str, str | None]]:
    found: list[tuple[str, str | None]] = []
    policy_resources = [PolicyResource(r.type, _props(r.props), r.urn(), r.name, _opts(), None, None, [], {})
                        for r in resources]
    by_name = {r.name: pr for r, pr in zip(resources, policy_resources)}
    for sample, resource in zip(resources, policy_resources):
        for key, names in sample.depends_on.items():
            deps = [by_name[n] for n in names]
            resource.dependencies.extend(d for d in deps if d not in resource.dependencies)
            if key:
                resource.property_dependencies[key] = deps
    args = StackValidationArgs(policy_resources, dict(config or {}))
    def report(message: str, urn: str | None = None) -> None:
        found.append((message, urn))

    rule.policy().validate(args, report)
    return found


__all__ = ["_NotApplicableError", "run_resource", "run_stack"]


def assert_messages(messages: list[str], fragments: tuple[str, ...]) -> None:
    """Each expected fragment matches its own message, in any order (protobuf maps do not
    keep key order), and there are no other messages."""
    assert len(messages) == len(fragments), messages
    unused = list(messages)
    for fragment in fragments:
        match = next((m for m in unused if fragment in m), None)
        assert match is not None, (fragment, messages)
        unused.remove(match)
