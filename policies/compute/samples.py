"""Compute shapes the compute rules' samples share (azure-native; classic samples are written out)."""

from __future__ import annotations

from typing import Any, Final


def cluster(**settings: Any) -> dict[str, Any]:
    return {"workspaceName": "ws", "properties": {"computeType": "AmlCompute", "disableLocalAuth": True, "properties": settings}}


def instance(**settings: Any) -> dict[str, Any]:
    return {"workspaceName": "ws", "properties": {"computeType": "ComputeInstance", "disableLocalAuth": True, "properties": settings}}


SUBNET: Final = {"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/compute"}
SUBNET_ID: Final = SUBNET["id"]

MLC: Final = "azure-native:machinelearningservices/v20210401:MachineLearningCompute"  # 2.x, v1 API generation
AN2_PREVIEW: Final = "azure-native:machinelearningservices/v20240401preview:Compute"
AN2_STABLE: Final = "azure-native:machinelearningservices/v20240401:Compute"
_SCALE: Final = {"minNodeCount": 0, "maxNodeCount": 2, "scaleDownNodesAfterIdleDuration": "PT2M"}


def _merged(base: dict[str, Any], props: dict[str, Any]) -> dict[str, Any]:
    """``base`` with ``props`` over it, a key of ``props`` in any spelling replacing the base's."""
    given = {k.replace("_", "").lower() for k in props}
    return {**{k: v for k, v in base.items() if k.lower() not in given}, **props}


def classic_cluster(**props: Any) -> dict[str, Any]:
    """A compliant classic ComputeCluster with its required inputs (pulumi-azure 6.x)."""
    return _merged({"machineLearningWorkspaceId": "/w", "vmSize": "Standard_DS3_v2", "vmPriority": "Dedicated",
                    "scaleSettings": dict(_SCALE), "localAuthEnabled": False, "nodePublicIpEnabled": False,
                    "subnetResourceId": SUBNET_ID}, props)


def classic_instance(**props: Any) -> dict[str, Any]:
    """A compliant classic ComputeInstance with its required inputs (pulumi-azure 6.x)."""
    return _merged({"machineLearningWorkspaceId": "/w", "virtualMachineSize": "Standard_DS3_v2", "localAuthEnabled": False,
                    "nodePublicIpEnabled": False, "subnetResourceId": SUBNET_ID}, props)
