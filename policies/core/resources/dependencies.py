"""Where each provider keeps the settings of the resources a workspace stands on: its storage
account, key vault, container registry and Application Insights component, and where the workspace
names them.

azure-native (3.x and 2.x) keeps them flat, but for the key vault's ``properties``; the Application
Insights token is ``azure-native:applicationinsights:Component`` in 3.x and
``azure-native:insights:Component`` in 2.x (both read from pulumi-azure-native 3.29 and 2.92.3).
2.x's default container registry module has no ``anonymousPullEnabled`` (only its preview modules
do), so absent it is Azure's default, false. The classic pulumi-azure 6.x names are Terraform's; its
defaults are those its docstrings state (pulumi-azure 6.40.1), and its key vault has soft delete
always on (only ``softDeleteRetentionDays``), so that setting is azure-native's only.
"""

from __future__ import annotations

from typing import Final

from ..shape import Default, Setting
from . import workspace as ws

KEY_VAULT: Final = "azure-native:keyvault:Vault"
CLASSIC_KEY_VAULT: Final = "azure:keyvault/keyVault:KeyVault"
REGISTRY: Final = "azure-native:containerregistry:Registry"
CLASSIC_REGISTRY: Final = "azure:containerservice/registry:Registry"
APP_INSIGHTS: Final = "azure-native:applicationinsights:Component"  # 3.x
APP_INSIGHTS_2X: Final = "azure-native:insights:Component"
CLASSIC_APP_INSIGHTS: Final = "azure:appinsights/insights:Insights"

STORAGE_TYPES: Final = ws.STORAGE_TYPES
KEY_VAULT_TYPES: Final = (KEY_VAULT, CLASSIC_KEY_VAULT)
REGISTRY_TYPES: Final = (REGISTRY, CLASSIC_REGISTRY)
APP_INSIGHTS_TYPES: Final = (APP_INSIGHTS, APP_INSIGHTS_2X, CLASSIC_APP_INSIGHTS)

# Where a workspace names each (an ARM id; classic: the *_id inputs).
WORKSPACE_STORAGE: Final = ws.STORAGE_ACCOUNT
WORKSPACE_KEY_VAULT: Final = Setting("keyVault", classic="keyVaultId")
WORKSPACE_REGISTRY: Final = Setting("containerRegistry", classic="containerRegistryId")
WORKSPACE_APP_INSIGHTS: Final = Setting("applicationInsights", classic="applicationInsightsId")

_AN_DOC = "the azure-native docstring"
_CLASSIC_DOC = "pulumi-azure 6.x docstring"
_ON_OFF: Final = {True: "Enabled", False: "Disabled"}

# Storage accounts (azure-native storage.StorageAccount; classic azure:storage/account:Account).
STORAGE_SHARED_KEY: Final = Setting(
    "allowSharedKeyAccess", classic="sharedAccessKeyEnabled",
    default=Default(True, f"{_AN_DOC}: a null value is equivalent to true"),
    classic_default=Default(True, f"{_CLASSIC_DOC}: sharedAccessKeyEnabled defaults to true"))
# No azure-native default: 2.x's docstring says absent means true, 3.x's false; Azure Policy 4fa4b6c0 and
# Checkov CKV_AZURE_190 count an absent value as allowed, and so does this pack.
STORAGE_BLOB_PUBLIC: Final = Setting(
    "allowBlobPublicAccess", classic="allowNestedItemsToBePublic",
    classic_default=Default(True, f"{_CLASSIC_DOC}: allowNestedItemsToBePublic defaults to true"))
STORAGE_TLS: Final = Setting(
    "minimumTlsVersion", classic="minTlsVersion",
    default=Default("TLS1_0", f"{_AN_DOC}: the default interpretation is TLS 1.0"),
    classic_default=Default("TLS1_2", f"{_CLASSIC_DOC}: minTlsVersion defaults to TLS1_2 for new accounts"))
STORAGE_HTTPS: Final = Setting(
    "enableHttpsTrafficOnly", classic="httpsTrafficOnlyEnabled",
    default=Default(True, f"{_AN_DOC}: the default is true since API version 2019-04-01"),
    classic_default=Default(True, f"{_CLASSIC_DOC}: httpsTrafficOnlyEnabled defaults to true"))
STORAGE_PUBLIC: Final = ws.STORAGE_PUBLIC

# Key vaults (azure-native keyvault.Vault, settings under properties; classic azure:keyvault/keyVault:KeyVault).
VAULT_PURGE_PROTECTION: Final = Setting(
    "properties.enablePurgeProtection", classic="purgeProtectionEnabled",
    default=Default(False, "Azure Key Vault leaves purge protection off unless enablePurgeProtection is true"),
    classic_default=Default(False, "Azure Key Vault leaves purge protection off unless purgeProtectionEnabled is true"))
VAULT_SOFT_DELETE: Final = Setting(
    "properties.enableSoftDelete", default=Default(True, f"{_AN_DOC}: a new vault gets soft delete"))
VAULT_RBAC: Final = Setting(
    "properties.enableRbacAuthorization", classic="rbacAuthorizationEnabled",
    default=Default(False, f"{_AN_DOC}: the SDK's VaultPropertiesArgs fills false (access policies)"),
    classic_default=Default(False, f"{_CLASSIC_DOC}: rbacAuthorizationEnabled defaults to false"))
# pulumi-azure 6.x's deprecated spelling, read when rbacAuthorizationEnabled is absent.
VAULT_RBAC_DEPRECATED: Final = Setting(None, classic="enableRbacAuthorization")
VAULT_PUBLIC: Final = Setting(
    "properties.publicNetworkAccess", classic="publicNetworkAccessEnabled", classic_values=_ON_OFF,
    default=Default("enabled", f"{_AN_DOC}: the SDK's VaultPropertiesArgs fills 'enabled'"),
    classic_default=Default(True, f"{_CLASSIC_DOC}: publicNetworkAccessEnabled defaults to true"))

# Container registries (azure-native containerregistry.Registry; classic azure:containerservice/registry:Registry).
REGISTRY_ADMIN: Final = Setting(
    "adminUserEnabled", classic="adminEnabled",
    default=Default(False, f"{_AN_DOC}: the SDK fills false"),
    classic_default=Default(False, f"{_CLASSIC_DOC}: adminEnabled defaults to false"))
REGISTRY_ANONYMOUS_PULL: Final = Setting(
    "anonymousPullEnabled", classic="anonymousPullEnabled",
    default=Default(False, f"{_AN_DOC}: the SDK fills false (2.x's default module has no such setting)"),
    classic_default=Default(False, "Azure Container Registry keeps anonymous pull off unless it is enabled"))
REGISTRY_PUBLIC: Final = Setting(
    "publicNetworkAccess", classic="publicNetworkAccessEnabled", classic_values=_ON_OFF,
    default=Default("Enabled", f"{_AN_DOC}: the SDK fills Enabled"),
    classic_default=Default(True, f"{_CLASSIC_DOC}: publicNetworkAccessEnabled defaults to true"))
REGISTRY_SKU: Final = Setting("sku.name", classic="sku")

# Application Insights components (azure-native 3.x applicationinsights.Component, 2.x insights.Component;
# classic azure:appinsights/insights:Insights, which phrases it the other way round).
APP_INSIGHTS_LOCAL_AUTH: Final = Setting(
    "disableLocalAuth", classic="localAuthenticationEnabled", classic_values={True: False, False: True},
    default=Default(False, "Application Insights accepts instrumentation keys unless disableLocalAuth is true"),
    classic_default=Default(True, f"{_CLASSIC_DOC}: localAuthenticationEnabled defaults to true"))
