"""The stacks the dependency rules' samples share: a workspace of each provider that names its
storage account, key vault, container registry and Application Insights component by ARM id, and
each of those resources, compliant unless told otherwise, as AnalyzeStack sends them (outputs,
with their ``id``)."""

from __future__ import annotations

from typing import Any, Final

from ..core import types as t
from ..core.providers import Provider
from ..core.resources import dependencies as dx
from ..core.samples import SAMPLE_GROUP_ID, SampleResource

_P: Final = f"{SAMPLE_GROUP_ID}/providers"
STORAGE_ID: Final = f"{_P}/Microsoft.Storage/storageAccounts/st"
VAULT_ID: Final = f"{_P}/Microsoft.KeyVault/vaults/kv"
REGISTRY_ID: Final = f"{_P}/Microsoft.ContainerRegistry/registries/acr"
INSIGHTS_ID: Final = f"{_P}/Microsoft.Insights/components/appi"
_TENANT: Final = "00000000-0000-0000-0000-000000000001"

_NATIVE_REFS: Final = {"storageAccount": STORAGE_ID, "keyVault": VAULT_ID, "containerRegistry": REGISTRY_ID,
                       "applicationInsights": INSIGHTS_ID}
_CLASSIC_REFS: Final = {"storageAccountId": STORAGE_ID, "keyVaultId": VAULT_ID, "containerRegistryId": REGISTRY_ID,
                        "applicationInsightsId": INSIGHTS_ID}


def _bag(**props: Any) -> dict[str, Any]:
    """Props with the ``None`` ones left out: a sample passes ``None`` to leave a setting absent."""
    return {k: v for k, v in props.items() if v is not None}


def workspace(provider: Provider = Provider.AN3, *, public: bool = False, hbi: bool = False, **props: Any) -> SampleResource:
    """A workspace naming every dependency; public network access disabled unless ``public``."""
    if provider is Provider.CLASSIC:
        return SampleResource(t.CLASSIC_WORKSPACE, "ws", {
            "resourceGroupName": "rg", "identity": {"type": "SystemAssigned"}, "publicNetworkAccessEnabled": public,
            "highBusinessImpact": hbi, **_CLASSIC_REFS, **props})
    base = {"publicNetworkAccess": "Enabled" if public else "Disabled", "hbiWorkspace": hbi, **_NATIVE_REFS, **props}
    if provider is Provider.AN2:  # 2.x's default module fills these
        return SampleResource(t.WORKSPACE, "ws", {"allowPublicAccessWhenBehindVnet": False, "v1LegacyMode": False, **base},
                              provider=Provider.AN2)
    return SampleResource(t.WORKSPACE, "ws", base)


def storage(provider: Provider = Provider.AN3, **props: Any) -> SampleResource:
    if provider is Provider.CLASSIC:
        return SampleResource(t.CLASSIC_STORAGE_ACCOUNT, "st", _bag(**{
            "id": STORAGE_ID, "accountTier": "Standard", "accountReplicationType": "ZRS", "sharedAccessKeyEnabled": False,
            "allowNestedItemsToBePublic": False, "minTlsVersion": "TLS1_2", "httpsTrafficOnlyEnabled": True,
            "publicNetworkAccessEnabled": False, **props}))
    return SampleResource(t.STORAGE_ACCOUNT, "st", _bag(**{
        "id": STORAGE_ID, "kind": "StorageV2", "allowSharedKeyAccess": False, "allowBlobPublicAccess": False,
        "minimumTlsVersion": "TLS1_2", "enableHttpsTrafficOnly": True, "publicNetworkAccess": "Disabled", **props}),
        provider=provider)


def vault(provider: Provider = Provider.AN3, properties: dict[str, Any] | None = None, **props: Any) -> SampleResource:
    if provider is Provider.CLASSIC:
        return SampleResource(dx.CLASSIC_KEY_VAULT, "kv", _bag(**{
            "id": VAULT_ID, "tenantId": _TENANT, "skuName": "standard", "purgeProtectionEnabled": True,
            "rbacAuthorizationEnabled": True, "publicNetworkAccessEnabled": False, **props}))
    body = _bag(**{"tenantId": _TENANT, "sku": {"family": "A", "name": "standard"}, "enablePurgeProtection": True,
            "enableSoftDelete": True, "enableRbacAuthorization": True, "publicNetworkAccess": "Disabled",
            **(properties or {})})
    return SampleResource(dx.KEY_VAULT, "kv", _bag(id=VAULT_ID, properties=body, **props), provider=provider)


def registry(provider: Provider = Provider.AN3, type_: str = dx.REGISTRY, **props: Any) -> SampleResource:
    """A registry; ``type_`` picks a 2.x versioned module (its default module has no anonymousPullEnabled)."""
    if provider is Provider.CLASSIC:
        return SampleResource(dx.CLASSIC_REGISTRY, "acr", _bag(**{
            "id": REGISTRY_ID, "sku": "Premium", "adminEnabled": False, "anonymousPullEnabled": False,
            "publicNetworkAccessEnabled": False, **props}))
    base: dict[str, Any] = {"id": REGISTRY_ID, "sku": {"name": "Premium"}, "adminUserEnabled": False, "publicNetworkAccess": "Disabled"}
    if provider is Provider.AN3 or type_ != dx.REGISTRY:
        base["anonymousPullEnabled"] = False
    return SampleResource(type_, "acr", _bag(**{**base, **props}), provider=provider)


def insights(provider: Provider = Provider.AN3, **props: Any) -> SampleResource:
    if provider is Provider.CLASSIC:
        return SampleResource(dx.CLASSIC_APP_INSIGHTS, "appi", _bag(**{
            "id": INSIGHTS_ID, "applicationType": "web", "localAuthenticationEnabled": False, **props}))
    token = dx.APP_INSIGHTS_2X if provider is Provider.AN2 else dx.APP_INSIGHTS
    return SampleResource(token, "appi", _bag(**{"id": INSIGHTS_ID, "kind": "web", "applicationType": "web",
                                               "disableLocalAuth": True, **props}), provider=provider)
