"""workspace-allowed-sku: the workspace's SKU is one the organisation approved."""

from __future__ import annotations

from collections.abc import Iterator

from pulumi_policy import EnforcementLevel, Severity

from ..core import props as p
from ..core import types as t
from ..core.messages import quote_known
from ..core.options import strings
from ..core.providers import Provider
from ..core.resources import workspace as ws
from ..core.rule import ResourceRule, Subject, unknown_advisory
from ..core.samples import Sample
from ..core.shape import read
from . import samples as wx

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
    title="Workspaces use an approved SKU",
    description="Azure ML workspaces must use an approved SKU; an absent azure-native sku.name is a violation.",
    details="Azure ML workspaces must use an approved SKU (sku.name; classic: skuName, whose absence means Basic, "
    "the classic provider's default). An absent azure-native sku.name is a violation. Judges every kind, but a hub "
    "project that names no SKU passes: a project does not choose its SKU (azure-ai-ml's Project takes none); a SKU "
    "a project does name is judged.",
    severity=Severity.MEDIUM,
    level=EnforcementLevel.MANDATORY,
    remediation="Set the workspace's sku.name (classic provider: skuName) to one of the allowed SKUs, "
    "or add the SKU to this policy's allowedSkus config.",
    unknowns=unknown_advisory("sku.name"),
    topics=("resource-usage",),
    types=ws.TYPES,
    options=(
        strings("allowedSkus", ["Basic"], "SKU names a workspace may use (compared case-insensitively)."),
    ),
    check=_allowed_sku,
    samples=(
        Sample("basic sku", {"sku": {"name": "Basic", "tier": "Basic"}}),
        Sample("case-insensitive", {"sku": {"name": "basic"}}),
        Sample("snake_case classic", wx.classic(sku_name="Basic"), type=t.CLASSIC_WORKSPACE),
        Sample("classic absent means Basic", wx.classic(), type=t.CLASSIC_WORKSPACE),
        Sample("2.x default module", wx.an2_default(sku={"name": "Basic", "tier": "Basic"}), provider=Provider.AN2),
        Sample("2.x versioned module", {"sku": {"name": "Basic"}}, type=wx.AN2_STABLE),
        Sample("configured list", {"sku": {"name": "Standard"}}, config={"allowedSkus": ["Basic", "Standard"]}),
        Sample("project names no sku", {"kind": "Project", "hubResourceId": f"{wx.RG}/Microsoft.MachineLearningServices/workspaces/hub"}),
        Sample("disallowed sku", {"sku": {"name": "Enterprise"}}, ("SKU 'Enterprise' is not allowed",)),
        Sample("absent sku", {"kind": "Default"}, ("has no SKU (sku.name is absent)",)),
        Sample("null sku name", {"sku": {"name": None}}, ("has no SKU",)),
        Sample("wrong type", {"sku": {"name": 3.0}}, ("sku.name is a number",)),
        Sample("project names another sku", {"kind": "project", "sku": {"name": "Premium"}}, ("SKU 'Premium' is not allowed",),
               type=wx.AN2_STABLE),
        Sample("2.x default module without sku", wx.an2_default(), ("has no SKU (sku.name is absent)",), provider=Provider.AN2),
        Sample("classic disallowed", wx.classic(skuName="Premium"), ("SKU 'Premium' is not allowed",), type=t.CLASSIC_WORKSPACE),
        Sample("classic default not allowed", wx.classic(), ("skuName is not set (absent means Basic: pulumi-azure 6.x "
                                                           "Workspace docstring: skuName defaults to Basic), so the SKU 'Basic'",),
               type=t.CLASSIC_WORKSPACE, config={"allowedSkus": ["Standard"]}),
        Sample("unknown sku not quoted", {"sku": {"name": "Sk-4f9Q"}}, ("SKU a value outside the known set (not shown) is not",)),
        Sample("bad config", {"sku": {"name": "Basic"}}, ("policy config 'allowedSkus' must be of type array",),
               config={"allowedSkus": "Basic"}),
    ),
)
