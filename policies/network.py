"""Network isolation and data access for Azure ML: workspace public access, managed network,
private endpoints, system datastore auth, credentials held in datastores, connections and
data URIs, and the storage behind high-business-impact workspaces."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from functools import partial
from typing import Any, Final

from pulumi_policy import EnforcementLevel, Severity
from pulumi_policy.proxy import UnknownValueError

from . import props as p
from . import types as t
from .checks import bool_setting, config_list, enum_setting, fixed
from .credentials import credential_name_reason, credential_value_reason
from .rule import (
    Framework,
    Option,
    ResourceCheck,
    ResourceRule,
    Sample,
    SampleResource,
    StackIndex,
    StackItem,
    StackRule,
    StackSample,
    Subject,
)
from .types import (
    CLASSIC_PRIVATE_ENDPOINT,
    CLASSIC_STORAGE_ACCOUNT,
    CLASSIC_STORAGE_NETWORK_RULES,
    DATASTORE,
    JOB,
    PRIVATE_ENDPOINT,
    STORAGE_ACCOUNT,
    WORKSPACE_CONNECTION,
)
from .workspace import WORKSPACE_TYPES

PUBLIC_ACCESS_VALUES: Final = ("Enabled", "Disabled")
ISOLATION_MODES: Final = ("Disabled", "AllowInternetOutbound", "AllowOnlyApprovedOutbound")
SYSTEM_DATASTORE_AUTH_MODES: Final = ("AccessKey", "Identity", "UserDelegationSAS")
CREDENTIALS_TYPES: Final = ("AccountKey", "Certificate", "None", "Sas", "ServicePrincipal")
CONNECTION_AUTH_TYPES: Final = (
    "PAT", "ManagedIdentity", "UsernamePassword", "None", "SAS", "AccountKey", "ServicePrincipal", "AccessKey",
    "ApiKey", "CustomKeys", "OAuth2", "AAD", "DelegatedSAS", "ProjectManagedIdentity", "AccountManagedIdentity",
    "UserEntraToken", "AgentUserImpersonation", "AgenticIdentityToken", "AgenticUser",
)
_WORKSPACE_GROUP: Final = "amlworkspace"  # the private link sub-resource of a workspace

_NS2 = Framework("MCSB", "NS-2", "Secure cloud services with network controls")
_IM8 = Framework("MCSB", "IM-8", "Restrict the exposure of credentials and secrets")


# ---------------------------------------------------------------------------------------------
# Shared helpers (generic ones are candidates for props/checks; see the module's report)


def _classic_only(check: ResourceCheck) -> ResourceCheck:
    """Run ``check`` only for the classic provider's spelling of the type (a setting the
    native provider phrases differently is checked by another part)."""

    def part(subject: Subject) -> Iterator[str]:
        if subject.classic:
            yield from check(subject)

    return part


def _with_changes(subject: Subject, changes: Mapping[str, Any]) -> dict[str, Any] | None:
    """The fixed property bag, or None when there is nothing to change."""
    return p.with_changes(subject.props, changes) if changes else None


def _is_set(value: Any) -> bool:
    return value is not p.MISSING and value is not None


def _lower_id(obj: Any, path: str) -> str | None:
    value = p.get_str(obj, path)
    return value.strip().lower() if value and value.strip() else None


# ---------------------------------------------------------------------------------------------
# workspace-public-network-disabled

_PUBLIC_WHAT = "the workspace must not accept traffic from public networks, and absent counts as enabled"
_BEHIND_VNET = ("allowPublicAccessWhenBehindVnet", "publicAccessBehindVirtualNetworkEnabled")  # native, classic


def _public_access_off(type_token: str, props: Any) -> bool:
    """Whether a workspace (either provider) explicitly disables public network access."""
    if t.is_classic(type_token):
        return p.get_bool(props, "publicNetworkAccessEnabled") is False
    value = p.get_str(props, "publicNetworkAccess")
    return value is not None and value.strip().lower() == "disabled"


def _fix_public_access(subject: Subject) -> dict[str, Any] | None:
    changes: dict[str, Any] = {}
    if not _public_access_off(subject.type, subject.props):
        changes["publicNetworkAccessEnabled" if subject.classic else "publicNetworkAccess"] = (
            False if subject.classic else "Disabled")
    behind = _BEHIND_VNET[1] if subject.classic else _BEHIND_VNET[0]
    if _is_set(p.get(subject.props, behind)) and p.get_bool(subject.props, behind) is not False:
        changes[behind] = False
    return _with_changes(subject, changes)


workspace_public_network_disabled = ResourceRule(
    name="workspace-public-network-disabled",
    description="Azure ML workspaces (every kind: Default, Hub, Project, FeatureStore) must disable public network "
    "access, and must not re-allow it behind a virtual network. An absent publicNetworkAccess (classic: "
    "publicNetworkAccessEnabled) counts as enabled, as in Azure Policy 438c38d2 (Checkov CKV_AZURE_144 and "
    "CKV2_AZURE_49 check the same setting but let an absent value pass; this rule does not).",
    severity=Severity.HIGH,
    level=EnforcementLevel.MANDATORY,
    security=True,
    remediation="Set publicNetworkAccess to 'Disabled' (classic provider: publicNetworkAccessEnabled = false) and, if "
    "present, allowPublicAccessWhenBehindVnet to false (classic: publicAccessBehindVirtualNetworkEnabled = false); "
    "reach the workspace through a private endpoint.",
    unknowns="An unknown publicNetworkAccess or allowPublicAccessWhenBehindVnet during preview: the SDK's advisory "
    "'can't run policy' diagnostic; judged at `pulumi up`.",
    topics=("network",),
    frameworks=(
        Framework("Azure Policy", "438c38d2-3772-465a-a9cc-7a6666a275ce",
                  "Azure Machine Learning workspaces should disable public network access"),
        Framework("Checkov", "CKV2_AZURE_49",
                  "Ensure that Azure Machine learning workspace is not configured with overly permissive network access"),
        Framework("Checkov", "CKV_AZURE_144", "Ensure that Public Access is disabled for Machine Learning Workspace"),
        _NS2,
    ),
    types=WORKSPACE_TYPES,
    check=(
        enum_setting(path="publicNetworkAccess", allowed=fixed("Disabled"), absent="violation", what=_PUBLIC_WHAT,
                     vocabulary=PUBLIC_ACCESS_VALUES),
        _classic_only(bool_setting(path="publicNetworkAccessEnabled", classic_path="publicNetworkAccessEnabled",
                                   expected=False, absent="violation", what=_PUBLIC_WHAT)),
        bool_setting(path=_BEHIND_VNET[0], classic_path=_BEHIND_VNET[1], expected=False, absent="pass",
                     what="public access must not be re-allowed behind a virtual network"),
    ),
    fix=_fix_public_access,
    samples=(
        Sample("disabled", {"publicNetworkAccess": "Disabled", "allowPublicAccessWhenBehindVnet": False}),
        Sample("snake_case, any case", {"public_network_access": "disabled"}),
        Sample("project kind", {"kind": "Project", "publicNetworkAccess": "Disabled"},
               type="azure-native:machinelearningservices/v20240401:Workspace"),
        Sample("classic disabled", {"publicNetworkAccessEnabled": False}, type=t.CLASSIC_WORKSPACE),
        Sample("classic snake_case string bool", {"public_network_access_enabled": "false",
                                                  "public_access_behind_virtual_network_enabled": False},
               type=t.CLASSIC_WORKSPACE),
        Sample("absent", {"sku": {"name": "Basic"}}, ("publicNetworkAccess is not set",),
               fixed={"publicNetworkAccess": "Disabled"}),
        Sample("enabled", {"publicNetworkAccess": "Enabled"}, ("publicNetworkAccess is 'Enabled'",),
               fixed={"publicNetworkAccess": "Disabled"}),
        Sample("enabled and open behind vnet", {"publicNetworkAccess": "Enabled", "allowPublicAccessWhenBehindVnet": True},
               ("publicNetworkAccess is 'Enabled'", "allowPublicAccessWhenBehindVnet is true"),
               fixed={"publicNetworkAccess": "Disabled", "allowPublicAccessWhenBehindVnet": False}),
        Sample("disabled but open behind vnet", {"public_network_access": "Disabled",
                                                 "allow_public_access_when_behind_vnet": "true"},
               ("allowPublicAccessWhenBehindVnet is true",), fixed={"allowPublicAccessWhenBehindVnet": False}),
        Sample("wrong type", {"publicNetworkAccess": 0.0}, ("publicNetworkAccess is a number",),
               fixed={"publicNetworkAccess": "Disabled"}),
        Sample("value not quoted", {"publicNetworkAccess": "Sometimes"}, ("a value outside the known set (not shown)",)),
        Sample("classic absent", {"skuName": "Basic"}, ("publicNetworkAccessEnabled is not set",),
               type=t.CLASSIC_WORKSPACE, fixed={"publicNetworkAccessEnabled": False}),
        Sample("classic enabled, open behind vnet", {"publicNetworkAccessEnabled": True,
                                                     "publicAccessBehindVirtualNetworkEnabled": True},
               ("publicNetworkAccessEnabled is true", "publicAccessBehindVirtualNetworkEnabled is true"),
               type=t.CLASSIC_WORKSPACE,
               fixed={"publicNetworkAccessEnabled": False, "publicAccessBehindVirtualNetworkEnabled": False}),
    ),
)


# ---------------------------------------------------------------------------------------------
# workspace-managed-network-isolation

workspace_managed_network_isolation = ResourceRule(
    name="workspace-managed-network-isolation",
    description="Azure ML workspaces (every kind; Azure Policy 6ddb1705 exempts none) must run a managed network "
    "whose managedNetwork.isolationMode is in the allowed list (by default only AllowOnlyApprovedOutbound). An absent "
    "isolation mode means Disabled (no managed network) and is a violation.",
    severity=Severity.HIGH,
    level=EnforcementLevel.MANDATORY,
    security=True,
    remediation="Set managedNetwork.isolationMode to 'AllowOnlyApprovedOutbound' (both providers spell it "
    "managedNetwork.isolationMode) and add outbound rules for the destinations the workspace needs, or add the mode "
    "to this policy's allowedModes config.",
    unknowns="An unknown isolation mode during preview: the SDK's advisory 'can't run policy' diagnostic.",
    topics=("network",),
    frameworks=(
        Framework("Azure Policy", "6ddb1705-c8cf-450e-aa4b-19ad6703c440",
                  "Azure Machine Learning and Ai Studio should use Allow Only Approved Outbound Managed Vnet mode"),
    ),
    types=WORKSPACE_TYPES,
    options=(
        Option("allowedModes", {
            "type": "array", "items": {"type": "string"},
            "default": ["AllowOnlyApprovedOutbound"],
            "description": "Managed network isolation modes a workspace may use.",
        }),
    ),
    check=enum_setting(path="managedNetwork.isolationMode", classic_path="managedNetwork.isolationMode",
                       allowed=config_list("allowedModes"), absent="violation", vocabulary=ISOLATION_MODES,
                       what="outbound traffic from the workspace's managed network must be restricted, and "
                       "absent means Disabled"),
    samples=(
        Sample("approved outbound only", {"managedNetwork": {"isolationMode": "AllowOnlyApprovedOutbound"}}),
        Sample("snake_case", {"managed_network": {"isolation_mode": "allowonlyapprovedoutbound"}},
               type="azure-native:machinelearningservices/v20250101preview:Workspace"),
        Sample("classic", {"managedNetwork": {"isolationMode": "AllowOnlyApprovedOutbound"}}, type=t.CLASSIC_WORKSPACE),
        Sample("internet outbound allowed by config", {"managedNetwork": {"isolationMode": "AllowInternetOutbound"}},
               config={"allowedModes": ["AllowInternetOutbound", "AllowOnlyApprovedOutbound"]}),
        Sample("absent", {"publicNetworkAccess": "Disabled"}, ("managedNetwork.isolationMode is not set",)),
        Sample("no isolation mode in block", {"managedNetwork": {"outboundRules": {}}},
               ("managedNetwork.isolationMode is not set",)),
        Sample("disabled", {"managedNetwork": {"isolationMode": "Disabled"}}, ("isolationMode is 'Disabled'",)),
        Sample("internet outbound", {"managedNetwork": {"isolationMode": "AllowInternetOutbound"}},
               ("isolationMode is 'AllowInternetOutbound'",)),
        Sample("wrong type", {"managedNetwork": {"isolationMode": True}}, ("isolationMode is a boolean",)),
        Sample("classic absent", {"publicNetworkAccessEnabled": False}, ("managedNetwork.isolationMode is not set",),
               type=t.CLASSIC_WORKSPACE),
    ),
)


# ---------------------------------------------------------------------------------------------
# workspace-private-endpoint (stack)


class _Endpoints:
    """What the stack's private endpoints reach: workspace ids (lower-cased) and URNs (by
    property dependency), plus what cannot be known yet (``maybe_urns``; ``maybe_any`` when an
    endpoint with an unknown target names no workspace by dependency)."""

    def __init__(self) -> None:
        self.ids: set[str] = set()
        self.urns: set[str] = set()
        self.maybe_urns: set[str] = set()
        self.maybe_any = False
        self.unknown: UnknownValueError | None = None

    def may_reach(self, urns: set[str]) -> bool:
        return self.maybe_any or bool(urns & self.maybe_urns)


_NATIVE_CONNECTIONS: Final = ("privateLinkServiceConnections", "manualPrivateLinkServiceConnections")


def _connections(endpoint: StackItem) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """(property holding it, connection) for each private link connection of an endpoint."""
    if endpoint.canonical == CLASSIC_PRIVATE_ENDPOINT:
        single = p.get_map(endpoint.props, "privateServiceConnection")
        if single is not None:
            yield "privateServiceConnection", single
        return
    for key in _NATIVE_CONNECTIONS:
        listed = p.get_list(endpoint.props, key)
        for connection in p.elements(listed, key) if listed is not None else ():
            if isinstance(connection, Mapping):
                yield key, connection


def _connection_fields(endpoint: StackItem) -> tuple[str, str]:
    if endpoint.canonical == CLASSIC_PRIVATE_ENDPOINT:
        return "subresourceNames", "privateConnectionResourceId"
    return "groupIds", "privateLinkServiceId"


def _add_endpoint(found: _Endpoints, endpoint: StackItem, workspace_urns: set[str]) -> None:
    groups_key, target_key = _connection_fields(endpoint)
    try:
        connections = list(_connections(endpoint))
    except UnknownValueError as exc:
        _maybe(found, endpoint.dependencies, workspace_urns, exc)
        return
    for key, connection in connections:
        deps = endpoint.built_from(key)
        try:
            groups = p.get_list(connection, groups_key)
            names = {g.strip().lower() for g in p.elements(groups, groups_key) if isinstance(g, str)} if groups else set()
        except UnknownValueError as exc:
            _maybe(found, deps, workspace_urns, exc)
            continue
        if _WORKSPACE_GROUP not in names:
            continue
        found.urns.update(u for u in deps if u in workspace_urns)
        try:
            target = _lower_id(connection, target_key)
        except UnknownValueError as exc:
            if not any(u in workspace_urns for u in deps):
                _maybe(found, (), workspace_urns, exc)  # the target is some workspace, but which one?
            continue
        if target:
            found.ids.add(target)


def _maybe(found: _Endpoints, urns: Sequence[str], workspace_urns: set[str], exc: UnknownValueError) -> None:
    linked = [u for u in urns if u in workspace_urns]
    if linked:
        found.maybe_urns.update(linked)
    else:
        found.maybe_any = True
    found.unknown = found.unknown or exc


def _has_outbound_private_endpoint(workspace: StackItem) -> bool:
    """Checkov CKV_AZURE_243's test: a managed network outbound rule of type PrivateEndpoint."""
    rules = p.get_map(workspace.props, "managedNetwork.outboundRules")
    if rules is None:
        return False
    for name in list(rules):
        kind = p.get_str(rules, [name, "type"])
        if kind is not None and kind.strip().lower() == "privateendpoint":
            return True
    return False


def _private_endpoint_check(items: Sequence[StackItem], config: Mapping[str, Any]) -> Iterator[tuple[str, str | None]]:
    index = StackIndex(items)
    workspaces = index.of_type(*WORKSPACE_TYPES)
    workspace_urns = {w.urn for w in workspaces}
    found = _Endpoints()
    for endpoint in index.of_type(PRIVATE_ENDPOINT, CLASSIC_PRIVATE_ENDPOINT):
        _add_endpoint(found, endpoint, workspace_urns)
    reached_urns, reached_ids = _reached_directly(workspaces, found)
    pending: UnknownValueError | None = None
    for workspace in workspaces:
        if workspace.urn in reached_urns:
            continue
        try:
            if (not _public_access_off(workspace.type, workspace.props) or _via_hub(workspace, reached_urns, reached_ids)
                    or _has_outbound_private_endpoint(workspace)):
                continue
        except UnknownValueError as exc:
            pending = pending or exc
            continue
        if found.may_reach({workspace.urn, *workspace.built_from("hubResourceId")}):
            pending = pending or found.unknown
            continue
        yield ("The workspace disables public network access, but no private endpoint in this stack connects to it "
               "(a PrivateEndpoint connection with groupIds 'amlworkspace' whose privateLinkServiceId is this "
               "workspace) and it has no managed network outbound rule of type PrivateEndpoint."), workspace.urn
    if pending is not None:
        raise pending  # after reporting what was known: the SDK's advisory for the rest


def _reached_directly(workspaces: Sequence[StackItem], found: _Endpoints) -> tuple[set[str], set[str]]:
    """URNs and ids (lower-cased) of the workspaces a private endpoint connects to."""
    urns: set[str] = set()
    ids = set(found.ids)
    for workspace in workspaces:
        try:
            workspace_id = _lower_id(workspace.props, "id")
        except UnknownValueError:
            workspace_id = None  # not created yet: only a property dependency can name it
        if workspace.urn in found.urns or (workspace_id is not None and workspace_id in found.ids):
            urns.add(workspace.urn)
            if workspace_id is not None:
                ids.add(workspace_id)
    return urns, ids


def _via_hub(workspace: StackItem, reached_urns: set[str], reached_ids: set[str]) -> bool:
    """A hub project (hubResourceId) is served by its hub's private endpoint."""
    if any(u in reached_urns for u in workspace.built_from("hubResourceId")):
        return True
    try:
        hub = _lower_id(workspace.props, "hubResourceId")
    except UnknownValueError:
        return False
    return hub is not None and hub in reached_ids


def _stack(*resources: SampleResource) -> tuple[SampleResource, ...]:
    return (SampleResource(t.STACK, "sample-dev", {}), *resources)


_RG = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers"
_WS_ID = f"{_RG}/Microsoft.MachineLearningServices/workspaces/ws"
_SUBNET = {"id": f"{_RG}/Microsoft.Network/virtualNetworks/vnet/subnets/endpoints"}


def _ws(name: str = "ws", type_: str = t.WORKSPACE, **props: Any) -> SampleResource:
    return SampleResource(type_, name, {"publicNetworkAccess": "Disabled", **props})


def _pe(name: str = "pe", target: str = _WS_ID, groups: tuple[str, ...] = ("amlworkspace",),
        key: str = "privateLinkServiceConnections", type_: str = PRIVATE_ENDPOINT,
        depends_on: Mapping[str, tuple[str, ...]] | None = None) -> SampleResource:
    connection = {"name": f"{name}-conn", "groupIds": list(groups), "privateLinkServiceId": target}
    return SampleResource(type_, name, {key: [connection], "subnet": _SUBNET}, depends_on=depends_on or {})


workspace_private_endpoint = StackRule(
    name="workspace-private-endpoint",
    description="Every Azure ML workspace (any kind) whose public network access is disabled must be reachable "
    "through a private endpoint declared in the stack: a PrivateEndpoint connection with groupIds 'amlworkspace' "
    "whose privateLinkServiceId is the workspace (by id, or by property dependency while ids are unknown), or, as "
    "Checkov CKV_AZURE_243 accepts, a managed network outbound rule of type PrivateEndpoint. A hub project "
    "(hubResourceId) is reached through its hub's private endpoint. Workspaces that keep "
    "public access (absent counts as enabled) are left to workspace-public-network-disabled.",
    severity=Severity.HIGH,
    level=EnforcementLevel.MANDATORY,
    security=True,
    remediation="Declare an azure-native network.PrivateEndpoint (classic: azure.privatelink.Endpoint) with a "
    "private link service connection to the workspace's id and group id 'amlworkspace' (classic: "
    "privateServiceConnection.privateConnectionResourceId and subresourceNames), plus the private DNS zones "
    "privatelink.api.azureml.ms and privatelink.notebooks.azure.net.",
    unknowns="Endpoints whose connections or targets are unknown during preview are matched by property dependency; "
    "a workspace that such an endpoint might reach is skipped and the SDK's advisory 'can't run policy' diagnostic "
    "is added after the other workspaces are judged.",
    topics=("network",),
    frameworks=(
        Framework("Azure Policy", "45e05259-1eb5-4f70-9574-baf73e9d219b",
                  "Azure Machine Learning workspaces should use private link"),
        Framework("Checkov", "CKV_AZURE_243", "Ensure Azure Machine learning workspace is configured with private endpoint"),
        _NS2,
    ),
    check=_private_endpoint_check,
    samples=(
        StackSample("endpoint by id, any case", _stack(_ws(id=_WS_ID), _pe(target=_WS_ID.upper()))),
        StackSample("endpoint by property dependency", _stack(
            _ws(), _pe(target=f"{_RG}/Microsoft.MachineLearningServices/workspaces/other-name",
                       depends_on={"privateLinkServiceConnections": ("ws",)}))),
        StackSample("manual connection, versioned tokens", _stack(
            _ws(type_="azure-native:machinelearningservices/v20240401:Workspace", id=_WS_ID),
            _pe(key="manualPrivateLinkServiceConnections", type_="azure-native:network/v20230401:PrivateEndpoint"))),
        StackSample("outbound private endpoint rule (CKV_AZURE_243)", _stack(_ws(managedNetwork={
            "isolationMode": "AllowOnlyApprovedOutbound",
            "outboundRules": {"storage": {"type": "PrivateEndpoint", "destination": {
                "serviceResourceId": f"{_RG}/Microsoft.Storage/storageAccounts/st", "subresourceTarget": "blob"}}}}))),
        StackSample("project reached through its hub's endpoint", _stack(
            _ws("hub", kind="Hub", id=_WS_ID), _pe(),
            _ws("project", kind="Project", hubResourceId=_WS_ID),
            SampleResource(t.WORKSPACE, "project2", {"kind": "Project", "publicNetworkAccess": "Disabled",
                                                     "hubResourceId": "hub-id-from-output"},
                           depends_on={"hubResourceId": ("hub",)}))),
        StackSample("public workspace not judged here", _stack(
            SampleResource(t.WORKSPACE, "open", {"publicNetworkAccess": "Enabled"}),
            SampleResource(t.WORKSPACE, "absent", {}))),
        StackSample("classic workspace and endpoint", _stack(
            SampleResource(t.CLASSIC_WORKSPACE, "ws", {"publicNetworkAccessEnabled": False, "id": _WS_ID}),
            SampleResource(CLASSIC_PRIVATE_ENDPOINT, "pe", {"privateServiceConnection": {
                "name": "c", "isManualConnection": False, "privateConnectionResourceId": _WS_ID,
                "subresourceNames": ["amlworkspace"]}}))),
        StackSample("no endpoint", _stack(_ws(id=_WS_ID)), ("no private endpoint in this stack connects to it",)),
        StackSample("project of a hub without endpoint", _stack(
            _ws("hub", kind="Hub", id=_WS_ID), _ws("project", kind="Project", hubResourceId=_WS_ID)),
            ("no private endpoint in this stack connects to it",) * 2),
        StackSample("endpoint to another sub-resource", _stack(_ws(id=_WS_ID), _pe(groups=("blob",))),
                    ("no private endpoint in this stack connects to it",)),
        StackSample("endpoint to another workspace", _stack(
            _ws(id=_WS_ID), _ws("ws2", id=f"{_WS_ID}2"), _pe(target=f"{_WS_ID}2")),
            ("no private endpoint in this stack connects to it",)),
        StackSample("outbound rule of another type", _stack(_ws(id=_WS_ID, managedNetwork={
            "isolationMode": "AllowOnlyApprovedOutbound", "outboundRules": {"pypi": {"type": "FQDN", "destination": "pypi.org"}}})),
            ("no private endpoint in this stack connects to it",)),
        StackSample("classic workspace without endpoint", _stack(
            SampleResource(t.CLASSIC_WORKSPACE, "ws", {"public_network_access_enabled": False})),
            ("no private endpoint in this stack connects to it",)),
    ),
)


# ---------------------------------------------------------------------------------------------
# workspace-system-datastores-identity

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
    unknowns="An unknown systemDatastoresAuthMode during preview: the SDK's advisory 'can't run policy' diagnostic.",
    topics=("identity", "data-access"),
    frameworks=(Framework("MCSB", "IM-3", "Manage application identities securely and automatically"),),
    types=(t.WORKSPACE,),
    options=(
        Option("allowedModes", {
            "type": "array", "items": {"type": "string"},
            "default": ["Identity"],
            "description": "Auth modes the system datastores may use (UserDelegationSAS only if listed here).",
        }),
    ),
    check=enum_setting(path="systemDatastoresAuthMode", allowed=config_list("allowedModes"), absent="violation",
                       vocabulary=SYSTEM_DATASTORE_AUTH_MODES,
                       what="the system datastores must be accessed with the workspace's identity, and absent "
                       "means AccessKey"),
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


# ---------------------------------------------------------------------------------------------
# Inline credentials (datastores, connections)


def _filled(value: Any) -> bool:
    """Whether a credential field holds something: any non-empty value, or an unknown one
    (computed from another resource's output, it will be a value)."""
    if p.is_unknown(value):
        return True
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, (Mapping, Sequence)):  # Sequence: the SDK hands lists over as a proxy, not a list
        return len(value) > 0
    return _is_set(value)


_CREDENTIALS_TYPE = enum_setting(
    path="properties.credentials.credentialsType", allowed=config_list("allowedCredentialTypes"), absent="violation",
    vocabulary=CREDENTIALS_TYPES, what="the datastore must use identity-based access, not stored credentials")


def _datastore_credentials_type(subject: Subject) -> Iterator[str]:
    if not _is_set(p.get(subject.props, "properties.credentials")):
        return  # no credentials: identity-based access
    yield from _CREDENTIALS_TYPE(subject)



def _datastore_secrets(subject: Subject) -> Iterator[str]:
    secrets = p.get_map(subject.props, "properties.credentials.secrets")
    if secrets is None:
        return
    for path, value in p.walk(secrets):
        if len(path) == 1 and p.norm_key(str(path[0])) != "secretstype" and _filled(value):
            yield (f"properties.credentials.secrets.{path[0]} holds an inline secret; keep credentials out of the "
                   "program (a policy cannot see whether it was wrapped as a Pulumi secret).")


datastore_no_inline_credentials = ResourceRule(
    name="datastore-no-inline-credentials",
    description="Azure ML datastores must use identity-based access: properties.credentials.credentialsType must be "
    "in the allowed list (default: None) and no secret (key, sasToken, clientSecret, certificate) may be held inline "
    "under properties.credentials.secrets, whatever the type and even if wrapped as a Pulumi secret. Absent "
    "credentials mean identity-based access and pass.",
    severity=Severity.HIGH,
    level=EnforcementLevel.MANDATORY,
    security=True,
    remediation="Set properties.credentials to {credentialsType: 'None'} and grant the workspace (or the user, via "
    "serviceDataAccessAuthIdentity) a storage data role; if a service principal is unavoidable, allow its type in "
    "allowedCredentialTypes and keep its secret out of the program (the service keeps it in the workspace Key Vault).",
    unknowns="An unknown credentialsType during preview: the SDK's advisory 'can't run policy' diagnostic. A secret "
    "field whose value is unknown still counts as inline (a value will be there).",
    topics=("secrets", "data-access"),
    frameworks=(_IM8,),
    types=(DATASTORE,),
    options=(
        Option("allowedCredentialTypes", {
            "type": "array", "items": {"type": "string"}, "default": ["None"],
            "description": "Datastore credential types allowed (None is identity-based access).",
        }),
    ),
    check=(_datastore_credentials_type, _datastore_secrets),
    samples=(
        Sample("identity based", {"workspaceName": "ws", "name": "blob", "properties": {
            "datastoreType": "AzureBlob", "accountName": "acct", "containerName": "data",
            "credentials": {"credentialsType": "None"}}}),
        Sample("no credentials block", {"properties": {"datastoreType": "AzureDataLakeGen2", "accountName": "acct",
                                                       "filesystem": "fs"}}),
        Sample("snake_case, versioned", {"properties": {"datastore_type": "AzureFile", "account_name": "acct",
                                                        "file_share_name": "share",
                                                        "credentials": {"credentials_type": "none"}}},
               type="azure-native:machinelearningservices/v20240401:Datastore"),
        Sample("service principal allowed, secret kept out", {"properties": {
            "datastoreType": "AzureDataLakeGen1", "storeName": "adls", "credentials": {
                "credentialsType": "ServicePrincipal", "clientId": "00000000-0000-0000-0000-000000000001",
                "tenantId": "00000000-0000-0000-0000-000000000002", "secrets": {"secretsType": "ServicePrincipal"}}}},
            config={"allowedCredentialTypes": ["None", "ServicePrincipal"]}),
        Sample("account key", {"properties": {"datastoreType": "AzureBlob", "accountName": "acct", "credentials": {
            "credentialsType": "AccountKey", "secrets": {"secretsType": "AccountKey", "key": "not-a-real-key"}}}},
            ("credentialsType is 'AccountKey'", "secrets.key holds an inline secret")),
        Sample("sas, secret envelope", {"properties": {"datastoreType": "AzureBlob", "credentials": {
            "credentialsType": "Sas", "secrets": {"secretsType": "Sas",
                                                  "sasToken": {p.SIG_KEY: p.SECRET_SIG, "value": "sv=x&sig=y"}}}}},
            ("credentialsType is 'Sas'", "secrets.sasToken holds an inline secret")),
        Sample("service principal allowed, secret inline", {"properties": {"datastoreType": "AzureBlob", "credentials": {
            "credentialsType": "ServicePrincipal", "clientId": "c", "tenantId": "t",
            "secrets": {"secretsType": "ServicePrincipal", "clientSecret": "not-a-real-secret"}}}},
            ("secrets.clientSecret holds an inline secret",),
            config={"allowedCredentialTypes": ["None", "ServicePrincipal"]}),
        Sample("certificate, snake_case", {"properties": {"datastore_type": "AzureBlob", "credentials": {
            "credentials_type": "Certificate", "client_id": "c", "tenant_id": "t", "thumbprint": "AB12",
            "secrets": {"secrets_type": "Certificate", "certificate": "MIIC..."}}}},
            ("credentialsType is 'Certificate'", "secrets.certificate holds an inline secret")),
        Sample("inline secret under type None", {"properties": {"credentials": {
            "credentialsType": "None", "secrets": {"key": "not-a-real-key"}}}}, ("secrets.key holds an inline secret",)),
        Sample("credentials without a type", {"properties": {"credentials": {}}},
               ("properties.credentials.credentialsType is not set",)),
        Sample("wrong type", {"properties": {"credentials": {"credentialsType": 1.0}}},
               ("credentialsType is a number",)),
    ),
)


def _credential_paths(credentials: Mapping[str, Any]) -> Iterator[str]:
    """Dotted paths under a connection's credentials that hold an inline credential: a field
    named like one (reported once, with whatever is below it), or a value shaped like one."""
    flagged: list[tuple[str | int, ...]] = []
    for path, value in p.walk(credentials):
        if not path or any(path[: len(f)] == f for f in flagged) or not _filled(value):
            continue
        name = path[-1] if isinstance(path[-1], str) else ""
        named = bool(name) and credential_name_reason(name) is not None
        shaped = isinstance(value, str) and not p.is_unknown(value) and credential_value_reason(value) is not None
        if named or shaped:
            flagged.append(path)
            yield ".".join(str(part) for part in path)


def _connection_credentials(subject: Subject) -> Iterator[str]:
    credentials = p.get_map(subject.props, "properties.credentials")
    if credentials is None:
        return
    for path in _credential_paths(credentials):
        yield (f"properties.credentials.{path} holds an inline credential; keep credentials out of the program "
               "(a policy cannot see whether it was wrapped as a Pulumi secret).")


workspace_connection_no_inline_credentials = ResourceRule(
    name="workspace-connection-no-inline-credentials",
    description="Azure ML workspace connections must authenticate with Microsoft Entra ID or a managed identity: "
    "properties.authType must be in the allowed list (default: AAD, ManagedIdentity, None) and no credential (key, "
    "pat, password, clientSecret, sas, custom keys, tokens) may be held inline under properties.credentials, even if "
    "wrapped as a Pulumi secret. An absent authType (required by the API) is a violation; absent credentials pass. "
    "Other connection resources "
    "(ConnectionDeployment, ConnectionRaiBlocklist, ConnectionRaiPolicy) carry no authType and are not judged.",
    severity=Severity.HIGH,
    level=EnforcementLevel.MANDATORY,
    security=True,
    remediation="Use authType 'AAD' or 'ManagedIdentity' (with useWorkspaceManagedIdentity or a managed identity's "
    "clientId/resourceId) and grant that identity access to the target; if a key-based type is unavoidable, allow it "
    "in allowedAuthTypes and set the secret outside the program (e.g. in the studio or from Key Vault at run time).",
    unknowns="An unknown authType during preview: the SDK's advisory 'can't run policy' diagnostic. A field named "
    "like a credential whose value is unknown still counts as inline; other unknown fields are judged by name only.",
    topics=("secrets", "data-access", "identity"),
    frameworks=(_IM8,),
    types=(WORKSPACE_CONNECTION,),
    options=(
        Option("allowedAuthTypes", {
            "type": "array", "items": {"type": "string"}, "default": ["AAD", "ManagedIdentity", "None"],
            "description": "Connection auth types allowed (compared case-insensitively).",
        }),
    ),
    check=(
        enum_setting(path="properties.authType", allowed=config_list("allowedAuthTypes"), absent="violation",
                     vocabulary=CONNECTION_AUTH_TYPES,
                     what="the connection must authenticate with Entra ID or a managed identity"),
        _connection_credentials,
    ),
    samples=(
        Sample("entra id", {"workspaceName": "ws", "connectionName": "blob", "properties": {
            "authType": "AAD", "category": "AzureBlob", "target": "https://acct.blob.core.windows.net/",
            "useWorkspaceManagedIdentity": True}}),
        Sample("managed identity ids are not secrets", {"properties": {
            "authType": "ManagedIdentity", "category": "AzureOpenAI", "credentials": {
                "clientId": "00000000-0000-0000-0000-000000000001",
                "resourceId": f"{_RG}/Microsoft.ManagedIdentity/userAssignedIdentities/id"}}}),
        Sample("snake_case, versioned", {"properties": {"auth_type": "none", "category": "PythonFeed",
                                                        "target": "https://pypi.org/simple"}},
               type="azure-native:machinelearningservices/v20240401:WorkspaceConnection"),
        Sample("service principal allowed, no secret", {"properties": {
            "authType": "ServicePrincipal", "credentials": {"clientId": "c", "tenantId": "t"}}},
            config={"allowedAuthTypes": ["AAD", "ServicePrincipal"]}),
        Sample("pat", {"properties": {"authType": "PAT", "category": "Git", "credentials": {"pat": "not-a-real-pat"}}},
               ("properties.authType is 'PAT'", "properties.credentials.pat holds an inline credential")),
        Sample("api key", {"properties": {"authType": "ApiKey", "credentials": {"key": "k"}}},
               ("authType is 'ApiKey'", "credentials.key holds")),
        Sample("custom keys reported once", {"properties": {"authType": "CustomKeys", "credentials": {
            "keys": {"x-api-key": "a", "x-other": "b"}}}}, ("authType is 'CustomKeys'", "credentials.keys holds")),
        Sample("username and password", {"properties": {"authType": "UsernamePassword", "credentials": {
            "username": "svc", "password": "p", "securityToken": "s"}}},
            ("authType is 'UsernamePassword'", "credentials.password holds", "credentials.securityToken holds")),
        Sample("access key id is not the secret", {"properties": {"authType": "AccessKey", "credentials": {
            "accessKeyId": "AKIDEXAMPLE", "secretAccessKey": {p.SIG_KEY: p.SECRET_SIG, "value": "s"}}}},
            ("authType is 'AccessKey'", "credentials.secretAccessKey holds")),
        Sample("service principal allowed, secret inline", {"properties": {"auth_type": "ServicePrincipal", "credentials": {
            "client_id": "c", "client_secret": "s", "tenant_id": "t"}}}, ("credentials.client_secret holds",),
            config={"allowedAuthTypes": ["AAD", "ServicePrincipal"]}),
        Sample("token-shaped value under an innocent name", {"properties": {"authType": "AAD", "credentials": {
            "note": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.sig"}}}, ("credentials.note holds",)),
        Sample("absent auth type", {"properties": {"category": "AzureBlob"}}, ("properties.authType is not set",)),
        Sample("unknown auth type value not quoted", {"properties": {"authType": "Magic"}},
               ("a value outside the known set (not shown)",)),
    ),
)


# ---------------------------------------------------------------------------------------------
# data-uri-no-sas-token

# Query parameters that carry a credential in a storage URL, whatever their length.
_URI_CREDENTIAL = re.compile(r"[?&;](?:sig|accountkey|sharedaccesskey|sharedaccesssignature)=[^&#;\s]+", re.IGNORECASE)


def _uri_credential_reason(value: str) -> str | None:
    reason = credential_value_reason(value)
    if reason is None and _URI_CREDENTIAL.search(value):
        reason = "its value carries a SAS signature or account key as a query parameter"
    return reason


def _judge_strings(entries: Iterator[tuple[str, Callable[[], Any]]]) -> Iterator[str]:
    """Judge (path, reader) pairs; an unknown value is raised after the known ones are reported."""
    pending: UnknownValueError | None = None
    for where, read in entries:
        try:
            value = read()
        except UnknownValueError as exc:
            pending = pending or exc
            continue
        reason = _uri_credential_reason(value) if isinstance(value, str) else None
        if reason:
            yield (f"{where} carries a credential: {reason}. Reference the data through a datastore "
                   "(azureml://datastores/...) or an identity instead.")
    if pending is not None:
        raise pending


def _data_uri_entries(subject: Subject) -> Iterator[tuple[str, Callable[[], Any]]]:
    canonical = t.canonical(subject.type)
    if canonical == t.DATA_VERSION:
        yield "properties.dataUri", partial(p.get, subject.props, "properties.dataUri")
    elif canonical == JOB:
        inputs = p.get_map(subject.props, "properties.inputs")
        for name in list(inputs or {}):
            yield f"properties.inputs.{name}.uri", partial(p.get, inputs, [name, "uri"])
    elif canonical == DATASTORE:
        yield from _datastore_location_entries(subject)


def _datastore_location_entries(subject: Subject) -> Iterator[tuple[str, Callable[[], Any]]]:
    """Every string of a datastore's properties outside its credentials (datastore-no-inline-
    credentials judges those): endpoint, account and container names, the properties map."""
    properties = p.get_map(subject.props, "properties")
    for path, value in p.walk(properties) if properties is not None else ():
        if path and p.norm_key(str(path[0])) != "credentials" and isinstance(value, str):
            where = "properties." + ".".join(str(part) for part in path)
            yield where, partial(_raise_if_unknown, value, path)


def _raise_if_unknown(value: str, path: tuple[str | int, ...]) -> str:
    if p.is_unknown(value):
        raise UnknownValueError(value, ["properties", *(str(part) for part in path)])
    return value


def _no_sas_in_data_uri(subject: Subject) -> Iterator[str]:
    yield from _judge_strings(_data_uri_entries(subject))


_SAS_URL = ("https://acct.blob.core.windows.net/data/train.csv?sv=2022-11-02&ss=b&srt=o&sp=r"
            "&se=2030-01-01T00:00:00Z&sig=AbCdEfGhIjKlMnOpQrStUvWxYz0123456789%2BAbC%3D")

data_uri_no_sas_token = ResourceRule(
    name="data-uri-no-sas-token",
    description="Data URIs must not carry credentials: no SAS signature (sig=) or account key in a data version's "
    "properties.dataUri, a datastore's endpoint or other location fields, or a job's properties.inputs.<name>.uri "
    "(top-level inputs only; sweep trials and pipeline steps are the job rules' business). An absent URI passes.",
    severity=Severity.CRITICAL,
    level=EnforcementLevel.MANDATORY,
    security=True,
    remediation="Remove the SAS token or key from the URI: register a datastore with identity-based access and "
    "reference the data as azureml://datastores/<name>/paths/<path> (or a pinned data asset), and revoke the leaked "
    "token or rotate the key.",
    unknowns="A URI that is unknown during preview (built from another resource's output): the SDK's advisory "
    "'can't run policy' diagnostic, after the known URIs are judged.",
    topics=("secrets", "data-access"),
    frameworks=(_IM8,),
    types=(t.DATA_VERSION, DATASTORE, JOB),
    check=_no_sas_in_data_uri,
    samples=(
        Sample("datastore path", {"name": "train", "version": "1", "workspaceName": "ws", "properties": {
            "dataType": "uri_folder", "dataUri": "azureml://datastores/workspaceblobstore/paths/train/"}}),
        Sample("plain https, versioned", {"properties": {"data_type": "uri_file",
                                                         "data_uri": "https://acct.blob.core.windows.net/data/t.csv"}},
               type="azure-native:machinelearningservices/v20240401:DataVersion"),
        Sample("datastore endpoint", {"properties": {"datastoreType": "AzureBlob", "accountName": "acct",
                                                     "endpoint": "core.windows.net", "credentials": {
                                                         "credentialsType": "Sas", "secrets": {"sasToken": _SAS_URL}}}},
               type=DATASTORE),
        Sample("job inputs", {"properties": {"jobType": "Command", "command": "python train.py", "inputs": {
            "training": {"jobInputType": "uri_folder", "uri": "azureml:train:1"},
            "lr": {"jobInputType": "literal", "value": "0.01"}}}}, type=JOB),
        Sample("job without inputs", {"properties": {"jobType": "Command", "command": "echo"}}, type=JOB),
        Sample("sas url", {"properties": {"dataType": "uri_file", "dataUri": _SAS_URL}},
               ("properties.dataUri carries a credential: its value contains a SAS token signature",)),
        Sample("short signature", {"properties": {"dataUri": "https://acct.blob.core.windows.net/d/t.csv?sp=r&sig=abc"}},
               ("SAS signature or account key as a query parameter",)),
        Sample("connection string", {"properties": {
            "dataUri": "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=bm90LWEtcmVhbC1rZXk="}},
            ("account key, shared access key or password",)),
        Sample("account key query", {"properties": {
            "dataUri": "https://acct.dfs.core.windows.net/fs/p?AccountKey=bm90LWEtcmVhbC1rZXk"}},
            ("account key, shared access key or password (connection string or URL)",)),
        Sample("job input with sas", {"properties": {"job_type": "Command", "inputs": {
            "training": {"job_input_type": "uri_folder", "uri": _SAS_URL},
            "ok": {"jobInputType": "uri_file", "uri": "azureml://datastores/b/paths/x.csv"}}}},
            ("properties.inputs.training.uri carries a credential",), type=JOB),
        Sample("datastore endpoint with sas", {"properties": {"datastoreType": "AzureBlob",
                                                              "endpoint": "core.windows.net?sig=abcdef",
                                                              "properties": {"source": _SAS_URL}}},
               ("properties.endpoint carries", "properties.properties.source carries"), type=DATASTORE),
    ),
)


# ---------------------------------------------------------------------------------------------
# hbi-workspace-storage-private (stack)

_STORAGE_TYPES: Final = (STORAGE_ACCOUNT, CLASSIC_STORAGE_ACCOUNT)


def _storage_by_id(index: StackIndex) -> dict[str, StackItem]:
    found: dict[str, StackItem] = {}
    for storage in index.of_type(*_STORAGE_TYPES):
        try:
            storage_id = _lower_id(storage.props, "id")
        except UnknownValueError:
            continue  # reachable by property dependency instead
        if storage_id:
            found[storage_id] = storage
    return found


def _linked_storage(item: StackItem, key: str, by_id: Mapping[str, StackItem],
                    index: StackIndex) -> tuple[list[StackItem], UnknownValueError | None]:
    """The storage accounts ``item.<key>`` names: by id, else by property dependency."""
    by_dep = [index.by_urn[u] for u in item.built_from(key)
              if u in index.by_urn and index.by_urn[u].canonical in _STORAGE_TYPES]
    try:
        storage_id = _lower_id(item.props, key)
    except UnknownValueError as exc:
        return by_dep, None if by_dep else exc
    if storage_id and storage_id in by_id:
        return [by_id[storage_id]], None
    return by_dep, None  # not declared in this stack: cannot be judged


def _denied_by_rule_resources(index: StackIndex, by_id: Mapping[str, StackItem]) -> set[str]:
    """URNs of classic storage accounts closed by a separate AccountNetworkRules resource."""
    denied: set[str] = set()
    for rules in index.of_type(CLASSIC_STORAGE_NETWORK_RULES):
        try:
            action = p.get_str(rules.props, "defaultAction")
            if action is None or action.strip().lower() != "deny":
                continue
            targets, _ = _linked_storage(rules, "storageAccountId", by_id, index)
        except UnknownValueError:
            continue
        denied.update(s.urn for s in targets)
    return denied


def _storage_public(storage: StackItem, denied: set[str]) -> bool:
    if storage.urn in denied:
        return False
    if storage.canonical == CLASSIC_STORAGE_ACCOUNT:
        closed = p.get_bool(storage.props, "publicNetworkAccessEnabled") is False
        action = p.get_str(storage.props, "networkRules.defaultAction")
    else:
        access = p.get_str(storage.props, "publicNetworkAccess")
        closed = access is not None and access.strip().lower() == "disabled"
        action = p.get_str(storage.props, "networkRuleSet.defaultAction")
    return not (closed or (action is not None and action.strip().lower() == "deny"))


def _hbi(workspace: StackItem) -> bool:
    return p.get_bool(workspace.props, "highBusinessImpact" if t.is_classic(workspace.type) else "hbiWorkspace") is True


def _hbi_storage_check(items: Sequence[StackItem], config: Mapping[str, Any]) -> Iterator[tuple[str, str | None]]:
    index = StackIndex(items)
    by_id = _storage_by_id(index)
    denied = _denied_by_rule_resources(index, by_id)
    pending: UnknownValueError | None = None
    for workspace in index.of_type(*WORKSPACE_TYPES):
        try:
            if not _hbi(workspace):
                continue
            key = "storageAccountId" if t.is_classic(workspace.type) else "storageAccount"
            storages, unknown = _linked_storage(workspace, key, by_id, index)
            pending = pending or unknown
            public = [s for s in storages if _storage_public(s, denied)]
        except UnknownValueError as exc:
            pending = pending or exc
            continue
        for storage in public:
            yield (f"The storage account of high-business-impact workspace '{workspace.name}' accepts traffic from "
                   "public networks; set its publicNetworkAccess to Disabled or its network rule set's defaultAction "
                   "to Deny (absent counts as public)."), storage.urn
    if pending is not None:
        raise pending


_SA_ID = f"{_RG}/Microsoft.Storage/storageAccounts/st"


def _hbi_ws(type_: str = t.WORKSPACE, **props: Any) -> SampleResource:
    if type_ == t.CLASSIC_WORKSPACE:
        return SampleResource(type_, "ws", {"highBusinessImpact": True, "storageAccountId": _SA_ID, **props})
    return SampleResource(type_, "ws", {"hbiWorkspace": True, "storageAccount": _SA_ID, **props})


def _sa(type_: str = STORAGE_ACCOUNT, name: str = "st", **props: Any) -> SampleResource:
    return SampleResource(type_, name, {"id": _SA_ID, "kind": "StorageV2", **props})


hbi_workspace_storage_private = StackRule(
    name="hbi-workspace-storage-private",
    description="The storage account of a high-business-impact Azure ML workspace (hbiWorkspace, classic "
    "highBusinessImpact; any kind; an absent flag means not HBI) must not be publicly reachable: publicNetworkAccess "
    "Disabled or the network rule set's defaultAction Deny (absent counts as public). A storage account not declared "
    "in the stack cannot be judged and is not reported.",
    severity=Severity.HIGH,
    level=EnforcementLevel.MANDATORY,
    security=True,
    remediation="On the workspace's storage account set publicNetworkAccess to 'Disabled' (classic: "
    "publicNetworkAccessEnabled = false) or networkRuleSet.defaultAction to 'Deny' (classic: networkRules."
    "defaultAction, or an AccountNetworkRules resource), and reach it through private endpoints.",
    unknowns="A workspace whose HBI flag or storage link is unknown during preview, or whose storage account's "
    "network settings are, is skipped and the SDK's advisory 'can't run policy' diagnostic is added after the others "
    "are judged; a storage id unknown during preview is matched by property dependency.",
    topics=("network", "data-access"),
    frameworks=(
        Framework("Checkov", "CKV2_AZURE_50", "Ensure Azure Storage Account storing Machine Learning workspace high "
                  "business impact data is not publicly accessible"),
        _NS2,
    ),
    check=_hbi_storage_check,
    samples=(
        StackSample("public access disabled", _stack(_hbi_ws(), _sa(publicNetworkAccess="Disabled"))),
        StackSample("default action deny, by property dependency", _stack(
            SampleResource(t.WORKSPACE, "ws", {"hbiWorkspace": True, "storageAccount": "st-id-from-output"},
                           depends_on={"storageAccount": ("st",)}),
            _sa(publicNetworkAccess="Enabled", networkRuleSet={"defaultAction": "Deny", "bypass": "AzureServices"}))),
        StackSample("not hbi", _stack(SampleResource(t.WORKSPACE, "ws", {"hbiWorkspace": False, "storageAccount": _SA_ID}),
                                      _sa())),
        StackSample("storage not in the stack", _stack(_hbi_ws())),
        StackSample("classic with network rules resource", _stack(
            _hbi_ws(t.CLASSIC_WORKSPACE), _sa(CLASSIC_STORAGE_ACCOUNT),
            SampleResource(CLASSIC_STORAGE_NETWORK_RULES, "rules", {"storageAccountId": _SA_ID, "defaultAction": "Deny"}))),
        StackSample("versioned tokens, snake_case", _stack(
            SampleResource("azure-native:machinelearningservices/v20240401:Workspace", "ws",
                           {"hbi_workspace": "true", "storage_account": _SA_ID.upper()}),
            _sa("azure-native:storage/v20230101:StorageAccount", public_network_access="disabled"))),
        StackSample("public storage", _stack(_hbi_ws(), _sa()), ("high-business-impact workspace 'ws' accepts traffic",)),
        StackSample("explicitly allowed", _stack(_hbi_ws(), _sa(publicNetworkAccess="Enabled",
                                                                networkRuleSet={"defaultAction": "Allow"})),
                    ("accepts traffic from public networks",)),
        StackSample("classic public", _stack(_hbi_ws(t.CLASSIC_WORKSPACE), _sa(
            CLASSIC_STORAGE_ACCOUNT, publicNetworkAccessEnabled=True, networkRules={"defaultAction": "Allow"})),
            ("accepts traffic from public networks",)),
    ),
)

RULES = (
    workspace_public_network_disabled,
    workspace_managed_network_isolation,
    workspace_private_endpoint,
    workspace_system_datastores_identity,
    datastore_no_inline_credentials,
    workspace_connection_no_inline_credentials,
    data_uri_no_sas_token,
    hbi_workspace_storage_private,
)
