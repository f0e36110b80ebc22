"""The provider's Check, as far as it changes what Analyze sees: the defaults it fills in.

The engine sends Analyze a resource's *checked* inputs (pulumi/pulumi
``pkg/resource/deploy/step_generator.go``: ``inputs = resp.Properties`` after ``prov.Check``,
for custom resources; components and providers have no Check), and those are what gets
deployed. This is mock-provider behaviour, the same for every policy pack:

- azure-native (``pulumi-azure-native`` ``provider/pkg/provider/provider.go`` ``applyDefaults``):
  an absent input naming the resource, when the SDK leaves it optional (which it does for the
  parameters the provider auto-names), gets the auto-name (the logical name and 8 random
  characters, with ``__createBeforeDelete: true``; the mocks name the resource the same way); an absent
  ``location``, for a resource whose class takes one, comes from ``getDefaultLocation``: the
  provider's ``location`` (an explicit provider's input, else the stack's
  ``azure-native:location``, which is the default provider's input), else the location of the
  resource group ``resourceGroupName`` names: unknown while that name is unknown, else the
  location of a resource group declared in the stack with that name (or the one the property
  depends on). The real provider reads an existing group's location from Azure, which the gate
  cannot; the location then stays unknown, so the rules' unknowns behaviour applies. v3 also sets
  ``azureApiVersion`` to the resource's API version when absent (the SDK shows v3 by that output).
- any other package, taken as Terraform-bridged (the bridge's Check fills the Terraform schema
  defaults): every absent top-level input of a plain type whose documentation in the SDK's own
  ``<Resource>Args`` says "Defaults to `X`" gets X.
"""

from __future__ import annotations

import functools
import inspect
import re
import sys
from typing import Any

from pulumi import _types

from ..wire import PROVIDER_TYPE_PREFIX, UNKNOWN, canonical_type, known_string, reveal
from .arm import autoname, own_name_input
from .sdk_types import api_version, output_types, resource_class

_RESOURCE_GROUP = "azure-native:resources:ResourceGroup"
_CREATE_BEFORE_DELETE = "__createBeforeDelete"
_DOC_DEFAULT = re.compile(
    r":param pulumi\.Input\[(?:_builtins\.)?(str|bool|int|float)\] (\w+):[^\n]*?Defaults to `([^`]*)`")


def deployed_inputs(inputs: dict[str, Any], change: dict[str, Any] | None) -> dict[str, Any]:
    """The checked inputs with the remediations' top-level changes applied (what is deployed)."""
    if not change:
        return inputs
    removed = set(change.get("remove", []))
    return {**{k: v for k, v in inputs.items() if k not in removed}, **change.get("set", {})}


class ProviderCheck:
    """Fills the defaults a provider's Check would (see the module docstring)."""

    def __init__(self, records: dict[str, dict[str, Any]]) -> None:
        self._records = records  # the monitor's, by URN: resource groups are read from it

    def __call__(self, request: Any, urn: str, inputs: dict[str, Any], provider: dict[str, Any] | None) -> dict[str, Any]:
        if not request.custom or request.type.startswith(PROVIDER_TYPE_PREFIX):
            return inputs
        cls = resource_class(request.type)
        if cls is None:
            return inputs
        names = _input_names(cls)
        if request.type.startswith("azure-native:"):
            return self._azure_native(request, urn, dict(inputs), cls, names, provider)
        return {**_documented_defaults(cls, names), **inputs}

    def _azure_native(self, request: Any, urn: str, inputs: dict[str, Any], cls: type, names: frozenset[str],
                      provider: dict[str, Any] | None) -> dict[str, Any]:
        key = own_name_input(request.type, dict.fromkeys(names))
        if key is not None and key in names and key not in _required(cls) and _absent(inputs, key):
            inputs[key] = autoname(request.name, urn)
            inputs[_CREATE_BEFORE_DELETE] = True
        if "location" in names and _absent(inputs, "location"):
            location = self._default_location(request, inputs, provider)
            if location is not None:
                inputs["location"] = location
        if "azureApiVersion" in output_types(cls) and _absent(inputs, "azureApiVersion"):
            version = api_version(cls)
            if version:
                inputs["azureApiVersion"] = version
        return inputs

    def _default_location(self, request: Any, inputs: dict[str, Any], provider: dict[str, Any] | None) -> Any:
        """``getDefaultLocation`` (no old inputs: every resource is new to the gate)."""
        configured = (provider or {}).get("inputs", {}).get("location")
        if configured is not None:
            return configured
        if "resourceGroupName" not in inputs:
            return None
        name = inputs["resourceGroupName"]
        if known_string(name) is None:
            return UNKNOWN  # 3a: the group's name is unknown, so is its location
        group = self._resource_group(known_string(name), request)
        location = group["inputs"].get("location") if group is not None else None
        return UNKNOWN if location is None else location

    def _resource_group(self, name: str | None, request: Any) -> dict[str, Any] | None:
        groups = {u: r for u, r in self._records.items()
                  if canonical_type(r["type"]) == _RESOURCE_GROUP and not r.get("external")}
        for record in groups.values():
            own = known_string(record["inputs"].get("resourceGroupName")) or known_string(record["outputs"].get("name"))
            if own is not None and own == name:
                return record
        linked = request.propertyDependencies["resourceGroupName"].urns if "resourceGroupName" in request.propertyDependencies else []
        return next((groups[u] for u in linked if u in groups), None)


def _absent(inputs: dict[str, Any], key: str) -> bool:
    """Not there or null (the provider unmarshals with ``SkipNulls``); an unknown is a value."""
    return reveal(inputs.get(key)) is None


@functools.cache
def _input_names(cls: type) -> frozenset[str]:
    """The wire names of the resource's inputs, from its ``<Resource>Args`` class."""
    args = _args_class(cls)
    return frozenset(_types.input_type_py_to_pulumi_names(args).values()) if args is not None else frozenset()


@functools.cache
def _required(cls: type) -> frozenset[str]:
    """Wire names of the inputs the SDK requires. A path parameter naming the resource is
    required by ARM; azure-native's SDK leaves it optional exactly when the provider
    auto-names it (its metadata's ``AutoName``)."""
    args = _args_class(cls)
    if args is None:
        return frozenset()
    wire = _types.input_type_py_to_pulumi_names(args)
    parameters = inspect.signature(args).parameters.values()
    return frozenset(wire.get(p.name, p.name) for p in parameters if p.default is inspect.Parameter.empty)


def _args_class(cls: type) -> type | None:
    module = sys.modules.get(cls.__module__)
    args = getattr(module, cls.__name__ + "Args", None)
    return args if isinstance(args, type) and _types.is_input_type(args) else None


@functools.cache
def _documented_defaults(cls: type, names: frozenset[str]) -> dict[str, Any]:
    """Wire name -> the default the SDK documents for a plain top-level input."""
    args = _args_class(cls)
    doc = inspect.getdoc(getattr(args, "__init__", None)) if args is not None else None
    if not doc or args is None:
        return {}
    wire = _types.input_type_py_to_pulumi_names(args)
    defaults: dict[str, Any] = {}
    for kind, py_name, text in _DOC_DEFAULT.findall(doc):
        value = _typed(kind, text)
        if value is not None and wire.get(py_name) in names:
            defaults[wire[py_name]] = value
    return defaults


def _typed(kind: str, text: str) -> Any:
    if kind == "bool":
        return {"true": True, "false": False}.get(text.lower())
    if kind in ("int", "float"):
        try:
            return float(text)
        except ValueError:
            return None
    return text if text and text.lower() != "null" else None
