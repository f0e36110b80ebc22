"""ml-allowed-locations: ML resources with a location of their own are in an allowed region."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from pulumi_policy import EnforcementLevel, Severity

from ..core import frameworks as fw
from ..core import props as p
from ..core import types as t
from ..core.messages import quote_known
from ..core.options import strings
from ..core.rule import SDK_ADVISORY, ResourceRule, Subject
from ..core.samples import Sample

# Every azure-native ML resource with a top-level location (pulumi-azure-native 3.x), plus the classic ones.
LOCATED_TYPES: Final = (
    t.WORKSPACE, *(f"{t.ML}:{name}" for name in (
        "Registry", "Compute", "OnlineEndpoint", "OnlineDeployment", "BatchEndpoint", "BatchDeployment",
        "ServerlessEndpoint", "InferenceEndpoint", "InferenceGroup", "InferencePool", "CapacityReservationGroup",
        "LinkedService", "PrivateEndpointConnection")),
    t.CLASSIC_WORKSPACE, t.CLASSIC_CLUSTER, t.CLASSIC_INSTANCE,
)
# Azure region names (normalised), only so that a message may quote a region: never used to judge.
AZURE_REGIONS: Final = (
    "eastus", "eastus2", "southcentralus", "westus2", "westus3", "australiaeast", "southeastasia", "northeurope",
    "swedencentral", "uksouth", "westeurope", "centralus", "southafricanorth", "centralindia", "eastasia",
    "japaneast", "koreacentral", "canadacentral", "francecentral", "germanywestcentral", "italynorth", "norwayeast",
    "polandcentral", "spaincentral", "switzerlandnorth", "mexicocentral", "uaenorth", "brazilsouth", "israelcentral",
    "qatarcentral", "northcentralus", "westus", "japanwest", "westcentralus", "southafricawest", "australiacentral",
    "australiacentral2", "australiasoutheast", "koreasouth", "southindia", "westindia", "jioindiawest",
    "jioindiacentral", "canadaeast", "francesouth", "germanynorth", "norwaywest", "switzerlandwest", "ukwest",
    "uaecentral", "brazilsoutheast", "swedensouth", "newzealandnorth", "chilecentral", "indonesiacentral",
    "malaysiawest", "austriaeast", "belgiumcentral", "usgovvirginia", "usgovarizona", "usgovtexas", "chinanorth",
    "chinanorth2", "chinanorth3", "chinaeast", "chinaeast2", "chinaeast3", "global",
)


def _norm_location(value: str) -> str:
    """'West Europe' == 'westeurope' == 'WestEurope'."""
    return "".join(value.split()).lower()


def _allowed_location(subject: Subject) -> Iterator[str]:
    allowed = [a for a in subject.config["allowedLocations"] if isinstance(a, str) and a.strip()]
    if not allowed:
        return  # not configured: every location passes
    listing = ", ".join(allowed)
    value = p.get(subject.props, "location")
    if value is p.MISSING or value is None or (isinstance(value, str) and not value.strip()):
        return  # inherits the resource group's (or the workspace's) location
    if not isinstance(value, str):
        yield f"location is {p.type_name(value)}, not a region; allowed: {listing}."
        return
    location = _norm_location(value)
    permitted = {_norm_location(a) for a in allowed}
    if location not in permitted:
        yield f"location {quote_known(location, (*AZURE_REGIONS, *permitted))} is not allowed; allowed: {listing}."


ml_allowed_locations = ResourceRule(
    name="ml-allowed-locations",
    description="Azure ML resources with a location of their own (workspaces, registries, computes, endpoints, "
    "deployments and the classic workspace and computes) must be in an allowed region. Until allowedLocations is "
    "configured (default: empty) every location passes. Regions compare case-insensitively ignoring spaces "
    "('West Europe' == 'westeurope'); an absent location passes, since it inherits the resource group's.",
    severity=Severity.LOW,
    level=EnforcementLevel.MANDATORY,
    remediation="Deploy the resource to one of the allowed regions (location), or add the region to this policy's "
    "allowedLocations config.",
    unknowns=f"A location unknown during preview (e.g. taken from a resource group created in the same stack): {SDK_ADVISORY}.",
    topics=("compliance",),
    frameworks=(fw.AZ_ALLOWED_LOCATIONS,),
    types=LOCATED_TYPES,
    options=(strings("allowedLocations", [], "Allowed Azure regions, e.g. westeurope or 'West Europe'. Empty: any location."),),
    enforce={"allowedLocations": ["westeurope", "northeurope", "swedencentral"]},
    check=_allowed_location,
    samples=(
        Sample("not configured: anything goes", {"location": "eastus"}),
        Sample("display name matches short name", {"location": "West Europe"}, config={"allowedLocations": ["westeurope"]}),
        Sample("short name matches display name", {"location": "northeurope"}, type=f"{t.ML}:Registry",
               config={"allowedLocations": ["West Europe", "North Europe"]}),
        Sample("absent location inherits", {"properties": {"computeType": "AmlCompute"}}, type=f"{t.ML}:Compute",
               config={"allowedLocations": ["westeurope"]}),
        Sample("classic compute cluster", {"location": "WestEurope", "vmSize": "STANDARD_DS2_V2"},
               type=t.CLASSIC_CLUSTER, config={"allowedLocations": ["westeurope"]}),
        Sample("outside the list", {"location": "East US"}, ("location 'eastus' is not allowed; allowed: westeurope",),
               config={"allowedLocations": ["westeurope"]}),
        Sample("online endpoint, versioned", {"location": "japaneast", "properties": {"authMode": "AADToken"}},
               ("location 'japaneast' is not allowed",),
               type="azure-native:machinelearningservices/v20240401:OnlineEndpoint",
               config={"allowedLocations": ["westeurope", "northeurope"]}),
        Sample("classic workspace", {"location": "eastus2"}, ("'eastus2' is not allowed",), type=t.CLASSIC_WORKSPACE,
               config={"allowedLocations": ["westeurope"]}),
        Sample("unknown region not quoted", {"location": "Atlantis North"},
               ("location a value outside the known set (not shown) is not allowed",),
               config={"allowedLocations": ["westeurope"]}),
        Sample("wrong type", {"location": ["westeurope"]}, ("location is a list",),
               config={"allowedLocations": ["westeurope"]}),
    ),
)
