"""Workspace identities: the workspace runs under a managed identity of an allowed type
(workspace-managed-identity), and reaches its system datastores with it
(workspace-system-datastores-identity)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Final

from pulumi_policy import EnforcementLevel, Severity
from pulumi_policy.proxy import UnknownValueError

from ..core import frameworks as fw
from ..core import props as p
from ..core import types as t
from ..core.checks import config_list, enum_setting
from ..core.messages import quote_known
from ..core.options import flag, strings
from ..core.provenance import Sources
from ..core.providers import Provider
from ..core.resources import workspace as ws
from ..core.rule import ResourceRule, Subject, unknown_advisory
from ..core.samples import Sample
from ..core.shape import Reading, read
from . import samples as wx

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
    """The user-assigned identities: listed, and the primary one among them. What is known is judged
    first; the unknowns (identity ids created in the same stack, during preview) are raised together."""
    primary: Reading | UnknownValueError | None
    try:
        primary = read(subject.type, subject.props, ws.PRIMARY_IDENTITY)
    except UnknownValueError as exc:
        primary = exc
    if primary is None:
        return
    ids: list[str] | UnknownValueError | None
    try:
        listed_key, ids = _user_identity_ids(subject)
    except UnknownValueError as exc:
        listed_key, ids = "", exc
    if not isinstance(ids, UnknownValueError) and not ids:
        yield f"The identity type includes UserAssigned but {listed_key} lists no identity."
    if isinstance(primary, Reading):
        if not isinstance(primary.raw, str) or not primary.raw.strip():
            yield f"{primary.path} must name the user-assigned identity the workspace uses."
        elif isinstance(ids, list) and ids and primary.raw.strip().lower() not in {i.strip().lower() for i in ids}:
            yield f"{primary.path} is not one of the identities in {listed_key}."
    p.raise_unknowns(primary, ids)


# An identity reference that is unknown during preview is judged by what it was built from.
IDENTITY_SOURCES: Final = (t.USER_ASSIGNED_IDENTITY, t.CLASSIC_USER_ASSIGNED_IDENTITY)


workspace_managed_identity = ResourceRule(
    name="workspace-managed-identity",
    title="Workspaces run under a managed identity",
    description="Azure ML workspaces must run under a managed identity of an allowed type.",
    details="identity.type (the same in azure-native 2.x and 3.x and the classic provider) must be one of allowedTypes, "
    "compared as a set of kinds in any case and order; absent or None is a violation. With a user-assigned identity, "
    "identity.userAssignedIdentities (classic: identityIds) must list it and primaryUserAssignedIdentity must name one "
    "of them; requireUserAssigned demands one, as Azure Policy 5f0c7d88 does.",
    severity=Severity.HIGH,
    level=EnforcementLevel.MANDATORY,
    security=True,
    enforce={"requireUserAssigned": True},
    remediation="Give the workspace identity.type SystemAssigned, UserAssigned or 'SystemAssigned,UserAssigned'. "
    "With a user-assigned identity, list it in identity.userAssignedIdentities and set "
    "primaryUserAssignedIdentity to its resource id.",
    unknowns="An unknown identity type during preview: the SDK's advisory 'can't run policy' diagnostic. Identity ids "
    "of identities created in the same stack are unknown until `pulumi up`: with failClosed, such an id is judged by "
    "where it comes from (unknown-value-sources: built only from user-assigned identities of the stack passes), "
    "without it the SDK's advisory; what is known is judged first.",
    topics=("identity", "data-access"),
    frameworks=(fw.AZ_USER_ASSIGNED_IDENTITY, fw.MCSB_IM3),
    types=ws.TYPES,
    options=(
        strings("allowedTypes", ["SystemAssigned", "UserAssigned", "SystemAssigned,UserAssigned"],
                "Identity types a workspace may use (comma-separated combinations, any order)."),
        flag("requireUserAssigned", False, "Require a user-assigned identity (Azure Policy 5f0c7d88)."),
    ),
    check=_managed_identity,
    sources=(Sources(ws.PRIMARY_IDENTITY, IDENTITY_SOURCES, "a user-assigned identity of this stack"),
             Sources(ws.USER_IDENTITIES, IDENTITY_SOURCES, "a user-assigned identity of this stack")),
    samples=(
        Sample("system assigned", {"identity": {"type": "SystemAssigned"}}),
        Sample("identity ids unknown during preview, failing closed: judged by their source", {
            "identity": {"type": "UserAssigned", "userAssignedIdentities": [p.UNKNOWN_STRING]},
            "primaryUserAssignedIdentity": p.UNKNOWN_STRING,
        }, config={"failClosed": True}),
        Sample("both, input list", {
            "identity": {"type": "SystemAssigned,UserAssigned", "userAssignedIdentities": ["/subscriptions/s/rg/id1"]},
            "primaryUserAssignedIdentity": "/subscriptions/s/rg/id1",
        }),
        Sample("user assigned, output map, case differs", {
            "identity": {"type": "UserAssigned", "userAssignedIdentities": {"/subscriptions/S/RG/id1": {"principalId": "x"}}},
            "primaryUserAssignedIdentity": "/subscriptions/s/rg/id1",
        }, config={"requireUserAssigned": True}),
        Sample("classic spelling", wx.classic(
            identity={"type": "SystemAssigned, UserAssigned", "identity_ids": ["/ids/a"]},
            primary_user_assigned_identity="/ids/a"), type=t.CLASSIC_WORKSPACE),
        Sample("2.x default module", wx.an2_default(identity={"type": "SystemAssigned"}), provider=Provider.AN2),
        Sample("2.x versioned, user assigned", {
            "identity": {"type": "UserAssigned", "userAssignedIdentities": ["/ids/a"]}, "primaryUserAssignedIdentity": "/ids/a",
        }, type=wx.AN2_STABLE, config={"requireUserAssigned": True}),
        Sample("absent", {"sku": {"name": "Basic"}}, ("has no managed identity",)),
        Sample("none", {"identity": {"type": "None"}}, ("managed identity is disabled",)),
        Sample("wrong type", {"identity": {"type": 1.0}}, ("identity.type is a number",)),
        Sample("not allowed", {"identity": {"type": "SystemAssigned"}}, ("Identity type 'SystemAssigned' is not allowed",),
               config={"allowedTypes": ["UserAssigned"]}),
        Sample("user assigned required", {"identity": {"type": "SystemAssigned"}}, ("user-assigned identity is required",),
               config={"requireUserAssigned": True}),
        Sample("user assigned without primary", {"identity": {"type": "UserAssigned", "userAssignedIdentities": ["/ids/a"]}},
               ("primaryUserAssignedIdentity must name",)),
        Sample("identity type unknown, failing closed", {"identity": {"type": p.UNKNOWN_STRING}},
               ("identity.type is unknown during preview and this rule fails closed",), config={"failClosed": True}),
        Sample("primary not listed", {
            "identity": {"type": "UserAssigned", "userAssignedIdentities": ["/ids/a"]},
            "primaryUserAssignedIdentity": "/ids/b",
        }, ("is not one of the identities",)),
        Sample("user assigned lists none", {
            "identity": {"type": "UserAssigned"}, "primaryUserAssignedIdentity": "/ids/b",
        }, ("lists no identity",)),
        Sample("2.x, none", wx.an2_default(identity={"type": "None"}), ("managed identity is disabled",), provider=Provider.AN2),
        Sample("classic user assigned without primary", wx.classic(identity={"type": "UserAssigned", "identityIds": ["/ids/a"]}),
               ("primaryUserAssignedIdentity must name",), type=t.CLASSIC_WORKSPACE),
        Sample("classic lists none", wx.classic(identity={"type": "SystemAssigned, UserAssigned"},
                                                primaryUserAssignedIdentity="/ids/a"),
               ("identity.identityIds lists no identity",), type=t.CLASSIC_WORKSPACE),
    ),
)



workspace_system_datastores_identity = ResourceRule(
    name="workspace-system-datastores-identity",
    title="System datastores use the workspace identity",
    description="Azure ML workspaces must reach their system datastores with their managed identity, not with access keys.",
    details="Azure ML workspaces must reach their system datastores with the workspace's managed identity: "
    "systemDatastoresAuthMode (classic: storageAccountAccessType) must be in the allowed list (default: Identity). "
    "Absent means AccessKey (the service default; the classic provider's default too) and is a violation; azure-native "
    "2.x can set it only in its preview API versions (its default module, API 2023-04-01, and its stable versioned "
    "modules have no such setting), so every other 2.x workspace is reported, with that reason. Judges Default, Hub "
    "and FeatureStore workspaces; a hub project that sets no mode passes, since its storage is its hub's (the hub is "
    "judged), while a mode a project does set is judged.",
    severity=Severity.MEDIUM,
    level=EnforcementLevel.MANDATORY,
    security=True,
    remediation="Set systemDatastoresAuthMode to 'Identity' (classic: storageAccountAccessType = 'Identity'; "
    "azure-native 2.x: move to 3.x) and grant the workspace identity the storage data roles it needs (e.g. Storage "
    "Blob Data Contributor), or add the mode to this policy's allowedModes config.",
    unknowns=unknown_advisory("systemDatastoresAuthMode"),
    topics=("identity", "data-access"),
    frameworks=(fw.MCSB_IM3,),
    types=ws.TYPES,
    options=(
        strings("allowedModes", ["Identity"], "Auth modes the system datastores may use (UserDelegationSAS only if listed here)."),
    ),
    check=ws.unless_inherited(enum_setting(
        setting=ws.SYSTEM_DATASTORES_AUTH, allowed=config_list("allowedModes"), absent="violation",
        vocabulary=SYSTEM_DATASTORE_AUTH_MODES, what="the system datastores must be accessed with the workspace's identity"),
        ws.SYSTEM_DATASTORES_AUTH),
    samples=(
        Sample("identity", {"systemDatastoresAuthMode": "Identity"}),
        Sample("2.x preview module, snake_case, any case", {"system_datastores_auth_mode": "identity"}, type=wx.AN2_PREVIEW),
        Sample("delegation sas allowed by config", {"systemDatastoresAuthMode": "UserDelegationSAS"},
               config={"allowedModes": ["Identity", "UserDelegationSAS"]}),
        Sample("classic identity", wx.classic(storageAccountAccessType="Identity"), type=t.CLASSIC_WORKSPACE),
        Sample("project inherits its hub's", {"kind": "Project", "hubResourceId": f"{wx.RG}/Microsoft.MachineLearningServices/"
                                                                                 "workspaces/hub"}),
        Sample("absent", {"kind": "Hub"}, ("systemDatastoresAuthMode is not set (absent means AccessKey",)),
        Sample("access key", {"systemDatastoresAuthMode": "AccessKey"}, ("systemDatastoresAuthMode is 'AccessKey'",)),
        Sample("delegation sas", {"systemDatastoresAuthMode": "UserDelegationSAS"},
               ("systemDatastoresAuthMode is 'UserDelegationSAS'",)),
        Sample("wrong type", {"systemDatastoresAuthMode": ["Identity"]}, ("systemDatastoresAuthMode is a list",)),
        Sample("project sets access key", {"kind": "Project", "systemDatastoresAuthMode": "AccessKey"},
               ("systemDatastoresAuthMode is 'AccessKey'",)),
        Sample("2.x default module cannot set it", wx.an2_default(), (
            "azure-native 2.x's default Workspace (API 2023-04-01) has no systemDatastoresAuthMode: use azure-native 3.x",),
            provider=Provider.AN2),
        Sample("2.x stable module cannot set it", {"kind": "Default"}, (
            "API version v20240401 has no systemDatastoresAuthMode: use azure-native 3.x (in 2.x only preview API versions "
            "have it)",), type=wx.AN2_STABLE),
        Sample("classic absent means AccessKey", wx.classic(), (
            "storageAccountAccessType is not set (absent means AccessKey: pulumi-azure 6.x Workspace docstring",),
            type=t.CLASSIC_WORKSPACE),
        Sample("classic access key", wx.classic(storage_account_access_type="AccessKey"),
               ("storageAccountAccessType is 'AccessKey'",), type=t.CLASSIC_WORKSPACE),
    ),
)
