"""Synthetic Azure ML stacks for the benchmark, in the engine's wire form.

- ``ml_stack(n)``: n resources in repeating units of seven (storage account, workspace, its
  private endpoint, a compute, a data version, a featureset version built from it, a job on
  the compute), linked by ARM ids and property dependencies as a real program links them,
  plus the root stack (with exports) and the default provider. One unit in ten breaks a
  rule, so the stack rules have something to report.
- ``workspace_export(n)`` and ``arm_template(n)``: the same n workspaces, each with a
  compute, once as a ``pulumi stack export`` file and once as an ARM template, for the
  comparison with Checkov. Both carry the same settings (the managed network's
  PrivateEndpoint outbound rule, public network access, identity, encryption, ...).
- ``program_capture(n)``: the resources of ``program_limits.py``'s generated program, to run
  the gate's state path (``export``) on the same resources as its program path.
"""

from __future__ import annotations

from typing import Any

from policy_gate.capture import Capture, Resource

SUB = "00000000-0000-0000-0000-000000000000"
RG = "rg-bench"
PROJECT = "aml-bench"
STACK = "bench"
LOCATION = "westeurope"
ML = "azure-native:machinelearningservices"
PROVIDER_TYPE = "pulumi:providers:azure-native"
TAGS = {"owner": "ml-platform-team", "cost-center": "CC-4711", "stack": STACK}
UNIT = 7  # resources per unit of ml_stack


def urn(type_token: str, name: str) -> str:
    return f"urn:pulumi:{STACK}::{PROJECT}::{type_token}::{name}"


def arm_id(provider: str, *parts: str) -> str:
    return f"/subscriptions/{SUB}/resourceGroups/{RG}/providers/{provider}/" + "/".join(parts)


ROOT_URN = urn("pulumi:pulumi:Stack", f"{PROJECT}-{STACK}")
PROVIDER_URN = urn(PROVIDER_TYPE, "default_3_29_0")
PROVIDER_ID = "6a2b8f8e-5e1f-4c1b-9d1e-3b9f9b7a0c11"
PROVIDER_REF = f"{PROVIDER_URN}::{PROVIDER_ID}"

# Keys the provider computes: in outputs, not in inputs.
_COMPUTED = ("id", "type", "azureApiVersion", "principalId", "tenantId", "workspaceId")


def _inputs(outputs: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in outputs.items() if k not in _COMPUTED}


def _resource(type_token: str, name: str, outputs: dict[str, Any],
              property_dependencies: dict[str, list[str]] | None = None) -> Resource:
    deps = property_dependencies or {}
    dependencies = sorted({u for urns in deps.values() for u in urns})
    return Resource(urn=urn(type_token, name), type=type_token, name=name, id=str(outputs.get("id", "")),
                    parent=ROOT_URN, provider=PROVIDER_REF, inputs=_inputs(outputs), outputs=outputs,
                    dependencies=dependencies, property_dependencies=deps)


def _root(exports: dict[str, Any]) -> Resource:
    return Resource(urn=ROOT_URN, type="pulumi:pulumi:Stack", name=f"{PROJECT}-{STACK}", custom=False, outputs=exports)


def _provider() -> Resource:
    return Resource(urn=PROVIDER_URN, type=PROVIDER_TYPE, name="default_3_29_0", id=PROVIDER_ID,
                    inputs={"version": "3.29.0"}, outputs={"version": "3.29.0"})


def workspace_settings(i: int) -> dict[str, Any]:
    """The settings of workspace i (neutral form: azure-native property names, flat)."""
    compliant = i % 10 != 9
    storage = arm_id("Microsoft.Storage", "storageAccounts", f"stbench{i}")
    identity = arm_id("Microsoft.ManagedIdentity", "userAssignedIdentities", "id-aml")
    settings: dict[str, Any] = {
        "sku": {"name": "Basic", "tier": "Basic"},
        "kind": "FeatureStore" if i % 4 == 0 else "Default",
        "identity": {"type": "SystemAssigned,UserAssigned", "userAssignedIdentities": {identity: {}}},
        "primaryUserAssignedIdentity": identity,
        "publicNetworkAccess": "Disabled" if compliant else "Enabled",
        "allowPublicAccessWhenBehindVnet": False,
        "managedNetwork": {"isolationMode": "AllowOnlyApprovedOutbound", "outboundRules": {
            "workspace-pe": {"type": "PrivateEndpoint", "category": "Required", "destination": {
                "serviceResourceId": storage, "subresourceTarget": "blob", "sparkEnabled": False}},
        } if compliant else {}},
        "encryption": {"status": "Enabled", "identity": {"userAssignedIdentity": identity}, "keyVaultProperties": {
            "keyVaultArmId": arm_id("Microsoft.KeyVault", "vaults", "kv-bench"),
            "keyIdentifier": "https://kv-bench.vault.azure.net/keys/aml-cmk/0123456789abcdef0123456789abcdef"}},
        "hbiWorkspace": i % 3 == 0,
        "systemDatastoresAuthMode": "Identity",
        "v1LegacyMode": False,
        "storageAccount": storage,
        "keyVault": arm_id("Microsoft.KeyVault", "vaults", "kv-bench"),
        "applicationInsights": arm_id("Microsoft.Insights", "components", "appi-bench"),
        "containerRegistry": arm_id("Microsoft.ContainerRegistry", "registries", "acrbench"),
        "friendlyName": f"bench workspace {i}",
    }
    return settings


def _workspace_outputs(i: int) -> dict[str, Any]:
    name = f"mlw-bench-{i}"
    return {
        "id": arm_id("Microsoft.MachineLearningServices", "workspaces", name), "name": name, "workspaceName": name,
        "type": "Microsoft.MachineLearningServices/workspaces", "azureApiVersion": "2025-12-01",
        "resourceGroupName": RG, "location": LOCATION, "tags": dict(TAGS), **workspace_settings(i),
    }


def compute_settings(i: int) -> dict[str, Any]:
    return {"computeType": "AmlCompute", "disableLocalAuth": True, "computeLocation": LOCATION, "properties": {
        "vmSize": "STANDARD_DS3_V2", "vmPriority": "Dedicated", "enableNodePublicIp": False,
        "remoteLoginPortPublicAccess": "Disabled", "osType": "Linux",
        "scaleSettings": {"minNodeCount": 0.0, "maxNodeCount": 4.0, "nodeIdleTimeBeforeScaleDown": "PT120S"},
        "subnet": {"id": arm_id("Microsoft.Network", "virtualNetworks", "vnet-bench", "subnets", "compute")},
    }}


def _compute_outputs(i: int) -> dict[str, Any]:
    workspace = f"mlw-bench-{i}"
    return {"id": arm_id("Microsoft.MachineLearningServices", "workspaces", workspace, "computes", "cpu"),
            "name": "cpu", "computeName": "cpu", "workspaceName": workspace, "resourceGroupName": RG,
            "location": LOCATION, "type": "Microsoft.MachineLearningServices/workspaces/computes",
            "identity": {"type": "SystemAssigned"}, "properties": compute_settings(i), "tags": dict(TAGS)}


def _unit(i: int) -> list[Resource]:
    compliant = i % 10 != 9
    workspace = _workspace_outputs(i)
    ws_name, ws_id = workspace["name"], workspace["id"]
    ws_urn = urn(f"{ML}:Workspace", f"mlw-{i}")
    storage_urn = urn("azure-native:storage:StorageAccount", f"st-{i}")
    compute_urn = urn(f"{ML}:Compute", f"cpu-{i}")
    storage = {
        "id": workspace["storageAccount"], "name": f"stbench{i}", "accountName": f"stbench{i}", "resourceGroupName": RG,
        "location": LOCATION, "kind": "StorageV2", "sku": {"name": "Standard_ZRS"}, "type": "Microsoft.Storage/storageAccounts",
        "publicNetworkAccess": "Disabled" if compliant else "Enabled", "allowSharedKeyAccess": False,
        "allowBlobPublicAccess": False, "minimumTlsVersion": "TLS1_2", "enableHttpsTrafficOnly": True,
        "networkRuleSet": {"bypass": "AzureServices", "defaultAction": "Deny" if compliant else "Allow"}, "tags": dict(TAGS),
    }
    endpoint = {
        "id": arm_id("Microsoft.Network", "privateEndpoints", f"pe-mlw-{i}"), "name": f"pe-mlw-{i}", "resourceGroupName": RG,
        "location": LOCATION, "type": "Microsoft.Network/privateEndpoints", "tags": dict(TAGS),
        "privateLinkServiceConnections": [{"name": f"mlw-{i}-amlworkspace", "groupIds": ["amlworkspace"],
                                           "privateLinkServiceId": ws_id}],
        "subnet": {"id": arm_id("Microsoft.Network", "virtualNetworks", "vnet-bench", "subnets", "endpoints")},
    }
    data = {
        "id": f"{ws_id}/data/transactions-{i}/versions/1", "name": f"transactions-{i}", "version": "1", "workspaceName": ws_name,
        "resourceGroupName": RG, "type": "Microsoft.MachineLearningServices/workspaces/data/versions",
        "properties": {"dataType": "uri_folder", "dataUri": f"azureml://datastores/workspaceblobstore/paths/transactions/{i}/",
                       "isAnonymous": False, "isArchived": False, "tags": dict(TAGS)},
    }
    featureset = {
        "id": f"{ws_id}/featuresets/customer-{i}/versions/1", "name": f"customer-{i}", "version": "1", "workspaceName": ws_name,
        "resourceGroupName": RG, "type": "Microsoft.MachineLearningServices/workspaces/featuresets/versions",
        "properties": {
            "specification": {"path": f"azureml://datastores/workspaceblobstore/paths/featuresets/customer-{i}/spec/"},
            "entities": ["azureml:customer:1"], "stage": "Development", "isAnonymous": False, "isArchived": False,
            "properties": {"dataVersionId": f"azureml:transactions-{i}:1" if compliant else f"azureml:missing-{i}:1"},
        },
    }
    job = {
        "id": f"{ws_id}/jobs/train-{i}", "name": f"train-{i}", "workspaceName": ws_name, "resourceGroupName": RG,
        "type": "Microsoft.MachineLearningServices/workspaces/jobs",
        "properties": {
            "jobType": "Command", "command": "python train.py --data ${{inputs.data}}",
            "codeId": f"{ws_id}/codes/train-src/versions/1", "environmentId": f"{ws_id}/environments/sklearn/versions/3",
            "computeId": f"{ws_id}/computes/cpu" if compliant else f"{ws_id}/computes/elsewhere",
            "identity": {"identityType": "Managed"}, "limits": {"jobLimitsType": "Command", "timeout": "PT2H"},
            "inputs": {"data": {"jobInputType": "uri_folder", "uri": f"azureml:transactions-{i}:1"}},
            "experimentName": "bench",
        },
    }
    return [
        _resource("azure-native:storage:StorageAccount", f"st-{i}", storage),
        _resource(f"{ML}:Workspace", f"mlw-{i}", workspace, {"storageAccount": [storage_urn]}),
        _resource("azure-native:network:PrivateEndpoint", f"pe-mlw-{i}", endpoint, {"privateLinkServiceConnections": [ws_urn]}),
        _resource(f"{ML}:Compute", f"cpu-{i}", _compute_outputs(i), {"workspaceName": [ws_urn]}),
        _resource(f"{ML}:DataVersion", f"data-{i}", data, {"workspaceName": [ws_urn]}),
        _resource(f"{ML}:FeaturesetVersion", f"featureset-{i}", featureset, {"workspaceName": [ws_urn]}),
        _resource(f"{ML}:Job", f"train-{i}", job, {"workspaceName": [ws_urn], "properties": [compute_urn]}),
    ]


def ml_stack(n: int) -> Capture:
    """n ML-estate resources (whole units of seven, at least one), plus root stack and provider."""
    units = max(1, round(n / UNIT))
    resources = [_root({"resourceGroupName": RG, "workspaceNames": [f"mlw-bench-{i}" for i in range(min(units, 20))],
                        "storageAccountKey": "not-a-real-key" if units > 9 else ""}), _provider()]
    for i in range(units):
        resources.extend(_unit(i))
    return Capture(project=PROJECT, stack=STACK, resources=resources)


def _workspace_pair(i: int) -> tuple[Resource, Resource]:
    workspace, compute = _workspace_outputs(i), _compute_outputs(i)
    ws_urn = urn(f"{ML}:Workspace", f"mlw-{i}")
    return (_resource(f"{ML}:Workspace", f"mlw-{i}", workspace),
            _resource(f"{ML}:Compute", f"cpu-{i}", compute, {"workspaceName": [ws_urn]}))


def workspace_capture(n: int) -> Capture:
    resources = [_root({"resourceGroupName": RG}), _provider()]
    for i in range(n):
        resources.extend(_workspace_pair(i))
    return Capture(project=PROJECT, stack=STACK, resources=resources)


def workspace_export(n: int) -> dict[str, Any]:
    """``pulumi stack export`` (deployment version 3) of n workspaces, each with one compute."""
    return export(workspace_capture(n))


def export(capture: Capture) -> dict[str, Any]:
    """A capture as ``pulumi stack export`` (deployment version 3) writes it."""
    states: list[dict[str, Any]] = []
    for resource in capture.resources:
        state: dict[str, Any] = {"urn": resource.urn, "custom": resource.custom, "type": resource.type,
                                 "inputs": resource.inputs, "outputs": resource.outputs}
        if resource.id:
            state["id"] = resource.id
        if resource.parent:
            state["parent"] = resource.parent
        if resource.provider:
            state["provider"] = resource.provider
        if resource.dependencies:
            state["dependencies"] = resource.dependencies
        if resource.property_dependencies:
            state["propertyDependencies"] = resource.property_dependencies
        states.append(state)
    return {"version": 3, "deployment": {
        "manifest": {"time": "2026-01-01T00:00:00Z", "magic": "bench", "version": "v3.200.0"},
        "resources": states}}


def program_capture(n: int) -> Capture:
    """The resources of ``bench/program_limits.py``'s generated program of n resources (n/2
    workspaces, n/2 data versions, with the inputs it declares; outputs add the id), for the gate's
    state path on the same resources as its program path."""
    resources = [_root({"count": n}), _provider()]
    for i in range(n // 2):
        workspace = {"resourceGroupName": "rg", "workspaceName": f"ws{i}", "sku": {"name": "Basic"},
                     "identity": {"type": "SystemAssigned"}, "publicNetworkAccess": "Disabled"}
        data = {"resourceGroupName": "rg", "workspaceName": f"ws{i}", "name": "data", "version": "1",
                "properties": {"dataType": "uri_folder", "dataUri": "azureml://datastores/d/paths/p/"}}
        ws_id = arm_id("Microsoft.MachineLearningServices", "workspaces", f"ws{i}")
        resources.append(Resource(urn=urn(f"{ML}:Workspace", f"ws{i}"), type=f"{ML}:Workspace", name=f"ws{i}", id=ws_id,
                                  parent=ROOT_URN, provider=PROVIDER_REF, inputs=workspace, outputs={**workspace, "id": ws_id}))
        data_id = f"{ws_id}/data/data/versions/1"
        resources.append(Resource(urn=urn(f"{ML}:DataVersion", f"d{i}"), type=f"{ML}:DataVersion", name=f"d{i}", id=data_id,
                                  parent=ROOT_URN, provider=PROVIDER_REF, inputs=data, outputs={**data, "id": data_id}))
    return Capture(project=PROJECT, stack=STACK, resources=resources)


def arm_template(n: int) -> dict[str, Any]:
    """The same n workspaces and computes as an ARM template (what Checkov's arm framework scans)."""
    resources: list[dict[str, Any]] = []
    for i in range(n):
        settings = workspace_settings(i)
        name = f"mlw-bench-{i}"
        top = {k: settings.pop(k) for k in ("sku", "kind", "identity")}
        resources.append({
            "type": "Microsoft.MachineLearningServices/workspaces", "apiVersion": "2025-12-01", "name": name,
            "location": LOCATION, "tags": dict(TAGS), **top, "properties": settings,
        })
        resources.append({
            "type": "Microsoft.MachineLearningServices/workspaces/computes", "apiVersion": "2025-12-01",
            "name": f"{name}/cpu", "location": LOCATION, "identity": {"type": "SystemAssigned"},
            "dependsOn": [f"[resourceId('Microsoft.MachineLearningServices/workspaces', '{name}')]"],
            "properties": compute_settings(i),
        })
    return {"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
            "contentVersion": "1.0.0.0", "resources": resources}
