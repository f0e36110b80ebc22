"""registry-public-network-disabled: an Azure ML registry is not reachable from public networks."""

from __future__ import annotations

from pulumi_policy import EnforcementLevel, Severity

from ..core import frameworks as fw
from ..core.checks import ENABLED_DISABLED, enum_setting, fixed
from ..core.resources import registries as rg
from ..core.rule import ResourceRule
from ..core.samples import Sample

_AN2 = "azure-native:machinelearningservices/v20240401:Registry"

registry_public_network_disabled = ResourceRule(
    name="registry-public-network-disabled",
    title="Registries disable public network access",
    description="Azure ML registries must disable public network access; an absent setting counts as enabled.",
    details="Azure ML registries (the models, environments and components shared across workspaces) must not be "
    "reachable from public networks: publicNetworkAccess (flat in azure-native 3.x; registryProperties."
    "publicNetworkAccess in 2.x) must be Disabled, the registry then being reached through its private endpoints "
    "(registryPrivateEndpointConnections). An absent value is a violation: a registry is public unless the setting is "
    "Disabled (the REST API's own example leaves it as a placeholder). No Azure Policy built-in or Checkov check covers "
    "registries; the rule applies MCSB NS-2 as the workspace rule does. The classic provider has no registry.",
    severity=Severity.HIGH,
    level=EnforcementLevel.MANDATORY,
    security=True,
    remediation="Set the registry's publicNetworkAccess to Disabled (2.x: registryProperties.publicNetworkAccess) and "
    "reach it through a private endpoint to group id 'amlregistry'.",
    topics=("network",),
    frameworks=(fw.MCSB_NS2,),
    types=rg.TYPES,
    check=enum_setting(setting=rg.PUBLIC_NETWORK, allowed=fixed("Disabled"), absent="violation",
                       what="the registry must only be reachable privately", vocabulary=ENABLED_DISABLED),
    samples=(
        Sample("disabled", {"registryName": "shared", "publicNetworkAccess": "Disabled",
                            "regionDetails": [{"location": "westeurope"}]}),
        Sample("snake_case, case differs", {"public_network_access": "disabled"}),
        Sample("2.x default module", {"registryProperties": {"publicNetworkAccess": "Disabled"}},
               type="azure-native:machinelearningservices:Registry"),
        Sample("2.x versioned module", {"registryProperties": {"publicNetworkAccess": "Disabled"}}, type=_AN2),
        Sample("enabled", {"publicNetworkAccess": "Enabled"}, ("publicNetworkAccess is 'Enabled'",)),
        Sample("absent", {"registryName": "shared"}, ("publicNetworkAccess is not set (absent means Enabled",)),
        Sample("the REST API example's placeholder", {"publicNetworkAccess": "string"},
               ("publicNetworkAccess is a value outside the known set",)),
        Sample("2.x absent", {"registryProperties": {"regionDetails": [{"location": "westeurope"}]}},
               ("registryProperties.publicNetworkAccess is not set (absent means Enabled",), type=_AN2),
    ),
)
