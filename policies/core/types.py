"""Resource type tokens.

Real programs produce several spellings of one Azure resource type: the unversioned
azure-native token (``azure-native:machinelearningservices:Workspace``), versioned ones
(``azure-native:machinelearningservices/v20240401:Workspace``, ``.../v20230401preview:...``)
and the classic provider (``azure:machinelearning/workspace:Workspace``). Rules name the
canonical tokens; ``canonical`` maps every spelling onto them, cached because the same
few tokens come by for every resource.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Final

ML: Final = "azure-native:machinelearningservices"
CLASSIC_ML: Final = "azure:machinelearning"
STACK: Final = "pulumi:pulumi:Stack"

WORKSPACE: Final = f"{ML}:Workspace"
CLASSIC_WORKSPACE: Final = f"{CLASSIC_ML}/workspace:Workspace"
DATA_VERSION: Final = f"{ML}:DataVersion"
FEATURESET_VERSION: Final = f"{ML}:FeaturesetVersion"
REGISTRY_DATA_VERSION: Final = f"{ML}:RegistryDataVersion"
CODE_VERSION: Final = f"{ML}:CodeVersion"
COMPONENT_VERSION: Final = f"{ML}:ComponentVersion"
ENVIRONMENT_VERSION: Final = f"{ML}:EnvironmentVersion"
MODEL_VERSION: Final = f"{ML}:ModelVersion"
FEATURESTORE_ENTITY_VERSION: Final = f"{ML}:FeaturestoreEntityVersion"
REGISTRY_CODE_VERSION: Final = f"{ML}:RegistryCodeVersion"
REGISTRY_COMPONENT_VERSION: Final = f"{ML}:RegistryComponentVersion"
REGISTRY_ENVIRONMENT_VERSION: Final = f"{ML}:RegistryEnvironmentVersion"
REGISTRY_MODEL_VERSION: Final = f"{ML}:RegistryModelVersion"
COMPUTE: Final = f"{ML}:Compute"
MACHINE_LEARNING_COMPUTE: Final = f"{ML}:MachineLearningCompute"  # 2.x module v20210401 only
CLASSIC_CLUSTER: Final = f"{CLASSIC_ML}/computeCluster:ComputeCluster"
CLASSIC_INSTANCE: Final = f"{CLASSIC_ML}/computeInstance:ComputeInstance"
ONLINE_ENDPOINT: Final = f"{ML}:OnlineEndpoint"
ONLINE_DEPLOYMENT: Final = f"{ML}:OnlineDeployment"
JOB: Final = f"{ML}:Job"
SCHEDULE: Final = f"{ML}:Schedule"
DATASTORE: Final = f"{ML}:Datastore"
WORKSPACE_CONNECTION: Final = f"{ML}:WorkspaceConnection"
PRIVATE_ENDPOINT: Final = "azure-native:network:PrivateEndpoint"
CLASSIC_PRIVATE_ENDPOINT: Final = "azure:privatelink/endpoint:Endpoint"
STORAGE_ACCOUNT: Final = "azure-native:storage:StorageAccount"
CLASSIC_STORAGE_ACCOUNT: Final = "azure:storage/account:Account"
CLASSIC_STORAGE_NETWORK_RULES: Final = "azure:storage/accountNetworkRules:AccountNetworkRules"
# Resources whose own id or name may be a credential (random_string's id is its result): an
# export that is one is not vouched for by its source (no-secret-exports).
CREDENTIAL_TYPES: Final = ("random:index/randomString:RandomString", "random:index/randomPassword:RandomPassword",
                           "tls:index/privateKey:PrivateKey")
# Resources other resources reference by id (provenance.Sources).
USER_ASSIGNED_IDENTITY: Final = "azure-native:managedidentity:UserAssignedIdentity"
CLASSIC_USER_ASSIGNED_IDENTITY: Final = "azure:authorization/userAssignedIdentity:UserAssignedIdentity"
SUBNET: Final = "azure-native:network:Subnet"
CLASSIC_SUBNET: Final = "azure:network/subnet:Subnet"
VIRTUAL_NETWORK: Final = "azure-native:network:VirtualNetwork"
CLASSIC_VIRTUAL_NETWORK: Final = "azure:network/virtualNetwork:VirtualNetwork"

ALL_ML: Final = f"{ML}:*"  # every Azure ML type (selectors ending in '*' match by prefix)
ALL_CLASSIC_ML: Final = f"{CLASSIC_ML}/*"
# Groups more than one family names.
WORKSPACE_TYPES: Final = (WORKSPACE, CLASSIC_WORKSPACE)
COMPUTE_TYPES: Final = (COMPUTE, MACHINE_LEARNING_COMPUTE, CLASSIC_CLUSTER, CLASSIC_INSTANCE)
ML_TYPES: Final = (ALL_ML, ALL_CLASSIC_ML)  # every ML type of both providers

_VERSIONED = re.compile(r"^(azure-native:[A-Za-z0-9]+)/(v\d{8}(?:preview|privatepreview)?|v\d{4}_\d{2}_\d{2}[a-z]*)(:.+)$")


@lru_cache(maxsize=1024)
def canonical(token: str) -> str:
    """The unversioned spelling of a type token (classic and non-Azure tokens unchanged)."""
    match = _VERSIONED.match(token)
    return f"{match.group(1)}{match.group(3)}" if match else token


@lru_cache(maxsize=1024)
def api_version(token: str) -> str | None:
    """The API version in a versioned azure-native token (``v20230401preview``), else None."""
    match = _VERSIONED.match(token)
    return match.group(2) if match else None


def is_classic(token: str) -> bool:
    return token.startswith("azure:")


@lru_cache(maxsize=8192)
@lru_cache(maxsize=8192)  # every policy asks it of every resource
def matches(token: str, selectors: tuple[str, ...]) -> bool:
    """Whether a token (any spelling) is one of ``selectors``: canonical tokens, or prefixes
    ending in ``*`` such as ``ALL_ML``."""
    name = canonical(token)
    return any(name == s or (s.endswith("*") and name.startswith(s[:-1])) for s in selectors)
