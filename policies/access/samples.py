"""The stacks the access rules' samples share: an estate (workspace, its storage account and
registry, a user-assigned identity) and role assignments on it, as AnalyzeStack sends them (outputs),
in each provider's spelling."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from ..core import props as p
from ..core import types as t
from ..core.providers import Provider
from ..core.resources import access as ra
from ..core.samples import SAMPLE_GROUP_ID, SampleResource, ml_id

WS_ID: Final = ml_id("workspaces", "ws")
STORAGE_ID: Final = f"{SAMPLE_GROUP_ID}/providers/Microsoft.Storage/storageAccounts/st"
ACR_ID: Final = f"{SAMPLE_GROUP_ID}/providers/Microsoft.ContainerRegistry/registries/acr"
VAULT_ID: Final = f"{SAMPLE_GROUP_ID}/providers/Microsoft.KeyVault/vaults/kv"
OTHER_ID: Final = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/web/providers/Microsoft.Web/sites/app"
UAI_ID: Final = f"{SAMPLE_GROUP_ID}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-aml"
UAI_PRINCIPAL: Final = "11111111-1111-1111-1111-111111111111"
WS_PRINCIPAL: Final = "22222222-2222-2222-2222-222222222222"
GROUP: Final = "33333333-3333-3333-3333-333333333333"
CI_PRINCIPAL: Final = "44444444-4444-4444-4444-444444444444"
UAI: Final = ra.USER_IDENTITY_TYPES[0]
ACR: Final = "azure-native:containerregistry:Registry"
CLASSIC_ACR: Final = "azure:containerservice/registry:Registry"
AN2_ASSIGNMENT: Final = "azure-native:authorization/v20220401:RoleAssignment"


def role_id(guid: str) -> str:
    return f"/subscriptions/00000000-0000-0000-0000-000000000000/providers/Microsoft.Authorization/roleDefinitions/{guid}"


def estate(provider: Provider = Provider.AN3, ws_id: str = WS_ID) -> tuple[SampleResource, ...]:
    """A workspace with a user-assigned identity, its storage account and container registry."""
    if provider is Provider.CLASSIC:
        return (
            SampleResource(t.CLASSIC_WORKSPACE, "ws", {
                "id": ws_id, "resourceGroupName": "rg", "storageAccountId": STORAGE_ID, "keyVaultId": VAULT_ID,
                "applicationInsightsId": f"{SAMPLE_GROUP_ID}/providers/Microsoft.Insights/components/ai",
                "containerRegistryId": ACR_ID, "identity": {"type": "UserAssigned", "identityIds": [UAI_ID]},
                "primaryUserAssignedIdentity": UAI_ID}),
            SampleResource(t.CLASSIC_STORAGE_ACCOUNT, "st", {"id": STORAGE_ID, "name": "st"}),
            SampleResource(CLASSIC_ACR, "acr", {"id": ACR_ID, "name": "acr"}),
            SampleResource(ra.USER_IDENTITY_TYPES[1], "id-aml", {"id": UAI_ID, "name": "id-aml",
                                                                 "principalId": UAI_PRINCIPAL}),
        )
    # 3.x: the identity as the provider returns it (a map keyed by id, the system principal); 2.x as
    # its SDK classes take it (built by tests/test_samples_sdk.py).
    identity: dict[str, Any] = {"type": "SystemAssigned,UserAssigned", "principalId": WS_PRINCIPAL,
                                "userAssignedIdentities": {UAI_ID: {"principalId": UAI_PRINCIPAL}}}
    if provider is Provider.AN2:
        identity = {"type": "SystemAssigned,UserAssigned", "userAssignedIdentities": [UAI_ID]}
    return (
        SampleResource(t.WORKSPACE, "ws", {
            "id": ws_id, "name": "ws", "storageAccount": STORAGE_ID, "keyVault": VAULT_ID, "containerRegistry": ACR_ID,
            "identity": identity, "primaryUserAssignedIdentity": UAI_ID}, provider=provider),
        SampleResource(t.STORAGE_ACCOUNT, "st", {"id": STORAGE_ID, "name": "st"}, provider=provider),
        SampleResource(ACR, "acr", {"id": ACR_ID, "name": "acr"}, provider=provider),
        SampleResource(UAI, "id-aml", {"id": UAI_ID, "name": "id-aml", "principalId": UAI_PRINCIPAL}, provider=provider),
    )


def assignment(name: str, scope: str, role: str, principal: str, kind: str | None = "ServicePrincipal",
               provider: Provider = Provider.AN3, depends_on: Mapping[str, tuple[str, ...]] | None = None,
               **extra: Any) -> SampleResource:
    """A role assignment's outputs. ``role`` is a GUID (azure-native and classic: a role definition
    id) or, for the classic provider, a role name; ``kind`` None leaves principalType out."""
    if provider is Provider.CLASSIC:
        named = {"roleDefinitionName": role} if ra.role_guid(role) is None else {"roleDefinitionId": role_id(role)}
        props: dict[str, Any] = {"scope": scope, "principalId": principal, **named}
        token = ra.CLASSIC_ROLE_ASSIGNMENT
    else:
        props = {"name": f"{name}-guid", "scope": scope, "principalId": principal,
                 "roleDefinitionId": role if p.is_unknown(role) else role_id(role)}
        token = AN2_ASSIGNMENT if provider is Provider.AN2 else ra.ROLE_ASSIGNMENT
    if kind is not None:
        props["principalType"] = kind
    return SampleResource(token, name, {**props, **extra}, depends_on=depends_on or {})
