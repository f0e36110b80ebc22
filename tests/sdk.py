"""Run a rule the way pulumi_policy does in-process: real ``ResourceValidationArgs`` /
``StackValidationArgs`` over the SDK's own deserialisation and unknown-checking proxy."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Mapping
from typing import Any

from pulumi_policy import PolicyCustomTimeouts, PolicyResource, PolicyResourceOptions, ResourceValidationArgs, StackValidationArgs
from pulumi_policy.deserialize import deserialize_properties
from pulumi_policy.policy import _NotApplicableError
from pulumi_policy.proxy import UnknownValueError, unknown_checking_proxy

from policies import RULES
from policies.core.provenance import DEFERRED
from policies.core.rule import ResourceRule, Rule, StackRule
from policies.core.samples import SampleResource


def _opts() -> PolicyResourceOptions:
    return PolicyResourceOptions(False, [], None, [], PolicyCustomTimeouts(0, 0, 0), [], None)


def _props(raw: Mapping[str, Any]) -> Any:
    return unknown_checking_proxy(deserialize_properties(dict(raw)))


def turned_on(rule: Rule, config: Mapping[str, Any]) -> dict[str, Any]:
    """A rule's config block for a test that must see it judge: an opt-in rule (disabled by
    default) is turned on at advisory, any other keeps its default level."""
    return {"enforcementLevel": "advisory", **config} if rule.opt_in else dict(config)


def run_resource(rule: ResourceRule, type_token: str, props: Mapping[str, Any],
                 config: Mapping[str, Any] | None = None, name: str = "r") -> list[str]:
    """Violation messages (the part after the description) the SDK would report."""
    found: list[str] = []
    args = ResourceValidationArgs(type_token, _props(props), f"urn:pulumi:dev::p::{type_token}::{name}", name, _opts(), None,
                                  dict(config or {}))
    def report(message: str, urn: str | None = None) -> None:
        found.append(message)

    rule.policy().validate(args, report)
    return found


def _ignore(message: str, urn: str | None = None) -> None:
    """A report_violation that keeps nothing."""


def analyze_first(resources: tuple[SampleResource, ...]) -> None:
    """What the engine does before AnalyzeStack: Analyze every resource, here with the resource
    rules that declare sources (at their default config), so what they defer is recorded for
    unknown-value-sources (``policies.core.provenance``) as it is in the pack process."""
    DEFERRED.clear()
    for resource in resources:
        for rule in RULES:
            if isinstance(rule, ResourceRule) and rule.sources and rule.applies_to(resource.type):
                args = ResourceValidationArgs(resource.type, _props(resource.props), resource.urn(), resource.name,
                                              _opts(), None, {})
                try:
                    rule.policy().validate(args, _ignore)
                except (UnknownValueError, _NotApplicableError):
                    pass


def run_stack(rule: StackRule, resources: tuple[SampleResource, ...],
              config: Mapping[str, Any] | None = None, found: list[tuple[str, str | None]] | None = None,
              ) -> list[tuple[str, str | None]]:
    """The violations the SDK would report; an unknown value the rule meets is raised (as the SDK
    gets it) after ``found``, when given, holds what was reported before."""
    found = [] if found is None else found
    analyze_first(resources)
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


def evaluate_preview(rule: ResourceRule, type_token: str, props: Mapping[str, Any],
                     config: Mapping[str, Any] | None = None) -> tuple[list[str], bool]:
    """Messages a rule reported before it gave up on an unknown value, and whether it did; when it
    did not, the SDK's own argument objects must give the same messages."""
    found: list[str] = []
    try:
        rule.evaluate(type_token, props, config, report=found.append)
    except UnknownValueError:
        return found, True
    assert run_resource(rule, type_token, props, config) == found
    return found, False


def rules_declared_in(*packages: str) -> tuple[Rule, ...]:
    """The rules declared in the modules of ``packages`` (``policies.jobs``): a family's rules, found
    from the code rather than listed by hand; registered ones in registry order, then any other."""
    declared: dict[int, Rule] = {}
    for name in packages:
        package = importlib.import_module(name)
        for info in pkgutil.walk_packages(package.__path__, f"{name}."):
            module = importlib.import_module(info.name)
            declared.update((id(v), v) for v in vars(module).values() if isinstance(v, Rule))
    registered = [r for r in RULES if id(r) in declared]
    return (*registered, *(r for key, r in declared.items() if key not in {id(x) for x in registered}))


__all__ = ["_NotApplicableError", "evaluate_preview", "rules_declared_in", "run_resource", "run_stack"]


def assert_messages(messages: list[str], fragments: tuple[str, ...]) -> None:
    """Each expected fragment matches its own message, in any order (protobuf maps do not
    keep key order), and there are no other messages."""
    assert len(messages) == len(fragments), messages
    unused = list(messages)
    for fragment in fragments:
        match = next((m for m in unused if fragment in m), None)
        assert match is not None, (fragment, messages)
        unused.remove(match)
