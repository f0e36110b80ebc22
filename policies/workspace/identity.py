"""Workspace identities: the workspace runs under a managed identity of an allowed type
(workspace-managed-identity), and reaches its system datastores with it
(workspace-system-datastores-identity)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Final

from pulumi_policy import EnforcementLevel, Severity

from ..core import frameworks as fw
from ..core import props as p
from ..core import types as t
from ..core.checks import config_list, enum_setting
from ..core.messages import quote_known
from ..core.options import flag, strings
from ..core.resources import workspace as ws
from ..core.rule import ResourceRule, Subject, unknown_advisory
from ..core.samples import Sample
from ..core.shape import read

SYSTEM_DATASTORE_AUTH_MODES: Final = ("AccessKey", "Identity", "UserDelegationSAS")
KNOWN_IDENTITY_TYPES = ("None", "SystemAssigned", "UserAssigned", "SystemAssigned,UserAssigned", "SystemAssigned, UserAssigned")


def _identity_kinds(value: str) -> frozenset[str]:
    """``"SystemAssigned, UserAssigned"`` (any case or spacing) -> {"systemassigned", "userassigned"}."""
    return frozenset(part.strip().lower() for part in value.split(",") if part.strip())


def _user_identity_ids(subject: Subject) -> tuple[str, list[str] | None]:
    """(path, ids) of the user-assigned identities: a list in inputs (classic ``identityIds`` too),
    a map keyed by id in outputs; ids None when absent or of another type."""
    reading = read(subject.type, subject.props, ws.USER_IDENTITIES)
    if reading is None:
        return "", None
    value = reading.raw
    if isinstance(value, Mapping):
        return reading.path, [k for k in value if isinstance(k, str)]
    listed = p.get_list({"v": value}, "v")
    if listed is not None:
        return reading.path, [i for i in p.elements(listed, reading.path) if isinstance(i, str)]
    return reading.path, None


def _managed_identity(subject: Subject) -> Iterator[str]:
    config = subject.config
    allowed = {_identity_kinds(a) for a in config["allowedTypes"] if isinstance(a, str)}
    listing = ", ".join(a for a in config["allowedTypes"] if isinstance(a, str))
    identity = read(subject.type, subject.props, ws.IDENTITY)
    id_type = read(subject.type, subject.props, ws.IDENTITY_TYPE) if identity and isinstance(identity.raw, Mapping) else None
    if id_type is None or id_type.absent:
        yield "The workspace has no managed identity (identity.type is absent)."
        return
    if not isinstance(id_type.raw, str):
        yield f"identity.type is {p.type_name(id_type.raw)}, not an identity type."
        return
    kinds = _identity_kinds(id_type.raw)
    if not kinds or kinds == {"none"}:
        yield "The workspace's managed identity is disabled (identity.type is None)."
        return
    if kinds not in allowed:
        yield f"Identity type {quote_known(id_type.raw, (*KNOWN_IDENTITY_TYPES, *config['allowedTypes']))} is not allowed; allowed: {listing}."
    if config["requireUserAssigned"] and "userassigned" not in kinds:
        yield "A user-assigned identity is required (requireUserAssigned), but the workspace has none."
    if "userassigned" in kinds:
        yield from _user_assigned(subject)


def _user_assigned(subject: Subject) -> Iterator[str]:
    primary = read(subject.type, subject.props, ws.PRIMARY_IDENTITY)
    listed_key, ids = _user_identity_ids(subject)
    if primary is None:
        return
    if not ids:
        yield f"The identity type includes UserAssigned but {listed_key} lists no identity."
    if not isinstance(primary.raw, str) or not primary.raw.strip():
        yield f"{primary.path} must name the user-assigned identity the workspace uses."
    elif ids and primary.raw.strip().lower() not in {i.strip().lower() for i in ids}:
        yield f"{primary.path} is not one of the identities in {listed_key}."


workspace_managed_identity = ResourceRule(
    name="workspace-managed-identity",
    description="Azure ML workspaces must run under a managed identity of an allowed type.",
    severity=Severity.HIGH,
    level=EnforcementLevel.MANDATORY,
    security=True,
    enforce={"requireUserAssigned": True},
    remediation="Give the workspace identity.type SystemAssigned, UserAssigned or 'SystemAssigned,UserAssigned'. "
    "With a user-assigned identity, list it in identity.userAssignedIdentities and set "
    "primaryUserAssignedIdentity to its resource id.",
    unknowns="An unknown identity type or identity id during preview: the SDK's advisory 'can't run policy' "
    "diagnostic (identity ids of identities created in the same stack are unknown until `pulumi up`).",
    topics=("identity", "data-access"),
    frameworks=(fw.AZ_USER_ASSIGNED_IDENTITY, fw.MCSB_IM3),
    types=t.WORKSPACE_TYPES,
    options=(
        strings("allowedTypes", ["SystemAssigned", "UserAssigned", "SystemAssigned,UserAssigned"],
                "Identity types a workspace may use (comma-separated combinations, any order)."),
        flag("requireUserAssigned", False, "Require a user-assigned identity (Azure Policy 5f0c7d88)."),
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



workspace_system_datastores_identity = ResourceRule(
    name="workspace-system-datastores-identity",
    description="Azure ML workspaces (every kind) must reach their system datastores with the workspace's managed "
    "identity: systemDatastoresAuthMode must be in the allowed list (default: Identity). Absent means AccessKey (the "
    "service default) and is a violation. The classic provider has no such setting, so classic workspaces are not "
    "judged.",
    severity=Severity.MEDIUM,
    level=EnforcementLevel.MANDATORY,
    security=True,
    remediation="Set systemDatastoresAuthMode to 'Identity' and grant the workspace identity the storage data roles "
    "it needs (e.g. Storage Blob Data Contributor), or add the mode to this policy's allowedModes config.",
    unknowns=unknown_advisory("systemDatastoresAuthMode"),
    topics=("identity", "data-access"),
    frameworks=(fw.MCSB_IM3,),
    types=(t.WORKSPACE,),
    options=(
        strings("allowedModes", ["Identity"], "Auth modes the system datastores may use (UserDelegationSAS only if listed here)."),
    ),
    check=ws.unless_inherited(enum_setting(
        setting=ws.SYSTEM_DATASTORES_AUTH, allowed=config_list("allowedModes"), absent="violation",
        vocabulary=SYSTEM_DATASTORE_AUTH_MODES, what="the system datastores must be accessed with the workspace's identity"),
        ws.SYSTEM_DATASTORES_AUTH),
    samples=(
        Sample("identity", {"systemDatastoresAuthMode": "Identity"}),
        Sample("snake_case, any case", {"system_datastores_auth_mode": "identity"},
               type="azure-native:machinelearningservices/v20250401:Workspace"),
        Sample("delegation sas allowed by config", {"systemDatastoresAuthMode": "UserDelegationSAS"},
               config={"allowedModes": ["Identity", "UserDelegationSAS"]}),
        Sample("classic not judged", {"publicNetworkAccessEnabled": False}, type=t.CLASSIC_WORKSPACE),
        Sample("absent", {"kind": "Hub"}, ("systemDatastoresAuthMode is not set",)),
        Sample("access key", {"systemDatastoresAuthMode": "AccessKey"}, ("systemDatastoresAuthMode is 'AccessKey'",)),
        Sample("delegation sas", {"systemDatastoresAuthMode": "UserDelegationSAS"},
               ("systemDatastoresAuthMode is 'UserDelegationSAS'",)),
        Sample("wrong type", {"systemDatastoresAuthMode": ["Identity"]}, ("systemDatastoresAuthMode is a list",)),
    ),
)
