"""workspace-allowed-sku: the workspace's SKU is one the organisation approved."""

from __future__ import annotations

from collections.abc import Iterator

from pulumi_policy import EnforcementLevel, Severity

from ..core import props as p
from ..core import types as t
from ..core.messages import quote_known
from ..core.options import strings
from ..core.resources import workspace as ws
from ..core.rule import ResourceRule, Subject, unknown_advisory
from ..core.samples import Sample
from ..core.shape import read

KNOWN_SKUS = ("Basic", "Free", "Standard", "Premium", "Enterprise")


def _allowed_sku(subject: Subject) -> Iterator[str]:
    reading = read(subject.type, subject.props, ws.SKU)
    if reading is None:
        return
    allowed = [s for s in subject.config["allowedSkus"] if isinstance(s, str)]
    listing = ", ".join(allowed) or "none"
    value = reading.value
    if not p.present(value):
        if not ws.is_project(subject.type, subject.props):  # a project's SKU is not its own to choose
            yield f"The workspace has no SKU ({reading.path} is absent); allowed: {listing}."
    elif not isinstance(value, str):
        yield f"{reading.path} is {p.type_name(value)}, not a SKU name; allowed: {listing}."
    elif value.strip().lower() not in {s.lower() for s in allowed}:
        where = f"{reading.path} is not set{reading.note()}, so the" if reading.absent else "The"
        yield f"{where} SKU {quote_known(value, (*KNOWN_SKUS, *allowed))} is not allowed; allowed: {listing}."


workspace_allowed_sku = ResourceRule(
    name="workspace-allowed-sku",
    description="Azure ML workspaces must use an approved SKU.",
    severity=Severity.MEDIUM,
    level=EnforcementLevel.MANDATORY,
    remediation="Set the workspace's sku.name (classic provider: sku_name) to one of the allowed SKUs, "
    "or add the SKU to this policy's allowedSkus config.",
    unknowns=unknown_advisory("sku.name"),
    topics=("resource-usage",),
    types=t.WORKSPACE_TYPES,
    options=(
        strings("allowedSkus", ["Basic"], "SKU names a workspace may use (compared case-insensitively)."),
    ),
    check=_allowed_sku,
    samples=(
        Sample("basic sku", {"sku": {"name": "Basic", "tier": "Basic"}}),
        Sample("case-insensitive", {"sku": {"name": "basic"}}),
        Sample("snake_case classic", {"sku_name": "Basic"}, type=t.CLASSIC_WORKSPACE),
        Sample("versioned token", {"sku": {"name": "Basic"}}, type="azure-native:machinelearningservices/v20240401:Workspace"),
        Sample("configured list", {"sku": {"name": "Standard"}}, config={"allowedSkus": ["Basic", "Standard"]}),
        Sample("disallowed sku", {"sku": {"name": "Enterprise"}}, ("SKU 'Enterprise' is not allowed",)),
        Sample("absent sku", {"kind": "Default"}, ("has no SKU (sku.name is absent)",)),
        Sample("null sku name", {"sku": {"name": None}}, ("has no SKU",)),
        Sample("wrong type", {"sku": {"name": 3.0}}, ("sku.name is a number",)),
        Sample("classic disallowed", {"skuName": "Premium"}, ("SKU 'Premium' is not allowed",), type=t.CLASSIC_WORKSPACE),
        Sample("unknown sku not quoted", {"sku": {"name": "Sk-4f9Q"}}, ("SKU a value outside the known set (not shown) is not",)),
        Sample("bad config", {"sku": {"name": "Basic"}}, ("policy config 'allowedSkus' must be of type array",),
               config={"allowedSkus": "Basic"}),
    ),
)
