"""The providers a program may declare Azure ML resources with, every ML type each one has, and
where each azure-native type keeps its body.

Three providers, read from their packages (tests/test_providers.py checks every table here against
them: pulumi-azure-native 3.29 in the dev venv, 2.92.3 and pulumi-azure 6.40.1 in their SDK envs):

- azure-native 3.x: ``azure-native:machinelearningservices:<Name>``; the body of most types is
  ``properties``; Workspace and Registry are flat. It ships no versioned modules.
- azure-native 2.x: the same unversioned tokens (its default module) plus versioned modules
  (``.../v20240401:Workspace``). Most bodies are renamed after the type
  (``onlineEndpointProperties``, ``dataVersionBaseProperties``), in outputs too; module
  v20220201preview calls them ``<x>Details``; the oldest modules (2020 to 2022-01) use
  ``properties``. Registry has a body (``registryProperties``).
- pulumi-azure 6.x (classic): ``azure:machinelearning/<camel>:<Name>``, flat, Terraform-style names.

Note that ``azure-native:machinelearning:*`` (no "services") is Machine Learning Studio (classic), a
different service that no rule here governs.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from typing import Any, Final

from . import props as p
from . import types as t


class Provider(Enum):
    AN3 = "azure-native 3.x"
    AN2 = "azure-native 2.x"
    CLASSIC = "pulumi-azure 6.x (classic)"


# Every ML resource type of azure-native 3.29 (module machinelearningservices).
AN3_TYPES: Final = frozenset({
    "BatchDeployment", "BatchEndpoint", "CapabilityHost", "CapacityReservationGroup", "CodeContainer", "CodeVersion",
    "ComponentContainer", "ComponentVersion", "Compute", "ConnectionDeployment", "ConnectionRaiBlocklist",
    "ConnectionRaiBlocklistItem", "ConnectionRaiPolicy", "DataContainer", "DataVersion", "Datastore",
    "EndpointDeployment", "EnvironmentContainer", "EnvironmentSpecificationVersion", "EnvironmentVersion",
    "FeaturesetContainerEntity", "FeaturesetVersion", "FeaturestoreEntityContainerEntity", "FeaturestoreEntityVersion",
    "InferenceEndpoint", "InferenceGroup", "InferencePool", "Job", "LabelingJob", "LinkedService", "LinkedWorkspace",
    "MachineLearningDataset", "MachineLearningDatastore", "ManagedNetworkSettingsRule", "MarketplaceSubscription",
    "ModelContainer", "ModelVersion", "OnlineDeployment", "OnlineEndpoint", "OutboundRule", "PrivateEndpointConnection",
    "RaiPolicy", "Registry", "RegistryCodeContainer", "RegistryCodeVersion", "RegistryComponentContainer",
    "RegistryComponentVersion", "RegistryDataContainer", "RegistryDataVersion", "RegistryEnvironmentContainer",
    "RegistryEnvironmentVersion", "RegistryModelContainer", "RegistryModelVersion", "Schedule", "ServerlessEndpoint",
    "Workspace", "WorkspaceConnection",
})
# azure-native 2.92.3: its default module has every 3.x type but OutboundRule; four more types exist
# only in its versioned module v20210401 (the v1 web services and MachineLearningCompute).
AN2_VERSIONED_ONLY: Final = {"ACIService": "v20210401", "AKSService": "v20210401", "EndpointVariant": "v20210401",
                             "MachineLearningCompute": "v20210401"}
AN2_TYPES: Final = (AN3_TYPES - {"OutboundRule"}) | frozenset(AN2_VERSIONED_ONLY)
# pulumi-azure 6.40.1, module machinelearning.
CLASSIC_TYPES: Final = frozenset(f"{t.CLASSIC_ML}/{name[0].lower()}{name[1:]}:{name}" for name in (
    "ComputeCluster", "ComputeInstance", "DatastoreBlobstorage", "DatastoreDatalakeGen2", "DatastoreFileshare",
    "InferenceCluster", "SynapseSpark", "Workspace", "WorkspaceNetworkOutboundRuleFqdn",
    "WorkspaceNetworkOutboundRulePrivateEndpoint", "WorkspaceNetworkOutboundRuleServiceTag",
))


def tokens(provider: Provider) -> frozenset[str]:
    """Every canonical ML type token of a provider."""
    if provider is Provider.CLASSIC:
        return CLASSIC_TYPES
    names = AN3_TYPES if provider is Provider.AN3 else AN2_TYPES
    return frozenset(f"{t.ML}:{name}" for name in names)


# Body keys. None: flat (the settings are top-level inputs). Types not listed use ``properties``.
_FLAT: Final = None
_BODY_3: Final[Mapping[str, str | None]] = {
    "Workspace": _FLAT, "Registry": _FLAT, "PrivateEndpointConnection": _FLAT,
    "MachineLearningDataset": _FLAT, "MachineLearningDatastore": _FLAT,  # inputs flat; outputs under properties
    "CapacityReservationGroup": "capacityReservationGroupProperties", "InferenceEndpoint": "inferenceEndpointProperties",
    "InferenceGroup": "inferenceGroupProperties", "InferencePool": "inferencePoolProperties",
    "LabelingJob": "labelingJobProperties",
}
_BODY_2: Final[Mapping[str, str | None]] = {
    **_BODY_3,
    "Registry": "registryProperties", "BatchDeployment": "batchDeploymentProperties",
    "BatchEndpoint": "batchEndpointProperties", "CapabilityHost": "capabilityHostProperties",
    "CodeContainer": "codeContainerProperties", "CodeVersion": "codeVersionProperties",
    "ComponentContainer": "componentContainerProperties", "ComponentVersion": "componentVersionProperties",
    "DataContainer": "dataContainerProperties", "DataVersion": "dataVersionBaseProperties",
    "Datastore": "datastoreProperties", "EnvironmentContainer": "environmentContainerProperties",
    "EnvironmentVersion": "environmentVersionProperties", "FeaturesetContainerEntity": "featuresetContainerProperties",
    "FeaturesetVersion": "featuresetVersionProperties",
    "FeaturestoreEntityContainerEntity": "featurestoreEntityContainerProperties",
    "FeaturestoreEntityVersion": "featurestoreEntityVersionProperties", "Job": "jobBaseProperties",
    "MarketplaceSubscription": "marketplaceSubscriptionProperties", "ModelContainer": "modelContainerProperties",
    "ModelVersion": "modelVersionProperties", "OnlineDeployment": "onlineDeploymentProperties",
    "OnlineEndpoint": "onlineEndpointProperties", "Schedule": "scheduleProperties",
    "ServerlessEndpoint": "serverlessEndpointProperties",
    **{f"Registry{name}": key for name, key in (
        ("CodeContainer", "codeContainerProperties"), ("CodeVersion", "codeVersionProperties"),
        ("ComponentContainer", "componentContainerProperties"), ("ComponentVersion", "componentVersionProperties"),
        ("DataContainer", "dataContainerProperties"), ("DataVersion", "dataVersionBaseProperties"),
        ("EnvironmentContainer", "environmentContainerProperties"),
        ("EnvironmentVersion", "environmentVersionProperties"), ("ModelContainer", "modelContainerProperties"),
        ("ModelVersion", "modelVersionProperties"))},
}
# 2.x versioned modules whose bodies are spelled otherwise: v20220201preview renames ``<x>Properties``
# to ``<x>Details``; the modules before it use ``properties``; WorkspaceConnection is flat in two.
DETAILS_MODULE: Final = "v20220201preview"
_PROPERTIES_MODULES: Final = frozenset({"v20200501preview", "v20200515preview", "v20200801", "v20200901preview",
                                        "v20210301preview", "v20210401", "v20220101preview"})
_FLAT_CONNECTION_MODULES: Final = frozenset({"v20210401", DETAILS_MODULE})


def type_name(token: str) -> str:
    return t.canonical(token).rsplit(":", 1)[-1]


def _by_token(name: str, version: str | None) -> str | None:
    """The body key a type's token implies when the resource holds none yet."""
    if version is None:
        return _BODY_3.get(name, "properties")
    if name == "WorkspaceConnection" and version in _FLAT_CONNECTION_MODULES:
        return _FLAT
    key = _BODY_2.get(name, "properties")
    if key is None or key == "properties":
        return key
    if version == DETAILS_MODULE:
        return key[: -len("Properties")] + "Details"
    return "properties" if version in _PROPERTIES_MODULES else key


@lru_cache(maxsize=1024)
def _candidates(token: str) -> tuple[str | None, ...]:
    """Every body key the type has in some provider version, the token's own first."""
    name = type_name(token)
    two = _BODY_2.get(name, "properties")
    found = [_by_token(name, t.api_version(token)), _BODY_3.get(name, "properties"), two]
    if two is not None and two != "properties":
        found.append(two[: -len("Properties")] + "Details")
    return tuple(dict.fromkeys(found))


def body_key(token: str, props: Any) -> str | None:
    """The key holding an azure-native resource's body as this resource spells it, or None (flat,
    or classic). The key the resource holds wins (2.x and 3.x share unversioned tokens, and 2.x
    outputs keep the 2.x name); without one, the token's provider version decides."""
    if t.is_classic(token):
        return None
    candidates = _candidates(token)
    for key in candidates:
        if key is not None and p.first_key(props, key) is not None:
            return key
    return candidates[0]


@dataclass(frozen=True)
class Layout:
    """How one resource is spelled, read once: its provider, the key holding its body as the
    resource spells it (None: flat, or classic) and whether that is the 2.x spelling."""

    provider: Provider
    body: str | None
    spelled_2x: bool


def layout(token: str, props: Any) -> Layout:
    """Which provider declared a resource: classic by its token; azure-native 2.x by a versioned
    token (3.x ships no versioned modules) or a body spelled the 2.x way (a name 3.x does not use
    for the type); else 3.x (for flat types the two cannot be told apart)."""
    if t.is_classic(token):
        return Layout(Provider.CLASSIC, None, False)
    key = body_key(token, props)
    two = key is not None and key != _BODY_3.get(type_name(token), "properties")
    return Layout(Provider.AN2 if two or t.api_version(token) is not None else Provider.AN3, key, two)


def spelled_2x(token: str, props: Any) -> bool:
    """Whether the resource's body is spelled the 2.x way (see ``layout``)."""
    return layout(token, props).spelled_2x


def provider_of(token: str, props: Any) -> Provider:
    """Which provider declared a resource (see ``layout``)."""
    return layout(token, props).provider


# Types that hold the same thing as an azure-native type, in another provider or API generation: a
# rule that governs the type must judge them too, or say why not (Rule.not_covered).
CLASSIC_INFERENCE_CLUSTER: Final = f"{t.CLASSIC_ML}/inferenceCluster:InferenceCluster"
CLASSIC_SYNAPSE_SPARK: Final = f"{t.CLASSIC_ML}/synapseSpark:SynapseSpark"
COUNTERPARTS: Final[Mapping[str, tuple[str, ...]]] = {
    t.WORKSPACE: (t.CLASSIC_WORKSPACE,),
    t.COMPUTE: (t.MACHINE_LEARNING_COMPUTE, t.CLASSIC_CLUSTER, t.CLASSIC_INSTANCE, CLASSIC_INFERENCE_CLUSTER,
                CLASSIC_SYNAPSE_SPARK),
    t.DATASTORE: (f"{t.ML}:MachineLearningDatastore", *(f"{t.CLASSIC_ML}/{n[0].lower()}{n[1:]}:{n}" for n in (
        "DatastoreBlobstorage", "DatastoreDatalakeGen2", "DatastoreFileshare"))),
    t.DATA_VERSION: (t.REGISTRY_DATA_VERSION, f"{t.ML}:MachineLearningDataset"),
    t.CODE_VERSION: (t.REGISTRY_CODE_VERSION,),
    t.COMPONENT_VERSION: (t.REGISTRY_COMPONENT_VERSION,),
    t.ENVIRONMENT_VERSION: (t.REGISTRY_ENVIRONMENT_VERSION,),
    t.MODEL_VERSION: (t.REGISTRY_MODEL_VERSION,),
    t.ONLINE_ENDPOINT: (f"{t.ML}:ACIService", f"{t.ML}:AKSService"),  # 2.x's v1 web services
    t.ONLINE_DEPLOYMENT: (f"{t.ML}:EndpointVariant",),
}


_AUTONAME_SUFFIX: Final = re.compile(r"[0-9a-f]{8}")


def auto_named(value: Any, logical_name: str) -> bool:
    """Whether ``value`` has the shape of azure-native's auto-name for the resource ``logical_name``:
    its Check gives an absent input that names the resource (a version's ``version`` too) the
    logical name plus 8 random hex characters (pulumi-azure-native ``provider/pkg/provider/provider.go``
    ``getDefaultName``, ``AutoNameRandom``: ``resource.NewUniqueHex(name, 8, 0)``), so Analyze never sees
    it absent: such a value was not set in the program."""
    return (isinstance(value, str) and bool(logical_name) and value.startswith(logical_name)
            and _AUTONAME_SUFFIX.fullmatch(value[len(logical_name):]) is not None)
