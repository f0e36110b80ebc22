"""Online endpoints: callers authenticate with Entra ID tokens (online-endpoint-aad-auth) and the
endpoint is not reachable from the public internet (online-endpoint-no-public-access)."""

from __future__ import annotations

from pulumi_policy import EnforcementLevel, Severity

from ..core import frameworks as fw
from ..core.checks import ENABLED_DISABLED, config_list, enum_setting, fixed
from ..core.options import strings
from ..core.resources import endpoints as ep
from ..core.rule import ResourceRule
from ..core.samples import Sample

online_endpoint_aad_auth = ResourceRule(
    name="online-endpoint-aad-auth",
    title="Online endpoints use Entra ID tokens",
    description="Online endpoints must authenticate callers with an allowed mode (default: Microsoft Entra ID tokens), not keys.",
    details="Online endpoints must authenticate callers with an allowed mode (default: Microsoft Entra ID tokens, "
    "AADToken) instead of keys: authMode in the body (properties in azure-native 3.x, onlineEndpointProperties in 2.x, "
    "onlineEndpointDetails in 2.x's v20220201preview module); an absent authMode is a violation (the API requires it). "
    "The classic provider has no online endpoint.",
    severity=Severity.HIGH,
    level=EnforcementLevel.MANDATORY,
    security=True,
    remediation="Set the endpoint's properties.authMode to AADToken and grant callers the 'AzureML Data Scientist' role "
    "(or a custom role with the endpoint score action), or add the mode to this policy's allowedAuthModes config.",
    topics=("identity",),
    frameworks=(fw.MCSB_IM1,),
    types=ep.ENDPOINTS,
    not_covered=ep.V1_SERVICES,
    options=(strings("allowedAuthModes", ["AADToken"], "Authentication modes an online endpoint may use (AADToken, AMLToken, Key).",
                     enum=["AADToken", "AMLToken", "Key"]),),
    check=enum_setting(setting=ep.AUTH_MODE, allowed=config_list("allowedAuthModes"), absent="violation",
                       what="callers must authenticate with an allowed mode", vocabulary=("AMLToken", "Key", "AADToken")),
    samples=(
        Sample("entra tokens", {"properties": {"authMode": "AADToken", "publicNetworkAccess": "Disabled"}}),
        Sample("snake_case, case differs", {"properties": {"auth_mode": "aadtoken"}}),
        Sample("2.x versioned module", {"onlineEndpointProperties": {"authMode": "AADToken"}},
               type="azure-native:machinelearningservices/v20240401:OnlineEndpoint"),
        Sample("2.x default module", {"workspaceName": "ws", "onlineEndpointProperties": {
            "authMode": "AADToken", "publicNetworkAccess": "Disabled"}}),
        Sample("2.x module v20220201preview", {"onlineEndpointDetails": {"authMode": "AADToken"}},
               type="azure-native:machinelearningservices/v20220201preview:OnlineEndpoint"),
        Sample("aml tokens allowed by config", {"properties": {"authMode": "AMLToken"}},
               config={"allowedAuthModes": ["AADToken", "AMLToken"]}),
        Sample("keys", {"properties": {"authMode": "Key"}}, ("properties.authMode is 'Key'",)),
        Sample("aml token", {"properties": {"authMode": "AMLToken"}}, ("properties.authMode is 'AMLToken'",)),
        Sample("absent", {"properties": {"publicNetworkAccess": "Disabled"}}, ("properties.authMode is not set",)),
        Sample("no properties", {"workspaceName": "ws"}, ("properties.authMode is not set",)),
        Sample("wrong type", {"properties": {"authMode": True}}, ("properties.authMode is a boolean",)),
        Sample("free text not echoed", {"properties": {"authMode": "Token-9f8e"}}, ("a value outside the known set (not shown)",)),
        Sample("2.x keys", {"onlineEndpointProperties": {"authMode": "Key", "publicNetworkAccess": "Disabled"}},
               ("onlineEndpointProperties.authMode is 'Key'",)),
        Sample("2.x absent", {"onlineEndpointProperties": {"publicNetworkAccess": "Disabled"}},
               ("onlineEndpointProperties.authMode is not set",)),
    ),
)


online_endpoint_no_public_access = ResourceRule(
    name="online-endpoint-no-public-access",
    title="Online endpoints are not public",
    description="Online endpoints must disable public network access, which Azure enables when absent.",
    details="Online endpoints must not be reachable from the public internet: publicNetworkAccess in the body "
    "(properties in azure-native 3.x, onlineEndpointProperties in 2.x) must be Disabled; absent is a violation (Azure "
    "and the SDK's Args classes default to Enabled). The classic provider has no online endpoint.",
    severity=Severity.HIGH,
    level=EnforcementLevel.MANDATORY,
    security=True,
    remediation="Set the endpoint's properties.publicNetworkAccess to Disabled and reach it through the workspace's "
    "private endpoint.",
    topics=("network",),
    frameworks=(fw.MCSB_NS2,),
    types=ep.ENDPOINTS,
    not_covered=ep.V1_SERVICES,
    check=enum_setting(setting=ep.PUBLIC_NETWORK, allowed=fixed("Disabled"), absent="violation",
                       what="the endpoint must only be reachable privately", vocabulary=ENABLED_DISABLED),
    samples=(
        Sample("disabled", {"properties": {"authMode": "AADToken", "publicNetworkAccess": "Disabled"}}),
        Sample("snake_case, case differs", {"properties": {"public_network_access": "disabled"}}),
        Sample("2.x default module", {"onlineEndpointProperties": {"authMode": "AADToken", "publicNetworkAccess": "Disabled"}}),
        Sample("enabled", {"properties": {"publicNetworkAccess": "Enabled"}}, ("properties.publicNetworkAccess is 'Enabled'",)),
        Sample("2.x absent (Azure's default Enabled)", {"onlineEndpointProperties": {"authMode": "AADToken"}},
               ("onlineEndpointProperties.publicNetworkAccess is not set (absent means Enabled",),
               type="azure-native:machinelearningservices/v20240401:OnlineEndpoint"),
        Sample("absent (Args default Enabled)", {"properties": {"authMode": "AADToken"}},
               ("properties.publicNetworkAccess is not set",)),
        Sample("wrong type", {"properties": {"publicNetworkAccess": False}}, ("properties.publicNetworkAccess is a boolean",)),
    ),
)
