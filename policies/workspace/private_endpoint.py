"""workspace-private-endpoint (stack rule): a workspace without public access is reachable
through a private endpoint declared in the same stack (or a managed network outbound rule of
type PrivateEndpoint, as Checkov CKV_AZURE_243 accepts)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Final

from pulumi_policy import EnforcementLevel, Severity
from pulumi_policy.proxy import UnknownValueError

from ..core import frameworks as fw
from ..core import props as p
from ..core import shape
from ..core import types as t
from ..core.providers import Provider
from ..core.resources import workspace as ws
from ..core.rule import StackRule
from ..core.samples import SampleResource, StackSample, sample_stack
from ..core.shape import read
from ..core.stack import StackIndex, StackItem, UnknownItems
from . import samples as wx

_WORKSPACE_GROUP: Final = "amlworkspace"  # the private link sub-resource of a workspace


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


def _connections(endpoint: StackItem) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """(property holding it, connection) for each private link connection of an endpoint."""
    for setting in ws.ENDPOINT_CONNECTIONS:
        reading = read(endpoint.type, endpoint.props, setting)
        if reading is None or reading.absent:
            continue
        if isinstance(reading.raw, Mapping):  # the classic provider's single connection
            yield reading.path, reading.raw
            continue
        listed = p.get_list({"v": reading.raw}, "v")
        for connection in p.elements(listed, reading.path) if listed is not None else ():
            if isinstance(connection, Mapping):
                yield reading.path, connection


def _add_endpoint(found: _Endpoints, endpoint: StackItem, workspace_urns: set[str]) -> None:
    try:
        connections = list(_connections(endpoint))
    except UnknownValueError as exc:
        _maybe(found, endpoint.dependencies, workspace_urns, exc)
        return
    for key, connection in connections:
        deps = endpoint.built_from(key)
        try:
            groups = read(endpoint.type, connection, ws.CONNECTION_GROUPS)
            listed = p.get_list({"v": groups.raw}, "v") if groups is not None else None
            names = {g.strip().lower() for g in p.elements(listed) if isinstance(g, str)} if listed else set()
        except UnknownValueError as exc:
            _maybe(found, deps, workspace_urns, exc)
            continue
        if _WORKSPACE_GROUP not in names:
            continue
        found.urns.update(u for u in deps if u in workspace_urns)
        try:
            target = read(endpoint.type, connection, ws.CONNECTION_TARGET)
        except UnknownValueError as exc:
            if not any(u in workspace_urns for u in deps):
                _maybe(found, (), workspace_urns, exc)  # the target is some workspace, but which one?
            continue
        if target is not None and isinstance(target.raw, str) and target.raw.strip():
            found.ids.add(target.raw.strip().lower())


def _maybe(found: _Endpoints, urns: Sequence[str], workspace_urns: set[str], exc: UnknownValueError) -> None:
    linked = [u for u in urns if u in workspace_urns]
    if linked:
        found.maybe_urns.update(linked)
    else:
        found.maybe_any = True
    found.unknown = found.unknown or exc


def _has_outbound_private_endpoint(workspace: StackItem) -> bool:
    """Checkov CKV_AZURE_243's test: a managed network outbound rule of type PrivateEndpoint."""
    reading = read(workspace.type, workspace.props, ws.OUTBOUND_RULES)
    rules = reading.raw if reading is not None else None
    if not isinstance(rules, Mapping):
        return False
    for name in list(rules):
        kind = p.get_str(rules, [name, "type"])
        if kind is not None and kind.strip().lower() == "privateendpoint":
            return True
    return False


def _private_endpoint_check(items: Sequence[StackItem], config: Mapping[str, Any]) -> Iterator[tuple[str, str | None]]:
    index = StackIndex(items)
    workspaces = index.of_type(*ws.TYPES)
    workspace_urns = {w.urn for w in workspaces}
    found = _Endpoints()
    for endpoint in index.of_type(*ws.ENDPOINT_TYPES):
        _add_endpoint(found, endpoint, workspace_urns)
    reached_urns, reached_ids = _reached_directly(workspaces, found)
    pending: list[tuple[str, UnknownValueError]] = []
    for workspace in workspaces:
        if workspace.urn in reached_urns:
            continue
        try:
            if (not ws.public_access_off(workspace.type, workspace.props) or _via_hub(workspace, reached_urns, reached_ids)
                    or _has_outbound_private_endpoint(workspace)):
                continue
        except UnknownValueError as exc:
            pending.append((workspace.urn, exc))
            continue
        if found.may_reach({workspace.urn, *workspace.built_from(shape.path_of(workspace.type, workspace.props, ws.HUB) or "")}):
            if found.unknown is not None:
                pending.append((workspace.urn, found.unknown))
            continue
        yield ("The workspace disables public network access, but no private endpoint in this stack connects to it "
               "(a PrivateEndpoint connection with groupIds 'amlworkspace' whose privateLinkServiceId is this "
               "workspace) and it has no managed network outbound rule of type PrivateEndpoint."), workspace.urn
    if pending:
        raise UnknownItems(pending)  # after reporting what was known: the SDK's advisory for the rest


def _reached_directly(workspaces: Sequence[StackItem], found: _Endpoints) -> tuple[set[str], set[str]]:
    """URNs and ids (lower-cased) of the workspaces a private endpoint connects to."""
    urns: set[str] = set()
    ids = set(found.ids)
    for workspace in workspaces:
        try:
            workspace_id = p.get_lower(workspace.props, "id")
        except UnknownValueError:
            workspace_id = None  # not created yet: only a property dependency can name it
        if workspace.urn in found.urns or (workspace_id is not None and workspace_id in found.ids):
            urns.add(workspace.urn)
            if workspace_id is not None:
                ids.add(workspace_id)
    return urns, ids


def _via_hub(workspace: StackItem, reached_urns: set[str], reached_ids: set[str]) -> bool:
    """A hub project (hubResourceId) is served by its hub's private endpoint."""
    hub_key = shape.path_of(workspace.type, workspace.props, ws.HUB)
    if hub_key is None:
        return False
    if any(u in reached_urns for u in workspace.built_from(hub_key)):
        return True
    try:
        hub = p.get_lower(workspace.props, hub_key)
    except UnknownValueError:
        return False
    return hub is not None and hub in reached_ids


_RG = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers"
_WS_ID = f"{_RG}/Microsoft.MachineLearningServices/workspaces/ws"
_SUBNET = {"id": f"{_RG}/Microsoft.Network/virtualNetworks/vnet/subnets/endpoints"}


def _ws(name: str = "ws", type_: str = t.WORKSPACE, **props: Any) -> SampleResource:
    return SampleResource(type_, name, {"publicNetworkAccess": "Disabled", **props})


def _pe(name: str = "pe", target: str = _WS_ID, groups: tuple[str, ...] = ("amlworkspace",),
        key: str = "privateLinkServiceConnections", type_: str = t.PRIVATE_ENDPOINT,
        depends_on: Mapping[str, tuple[str, ...]] | None = None) -> SampleResource:
    connection = {"name": f"{name}-conn", "groupIds": list(groups), "privateLinkServiceId": target}
    return SampleResource(type_, name, {key: [connection], "subnet": _SUBNET}, depends_on=depends_on or {})


workspace_private_endpoint = StackRule(
    name="workspace-private-endpoint",
    title="Workspaces are reached through a private endpoint",
    description="Azure ML workspaces without public access must be reachable through a private endpoint declared in the stack.",
    details="Every Azure ML workspace (any kind) whose public network access is disabled must be reachable "
    "through a private endpoint declared in the stack: a PrivateEndpoint connection with groupIds 'amlworkspace' "
    "whose privateLinkServiceId is the workspace (classic azure:privatelink/endpoint:Endpoint: privateServiceConnection "
    "with subresourceNames and privateConnectionResourceId; by id, or by property dependency while ids are unknown), "
    "or, as Checkov CKV_AZURE_243 accepts, a managed network outbound rule of type PrivateEndpoint. A hub project "
    "(hubResourceId) is reached through its hub's private endpoint (projects share their hub's). Workspaces that keep "
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
    frameworks=(fw.AZ_PRIVATE_LINK, fw.CKV_AZURE_243, fw.MCSB_NS2),
    types=ws.TYPES,
    check=_private_endpoint_check,
    samples=(
        StackSample("endpoint by id, any case", sample_stack(_ws(id=_WS_ID), _pe(target=_WS_ID.upper()))),
        StackSample("endpoint by property dependency", sample_stack(
            _ws(), _pe(target=f"{_RG}/Microsoft.MachineLearningServices/workspaces/other-name",
                       depends_on={"privateLinkServiceConnections": ("ws",)}))),
        StackSample("manual connection, 2.x versioned modules", sample_stack(
            _ws(type_=wx.AN2_STABLE, id=_WS_ID),
            _pe(key="manualPrivateLinkServiceConnections", type_="azure-native:network/v20230401:PrivateEndpoint"))),
        StackSample("2.x default module", sample_stack(
            SampleResource(t.WORKSPACE, "ws", wx.an2_default(publicNetworkAccess="Disabled", id=_WS_ID), provider=Provider.AN2),
            _pe())),
        StackSample("outbound private endpoint rule (CKV_AZURE_243)", sample_stack(_ws(managedNetwork={
            "isolationMode": "AllowOnlyApprovedOutbound",
            "outboundRules": {"storage": {"type": "PrivateEndpoint", "destination": {
                "serviceResourceId": f"{_RG}/Microsoft.Storage/storageAccounts/st", "subresourceTarget": "blob"}}}}))),
        StackSample("project reached through its hub's endpoint", sample_stack(
            _ws("hub", kind="Hub", id=_WS_ID), _pe(),
            _ws("project", kind="Project", hubResourceId=_WS_ID),
            SampleResource(t.WORKSPACE, "project2", {"kind": "Project", "publicNetworkAccess": "Disabled",
                                                     "hubResourceId": "hub-id-from-output"},
                           depends_on={"hubResourceId": ("hub",)}))),
        StackSample("public workspace not judged here", sample_stack(
            SampleResource(t.WORKSPACE, "open", {"publicNetworkAccess": "Enabled"}),
            SampleResource(t.WORKSPACE, "absent", {}))),
        StackSample("classic workspace and endpoint", sample_stack(
            SampleResource(t.CLASSIC_WORKSPACE, "ws", wx.classic(publicNetworkAccessEnabled=False, id=_WS_ID)),
            SampleResource(t.CLASSIC_PRIVATE_ENDPOINT, "pe", {"subnetId": _SUBNET["id"], "privateServiceConnection": {
                "name": "c", "isManualConnection": False, "privateConnectionResourceId": _WS_ID,
                "subresourceNames": ["amlworkspace"]}}))),
        StackSample("no endpoint", sample_stack(_ws(id=_WS_ID)), ("no private endpoint in this stack connects to it",)),
        StackSample("project of a hub without endpoint", sample_stack(
            _ws("hub", kind="Hub", id=_WS_ID), _ws("project", kind="Project", hubResourceId=_WS_ID)),
            ("no private endpoint in this stack connects to it",) * 2),
        StackSample("endpoint to another sub-resource", sample_stack(_ws(id=_WS_ID), _pe(groups=("blob",))),
                    ("no private endpoint in this stack connects to it",)),
        StackSample("endpoint to another workspace", sample_stack(
            _ws(id=_WS_ID), _ws("ws2", id=f"{_WS_ID}2"), _pe(target=f"{_WS_ID}2")),
            ("no private endpoint in this stack connects to it",)),
        StackSample("outbound rule of another type", sample_stack(_ws(id=_WS_ID, managedNetwork={
            "isolationMode": "AllowOnlyApprovedOutbound", "outboundRules": {"pypi": {"type": "FQDN", "destination": "pypi.org"}}})),
            ("no private endpoint in this stack connects to it",)),
        StackSample("classic workspace without endpoint", sample_stack(
            SampleResource(t.CLASSIC_WORKSPACE, "ws", wx.classic(public_network_access_enabled=False))),
            ("no private endpoint in this stack connects to it",)),
        StackSample("2.x default module without endpoint", sample_stack(
            SampleResource(t.WORKSPACE, "ws", wx.an2_default(publicNetworkAccess="Disabled", id=_WS_ID), provider=Provider.AN2)),
            ("no private endpoint in this stack connects to it",)),
        StackSample("classic endpoint to another sub-resource", sample_stack(
            SampleResource(t.CLASSIC_WORKSPACE, "ws", wx.classic(publicNetworkAccessEnabled=False, id=_WS_ID)),
            SampleResource(t.CLASSIC_PRIVATE_ENDPOINT, "pe", {"subnetId": _SUBNET["id"], "privateServiceConnection": {
                "name": "c", "isManualConnection": False, "privateConnectionResourceId": _WS_ID,
                "subresourceNames": ["blob"]}})), ("no private endpoint in this stack connects to it",)),
    ),
)
