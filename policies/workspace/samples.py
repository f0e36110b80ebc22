"""Workspace shapes the workspace rules' samples share, in each provider's spelling."""

from __future__ import annotations

from typing import Any, Final

from ..core import types as t

RG: Final = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers"
# azure-native 2.x: its default module (API 2023-04-01, no kind or managed network), a stable versioned
# module that has them (v20240401), and one that has systemDatastoresAuthMode too (a preview one).
AN2_STABLE: Final = "azure-native:machinelearningservices/v20240401:Workspace"
AN2_PREVIEW: Final = "azure-native:machinelearningservices/v20240401preview:Workspace"
CLASSIC: Final = t.CLASSIC_WORKSPACE


def an2_default(**props: Any) -> dict[str, Any]:
    """A workspace as 2.x's default module sends it: its Workspace fills these three for any input."""
    return {"allowPublicAccessWhenBehindVnet": False, "hbiWorkspace": False, "v1LegacyMode": False, **props}


def classic(**props: Any) -> dict[str, Any]:
    """A classic workspace with its required inputs (pulumi-azure 6.x)."""
    return {"resourceGroupName": "rg", "applicationInsightsId": f"{RG}/Microsoft.Insights/components/ai",
            "keyVaultId": f"{RG}/Microsoft.KeyVault/vaults/kv",
            "storageAccountId": f"{RG}/Microsoft.Storage/storageAccounts/st", "identity": {"type": "SystemAssigned"},
            **props}
