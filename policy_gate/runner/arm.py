"""The ARM identity of a resource under the mocks: its id, its ARM type and its own name,
as the azure-native provider would report them."""

from __future__ import annotations

import re
from typing import Any

from ..wire import known_string
from .sdk_types import lower_camel, plural, split_token
from .values import SUBSCRIPTION, hex8

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
