"""Datastore shapes the secrets rules' samples share, in each provider's spelling."""

from __future__ import annotations

from typing import Any, Final

from ..core.resources import datastore as ds

_RG: Final = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers"
CONTAINER: Final = f"{_RG}/Microsoft.Storage/storageAccounts/acct/blobServices/default/containers/data"
SHARE: Final = f"{_RG}/Microsoft.Storage/storageAccounts/acct/fileServices/default/shares/data"
WORKSPACE_ID: Final = f"{_RG}/Microsoft.MachineLearningServices/workspaces/ws"
BLOB: Final = ds.BLOB
DATALAKE_GEN2: Final = ds.DATALAKE_GEN2
FILESHARE: Final = ds.FILESHARE
V1: Final = ds.V1
AN2_PREVIEW: Final = "azure-native:machinelearningservices/v20230401preview:Datastore"


def an2(**body: Any) -> dict[str, Any]:
    """A v2 datastore as azure-native 2.x spells it (its body under datastoreProperties)."""
    return {"workspaceName": "ws", "name": "blob", "datastoreProperties": {"datastoreType": "AzureBlob", "accountName": "acct",
                                                                           "containerName": "data", **body}}


def v1(**props: Any) -> dict[str, Any]:
    """A v1 MachineLearningDatastore (azure-native 2.x and 3.x): flat, credentials at the top level."""
    return {"workspaceName": "ws", "dataStoreType": "blob", "accountName": "acct", "containerName": "data", **props}


def classic_blob(**props: Any) -> dict[str, Any]:
    return {"workspaceId": WORKSPACE_ID, "storageContainerId": CONTAINER, **props}
