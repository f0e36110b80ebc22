"""The ARM identity of a resource under the mocks: its id, its ARM type and its own name,
as the azure-native provider would report them."""

from __future__ import annotations

import re
from typing import Any

from ..wire import known_string
from .sdk_types import lower_camel, plural, split_token
from .values import SUBSCRIPTION, guid, hex8

_NAMESPACES = {
    "machinelearningservices": "Microsoft.MachineLearningServices",
    "storage": "Microsoft.Storage",
    "keyvault": "Microsoft.KeyVault",
    "insights": "Microsoft.Insights",
    "applicationinsights": "Microsoft.Insights",
    "network": "Microsoft.Network",
    "containerregistry": "Microsoft.ContainerRegistry",
    "managedidentity": "Microsoft.ManagedIdentity",
    "authorization": "Microsoft.Authorization",
    "resources": "Microsoft.Resources",
    "operationalinsights": "Microsoft.OperationalInsights",
    "monitor": "Microsoft.Insights",
    "privatedns": "Microsoft.Network",
}

_WS = "workspaces/{workspaceName}"
# ARM path below the provider namespace: "<type>/{<input naming it>}" pairs. The last placeholder
# is the input naming the resource itself. Types absent here get "<lowerCamelType>s/{<name>}".
_ARM_PATHS: dict[tuple[str, str], str] = {
    ("machinelearningservices", "Workspace"): _WS,
    ("machinelearningservices", "Registry"): "registries/{registryName}",
    ("machinelearningservices", "Compute"): _WS + "/computes/{computeName}",
    ("machinelearningservices", "Datastore"): _WS + "/datastores/{name}",
    ("machinelearningservices", "WorkspaceConnection"): _WS + "/connections/{connectionName}",
    ("machinelearningservices", "Job"): _WS + "/jobs/{id}",
    ("machinelearningservices", "Schedule"): _WS + "/schedules/{name}",
    ("machinelearningservices", "OnlineEndpoint"): _WS + "/onlineEndpoints/{endpointName}",
    ("machinelearningservices", "OnlineDeployment"): (
        _WS + "/onlineEndpoints/{endpointName}/deployments/{deploymentName}"
    ),
    ("machinelearningservices", "BatchEndpoint"): _WS + "/batchEndpoints/{endpointName}",
    ("machinelearningservices", "BatchDeployment"): (
        _WS + "/batchEndpoints/{endpointName}/deployments/{deploymentName}"
    ),
    ("machinelearningservices", "FeaturesetContainerEntity"): _WS + "/featuresets/{name}",
    ("machinelearningservices", "FeaturesetVersion"): (
        _WS + "/featuresets/{name}/versions/{version}"
    ),
    ("machinelearningservices", "FeaturestoreEntityContainerEntity"): (
        _WS + "/featurestoreEntities/{name}"
    ),
    ("machinelearningservices", "FeaturestoreEntityVersion"): (
        _WS + "/featurestoreEntities/{name}/versions/{version}"
    ),
    # Children the ARM paths of the Azure ML REST API (stable 2025-12-01) place below a workspace,
    # an endpoint, a connection or an inference pool, named by the inputs the SDK gives them: a
    # stack rule links them to their parent by these ids (policies/core/linking.py).
    ("machinelearningservices", "ManagedNetworkSettingsRule"): _WS + "/outboundRules/{ruleName}",
    ("machinelearningservices", "OutboundRule"): (
        _WS + "/managedNetworks/{managedNetworkName}/outboundRules/{ruleName}"
    ),
    ("machinelearningservices", "PrivateEndpointConnection"): (
        _WS + "/privateEndpointConnections/{privateEndpointConnectionName}"
    ),
    ("machinelearningservices", "ServerlessEndpoint"): _WS + "/serverlessEndpoints/{name}",
    ("machinelearningservices", "MarketplaceSubscription"): _WS + "/marketplaceSubscriptions/{name}",
    ("machinelearningservices", "CapabilityHost"): _WS + "/capabilityHosts/{name}",
    ("machinelearningservices", "EndpointDeployment"): (
        _WS + "/endpoints/{endpointName}/deployments/{deploymentName}"
    ),
    ("machinelearningservices", "RaiPolicy"): _WS + "/endpoints/{endpointName}/raiPolicies/{raiPolicyName}",
    ("machinelearningservices", "ConnectionDeployment"): (
        _WS + "/connections/{connectionName}/deployments/{deploymentName}"
    ),
    ("machinelearningservices", "ConnectionRaiPolicy"): (
        _WS + "/connections/{connectionName}/raiPolicies/{raiPolicyName}"
    ),
    ("machinelearningservices", "ConnectionRaiBlocklist"): (
        _WS + "/connections/{connectionName}/raiBlocklists/{raiBlocklistName}"
    ),
    ("machinelearningservices", "ConnectionRaiBlocklistItem"): (
        _WS + "/connections/{connectionName}/raiBlocklists/{raiBlocklistName}/raiBlocklistItems/{raiBlocklistItemName}"
    ),
    ("machinelearningservices", "InferencePool"): _WS + "/inferencePools/{inferencePoolName}",
    ("machinelearningservices", "InferenceGroup"): _WS + "/inferencePools/{poolName}/groups/{groupName}",
    ("machinelearningservices", "InferenceEndpoint"): _WS + "/inferencePools/{poolName}/endpoints/{endpointName}",
    ("storage", "BlobContainer"): (
        "storageAccounts/{accountName}/blobServices/default/containers/{containerName}"
    ),
    ("network", "Subnet"): "virtualNetworks/{virtualNetworkName}/subnets/{subnetName}",
    ("network", "PrivateDnsZoneGroup"): (
        "privateEndpoints/{privateEndpointName}/privateDnsZoneGroups/{privateDnsZoneGroupName}"
    ),
    ("privatedns", "PrivateZone"): "privateDnsZones/{privateZoneName}",
    ("privatedns", "VirtualNetworkLink"): (
        "privateDnsZones/{privateZoneName}/virtualNetworkLinks/{virtualNetworkLinkName}"
    ),
    ("keyvault", "Key"): "vaults/{vaultName}/keys/{keyName}",
    ("keyvault", "Secret"): "vaults/{vaultName}/secrets/{secretName}",
}
for _kind, _segment in [
    ("Data", "data"),
    ("Code", "codes"),
    ("Environment", "environments"),
    ("Model", "models"),
    ("Component", "components"),
]:
    _ARM_PATHS[("machinelearningservices", f"{_kind}Container")] = f"{_WS}/{_segment}/{{name}}"
    _ARM_PATHS[("machinelearningservices", f"{_kind}Version")] = (
        f"{_WS}/{_segment}/{{name}}/versions/{{version}}"
    )
# A registry's assets: named by <kind>Name (data by name), as its SDK classes' inputs are.
_REGISTRY = "registries/{registryName}"
for _kind, _segment, _key in [
    ("Data", "data", "name"),
    ("Code", "codes", "codeName"),
    ("Environment", "environments", "environmentName"),
    ("Model", "models", "modelName"),
    ("Component", "components", "componentName"),
]:
    _ARM_PATHS[("machinelearningservices", f"Registry{_kind}Container")] = f"{_REGISTRY}/{_segment}/{{{_key}}}"
    _ARM_PATHS[("machinelearningservices", f"Registry{_kind}Version")] = (
        f"{_REGISTRY}/{_segment}/{{{_key}}}/versions/{{version}}"
    )



def own_name_input(token: str, inputs: dict[str, Any]) -> str | None:
    """The input key that names the resource itself (``workspaceName``, ``accountName``, ...)."""
    _pkg, mod, name = split_token(token)
    template = _ARM_PATHS.get((mod, name))
    if template is not None:
        return re.findall(r"\{(\w+)\}", template)[-1]
    words = re.findall(r"[A-Z][a-z0-9]*", name) or [name]
    candidates = [lower_camel("".join(words[i:])) + "Name" for i in range(len(words))]
    for key in [*candidates, "resourceName", "name"]:
        if key in inputs:
            return key
    return None


def autoname(logical_name: str, urn: str) -> str:
    """``<logical name><8 hex>``, as the azure-native provider autonames (deterministic here)."""
    return logical_name + hex8("autoname", urn)


def arm_namespace(module: str) -> str:
    return _NAMESPACES.get(module, "Microsoft." + module[:1].upper() + module[1:])


def _arm_segments(token: str, inputs: dict[str, Any], own_name: str) -> list[tuple[str, str]]:
    """[(type segment, name)] below the provider namespace."""
    _pkg, mod, name = split_token(token)
    parts = (_ARM_PATHS.get((mod, name)) or plural(lower_camel(name)) + "/{}").split("/")
    segments = []
    for i in range(0, len(parts) - 1, 2):
        type_segment, placeholder = parts[i], parts[i + 1]
        if i + 2 >= len(parts):
            value = own_name
        elif placeholder.startswith("{"):
            key = placeholder.strip("{}")
            value = known_string(inputs.get(key)) or key
        else:
            value = placeholder  # a literal segment such as blobServices/default
        segments.append((type_segment, value))
    return segments


def arm_id(token: str, inputs: dict[str, Any], own_name: str) -> str:
    _pkg, mod, name = split_token(token)
    rg = known_string(inputs.get("resourceGroupName"))
    if (mod, name) == ("resources", "ResourceGroup"):
        return f"{SUBSCRIPTION}/resourceGroups/{own_name}"
    # Extension resources (role assignments, diagnostic settings) live below their scope.
    scope = known_string(inputs.get("scope")) or known_string(inputs.get("resourceUri"))
    if scope is not None:
        prefix = scope.rstrip("/")
    elif rg is not None:
        prefix = f"{SUBSCRIPTION}/resourceGroups/{rg}"
    else:
        prefix = SUBSCRIPTION
    path = "/".join(f"{t}/{n}" for t, n in _arm_segments(token, inputs, own_name))
    return f"{prefix}/providers/{arm_namespace(mod)}/{path}"


def arm_type(token: str) -> str:
    _pkg, mod, name = split_token(token)
    if (mod, name) == ("resources", "ResourceGroup"):
        return "Microsoft.Resources/resourceGroups"
    segments = _arm_segments(token, {}, "x")
    return arm_namespace(mod) + "/" + "/".join(t for t, _n in segments)


# -- bridged providers (pulumi-azure, azuread): ids shaped like the documented import example --

_GUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def _pairs(arm: str) -> list[tuple[str, str]] | None:
    """``/a/1/b/2`` -> [(a, 1), (b, 2)]; None for an odd number of segments."""
    parts = arm.strip("/").split("/")
    if len(parts) % 2:
        return None
    return [(parts[i], parts[i + 1]) for i in range(0, len(parts), 2)]


def _singular(word: str) -> str:
    if word.endswith("ies"):
        return word[:-3] + "y"
    return word[:-1] if word.endswith("s") and not word.endswith("ss") else word


def _known_arm_ids(inputs: dict[str, Any]) -> list[str]:
    values = (known_string(v) for v in inputs.values())
    return [v.rstrip("/") for v in values if v and v.startswith("/subscriptions/")]


def _types_of(pairs: list[tuple[str, str]]) -> list[str]:
    """The type segments of an ARM id's pairs, lower case (``providers`` pairs keep the namespace)."""
    return [(k + "/" + v if k.lower() == "providers" else k).lower() for k, v in pairs]


def bridged_id(example: str | None, inputs: dict[str, Any], own_name: str, seed: str) -> str | None:
    """The id of a bridged provider's resource, in the shape of its documented import example.

    An ARM example (``/subscriptions/...``) is rebuilt below the resource's parent: an input
    holding the id of a resource whose type path the example starts with (a datastore below
    its ``workspaceId``), the ``scope`` of an extension resource, or else the subscription and
    ``resourceGroupName``; the names in between come from ``<type>Name`` inputs, the last is
    the resource's own name (a GUID where the example has one). Other examples keep their
    shape with fresh GUIDs (Entra ids: ``/servicePrincipals/<object id>``). None without an
    example of either shape."""
    if not example:
        return None
    if not example.startswith("/subscriptions/"):
        if not _GUID.search(example):
            return None
        found = {g: guid(seed, g) for g in dict.fromkeys(_GUID.findall(example))}
        return _GUID.sub(lambda m: found[m.group(0)], example)
    pairs = _pairs(example)
    if pairs is None:
        return None
    last_is_guid = bool(_GUID.fullmatch(pairs[-1][1]))
    name = known_string(inputs.get("name")) or (guid(seed, "name") if last_is_guid else own_name)
    prefix, rest = _bridged_parent(pairs, inputs)
    tail = [(k, known_string(inputs.get(lower_camel(_singular(k)) + "Name")) or v) for k, v in rest[:-1]]
    tail.append((rest[-1][0], name))
    return prefix + "".join(f"/{k}/{v}" for k, v in tail)


def _bridged_parent(pairs: list[tuple[str, str]], inputs: dict[str, Any]) -> tuple[str, list[tuple[str, str]]]:
    """(the id the resource lives below, the example's pairs that follow it)."""
    types = _types_of(pairs)
    parents = [(len(parent), candidate) for candidate in _known_arm_ids(inputs)
               if (parent := _pairs(candidate)) and len(parent) < len(pairs) and _types_of(parent) == types[:len(parent)]]
    if parents:
        depth, parent_id = max(parents)
        return parent_id, pairs[depth:]
    scope = known_string(inputs.get("scope"))
    if scope and scope.startswith("/") and len(pairs) > 1 and pairs[1][0].lower() == "providers":
        return scope.rstrip("/"), pairs[1:]
    if len(pairs) > 2 and pairs[1][0].lower() == "resourcegroups":
        rg = known_string(inputs.get("resourceGroupName")) or pairs[1][1]
        return f"{SUBSCRIPTION}/resourceGroups/{rg}", pairs[2:]
    return SUBSCRIPTION, pairs[1:]
