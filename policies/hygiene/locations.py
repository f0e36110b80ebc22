"""ml-allowed-locations: ML resources with a location of their own are in an allowed region."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from pulumi_policy import EnforcementLevel, Severity

from ..core import frameworks as fw
from ..core import props as p
from ..core import types as t
from ..core.messages import quote_region, region_key
from ..core.options import strings
from ..core.resources import common
from ..core.rule import SDK_ADVISORY, ResourceRule, Subject
from ..core.samples import Sample
from ..core.shape import read

LOCATED_TYPES: Final = common.LOCATED_TYPES


def _allowed_location(subject: Subject) -> Iterator[str]:
    allowed = [a for a in subject.config["allowedLocations"] if isinstance(a, str) and a.strip()]
    if not allowed:
        return  # not configured: every location passes
    listing = ", ".join(allowed)
    reading = read(subject.type, subject.props, common.LOCATION)
    if reading is None:
        return
    value = reading.raw
    if value is p.MISSING or value is None or (isinstance(value, str) and not value.strip()):
        return  # inherits the resource group's (or the workspace's) location
    if not isinstance(value, str):
        yield f"{reading.path} is {p.type_name(value)}, not a region; allowed: {listing}."
        return
    if region_key(value) not in {region_key(a) for a in allowed}:
        yield f"{reading.path} {quote_region(value, allowed)} is not allowed; allowed: {listing}."


ml_allowed_locations = ResourceRule(
    name="ml-allowed-locations",
    title="Azure ML resources stay in allowed regions",
    description="Azure ML resources with a location of their own must be in an allowed region, once allowedLocations is set.",
    details="Azure ML resources with a location of their own (workspaces, registries, computes, endpoints, "
    "deployments; azure-native 2.x's MachineLearningCompute and v1 web services; the classic workspace, compute "
    "cluster, inference cluster and Synapse Spark) must be in an allowed region. Until allowedLocations is "
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
    not_covered={t.CLASSIC_INSTANCE: "the classic ComputeInstance has no location input: it runs in its workspace's "
                 "region"},
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
        Sample("classic compute cluster", {"location": "WestEurope", "vmSize": "STANDARD_DS2_V2", "vmPriority": "Dedicated",
                                           "scaleSettings": {"minNodeCount": 0, "maxNodeCount": 2,
                                                             "scaleDownNodesAfterIdleDuration": "PT2M"}},
               type=t.CLASSIC_CLUSTER, config={"allowedLocations": ["westeurope"]}),
        Sample("outside the list", {"location": "East US"}, ("location 'eastus' is not allowed; allowed: westeurope",),
               config={"allowedLocations": ["westeurope"]}),
        Sample("online endpoint, 2.x versioned module", {"location": "japaneast", "onlineEndpointProperties": {
            "authMode": "AADToken"}}, ("location 'japaneast' is not allowed",),
            type="azure-native:machinelearningservices/v20240401:OnlineEndpoint",
            config={"allowedLocations": ["westeurope", "northeurope"]}),
        Sample("2.x registry", {"location": "westeurope", "registryProperties": {"publicNetworkAccess": "Disabled"}},
               type=f"{t.ML}:Registry", config={"allowedLocations": ["westeurope"]}),
        Sample("2.x MachineLearningCompute outside", {"location": "westus", "properties": {"computeType": "AmlCompute"}},
               ("location 'westus' is not allowed",), type="azure-native:machinelearningservices/v20210401:MachineLearningCompute",
               config={"allowedLocations": ["westeurope"]}),
        Sample("classic inference cluster", {"location": "eastus", "kubernetesClusterId": "/k",
                                             "machineLearningWorkspaceId": "/w"}, ("location 'eastus' is not allowed",),
               type=f"{t.CLASSIC_ML}/inferenceCluster:InferenceCluster", config={"allowedLocations": ["westeurope"]}),
        Sample("classic workspace", {"location": "eastus2"}, ("'eastus2' is not allowed",), type=t.CLASSIC_WORKSPACE,
               config={"allowedLocations": ["westeurope"]}),
        Sample("unknown region not quoted", {"location": "Atlantis North"},
               ("location a value outside the known set (not shown) is not allowed",),
               config={"allowedLocations": ["westeurope"]}),
        Sample("wrong type", {"location": ["westeurope"]}, ("location is a list",),
               config={"allowedLocations": ["westeurope"]}),
    ),
)
