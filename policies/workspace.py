"""Rules on Azure ML workspaces (every kind: Default, Hub, Project, FeatureStore)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from pulumi_policy import EnforcementLevel, Severity

from . import props as p
from . import types as t
from .messages import quote_known
from .rule import Framework, Option, ResourceRule, Sample, Subject

WORKSPACE_TYPES = (t.WORKSPACE, t.CLASSIC_WORKSPACE)
KNOWN_SKUS = ("Basic", "Free", "Standard", "Premium", "Enterprise")
KNOWN_IDENTITY_TYPES = ("None", "SystemAssigned", "UserAssigned", "SystemAssigned,UserAssigned", "SystemAssigned, UserAssigned")


def _allowed_sku(subject: Subject) -> Iterator[str]:
    path = "skuName" if subject.classic else "sku.name"
    allowed = [s for s in subject.config["allowedSkus"] if isinstance(s, str)]
    listing = ", ".join(allowed) or "none"
    value = p.get(subject.props, path)
    if value is p.MISSING or value is None:
        yield f"The workspace has no SKU ({path} is absent); allowed: {listing}."
    elif not isinstance(value, str):
        yield f"{path} is {p.type_name(value)}, not a SKU name; allowed: {listing}."
    elif value.strip().lower() not in {s.lower() for s in allowed}:
        yield f"SKU {quote_known(value, (*KNOWN_SKUS, *allowed))} is not allowed; allowed: {listing}."


workspace_allowed_sku = ResourceRule(
    name="workspace-allowed-sku",
    description="Azure ML workspaces must use an approved SKU.",
    severity=Severity.MEDIUM,
    level=EnforcementLevel.MANDATORY,
    remediation="Set the workspace's sku.name (classic provider: sku_name) to one of the allowed SKUs, "
    "or add the SKU to this policy's allowedSkus config.",
    unknowns="An unknown sku.name during preview: the SDK's advisory 'can't run policy' diagnostic; "
    "judged at `pulumi up`.",
    topics=("resource-usage",),
    types=WORKSPACE_TYPES,
    options=(
        Option("allowedSkus", {
            "type": "array", "items": {"type": "string"}, "default": ["Basic"],
            "description": "SKU names a workspace may use (compared case-insensitively).",
        }),
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


def _identity_kinds(value: str) -> frozenset[str]:
    """``"SystemAssigned, UserAssigned"`` (any case or spacing) -> {"systemassigned", "userassigned"}."""
    return frozenset(part.strip().lower() for part in value.split(",") if part.strip())


def _user_identity_ids(identity: Mapping[str, object], classic: bool) -> list[str] | None:
    """The user-assigned identity ids: a list in v3 inputs and classic ``identityIds``, a map
    keyed by id in outputs. None when absent or of another type."""
    key = "identityIds" if classic else "userAssignedIdentities"
    as_map = p.get_map(identity, key)
    if as_map is not None:
        return [k for k in as_map if isinstance(k, str)]
    as_list = p.get_list(identity, key)
    if as_list is not None:
        return [i for i in p.elements(as_list) if isinstance(i, str)]
    return None


def _managed_identity(subject: Subject) -> Iterator[str]:
    config = subject.config
    allowed = {_identity_kinds(a) for a in config["allowedTypes"] if isinstance(a, str)}
    listing = ", ".join(a for a in config["allowedTypes"] if isinstance(a, str))
    identity = p.get_map(subject.props, "identity")
    id_type = p.get(subject.props, "identity.type") if identity is not None else p.MISSING
    if identity is None or id_type is p.MISSING or id_type is None:
        yield "The workspace has no managed identity (identity.type is absent)."
        return
    if not isinstance(id_type, str):
        yield f"identity.type is {p.type_name(id_type)}, not an identity type."
        return
    kinds = _identity_kinds(id_type)
    if not kinds or kinds == {"none"}:
        yield "The workspace's managed identity is disabled (identity.type is None)."
        return
    if kinds not in allowed:
        yield f"Identity type {quote_known(id_type, (*KNOWN_IDENTITY_TYPES, *config['allowedTypes']))} is not allowed; allowed: {listing}."
    if config["requireUserAssigned"] and "userassigned" not in kinds:
        yield "A user-assigned identity is required (requireUserAssigned), but the workspace has none."
    if "userassigned" in kinds:
        yield from _user_assigned(subject, identity)


def _user_assigned(subject: Subject, identity: Mapping[str, object]) -> Iterator[str]:
    primary = p.get(subject.props, "primaryUserAssignedIdentity")
    ids = _user_identity_ids(identity, subject.classic)
    listed_key = "identity.identityIds" if subject.classic else "identity.userAssignedIdentities"
    if not ids:
        yield f"The identity type includes UserAssigned but {listed_key} lists no identity."
    if not isinstance(primary, str) or not primary.strip():
        yield "primaryUserAssignedIdentity must name the user-assigned identity the workspace uses."
    elif ids and primary.strip().lower() not in {i.strip().lower() for i in ids}:
        yield f"primaryUserAssignedIdentity is not one of the identities in {listed_key}."


workspace_managed_identity = ResourceRule(
    name="workspace-managed-identity",
    description="Azure ML workspaces must run under a managed identity of an allowed type.",
    severity=Severity.HIGH,
    level=EnforcementLevel.MANDATORY,
    security=True,
    remediation="Give the workspace identity.type SystemAssigned, UserAssigned or 'SystemAssigned,UserAssigned'. "
    "With a user-assigned identity, list it in identity.userAssignedIdentities and set "
    "primaryUserAssignedIdentity to its resource id.",
    unknowns="An unknown identity type or identity id during preview: the SDK's advisory 'can't run policy' "
    "diagnostic (identity ids of identities created in the same stack are unknown until `pulumi up`).",
    topics=("identity", "data-access"),
    frameworks=(
        Framework("Azure Policy", "5f0c7d88-c7de-45b8-ac49-db49e72eaa78",
                  "Azure Machine Learning workspaces should use user-assigned managed identity"),
        Framework("MCSB", "IM-3", "Manage application identities securely and automatically"),
    ),
    types=WORKSPACE_TYPES,
    options=(
        Option("allowedTypes", {
            "type": "array", "items": {"type": "string"},
            "default": ["SystemAssigned", "UserAssigned", "SystemAssigned,UserAssigned"],
            "description": "Identity types a workspace may use (comma-separated combinations, any order).",
        }),
        Option("requireUserAssigned", {
            "type": "boolean", "default": False,
            "description": "Require a user-assigned identity (Azure Policy 5f0c7d88).",
        }),
    ),
    check=_managed_identity,
    samples=(
        Sample("system assigned", {"identity": {"type": "SystemAssigned"}}),
        Sample("both, input list", {
            "identity": {"type": "SystemAssigned,UserAssigned", "userAssignedIdentities": ["/subscriptions/s/rg/id1"]},
            "primaryUserAssignedIdentity": "/subscriptions/s/rg/id1",
        }),
        Sample("user assigned, output map, case differs", {
            "identity": {"type": "UserAssigned", "userAssignedIdentities": {"/subscriptions/S/RG/id1": {"principalId": "x"}}},
            "primaryUserAssignedIdentity": "/subscriptions/s/rg/id1",
        }, config={"requireUserAssigned": True}),
        Sample("classic spelling", {
            "identity": {"type": "SystemAssigned, UserAssigned", "identity_ids": ["/ids/a"]},
            "primary_user_assigned_identity": "/ids/a",
        }, type=t.CLASSIC_WORKSPACE),
        Sample("absent", {"sku": {"name": "Basic"}}, ("has no managed identity",)),
        Sample("none", {"identity": {"type": "None"}}, ("managed identity is disabled",)),
        Sample("wrong type", {"identity": {"type": 1.0}}, ("identity.type is a number",)),
        Sample("not allowed", {"identity": {"type": "SystemAssigned"}}, ("Identity type 'SystemAssigned' is not allowed",),
               config={"allowedTypes": ["UserAssigned"]}),
        Sample("user assigned required", {"identity": {"type": "SystemAssigned"}}, ("user-assigned identity is required",),
               config={"requireUserAssigned": True}),
        Sample("user assigned without primary", {"identity": {"type": "UserAssigned", "userAssignedIdentities": ["/ids/a"]}},
               ("primaryUserAssignedIdentity must name",)),
        Sample("primary not listed", {
            "identity": {"type": "UserAssigned", "userAssignedIdentities": ["/ids/a"]},
            "primaryUserAssignedIdentity": "/ids/b",
        }, ("is not one of the identities",)),
        Sample("user assigned lists none", {
            "identity": {"type": "UserAssigned"}, "primaryUserAssignedIdentity": "/ids/b",
        }, ("lists no identity",)),
    ),
)

RULES = (workspace_allowed_sku, workspace_managed_identity)
