"""Batch endpoints and deployments: callers authenticate with Entra ID tokens (batch-endpoint-aad-auth)
and a deployment scores with a pinned model or component (batch-deployment-model-pinned). A batch
endpoint has no network setting of its own: it is reached through its workspace, whose public access
and private endpoint the workspace rules judge."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from ..core import frameworks as fw
from ..core import props as p
from ..core.checks import config_list, enum_setting
from ..core.options import flag, strings
from ..core.refs import pin_problem
from ..core.resources import endpoints as ep
from ..core.rule import SDK_ADVISORY, ResourceRule, Subject
from ..core.samples import Sample
from ..core.shape import read
from .references import environment, model_problems

_AN2_ENDPOINT = "azure-native:machinelearningservices/v20240401:BatchEndpoint"
_AN2_DEPLOYMENT = "azure-native:machinelearningservices/v20240401:BatchDeployment"

batch_endpoint_aad_auth = ResourceRule(
    name="batch-endpoint-aad-auth",
    title="Batch endpoints use Entra ID tokens",
    description="Batch endpoints must authenticate callers with an allowed mode (default: Microsoft Entra ID tokens), not keys.",
    details="Batch endpoints must authenticate callers with an allowed mode (default: Microsoft Entra ID tokens, "
    "AADToken; Azure ML's batch endpoints accept only those, though the API's EndpointAuthMode also lists AMLToken and "
    "Key): authMode in the body (properties in azure-native 3.x, batchEndpointProperties in 2.x, batchEndpointDetails "
    "in 2.x's v20220201preview module); an absent authMode is a violation (the API requires it). A batch endpoint has "
    "no publicNetworkAccess (in neither version): it is reached through its workspace, which "
    "workspace-public-network-disabled and workspace-private-endpoint judge. The classic provider has no batch endpoint.",
    severity=Severity.HIGH,
    level=EnforcementLevel.MANDATORY,
    security=True,
    remediation="Set the batch endpoint's properties.authMode to AADToken and grant callers a role with the batch "
    "endpoint's score action (e.g. 'AzureML Data Scientist'), or add the mode to this policy's allowedAuthModes.",
    topics=("identity",),
    frameworks=(fw.MCSB_IM1,),
    types=ep.BATCH_ENDPOINTS,
    options=(strings("allowedAuthModes", ["AADToken"], "Authentication modes a batch endpoint may use (AADToken, AMLToken, Key).",
                     enum=["AADToken", "AMLToken", "Key"]),),
    check=enum_setting(setting=ep.AUTH_MODE, allowed=config_list("allowedAuthModes"), absent="violation",
                       what="callers must authenticate with an allowed mode", vocabulary=("AMLToken", "Key", "AADToken")),
    samples=(
        Sample("entra tokens", {"workspaceName": "ws", "properties": {"authMode": "AADToken",
                                                                      "defaults": {"deploymentName": "blue"}}}),
        Sample("2.x default module, snake_case", {"batchEndpointProperties": {"auth_mode": "aadtoken"}},
               type="azure-native:machinelearningservices:BatchEndpoint"),
        Sample("2.x versioned module", {"batchEndpointProperties": {"authMode": "AADToken"}}, type=_AN2_ENDPOINT),
        Sample("2.x module v20220201preview", {"batchEndpointDetails": {"authMode": "AADToken"}},
               type="azure-native:machinelearningservices/v20220201preview:BatchEndpoint"),
        Sample("the REST API example: AML tokens", {"properties": {"authMode": "AMLToken"}},
               ("properties.authMode is 'AMLToken'",)),
        Sample("keys", {"properties": {"authMode": "Key"}}, ("properties.authMode is 'Key'",)),
        Sample("absent", {"properties": {"defaults": {"deploymentName": "blue"}}}, ("properties.authMode is not set",)),
        Sample("2.x keys", {"batchEndpointProperties": {"authMode": "Key"}}, ("batchEndpointProperties.authMode is 'Key'",),
               type=_AN2_ENDPOINT),
    ),
)


def _model(subject: Subject) -> Iterator[str]:
    reading = read(subject.type, subject.props, ep.MODEL)
    component = read(subject.type, subject.props, ep.BATCH_COMPONENT)
    if reading is None:
        return
    if reading.absent and component is not None and not component.absent:
        return  # a pipeline component deployment scores with its component (judged below)
    yield from model_problems(reading.path, reading.raw, subject.config)


def _component(subject: Subject) -> Iterator[str]:
    reading = read(subject.type, subject.props, ep.BATCH_COMPONENT)
    if reading is None or reading.absent:
        return
    if not isinstance(reading.raw, str):
        yield f"{reading.path} is {p.type_name(reading.raw)}, not a component reference."
    elif problem := pin_problem(reading.path, reading.raw, "components", "pin it (azureml:<name>:<version> or a versioned "
                                "component id)", "does not point to a component asset"):
        yield problem


def _deployment(**properties: Any) -> dict[str, Any]:
    return {"endpointName": "batch", "workspaceName": "ws", "properties": {
        "compute": "azureml:cpu-cluster", "outputAction": "AppendRow", **properties}}


def _id_model(asset_id: Any) -> dict[str, Any]:
    return {"referenceType": "Id", "assetId": asset_id}


_WS_MODEL = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/ws/models/fraud/versions/3"

batch_deployment_model_pinned = ResourceRule(
    name="batch-deployment-model-pinned",
    title="Batch deployments score with pinned models",
    description="Batch deployments must score with a pinned model (or component) version, from an allowed registry when set.",
    details="Batch deployments must score with a registered model by a pinned version: model in the body (properties "
    "in azure-native 3.x, batchDeploymentProperties in 2.x) is an asset reference of referenceType Id whose assetId is "
    "a pinned model version (azureml:<name>:<version>, a versioned model id, a registry model version), from an "
    "allowed registry when allowedRegistries is set; a DataPath or OutputPath reference (a storage or job output "
    "path) is a violation, as is an absent model unless requireModel is false or the deployment is a 3.x pipeline "
    "component deployment, whose deploymentConfiguration.componentId.assetId must be a pinned component version. "
    "The environment, when given, must be pinned too. The classic provider has no batch deployment.",
    severity=Severity.HIGH,
    level=EnforcementLevel.MANDATORY,
    remediation="Set properties.model to {referenceType: Id, assetId: <a versioned model id or azureml:<name>:<version>>} "
    "(never @latest, a label or a storage path) and properties.environmentId to a versioned environment; with "
    "allowedRegistries set, register the model in one of those registries.",
    unknowns="A model, component or environment reference unknown during preview (built from another resource's "
    f"output): {SDK_ADVISORY}, after the known references have been judged.",
    topics=("model-versioning",),
    frameworks=(fw.AZ_REGISTRY_MODELS_ONLY,),
    types=ep.BATCH_DEPLOYMENTS,
    options=(
        strings("allowedRegistries", [], "Registries models must come from (compared case-insensitively). Empty: any registry "
                "or workspace model."),
        flag("requireModel", True, "Require properties.model (turn off for deployments whose scoring script carries its model)."),
    ),
    enforce={"allowedRegistries": ["azureml"]},
    check=(_model, _component, environment),
    samples=(
        Sample("model by versioned id", _deployment(model=_id_model(_WS_MODEL), environmentId="azureml:sklearn:3")),
        Sample("registry model, allowed", _deployment(model=_id_model("azureml://registries/shared/models/fraud/versions/2")),
               config={"allowedRegistries": ["shared"]}),
        Sample("2.x default module, snake_case", {"batchDeploymentProperties": {
            "model": {"reference_type": "Id", "asset_id": "azureml:fraud:3"}}},
            type="azure-native:machinelearningservices:BatchDeployment"),
        Sample("pipeline component deployment", _deployment(deploymentConfiguration={
            "deploymentConfigurationType": "PipelineComponent", "componentId": {"referenceType": "Id",
                                                                              "assetId": "azureml:score-pipeline:2"}})),
        Sample("no model, allowed by config", _deployment(), config={"requireModel": False}),
        Sample("the REST API example: an unversioned asset id", _deployment(model=_id_model("string")),
               ("properties.model.assetId is not a recognised Azure ML asset reference",)),
        Sample("latest", _deployment(model=_id_model("azureml:fraud:latest")), ("properties.model.assetId names the version 'latest'",)),
        Sample("data path", _deployment(model={"referenceType": "DataPath", "datastoreId": "azureml:workspaceblobstore",
                                               "path": "models/fraud.pkl"}),
               ("properties.model is 'DataPath': a storage or job output path",)),
        Sample("absent", _deployment(), ("properties.model is not set",)),
        Sample("unpinned component", _deployment(deploymentConfiguration={
            "deploymentConfigurationType": "PipelineComponent", "componentId": {"assetId": "azureml:score-pipeline@latest"}}),
            ("deploymentConfiguration.componentId.assetId names a label",)),
        Sample("environment unpinned", _deployment(model=_id_model(_WS_MODEL), environmentId="azureml:sklearn@latest"),
               ("properties.environmentId names a label",)),
        Sample("2.x output path", {"batchDeploymentProperties": {"model": {"referenceType": "OutputPath", "jobId": "j",
                                                                           "path": "outputs/model"}}},
               ("batchDeploymentProperties.model is 'OutputPath'",), type=_AN2_DEPLOYMENT),
        Sample("2.x module v20220201preview, a label", {"batchDeploymentDetails": {
            "model": {"referenceType": "Id", "assetId": "azureml:fraud@latest"}}},
            ("batchDeploymentDetails.model.assetId names a label",),
            type="azure-native:machinelearningservices/v20220201preview:BatchDeployment"),
    ),
)
