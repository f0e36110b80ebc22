"""Settings every Azure ML resource family shares: where each type keeps its tags, and which types
have a location of their own.

Tags: at the top level for tracked resources, inside the body for asset containers and versions,
jobs, schedules and datastores (``{body}.tags``: ``properties.tags`` in 3.x,
``dataVersionBaseProperties.tags`` and the like in 2.x), in ``registration.tags`` for the v1
dataset, in ``kvTags`` for 2.x's v1 web services, nowhere for types whose API has none. Every
classic resource keeps them at the top level, except its outbound rules. tests/test_providers.py
checks this table against the installed SDKs.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from .. import types as t
from ..providers import type_name
from ..shape import Setting

_TOP: Final = "tags"
_IN_BODY: Final = "{body}.tags"
_TAG_PATHS: Final[Mapping[str, str]] = {
    **{name: _TOP for name in (
        "BatchDeployment", "BatchEndpoint", "CapacityReservationGroup", "Compute", "InferenceEndpoint",
        "InferenceGroup", "InferencePool", "OnlineDeployment", "OnlineEndpoint", "PrivateEndpointConnection",
        "Registry", "ServerlessEndpoint", "Workspace", "MachineLearningCompute",
    )},
    "LabelingJob": _IN_BODY,  # labelingJobProperties.tags
    "MachineLearningDataset": "registration.tags",
    **{name: "kvTags" for name in ("ACIService", "AKSService", "EndpointVariant")},  # 2.x v1 web services
}
# Types whose API has no tags at all.
_UNTAGGABLE: Final = frozenset({
    "ConnectionDeployment", "ConnectionRaiBlocklist", "ConnectionRaiBlocklistItem", "ConnectionRaiPolicy",
    "EndpointDeployment", "LinkedService", "LinkedWorkspace", "MachineLearningDatastore",
    "ManagedNetworkSettingsRule", "MarketplaceSubscription", "OutboundRule", "RaiPolicy", "WorkspaceConnection",
})
_CLASSIC_UNTAGGABLE: Final = frozenset({
    f"{t.CLASSIC_ML}/workspaceNetworkOutboundRuleFqdn:WorkspaceNetworkOutboundRuleFqdn",
    f"{t.CLASSIC_ML}/workspaceNetworkOutboundRulePrivateEndpoint:WorkspaceNetworkOutboundRulePrivateEndpoint",
    f"{t.CLASSIC_ML}/workspaceNetworkOutboundRuleServiceTag:WorkspaceNetworkOutboundRuleServiceTag",
})


def tags(type_token: str) -> Setting | None:
    """Where a type keeps its tag map, or None when it cannot carry tags."""
    canonical = t.canonical(type_token)
    if t.is_classic(canonical):
        return None if canonical in _CLASSIC_UNTAGGABLE else Setting(None, classic=_TOP)
    name = type_name(canonical)
    if name in _UNTAGGABLE:
        return None
    return Setting(_TAG_PATHS.get(name, _IN_BODY))


# Every ML type with a top-level location of its own: azure-native (3.x and 2.x, with 2.x's
# versioned-only MachineLearningCompute and v1 web services) and classic (its ComputeInstance and
# datastores have none).
LOCATION: Final = Setting("location", classic="location")
LOCATED_TYPES: Final = (
    t.WORKSPACE, *(f"{t.ML}:{name}" for name in (
        "Registry", "Compute", "MachineLearningCompute", "OnlineEndpoint", "OnlineDeployment", "BatchEndpoint",
        "BatchDeployment", "ServerlessEndpoint", "InferenceEndpoint", "InferenceGroup", "InferencePool",
        "CapacityReservationGroup", "LinkedService", "PrivateEndpointConnection", "ACIService", "AKSService",
        "EndpointVariant")),
    t.CLASSIC_WORKSPACE, t.CLASSIC_CLUSTER, f"{t.CLASSIC_ML}/inferenceCluster:InferenceCluster",
    f"{t.CLASSIC_ML}/synapseSpark:SynapseSpark",
)
