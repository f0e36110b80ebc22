"""The SDK's side of the pack in this process, for the in-process figures (no gRPC, no
process): the analyzer servicer (the convert-once adapter or pulumi_policy's own) over the real
or no-op policies, and pulumi_policy's
``PolicyResource`` objects built from stack requests as its AnalyzeStack builds them."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from typing import Any

from google.protobuf import json_format
from pulumi.runtime.proto import analyzer_pb2

from bench.harness import BENCH_STACK, child_env
from policies import RULES, ResourceRule, StackRule
from policy_gate.analyzer import pack_environment


def servicer(policies: list[Any], stock: bool = False) -> Any:
    """The pack's servicer over ``policies``: the convert-once adapter, or the SDK's own when ``stock``."""
    from pulumi_policy import EnforcementLevel

    from policies.core.convert_once import SDK_SERVICER, ConvertOnceServicer

    cls = SDK_SERVICER if stock else ConvertOnceServicer
    return cls("bench", "0.0.1", policies, EnforcementLevel.ADVISORY, None, None, None, None, None, None, None)


def noop_policies() -> list[Any]:
    from pulumi_policy import ResourceValidationPolicy, StackValidationPolicy

    def noop(args: Any, report: Any) -> None:
        return None

    from policies.core.convert_once import APPLIES_TO

    policies = []
    for rule in RULES:
        policy = (StackValidationPolicy if isinstance(rule, StackRule) else ResourceValidationPolicy)(
            name=rule.name, description="no-op", validate=noop, enforcement_level=rule.level)
        if isinstance(rule, ResourceRule):
            setattr(policy, APPLIES_TO, rule.applies_to)  # the rule's judged types, as bench/noop_pack.py
        policies.append(policy)
    return policies


@contextlib.contextmanager
def pack_environment_here() -> Iterator[None]:
    """This process's environment set as a pack process's (the ``PULUMI_*`` variables)."""
    saved = dict(os.environ)
    os.environ.update({k: v for k, v in pack_environment(BENCH_STACK, child_env()).items() if k.startswith("PULUMI_")})
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def policy_resource(message: analyzer_pb2.AnalyzerResource) -> Any:
    from pulumi_policy import PolicyCustomTimeouts, PolicyResource, PolicyResourceOptions
    from pulumi_policy.deserialize import deserialize_properties
    from pulumi_policy.proxy import unknown_checking_proxy

    props = unknown_checking_proxy(deserialize_properties(json_format.MessageToDict(message.properties)))
    options = PolicyResourceOptions(False, [], None, [], PolicyCustomTimeouts(0, 0, 0), [], None)
    return PolicyResource(message.type, props, message.urn, message.name, options, None, None, [], {})


def linked_resources(request: analyzer_pb2.AnalyzeStackRequest) -> list[Any]:
    """The SDK's PolicyResources for a stack request, parents and dependencies linked as
    pulumi_policy's AnalyzeStack links them."""
    resources = [policy_resource(r) for r in request.resources]
    by_urn = {r.urn: r for r in resources}
    for message, resource in zip(request.resources, resources):
        resource.parent = by_urn.get(message.parent)
        resource.dependencies.extend(by_urn[u] for u in message.dependencies if u in by_urn)
        for key, urns in message.propertyDependencies.items():
            resource.property_dependencies[key] = [by_urn[u] for u in urns.urns if u in by_urn]
    return resources
