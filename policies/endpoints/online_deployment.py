"""Online deployments: a pinned model from an allowed registry (online-deployment-model-pinned), no
public egress (online-deployment-no-public-egress), approved instance types and counts
(online-deployment-allowed-instances)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Final

from pulumi_policy import EnforcementLevel, Severity

from ..core import frameworks as fw
from ..core.checks import ENABLED_DISABLED, config_list, count_at_most, enum_setting, fixed
from ..core.messages import quote_size
from ..core.options import flag, integer, strings
from ..core.resources import endpoints as ep
from ..core.rule import SDK_ADVISORY, ResourceCheck, ResourceRule, Subject
from ..core.samples import Sample
from ..core.shape import read
from .references import environment, model_problems

_INSTANCE_TYPES: Final = ["Standard_DS3_v2", "Standard_DS4_v2", "Standard_D4s_v3", "Standard_D8s_v3", "Standard_E4s_v3",
                          "Standard_F4s_v2"]
def _model(subject: Subject) -> Iterator[str]:
    reading = read(subject.type, subject.props, ep.MODEL)
    if reading is not None:
        yield from model_problems(reading.path, reading.raw, subject.config)


_REG_MODEL = "azureml://registries/shared/models/fraud/versions/3"
_WS_MODEL = ("/subscriptions/s/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/ws/models/fraud/"
             "versions/3")


def _deployment(**properties: Any) -> dict[str, Any]:
    return {"endpointName": "ep", "workspaceName": "ws", "properties": {"endpointComputeType": "Managed", **properties}}


def _deployment_an2(**properties: Any) -> dict[str, Any]:
    """A managed deployment as azure-native 2.x spells it (its body under onlineDeploymentProperties)."""
    return {"endpointName": "ep", "workspaceName": "ws", "onlineDeploymentProperties": {
        "endpointComputeType": "Managed", **properties}}


online_deployment_model_pinned = ResourceRule(
    name="online-deployment-model-pinned",
    title="Online deployments serve pinned models",
    description="Online deployments must serve a pinned model version, from an allowed registry when allowedRegistries is set.",
    details="Online deployments must serve a pinned model version (and a pinned environment, when one is given), "
    "from an allowed registry when allowedRegistries is set: model and environmentId in the body (properties in "
    "azure-native 3.x, onlineDeploymentProperties in 2.x); an absent model is a violation unless requireModel is "
    "false (custom containers with a baked-in model).",
    severity=Severity.HIGH,
    level=EnforcementLevel.MANDATORY,
    remediation="Set properties.model to a versioned model (azureml:<name>:<version>, a versioned model id, or "
    "azureml://registries/<registry>/models/<name>/versions/<version>) and properties.environmentId to a versioned "
    "environment; never @latest or a label. With allowedRegistries set, register the model in one of those registries.",
    unknowns="A model or environment reference that is unknown during preview (built from another resource's output): "
    f"{SDK_ADVISORY}, after the known reference has been judged.",
    topics=("model-versioning",),
    frameworks=(fw.AZ_REGISTRY_MODELS_ONLY,),
    types=ep.DEPLOYMENTS,
    not_covered=ep.V1_VARIANTS,
    options=(
        strings("allowedRegistries", [], "Registries models must come from (compared case-insensitively). Empty: any registry "
                "or workspace model."),
        flag("requireModel", True, "Require properties.model (turn off for custom containers that carry their model)."),
    ),
    enforce={"allowedRegistries": ["azureml"]},
    check=(_model, environment),
    samples=(
        Sample("short form", _deployment(model="azureml:fraud:3", environmentId="azureml:sklearn-env:12")),
        Sample("2.x default module", _deployment_an2(model="azureml:fraud:3")),
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
        Sample("2.x latest", _deployment_an2(model="azureml:fraud:latest"),
               ("onlineDeploymentProperties.model names the version 'latest'",)),
    ),
)


_egress = enum_setting(setting=ep.EGRESS, allowed=fixed("Disabled"), absent="violation",
                       what="the deployment must not send traffic to the public internet", vocabulary=ENABLED_DISABLED)


def _managed(check: ResourceCheck) -> ResourceCheck:
    """``check`` on managed deployments only: a Kubernetes deployment runs on an attached cluster, whose
    instance types and network (egress included) are the cluster's business."""

    def run(subject: Subject) -> Iterator[str]:
        kind = read(subject.type, subject.props, ep.COMPUTE_KIND)
        value = kind.raw if kind is not None else None
        if not isinstance(value, str) or value.strip().lower() != "kubernetes":
            yield from check(subject)

    return run


online_deployment_no_public_egress = ResourceRule(
    name="online-deployment-no-public-egress",
    title="Online deployments have no public egress",
    description="Online deployments must disable public egress, which Azure enables when absent.",
    details="Managed online deployments must not reach the public internet: egressPublicNetworkAccess in the body "
    "(properties in azure-native 3.x, onlineDeploymentProperties in 2.x) must be Disabled; absent is a violation "
    "(Azure and the deployment Args classes default to Enabled). Kubernetes deployments (endpointComputeType "
    "Kubernetes) are not judged: they run on an attached cluster, whose egress is the cluster's network's business, "
    "as online-deployment-allowed-instances leaves their instance types to the cluster.",
    severity=Severity.MEDIUM,
    level=EnforcementLevel.MANDATORY,
    security=True,
    remediation="Set the deployment's properties.egressPublicNetworkAccess to Disabled; the deployment then reaches the "
    "workspace's storage, registry and key vault through private endpoints.",
    topics=("network",),
    frameworks=(fw.MCSB_NS2,),
    types=ep.DEPLOYMENTS,
    not_covered=ep.V1_VARIANTS,
    check=_managed(_egress),
    samples=(
        Sample("disabled", _deployment(egressPublicNetworkAccess="Disabled")),
        Sample("kubernetes: the cluster's business", {"properties": {"endpointComputeType": "Kubernetes",
                                                                     "egressPublicNetworkAccess": "Enabled"}}),
        Sample("2.x kubernetes, egress absent", {"onlineDeploymentProperties": {"endpoint_compute_type": "Kubernetes"}},
               type="azure-native:machinelearningservices/v20240401:OnlineDeployment"),
        Sample("2.x disabled", _deployment_an2(egressPublicNetworkAccess="Disabled"),
               type="azure-native:machinelearningservices/v20240401:OnlineDeployment"),
        Sample("snake_case", {"properties": {"egress_public_network_access": "Disabled"}}),
        Sample("enabled", _deployment(egressPublicNetworkAccess="Enabled"),
               ("properties.egressPublicNetworkAccess is 'Enabled'",)),
        Sample("absent (Args default Enabled)", _deployment(model="azureml:fraud:3"),
               ("properties.egressPublicNetworkAccess is not set",)),
        Sample("wrong type", _deployment(egressPublicNetworkAccess=0.0), ("egressPublicNetworkAccess is a number",)),
        Sample("2.x absent", _deployment_an2(model="azureml:fraud:3"),
               ("onlineDeploymentProperties.egressPublicNetworkAccess is not set (absent means Enabled",)),
    ),
)


_instance_type = enum_setting(setting=ep.INSTANCE_TYPE, allowed=config_list("allowedInstanceTypes"), absent="violation",
                              what="the deployment must use an approved instance type", quote=quote_size)


_managed_instance_type = _managed(_instance_type)  # Kubernetes deployments name instance types their cluster defines


def _instance_count(subject: Subject) -> Iterator[str]:
    # Absent: Azure runs one instance (sku.capacity) and TargetUtilization scales to at most 1.
    limit = subject.config["maxInstances"]
    for setting in (ep.CAPACITY, ep.MAX_INSTANCES):
        reading = read(subject.type, subject.props, setting)
        if reading is not None:
            yield from count_at_most(reading, limit, "maxInstances", "instances", "pass")


online_deployment_allowed_instances = ResourceRule(
    name="online-deployment-allowed-instances",
    title="Online deployments use approved instances",
    description="Online deployments must run on an approved instance type and within maxInstances.",
    details="Managed online deployments must run on an approved instance type (instanceType in the body: "
    "properties in azure-native 3.x, onlineDeploymentProperties in 2.x; absent is a violation, though 3.x's "
    "deployment Args classes fill Standard_F4s_v2), and every online deployment must stay within maxInstances "
    "(sku.capacity and TargetUtilization scaleSettings.maxInstances; absent means Azure's 1).",
    severity=Severity.MEDIUM,
    level=EnforcementLevel.ADVISORY,
    remediation="Set properties.instanceType to one of this policy's allowedInstanceTypes, and keep sku.capacity and "
    "properties.scaleSettings.maxInstances at or below maxInstances (or change the config).",
    topics=("resource-usage",),
    types=ep.DEPLOYMENTS,
    not_covered=ep.V1_VARIANTS,
    options=(
        strings("allowedInstanceTypes", _INSTANCE_TYPES, "Instance types a managed online deployment may use (compared "
                "case-insensitively)."),
        integer("maxInstances", 3, "Most instances a deployment may run (sku.capacity, scale-out maximum)."),
    ),
    check=(_managed_instance_type, _instance_count),
    samples=(
        Sample("default size, two instances", {**_deployment(instanceType="Standard_F4s_v2"), "sku": {"name": "Default",
                                                                                                      "capacity": 2.0}}),
        Sample("snake_case, case differs", {"properties": {"instance_type": "standard_ds3_v2"}}),
        Sample("2.x default module", {**_deployment_an2(instanceType="Standard_DS3_v2"), "sku": {"name": "Default",
                                                                                                  "capacity": 2}}),
        Sample("kubernetes instance type not judged", {"properties": {"endpointComputeType": "Kubernetes",
                                                                      "instanceType": "gpu-large"}}),
        Sample("autoscale within limit", _deployment(instanceType="Standard_DS3_v2",
                                                     scaleSettings={"scaleType": "TargetUtilization", "maxInstances": 3})),
        Sample("configured", {**_deployment(instanceType="Standard_NC6s_v3"), "sku": {"capacity": 8}},
               config={"allowedInstanceTypes": ["Standard_NC6s_v3"], "maxInstances": 8}),
        Sample("gpu size", _deployment(instanceType="Standard_ND96asr_v4"),
               ("properties.instanceType is 'Standard_ND96asr_v4'",)),
        Sample("absent type", _deployment(model="azureml:fraud:3"), ("properties.instanceType is not set",)),
        Sample("type wrong", _deployment(instanceType=["Standard_DS3_v2"]), ("properties.instanceType is a list",)),
        Sample("too many instances", {**_deployment(instanceType="Standard_DS3_v2"), "sku": {"capacity": 10.0}},
               ("sku.capacity exceeds the limit of 3 instances",)),
        Sample("autoscale too far", _deployment(instanceType="Standard_DS3_v2", scaleSettings={"maxInstances": 20}),
               ("scaleSettings.maxInstances exceeds the limit of 3 instances",)),
        Sample("capacity wrong type", {**_deployment(instanceType="Standard_DS3_v2"), "sku": {"capacity": "many"}},
               ("sku.capacity is a string, not a whole number",)),
        Sample("2.x gpu size quoted, no instance type in 2.x's Args", _deployment_an2(instanceType="Standard_NC6s_v3"),
               ("onlineDeploymentProperties.instanceType is 'Standard_NC6s_v3'",)),
        Sample("2.x autoscale too far", _deployment_an2(instanceType="Standard_DS3_v2", scaleSettings={
            "scaleType": "TargetUtilization", "maxInstances": 10}),
            ("onlineDeploymentProperties.scaleSettings.maxInstances exceeds the limit of 3 instances",)),
    ),
)
