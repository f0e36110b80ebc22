"""Compute shapes the compute rules' samples share (azure-native; classic samples are written out)."""

from __future__ import annotations

from typing import Any, Final


def cluster(**settings: Any) -> dict[str, Any]:
    return {"workspaceName": "ws", "properties": {"computeType": "AmlCompute", "disableLocalAuth": True, "properties": settings}}


def instance(**settings: Any) -> dict[str, Any]:
    return {"workspaceName": "ws", "properties": {"computeType": "ComputeInstance", "disableLocalAuth": True, "properties": settings}}


SUBNET: Final = {"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/compute"}
SUBNET_ID: Final = SUBNET["id"]
