"""Where each provider keeps compute settings, which kind a compute is, and the compute shapes the
rules' samples share."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Final

from ..core import props as p
from ..core import types as t
from ..core.rule import ResourceCheck, ResourceFix, Subject

# Compute kinds, lower-cased ``computeType`` values.
CLUSTER: Final = "amlcompute"
INSTANCE: Final = "computeinstance"

NATIVE: Final = "properties.properties"  # where azure-native nests cluster and instance settings


def compute_kind(type_token: str, props: Any) -> str | None:
    """``amlcompute``, ``computeinstance``, another lower-cased computeType, or None."""
    canonical = t.canonical(type_token)
    if canonical == t.CLASSIC_CLUSTER:
        return CLUSTER
    if canonical == t.CLASSIC_INSTANCE:
        return INSTANCE
    if canonical != t.COMPUTE:
        return None
    value = p.get_str(props, "properties.computeType")  # also matches plain-dict ``compute_type``
    return value.strip().lower() if value else None


def only(check: ResourceCheck, *kinds: str, classic: bool | None = None) -> ResourceCheck:
    """Run ``check`` only on the given compute kinds (and only classic / only native when asked)."""

    def run(subject: Subject) -> Iterator[str]:
        if classic is not None and subject.classic != classic:
            return
        if compute_kind(subject.type, subject.props) in kinds:
            yield from check(subject)

    return run


def setting_fix(check: ResourceCheck, native: str, native_value: Any, classic: str, classic_value: Any) -> ResourceFix:
    """A fix that sets one value, applied only when ``check`` finds something to fix."""

    def fix(subject: Subject) -> dict[str, Any] | None:
        if not any(True for _ in check(subject)):
            return None
        return p.with_changes(subject.props, {classic: classic_value} if subject.classic else {native: native_value})

    return fix


def cluster(**settings: Any) -> dict[str, Any]:
    return {"workspaceName": "ws", "properties": {"computeType": "AmlCompute", "disableLocalAuth": True, "properties": settings}}


def instance(**settings: Any) -> dict[str, Any]:
    return {"workspaceName": "ws", "properties": {"computeType": "ComputeInstance", "disableLocalAuth": True, "properties": settings}}


SUBNET: Final = {"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/compute"}
SUBNET_ID: Final = SUBNET["id"]
