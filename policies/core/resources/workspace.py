"""Where each provider keeps a workspace's settings, and what an absent one means there.

Workspace inputs are flat in azure-native 3.x and 2.x. The 2.x default module (API 2023-04-01) and
some of its versioned modules lack settings 3.x has (``Only``: the modules that have them, read from
pulumi-azure-native 2.92.3). The classic ``azure:machinelearning/workspace:Workspace`` names them its
own way; its defaults are those its Python SDK's docstrings state (pulumi-azure 6.40.1).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Final

from .. import props as p
from .. import types as t
from ..rule import ResourceCheck, Subject
from ..shape import Default, Only, Setting, read

TYPES: Final = (t.WORKSPACE, t.CLASSIC_WORKSPACE)

_CLASSIC_DOC = "pulumi-azure 6.x Workspace docstring"
_PREVIEWS: Final = frozenset({"v20230401preview", "v20230601preview", "v20230801preview", "v20240101preview",
                              "v20240401preview", "v20240701preview", "v20241001preview", "v20250101preview"})
# 2.x modules whose Workspace has kind and managedNetwork (hubResourceId: all of them but v20231001).
_MANAGED_NETWORK_MODULES: Final = _PREVIEWS | {"v20231001", "v20240401", "v20241001"}
_STABLE_FIX = "use azure-native 3.x, or the 2.x module v20241001"
_PREVIEW_FIX = "use azure-native 3.x (in 2.x only preview API versions have it)"
_PUBLIC_MODULES: Final = _MANAGED_NETWORK_MODULES | {"v20220101preview", "v20230401"}

SKU: Final = Setting("sku.name", classic="skuName",
                     classic_default=Default("Basic", f"{_CLASSIC_DOC}: skuName defaults to Basic"))
KIND: Final = Setting("kind", classic="kind", only=Only(_MANAGED_NETWORK_MODULES, _STABLE_FIX),
                      classic_default=Default("Default", f"{_CLASSIC_DOC}: kind defaults to Default"))
HUB: Final = Setting("hubResourceId", only=Only(_MANAGED_NETWORK_MODULES - {"v20231001"}, _STABLE_FIX))
IDENTITY: Final = Setting("identity", classic="identity")
IDENTITY_TYPE: Final = Setting("identity.type", classic="identity.type")
# Input: a list of identity ids (classic identityIds too); output: a map keyed by id.
USER_IDENTITIES: Final = Setting("identity.userAssignedIdentities", classic="identity.identityIds")
PRIMARY_IDENTITY: Final = Setting("primaryUserAssignedIdentity", classic="primaryUserAssignedIdentity")
PUBLIC_NETWORK: Final = Setting(
    "publicNetworkAccess", classic="publicNetworkAccessEnabled",
    only=Only(_PUBLIC_MODULES, "use azure-native 3.x", in_default_module=True),
    default=Default("Enabled", "Azure ML keeps a workspace public unless publicNetworkAccess is Disabled, and Azure "
                    "Policy 438c38d2 audits an absent value as enabled"),
    classic_values={True: "Enabled", False: "Disabled"},
    classic_default=Default(True, f"{_CLASSIC_DOC}: publicNetworkAccessEnabled defaults to true"))
# The classic provider 6.x has no counterpart (its docstring says the old public_access_behind_virtual_network_enabled
# was folded into publicNetworkAccessEnabled).
BEHIND_VNET: Final = Setting("allowPublicAccessWhenBehindVnet",
                             default=Default(False, "the Azure ML REST API default"))
ISOLATION_MODE: Final = Setting(
    "managedNetwork.isolationMode", classic="managedNetwork.isolationMode",
    only=Only(_MANAGED_NETWORK_MODULES, _STABLE_FIX),
    default=Default("Disabled", "no managed network (the Azure ML REST API default isolation mode)"),
    classic_default=Default("Disabled", "no managedNetwork block means no managed network"))
OUTBOUND_RULES: Final = Setting("managedNetwork.outboundRules")
# Outbound rules declared as resources of their own: azure-native's ManagedNetworkSettingsRule (2.x and
# 3.x) and 3.x's OutboundRule (body properties: type FQDN, PrivateEndpoint or ServiceTag), and the classic
# provider's one type per kind. Their workspace: the workspaceName input (azure-native; no output, but the
# rule's id lies below the workspace's), the workspaceId output (classic).
CLASSIC_OUTBOUND_PRIVATE_ENDPOINT: Final = \
    f"{t.CLASSIC_ML}/workspaceNetworkOutboundRulePrivateEndpoint:WorkspaceNetworkOutboundRulePrivateEndpoint"
OUTBOUND_RULE_TYPES: Final = (f"{t.ML}:ManagedNetworkSettingsRule", f"{t.ML}:OutboundRule", CLASSIC_OUTBOUND_PRIVATE_ENDPOINT)
OUTBOUND_RULE_KIND: Final = Setting("{body}.type")  # the classic type is the kind itself
OUTBOUND_RULE_WORKSPACE: Final = Setting("workspaceName", classic="workspaceId")
SYSTEM_DATASTORES_AUTH: Final = Setting(
    "systemDatastoresAuthMode", classic="storageAccountAccessType", only=Only(_PREVIEWS, _PREVIEW_FIX),
    default=Default("AccessKey", "the Azure ML service default"),
    classic_default=Default("AccessKey", f"{_CLASSIC_DOC}: storageAccountAccessType defaults to AccessKey"))
HBI: Final = Setting("hbiWorkspace", classic="highBusinessImpact",
                     default=Default(False, "the Azure ML REST API default"),
                     classic_default=Default(False, "no flag means no high-business-impact workspace"))
ENCRYPTION: Final = Setting("encryption", classic="encryption")
ENCRYPTION_STATUS: Final = Setting("encryption.status")  # the classic encryption block has no status
KEY_VAULT: Final = Setting("encryption.keyVaultProperties.keyVaultArmId", classic="encryption.keyVaultId")
KEY_ID: Final = Setting("encryption.keyVaultProperties.keyIdentifier", classic="encryption.keyId")
STORAGE_ACCOUNT: Final = Setting("storageAccount", classic="storageAccountId")
NAME: Final = Setting("workspaceName", classic="name")

# Private endpoints to a workspace: azure-native network.PrivateEndpoint (flat in 2.x and 3.x) lists
# connections; classic azure:privatelink/endpoint:Endpoint has one. Connection fields are read on the
# connection object.
ENDPOINT_TYPES: Final = (t.PRIVATE_ENDPOINT, t.CLASSIC_PRIVATE_ENDPOINT)
ENDPOINT_CONNECTIONS: Final = (Setting("privateLinkServiceConnections", classic="privateServiceConnection"),
                               Setting("manualPrivateLinkServiceConnections"))
CONNECTION_GROUPS: Final = Setting("groupIds", classic="subresourceNames")
CONNECTION_TARGET: Final = Setting("privateLinkServiceId", classic="privateConnectionResourceId")

# The workspace's storage account (azure-native storage.StorageAccount, flat in 2.x and 3.x; classic
# azure:storage/account:Account, whose defaults its docstring states: pulumi-azure 6.40.1).
STORAGE_TYPES: Final = (t.STORAGE_ACCOUNT, t.CLASSIC_STORAGE_ACCOUNT)
STORAGE_PUBLIC: Final = Setting(
    "publicNetworkAccess", classic="publicNetworkAccessEnabled", classic_values={True: "Enabled", False: "Disabled"},
    default=Default("Enabled", "an Azure storage account is public unless publicNetworkAccess is Disabled"),
    classic_default=Default(True, "pulumi-azure 6.x Account docstring: publicNetworkAccessEnabled defaults to true"))
STORAGE_DEFAULT_ACTION: Final = Setting(
    "networkRuleSet.defaultAction", classic="networkRules.defaultAction",
    default=Default("Allow", "without a network rule set a storage account allows every network"),
    classic_default=Default("Allow", "without networkRules a storage account allows every network"))
# classic azure:storage/accountNetworkRules:AccountNetworkRules, a separate resource.
NETWORK_RULES_ACCOUNT: Final = Setting(None, classic="storageAccountId")
NETWORK_RULES_ACTION: Final = Setting(None, classic="defaultAction")


def is_project(type_token: str, props: Any) -> bool:
    """A hub project (kind Project, any case: Azure Policy compares case-insensitively). Only
    azure-native has projects; the classic kind is Default or FeatureStore."""
    if t.is_classic(type_token):
        return False
    reading = read(type_token, props, KIND)
    return reading is not None and isinstance(reading.value, str) and reading.value.strip().lower() == "project"


def public_access_off(type_token: str, props: Any) -> bool:
    """Whether a workspace (either provider) explicitly disables public network access."""
    reading = read(type_token, props, PUBLIC_NETWORK)
    return reading is not None and not reading.absent and isinstance(reading.value, str) and \
        reading.value.strip().lower() == "disabled"


def hbi(type_token: str, props: Any) -> bool:
    reading = read(type_token, props, HBI)
    return reading is not None and p.get_bool({"v": reading.value}, "v") is True


def unless_inherited(check: ResourceCheck, setting: Setting) -> ResourceCheck:
    """``check``, except on a hub project that leaves ``setting`` unset: a project shares its hub's
    managed network and storage and cannot choose them (Microsoft Learn, "What is a hub workspace?"),
    so the hub is judged for it. A value a project does set is judged."""

    def run(subject: Subject) -> Iterator[str]:
        if is_project(subject.type, subject.props):
            reading = read(subject.type, subject.props, setting)
            if reading is None or reading.absent:
                return
        yield from check(subject)

    return run
