"""The analyzer requests the engine sends, built from a capture.

Analyze gets a resource's inputs, AnalyzeStack every resource's outputs with parent,
dependencies and property dependencies (pulumi/pulumi ``pkg/resource/plugin/analyzer_plugin.go``);
both carry the resource options and the provider resource with the provider's inputs
(``step_generator.go``: ``Properties: providerResource.Inputs``). For a program, the root stack's
property dependencies say what each export is (``runner.exports``), which the engine does not record. Properties are marshalled as
the engine marshals them for analyzers (``wire.without_references``): resource references become ids
or URNs, and Analyze and AnalyzeStack drop internal ``__`` keys while Remediate keeps them.
Configure gets each policy's enforcement level and properties.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from google.protobuf import struct_pb2
from pulumi.runtime.proto import analyzer_pb2

from ..capture import Capture, Resource
from ..errors import UsageError
from ..results import LEVELS
from ..wire import without_references
from .durations import go_duration_seconds

LEVEL_TO_PROTO = {"advisory": analyzer_pb2.ADVISORY, "mandatory": analyzer_pb2.MANDATORY,
                  "disabled": analyzer_pb2.DISABLED, "remediate": analyzer_pb2.REMEDIATE}
PROTO_TO_LEVEL = {v: k for k, v in LEVEL_TO_PROTO.items()}


def struct(value: Mapping[str, Any]) -> struct_pb2.Struct:
    result = struct_pb2.Struct()
    result.update(value)  # JSON-shaped already; faster than json_format.ParseDict
    return result


def _seconds(resource: Resource, timeout: str | None) -> float:
    if not timeout:
        return 0.0
    try:
        return go_duration_seconds(timeout)
    except ValueError:
        # The engine rejects the resource the same way (see durations.py).
        raise UsageError(f"{resource.urn}: unable to parse customTimeout value {timeout!r} (a Go duration such as 1h30m)") from None


def resource_options(resource: Resource) -> analyzer_pb2.AnalyzerResourceOptions:
    options = analyzer_pb2.AnalyzerResourceOptions(
        protect=resource.protect, ignoreChanges=resource.ignore_changes,
        deleteBeforeReplace=bool(resource.delete_before_replace),
        deleteBeforeReplaceDefined=resource.delete_before_replace is not None,
        additionalSecretOutputs=resource.additional_secret_outputs, aliases=resource.aliases, parent=resource.parent)
    timeouts = resource.custom_timeouts
    if timeouts:
        options.customTimeouts.CopyFrom(analyzer_pb2.AnalyzerResourceOptions.CustomTimeouts(
            create=_seconds(resource, timeouts.get("create")), update=_seconds(resource, timeouts.get("update")),
            delete=_seconds(resource, timeouts.get("delete"))))
    return options


# A session's provider messages, by (provider reference, skip_internal): most resources share one
# provider, whose Struct would otherwise be rebuilt for every request.
ProviderCache = dict[tuple[str, bool], "analyzer_pb2.AnalyzerProviderResource | None"]


def provider_resource(resource: Resource, by_urn: Mapping[str, Resource], skip_internal: bool = True,
                      cache: ProviderCache | None = None) -> analyzer_pb2.AnalyzerProviderResource | None:
    """The resource's provider (its reference is ``<urn>::<id>``) with its inputs, when the
    capture holds it."""
    if not resource.provider:
        return None
    key = (resource.provider, skip_internal)
    if cache is not None and key in cache:
        return cache[key]
    urn = resource.provider.rsplit("::", 1)[0] if resource.provider.count("::") > 3 else resource.provider
    provider = by_urn.get(urn)
    message = None if provider is None else analyzer_pb2.AnalyzerProviderResource(
        type=provider.type, properties=struct(without_references(provider.inputs, skip_internal)), urn=provider.urn,
        name=provider.name)
    if cache is not None:
        cache[key] = message
    return message


def analyze_request(resource: Resource, inputs: Mapping[str, Any], by_urn: Mapping[str, Resource],
                    remediate: bool = False, cache: ProviderCache | None = None) -> analyzer_pb2.AnalyzeRequest:
    """Analyze (or, with ``remediate``, Remediate: internal keys kept) for one resource with
    ``inputs`` (its own, or what Remediate returned)."""
    request = analyzer_pb2.AnalyzeRequest(type=resource.type, properties=struct(without_references(dict(inputs), not remediate)),
                                          urn=resource.urn, name=resource.name, options=resource_options(resource))
    provider = provider_resource(resource, by_urn, not remediate, cache)
    if provider is not None:
        request.provider.CopyFrom(provider)
    return request


def stack_resource(resource: Resource, by_urn: Mapping[str, Resource],
                   cache: ProviderCache | None = None,
                   export_provenance: Mapping[str, list[str]] | None = None) -> analyzer_pb2.AnalyzerResource:
    """One resource of AnalyzeStack; the root stack's carries ``export_provenance`` as its property
    dependencies (``runner.exports``: the engine records none for it)."""
    message = analyzer_pb2.AnalyzerResource(
        type=resource.type, properties=struct(without_references(resource.outputs, True)), urn=resource.urn, name=resource.name,
        options=resource_options(resource), parent=resource.parent, dependencies=resource.dependencies)
    dependencies = {**resource.property_dependencies, **(export_provenance or {} if resource.is_root_stack else {})}
    for key, urns in dependencies.items():
        if urns:  # analyzer_plugin.go AnalyzeStack: `if len(pd) == 0 { continue }`
            message.propertyDependencies[key].CopyFrom(analyzer_pb2.AnalyzerPropertyDependencies(urns=urns))
    provider = provider_resource(resource, by_urn, True, cache)
    if provider is not None:
        message.provider.CopyFrom(provider)
    return message


def stack_request(capture: Capture, by_urn: Mapping[str, Resource] | None = None) -> analyzer_pb2.AnalyzeStackRequest:
    """AnalyzeStack for every resource the engine analyses (``Capture.analysed``: root stack and
    providers included, reads only from state)."""
    by_urn = capture.by_urn() if by_urn is None else by_urn
    cache: ProviderCache = {}
    return analyzer_pb2.AnalyzeStackRequest(resources=[stack_resource(r, by_urn, cache, capture.export_provenance)
                                                       for r in capture.analysed()])


def policy_config(level: str, props: Mapping[str, Any]) -> analyzer_pb2.PolicyConfig:
    if level not in LEVELS:
        raise UsageError(f"unknown enforcement level '{level}'")
    return analyzer_pb2.PolicyConfig(enforcementLevel=LEVEL_TO_PROTO[level], properties=struct(props))


def configure_request(merged: Mapping[str, tuple[str, Mapping[str, Any]]]) -> analyzer_pb2.ConfigureAnalyzerRequest:
    """Configure from each policy's (enforcement level, properties), as ``config.merge`` returns them."""
    request = analyzer_pb2.ConfigureAnalyzerRequest()
    for name, (level, props) in merged.items():
        request.policyConfig[name].CopyFrom(policy_config(level, props))
    return request
