"""Serverless endpoints (models as a service): callers authenticate with Entra ID, not keys
(serverless-endpoint-aad-auth)."""

from __future__ import annotations

from pulumi_policy import EnforcementLevel, Severity

from ..core import frameworks as fw
from ..core.checks import config_list, enum_setting
from ..core.options import strings
from ..core.resources import endpoints as ep
from ..core.rule import ResourceRule
from ..core.samples import Sample

_MODES = ("Key", "AAD", "KeyAndAAD")

serverless_endpoint_aad_auth = ResourceRule(
    name="serverless-endpoint-aad-auth",
    title="Serverless endpoints use Entra ID",
    description="Serverless endpoints must authenticate callers with an allowed mode (default: Microsoft Entra ID), not keys.",
    details="Serverless endpoints (models as a service) must authenticate callers with an allowed mode (default: AAD, "
    "Microsoft Entra ID only; KeyAndAAD still accepts keys): authMode in the body (properties in azure-native 3.x, "
    "whose API has Key, AAD and KeyAndAAD; serverlessEndpointProperties in 2.x, Key or AAD); an absent authMode is a "
    "violation (the API requires it). Keys are long-lived shared secrets anyone holding them can call the model "
    "with. The classic provider has no serverless endpoint.",
    severity=Severity.HIGH,
    level=EnforcementLevel.MANDATORY,
    security=True,
    remediation="Set the serverless endpoint's properties.authMode to AAD and grant callers a role with the endpoint's "
    "inference action, or add the mode to this policy's allowedAuthModes.",
    topics=("identity",),
    frameworks=(fw.MCSB_IM1,),
    types=ep.SERVERLESS_ENDPOINTS,
    options=(strings("allowedAuthModes", ["AAD"], "Authentication modes a serverless endpoint may use (AAD, KeyAndAAD, Key).",
                     enum=list(_MODES)),),
    check=enum_setting(setting=ep.AUTH_MODE, allowed=config_list("allowedAuthModes"), absent="violation",
                       what="callers must authenticate with an allowed mode", vocabulary=_MODES),
    samples=(
        Sample("entra id", {"workspaceName": "ws", "properties": {"authMode": "AAD", "modelSettings": {
            "modelId": "azureml://registries/azureml-meta/models/Llama-2-7b/versions/11"}}}),
        Sample("2.x, snake_case", {"serverlessEndpointProperties": {"auth_mode": "aad"}},
               type="azure-native:machinelearningservices/v20240401:ServerlessEndpoint"),
        Sample("keys and entra id, allowed by config", {"properties": {"authMode": "KeyAndAAD"}},
               config={"allowedAuthModes": ["AAD", "KeyAndAAD"]}),
        Sample("the REST API example: keys", {"properties": {"authMode": "Key", "contentSafety": {
            "contentSafetyStatus": "Enabled"}}}, ("properties.authMode is 'Key'",)),
        Sample("keys and entra id", {"properties": {"authMode": "KeyAndAAD"}}, ("properties.authMode is 'KeyAndAAD'",)),
        Sample("absent", {"properties": {"modelSettings": {"modelId": "m"}}}, ("properties.authMode is not set",)),
        Sample("2.x keys", {"serverlessEndpointProperties": {"authMode": "Key"}},
               ("serverlessEndpointProperties.authMode is 'Key'",), type="azure-native:machinelearningservices:ServerlessEndpoint"),
    ),
)
