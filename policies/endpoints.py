"""Rules on Azure ML online endpoints and deployments (azure-native only: the classic provider has
no online endpoint resource), and on the compute a featureset's materialisation runs on.

Absent values: ``OnlineEndpointPropertiesArgs`` fills ``publicNetworkAccess=Enabled`` and the
deployment ``*Args`` classes fill ``egressPublicNetworkAccess=Enabled`` and
``instanceType=Standard_F4s_v2``; plain dicts fill none. Each rule says how it treats absence.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from . import props as p
from . import types as t
from .checks import config_list, enum_setting, fixed
from .compute import count_at_most
from .messages import quote_known
from .refs import AssetRef, parse_ref
from .rule import Framework, Option, ResourceRule, Sample, Subject
from .types import ONLINE_DEPLOYMENT, ONLINE_ENDPOINT

_NS2 = Framework("MCSB", "NS-2", "Secure cloud native services with network controls")
_UNKNOWN_ADVISORY = "An unknown value during preview: the SDK's advisory 'can't run policy' diagnostic; judged at `pulumi up`."
_ENABLED_DISABLED = ("Enabled", "Disabled")
_INSTANCE_TYPES = ["Standard_DS3_v2", "Standard_DS4_v2", "Standard_D4s_v3", "Standard_D8s_v3", "Standard_E4s_v3", "Standard_F4s_v2"]

# ---------------------------------------------------------------------------------------------
# online-endpoint-aad-auth
# ---------------------------------------------------------------------------------------------

online_endpoint_aad_auth = ResourceRule(
    name="online-endpoint-aad-auth",
    description="Online endpoints must authenticate callers with an allowed mode (default: Microsoft Entra ID tokens, "
    "AADToken) instead of keys; an absent properties.authMode is a violation (the API requires it).",
    severity=Severity.HIGH,
    level=EnforcementLevel.MANDATORY,
    security=True,
    remediation="Set the endpoint's properties.authMode to AADToken and grant callers the 'AzureML Data Scientist' role "
    "(or a custom role with the endpoint score action), or add the mode to this policy's allowedAuthModes config.",
    unknowns=_UNKNOWN_ADVISORY,
    topics=("identity",),
    frameworks=(Framework("MCSB", "IM-1", "Use centralized identity and authentication system"),),
    types=(ONLINE_ENDPOINT,),
    options=(
        Option("allowedAuthModes", {
            "type": "array", "items": {"type": "string", "enum": ["AADToken", "AMLToken", "Key"]}, "default": ["AADToken"],
            "description": "Authentication modes an online endpoint may use (AADToken, AMLToken, Key).",
        }),
    ),
    check=enum_setting(path="properties.authMode", allowed=config_list("allowedAuthModes"), absent="violation",
                       what="callers must authenticate with an allowed mode", vocabulary=("AMLToken", "Key", "AADToken")),
    samples=(
        Sample("entra tokens", {"properties": {"authMode": "AADToken", "publicNetworkAccess": "Disabled"}}),
        Sample("snake_case, case differs", {"properties": {"auth_mode": "aadtoken"}}),
        Sample("versioned token", {"properties": {"authMode": "AADToken"}},
               type="azure-native:machinelearningservices/v20240401:OnlineEndpoint"),
        Sample("aml tokens allowed by config", {"properties": {"authMode": "AMLToken"}},
               config={"allowedAuthModes": ["AADToken", "AMLToken"]}),
        Sample("keys", {"properties": {"authMode": "Key"}}, ("properties.authMode is 'Key'",)),
        Sample("aml token", {"properties": {"authMode": "AMLToken"}}, ("properties.authMode is 'AMLToken'",)),
        Sample("absent", {"properties": {"publicNetworkAccess": "Disabled"}}, ("properties.authMode is not set",)),
        Sample("no properties", {"workspaceName": "ws"}, ("properties.authMode is not set",)),
        Sample("wrong type", {"properties": {"authMode": True}}, ("properties.authMode is a boolean",)),
        Sample("free text not echoed", {"properties": {"authMode": "Token-9f8e"}}, ("a value outside the known set (not shown)",)),
    ),
)

# ---------------------------------------------------------------------------------------------
# online-endpoint-no-public-access
# ---------------------------------------------------------------------------------------------

online_endpoint_no_public_access = ResourceRule(
    name="online-endpoint-no-public-access",
    description="Online endpoints must not be reachable from the public internet: properties.publicNetworkAccess must be "
    "Disabled; absent is a violation (Azure and OnlineEndpointPropertiesArgs default to Enabled).",
    severity=Severity.HIGH,
    level=EnforcementLevel.MANDATORY,
    security=True,
    remediation="Set the endpoint's properties.publicNetworkAccess to Disabled and reach it through the workspace's "
    "private endpoint.",
    unknowns=_UNKNOWN_ADVISORY,
    topics=("network",),
    frameworks=(_NS2,),
    types=(ONLINE_ENDPOINT,),
    check=enum_setting(path="properties.publicNetworkAccess", allowed=fixed("Disabled"), absent="violation",
                       what="the endpoint must only be reachable privately", vocabulary=_ENABLED_DISABLED),
    samples=(
        Sample("disabled", {"properties": {"authMode": "AADToken", "publicNetworkAccess": "Disabled"}}),
        Sample("snake_case, case differs", {"properties": {"public_network_access": "disabled"}}),
        Sample("enabled", {"properties": {"publicNetworkAccess": "Enabled"}}, ("properties.publicNetworkAccess is 'Enabled'",)),
        Sample("absent (Args default Enabled)", {"properties": {"authMode": "AADToken"}},
               ("properties.publicNetworkAccess is not set",)),
        Sample("wrong type", {"properties": {"publicNetworkAccess": False}}, ("properties.publicNetworkAccess is a boolean",)),
    ),
)

# ---------------------------------------------------------------------------------------------
# online-deployment-model-pinned
# ---------------------------------------------------------------------------------------------

_REGISTRY_IN_PREFIX = re.compile(r"/registries/([^/]+)$", re.IGNORECASE)
_PIN_HINT = "azureml:<name>:<version> or azureml://registries/<registry>/models/<name>/versions/<version>"


def registry_of(ref: AssetRef) -> str | None:
    """The registry a remote reference points into (``azureml://registries/<r>/...`` or an ARM
    ``.../registries/<r>/...`` id), else None."""
    match = _REGISTRY_IN_PREFIX.search(ref.prefix or "") if ref.scope == "remote" else None
    return match.group(1) if match else None


def _model(subject: Subject) -> Iterator[str]:
    path = "properties.model"
    value = p.get(subject.props, path)
    if value is p.MISSING or value is None:
        if subject.config["requireModel"] is True:
            yield f"{path} is not set; deploy a registered model by a pinned version ({_PIN_HINT})."
        return
    if not isinstance(value, str):
        yield f"{path} is {p.type_name(value)}, not a model reference."
        return
    ref = parse_ref(value)
    if not ref.pinned:
        yield f"{path} {ref.problem}; pin it ({_PIN_HINT})."
        return
    if ref.asset_type not in (None, "models"):
        yield f"{path} does not point to a model asset."
        return
    yield from _registry(ref, [r for r in subject.config["allowedRegistries"] if isinstance(r, str) and r.strip()])


def _registry(ref: AssetRef, allowed: list[str]) -> Iterator[str]:
    if not allowed:
        return
    listing = ", ".join(allowed)
    registry = registry_of(ref)
    if registry is None:
        yield (f"properties.model is not a registry model; allowedRegistries requires "
               f"azureml://registries/<registry>/models/<name>/versions/<version> (allowed: {listing}).")
    elif registry.lower() not in {a.strip().lower() for a in allowed}:
        yield f"properties.model comes from a registry outside allowedRegistries (allowed: {listing})."


def _environment(subject: Subject) -> Iterator[str]:
    path = "properties.environmentId"
    value = p.get(subject.props, path)
    if value is p.MISSING or value is None:
        return  # optional: a deployment of an MLflow model needs no environment
    if not isinstance(value, str):
        yield f"{path} is {p.type_name(value)}, not an environment reference."
        return
    ref = parse_ref(value)
    if not ref.pinned:
        yield f"{path} {ref.problem}; pin it (azureml:<name>:<version> or a versioned environment id)."
    elif ref.asset_type not in (None, "environments"):
        yield f"{path} does not point to an environment asset."


_REG_MODEL = "azureml://registries/shared/models/fraud/versions/3"
_WS_MODEL = ("/subscriptions/s/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/ws/models/fraud/"
             "versions/3")


def _deployment(**properties: Any) -> dict[str, Any]:
    return {"endpointName": "ep", "workspaceName": "ws", "properties": {"endpointComputeType": "Managed", **properties}}


online_deployment_model_pinned = ResourceRule(
    name="online-deployment-model-pinned",
    description="Online deployments must serve a pinned model version (and a pinned environment, when one is given), "
    "from an allowed registry when allowedRegistries is set; an absent model is a violation unless requireModel is "
    "false (custom containers with a baked-in model).",
    severity=Severity.HIGH,
    level=EnforcementLevel.MANDATORY,
    remediation="Set properties.model to a versioned model (azureml:<name>:<version>, a versioned model id, or "
    "azureml://registries/<registry>/models/<name>/versions/<version>) and properties.environmentId to a versioned "
    "environment; never @latest or a label. With allowedRegistries set, register the model in one of those registries.",
    unknowns="A model or environment reference that is unknown during preview (built from another resource's output): "
    "the SDK's advisory 'can't run policy' diagnostic, after the known reference has been judged.",
    topics=("model-versioning",),
    frameworks=(Framework("Azure Policy", "19539b54-c61e-4196-9a38-67598701be90",
                          "[Preview]: Azure Machine Learning Model Registry Deployments are restricted except for the "
                          "allowed Registry"),),
    types=(ONLINE_DEPLOYMENT,),
    options=(
        Option("allowedRegistries", {
            "type": "array", "items": {"type": "string"}, "default": [],
            "description": "Registries models must come from (compared case-insensitively). Empty: any registry or "
            "workspace model.",
        }),
        Option("requireModel", {
            "type": "boolean", "default": True,
            "description": "Require properties.model (turn off for custom containers that carry their model).",
        }),
    ),
    check=(_model, _environment),
    samples=(
        Sample("short form", _deployment(model="azureml:fraud:3", environmentId="azureml:sklearn-env:12")),
        Sample("workspace model id", _deployment(model=_WS_MODEL)),
        Sample("registry model, allowed", _deployment(model=_REG_MODEL), config={"allowedRegistries": ["Shared"]}),
        Sample("ARM registry id, allowed", _deployment(
            model="/subscriptions/s/resourceGroups/rg/providers/Microsoft.MachineLearningServices/registries/shared/models/"
                  "fraud/versions/3"), config={"allowedRegistries": ["shared"]}),
        Sample("snake_case, kubernetes", {"properties": {"endpoint_compute_type": "Kubernetes", "model": "azureml:fraud:1",
                                                         "environment_id": "azureml://registries/azureml/environments/"
                                                                           "sklearn-1.5/versions/4"}}),
        Sample("custom container without model", _deployment(environmentId="azureml:triton:2"), config={"requireModel": False}),
        Sample("latest", _deployment(model="azureml:fraud:latest"), ("properties.model names the version 'latest'",)),
        Sample("label", _deployment(model="azureml:fraud@production"), ("properties.model names a label",)),
        Sample("no version", _deployment(model="azureml://registries/shared/models/fraud"), ("names no version",)),
        Sample("storage path", _deployment(model="https://acct.blob.core.windows.net/models/fraud.pkl"),
               ("storage or datastore path",)),
        Sample("not a model", _deployment(model="azureml://registries/shared/data/fraud/versions/1"),
               ("does not point to a model asset",)),
        Sample("absent", _deployment(instanceType="Standard_DS3_v2"), ("properties.model is not set",)),
        Sample("wrong type", _deployment(model=3.0), ("properties.model is a number",)),
        Sample("workspace model, registries required", _deployment(model="azureml:fraud:3"), ("is not a registry model",),
               config={"allowedRegistries": ["shared"]}),
        Sample("other registry", _deployment(model=_REG_MODEL), ("from a registry outside allowedRegistries",),
               config={"allowedRegistries": ["central"]}),
        Sample("environment unpinned", _deployment(model="azureml:fraud:3", environmentId="azureml:sklearn-env@latest"),
               ("properties.environmentId names a label",)),
        Sample("environment not an environment", _deployment(
            model="azureml:fraud:3", environmentId="azureml://registries/shared/models/fraud/versions/3"),
            ("does not point to an environment asset",)),
        Sample("both wrong", _deployment(model="azureml:fraud", environmentId=""), ("names no version", "is empty")),
    ),
)

# ---------------------------------------------------------------------------------------------
# online-deployment-no-public-egress
# ---------------------------------------------------------------------------------------------

online_deployment_no_public_egress = ResourceRule(
    name="online-deployment-no-public-egress",
    description="Online deployments must not reach the public internet: properties.egressPublicNetworkAccess must be "
    "Disabled; absent is a violation (Azure and the deployment Args classes default to Enabled).",
    severity=Severity.MEDIUM,
    level=EnforcementLevel.MANDATORY,
    security=True,
    remediation="Set the deployment's properties.egressPublicNetworkAccess to Disabled; the deployment then reaches the "
    "workspace's storage, registry and key vault through private endpoints.",
    unknowns=_UNKNOWN_ADVISORY,
    topics=("network",),
    frameworks=(_NS2,),
    types=(ONLINE_DEPLOYMENT,),
    check=enum_setting(path="properties.egressPublicNetworkAccess", allowed=fixed("Disabled"), absent="violation",
                       what="the deployment must not send traffic to the public internet", vocabulary=_ENABLED_DISABLED),
    samples=(
        Sample("disabled", _deployment(egressPublicNetworkAccess="Disabled")),
        Sample("snake_case", {"properties": {"egress_public_network_access": "Disabled"}}),
        Sample("enabled", _deployment(egressPublicNetworkAccess="Enabled"),
               ("properties.egressPublicNetworkAccess is 'Enabled'",)),
        Sample("absent (Args default Enabled)", _deployment(model="azureml:fraud:3"),
               ("properties.egressPublicNetworkAccess is not set",)),
        Sample("wrong type", _deployment(egressPublicNetworkAccess=0.0), ("egressPublicNetworkAccess is a number",)),
    ),
)

# ---------------------------------------------------------------------------------------------
# online-deployment-allowed-instances
# ---------------------------------------------------------------------------------------------

_instance_type = enum_setting(path="properties.instanceType", allowed=config_list("allowedInstanceTypes"), absent="violation",
                              what="the deployment must use an approved instance type")


def _managed_instance_type(subject: Subject) -> Iterator[str]:
    # Kubernetes deployments name instance types their cluster defines; only managed ones are judged.
    kind = p.get_str(subject.props, "properties.endpointComputeType")
    if kind is None or kind.strip().lower() == "managed":
        yield from _instance_type(subject)


def _instance_count(subject: Subject) -> Iterator[str]:
    # Absent: Azure runs one instance (sku.capacity) and TargetUtilization scales to at most 1.
    limit = subject.config["maxInstances"]
    yield from count_at_most(subject.props, "sku.capacity", limit, "maxInstances", "instances", "pass")
    yield from count_at_most(subject.props, "properties.scaleSettings.maxInstances", limit, "maxInstances", "instances", "pass")


online_deployment_allowed_instances = ResourceRule(
    name="online-deployment-allowed-instances",
    description="Managed online deployments must run on an approved instance type (absent is a violation, though the "
    "deployment Args classes fill Standard_F4s_v2), and every online deployment must stay within maxInstances "
    "(sku.capacity and TargetUtilization scaleSettings.maxInstances; absent means Azure's 1).",
    severity=Severity.MEDIUM,
    level=EnforcementLevel.ADVISORY,
    remediation="Set properties.instanceType to one of this policy's allowedInstanceTypes, and keep sku.capacity and "
    "properties.scaleSettings.maxInstances at or below maxInstances (or change the config).",
    unknowns=_UNKNOWN_ADVISORY,
    topics=("resource-usage",),
    types=(ONLINE_DEPLOYMENT,),
    options=(
        Option("allowedInstanceTypes", {
            "type": "array", "items": {"type": "string"}, "default": _INSTANCE_TYPES,
            "description": "Instance types a managed online deployment may use (compared case-insensitively).",
        }),
        Option("maxInstances", {"type": "integer", "default": 3,
                                "description": "Most instances a deployment may run (sku.capacity, scale-out maximum)."}),
    ),
    check=(_managed_instance_type, _instance_count),
    samples=(
        Sample("default size, two instances", {**_deployment(instanceType="Standard_F4s_v2"), "sku": {"name": "Default",
                                                                                                      "capacity": 2.0}}),
        Sample("snake_case, case differs", {"properties": {"instance_type": "standard_ds3_v2"}}),
        Sample("kubernetes instance type not judged", {"properties": {"endpointComputeType": "Kubernetes",
                                                                      "instanceType": "gpu-large"}}),
        Sample("autoscale within limit", _deployment(instanceType="Standard_DS3_v2",
                                                     scaleSettings={"scaleType": "TargetUtilization", "maxInstances": 3})),
        Sample("configured", {**_deployment(instanceType="Standard_NC6s_v3"), "sku": {"capacity": 8}},
               config={"allowedInstanceTypes": ["Standard_NC6s_v3"], "maxInstances": 8}),
        Sample("gpu size", _deployment(instanceType="Standard_ND96asr_v4"),
               ("properties.instanceType is a value outside the known set (not shown)",)),
        Sample("absent type", _deployment(model="azureml:fraud:3"), ("properties.instanceType is not set",)),
        Sample("type wrong", _deployment(instanceType=["Standard_DS3_v2"]), ("properties.instanceType is a list",)),
        Sample("too many instances", {**_deployment(instanceType="Standard_DS3_v2"), "sku": {"capacity": 10.0}},
               ("sku.capacity exceeds the limit of 3 instances",)),
        Sample("autoscale too far", _deployment(instanceType="Standard_DS3_v2", scaleSettings={"maxInstances": 20}),
               ("scaleSettings.maxInstances exceeds the limit of 3 instances",)),
        Sample("capacity wrong type", {**_deployment(instanceType="Standard_DS3_v2"), "sku": {"capacity": "many"}},
               ("sku.capacity is a string, not a whole number",)),
    ),
)

# ---------------------------------------------------------------------------------------------
# featureset-materialization-limits
# ---------------------------------------------------------------------------------------------

_STORE_TYPES = ("None", "Online", "Offline", "OnlineAndOffline")


def _materialization(subject: Subject) -> Iterator[str]:
    base = "properties.materializationSettings"
    settings = p.get(subject.props, base)
    if settings is p.MISSING or settings is None:
        return  # not materialised
    if not isinstance(settings, Mapping):
        yield f"{base} is {p.type_name(settings)}, not materialisation settings."
        return
    allowed = [a for a in subject.config["allowedInstanceTypes"] if isinstance(a, str)]
    listing = ", ".join(allowed) or "none"
    path = f"{base}.resource.instanceType"
    instance = p.get(subject.props, path)
    if instance is p.MISSING or instance is None:
        store = p.get(subject.props, f"{base}.storeType")
        if isinstance(store, str) and store.strip().lower() != "none":
            yield (f"{base}.storeType is {quote_known(store, _STORE_TYPES)} (materialisation on) but {path} is not set; "
                   f"choose an allowed instance type (allowed: {listing}).")
    elif not isinstance(instance, str):
        yield f"{path} is {p.type_name(instance)}; allowed: {listing}."
    elif instance.strip().lower() not in {a.lower() for a in allowed}:
        yield f"{path} is {quote_known(instance, allowed)}; materialisation must use an allowed instance type (allowed: {listing})."


def _fs_version(**settings: Any) -> dict[str, Any]:
    return {"name": "txn", "version": "1", "workspaceName": "fs", "properties": {
        "specification": {"path": "azureml://datastores/workspaceblobstore/paths/featuresets/txn"},
        "materializationSettings": settings}}


featureset_materialization_limits = ResourceRule(
    name="featureset-materialization-limits",
    description="Featureset materialisation must run on an approved Spark instance type "
    "(materializationSettings.resource.instanceType); absent materialisation settings are fine (nothing is "
    "materialised), but materialisation switched on (storeType other than None) without an instance type is a "
    "violation. sparkConfiguration is free-form and not judged.",
    severity=Severity.LOW,
    level=EnforcementLevel.ADVISORY,
    remediation="Set properties.materializationSettings.resource.instanceType to one of this policy's "
    "allowedInstanceTypes, or add the type to that list.",
    unknowns=_UNKNOWN_ADVISORY,
    topics=("resource-usage",),
    types=(t.FEATURESET_VERSION,),
    options=(
        Option("allowedInstanceTypes", {
            "type": "array", "items": {"type": "string"}, "default": ["standard_e4s_v3", "standard_e8s_v3"],
            "description": "Serverless Spark instance types materialisation may use (compared case-insensitively).",
        }),
    ),
    check=_materialization,
    samples=(
        Sample("not materialised", {"name": "txn", "version": "1", "properties": {"entities": ["azureml:customer:1"]}}),
        Sample("allowed type", _fs_version(storeType="Offline", resource={"instanceType": "standard_e8s_v3"},
                                           sparkConfiguration={"spark.driver.cores": "4"})),
        Sample("snake_case, case differs", {"properties": {"materialization_settings": {
            "store_type": "Online", "resource": {"instance_type": "Standard_E4s_v3"}}}}),
        Sample("store off, no resource (Args default)", _fs_version(storeType="None")),
        Sample("configured", _fs_version(resource={"instanceType": "standard_e16s_v3"}),
               config={"allowedInstanceTypes": ["standard_e16s_v3"]}),
        Sample("large type", _fs_version(storeType="OnlineAndOffline", resource={"instanceType": "standard_e64s_v3"}),
               ("resource.instanceType is a value outside the known set (not shown)",)),
        Sample("on without a type", _fs_version(storeType="Offline", schedule={"frequency": "Day", "interval": 1.0}),
               ("storeType is 'Offline' (materialisation on) but properties.materializationSettings.resource.instanceType "
                "is not set",)),
        Sample("wrong type", _fs_version(storeType="Online", resource={"instanceType": 8.0}), ("instanceType is a number",)),
        Sample("settings wrong type", {"properties": {"materializationSettings": "Offline"}},
               ("materializationSettings is a string, not materialisation settings",)),
    ),
)

RULES = (
    online_endpoint_aad_auth,
    online_endpoint_no_public_access,
    online_deployment_model_pinned,
    online_deployment_no_public_egress,
    online_deployment_allowed_instances,
    featureset_materialization_limits,
)
