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
from ..core.linking import Linker, linker_of
from ..core.providers import Provider
from ..core.resources import workspace as ws
from ..core.rule import StackRule
from ..core.samples import SampleResource, StackSample, ml_id, sample_stack
from ..core.shape import read
from ..core.stack import StackItem, UnknownItems, derived
from . import samples as wx

_WORKSPACE_GROUP: Final = "amlworkspace"  # the private link sub-resource of a workspace


_ENDPOINT_FIX: Final = "pass the workspace's output instead of a string (private_link_service_id=workspace.id)"
_RULE_FIX: Final = "pass the workspace's output instead of a string (workspace_name=workspace.name)"


class _Reach:
    """The workspaces the stack's private endpoints and outbound rule resources reach (URNs), and
    what cannot be known yet: ``maybe`` (workspaces an endpoint with an unknown part depends on),
    ``maybe_any`` (an endpoint that cannot be linked may reach any workspace) and the first such
    unknown, raised for the workspaces it leaves undecided."""

    def __init__(self) -> None:
        self.urns: set[str] = set()
        self.maybe: set[str] = set()
        self.maybe_any = False
        self.unknown: UnknownValueError | None = None

    def undecided(self, exc: UnknownValueError, linked: Sequence[StackItem] = ()) -> None:
        if linked:
            self.maybe.update(w.urn for w in linked)
        else:
            self.maybe_any = True
        self.unknown = self.unknown or exc

    def may_reach(self, urns: set[str]) -> bool:
        return self.maybe_any or bool(urns & self.maybe)


def _connections(endpoint: StackItem, setting: shape.Setting) -> list[tuple[str, Mapping[str, Any]]]:
    """(property holding it, connection) for each private link connection an endpoint lists in one
    of its connection properties."""
    reading = read(endpoint.type, endpoint.props, setting)
    if reading is None or reading.absent:
        return []
    if isinstance(reading.raw, Mapping):  # the classic provider's single connection
        return [(reading.path, reading.raw)]
    listed = p.get_list({"v": reading.raw}, "v")
    return [(reading.path, c) for c in (p.elements(listed, reading.path) if listed is not None else ()) if isinstance(c, Mapping)]


def _add_endpoint(reach: _Reach, endpoint: StackItem, linker: Linker) -> None:
    by_dependency = [w for w in (linker.index.by_urn.get(u) for u in endpoint.dependencies)
                     if w is not None and w.canonical in ws.TYPES]
    connections: list[tuple[str, Mapping[str, Any]]] = []
    for setting in ws.ENDPOINT_CONNECTIONS:  # automatic and manual: one unknown list leaves the other judged
        try:
            connections += _connections(endpoint, setting)
        except UnknownValueError as exc:
            where = shape.path_of(endpoint.type, endpoint.props, setting) or ""
            reach.undecided(exc, linker.index.linked(endpoint, where, *ws.TYPES) or by_dependency)
    for key, connection in connections:
        try:
            groups = read(endpoint.type, connection, ws.CONNECTION_GROUPS)
            listed = p.get_list({"v": groups.raw}, "v") if groups is not None else None
            names = {g.strip().lower() for g in p.elements(listed) if isinstance(g, str)} if listed else set()
        except UnknownValueError as exc:
            reach.undecided(exc, linker.index.linked(endpoint, key, *ws.TYPES) or by_dependency)
            continue
        if _WORKSPACE_GROUP not in names:
            continue
        where = shape.path_of(endpoint.type, connection, ws.CONNECTION_TARGET) or ""
        link = linker.find(endpoint, ws.TYPES, key=key, value=p.get_or_unknown(connection, where), what="workspace",
                           fix=_ENDPOINT_FIX)
        reach.urns.update(w.urn for w in link.items)
        if link.unknown is not None:
            reach.undecided(link.unknown)


def _add_outbound_rule(reach: _Reach, rule: StackItem, linker: Linker) -> None:
    """A standalone outbound rule resource of type PrivateEndpoint counts for its workspace, as an
    inline one does (Checkov CKV_AZURE_243)."""
    if rule.canonical != ws.CLASSIC_OUTBOUND_PRIVATE_ENDPOINT:
        try:
            kind = read(rule.type, rule.props, ws.OUTBOUND_RULE_KIND)
        except UnknownValueError as exc:
            reach.undecided(exc, [w for w in (linker.index.by_urn.get(u) for u in rule.dependencies)
                                  if w is not None and w.canonical in ws.TYPES])
            return
        if kind is None or not isinstance(kind.raw, str) or kind.raw.strip().lower() != "privateendpoint":
            return
    key = shape.path_of(rule.type, rule.props, ws.OUTBOUND_RULE_WORKSPACE) or ""
    link = linker.find(rule, ws.TYPES, key=key, child_of="workspaces", what="workspace", fix=_RULE_FIX)
    reach.urns.update(w.urn for w in link.items)
    if link.unknown is not None:
        reach.undecided(link.unknown)


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
    linker = derived(items, linker_of)
    index = linker.index
    reach = _Reach()
    for endpoint in index.of_type(*ws.ENDPOINT_TYPES):
        _add_endpoint(reach, endpoint, linker)
    for rule in index.of_type(*ws.OUTBOUND_RULE_TYPES):
        _add_outbound_rule(reach, rule, linker)
    pending: list[tuple[str, UnknownValueError]] = []
    for workspace in index.of_type(*ws.TYPES):
        if workspace.urn in reach.urns:
            continue
        try:
            if (not ws.public_access_off(workspace.type, workspace.props) or _has_outbound_private_endpoint(workspace)
                    or _via_hub(workspace, reach, linker)):
                continue
        except UnknownValueError as exc:
            pending.append((workspace.urn, exc))
            continue
        hub_key = shape.path_of(workspace.type, workspace.props, ws.HUB) or ""
        if reach.may_reach({workspace.urn, *workspace.built_from(hub_key)}):
            if reach.unknown is not None:
                pending.append((workspace.urn, reach.unknown))
            continue
        yield ("The workspace disables public network access, but no private endpoint in this stack connects to it "
               "(a PrivateEndpoint connection with groupIds 'amlworkspace' whose privateLinkServiceId is this "
               "workspace), and it has no managed network outbound rule of type PrivateEndpoint (inline, or an "
               "outbound rule resource of its own)."), workspace.urn
    if pending:
        raise UnknownItems(pending)  # after reporting what was known: the SDK's advisory for the rest


def _via_hub(workspace: StackItem, reach: _Reach, linker: Linker) -> bool:
    """A hub project (hubResourceId) is served by its hub's private endpoint."""
    hub_key = shape.path_of(workspace.type, workspace.props, ws.HUB)
    if hub_key is None or not ws.is_project(workspace.type, workspace.props):
        return False
    hubs = linker.find(workspace, ws.TYPES, key=hub_key, what="hub",
                       fix="pass the hub's output instead of a string (hub_resource_id=hub.id)").require()
    return any(h.urn in reach.urns for h in hubs)


_RG = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers"
_WS_ID = f"{_RG}/Microsoft.MachineLearningServices/workspaces/ws"
_SUBNET = {"id": f"{_RG}/Microsoft.Network/virtualNetworks/vnet/subnets/endpoints"}


def _ws(name: str = "ws", type_: str = t.WORKSPACE, **props: Any) -> SampleResource:
    """A workspace's outputs: its id and name, as the provider reports them."""
    return SampleResource(type_, name, {"id": ml_id("workspaces", name), "name": name, "publicNetworkAccess": "Disabled", **props})


def _rule(type_: str, name: str = "rule", workspace: str = "ws", kind: str = "PrivateEndpoint",
          path: tuple[str, ...] = ("outboundRules",)) -> SampleResource:
    """A standalone outbound rule's outputs: its id below its workspace's, and its kind."""
    destination: Any = {"serviceResourceId": f"{_RG}/Microsoft.Storage/storageAccounts/st", "subresourceTarget": "blob"}
    return SampleResource(type_, name, {"id": ml_id("workspaces", workspace, *path, name), "name": name, "properties": {
        "type": kind, "destination": destination if kind == "PrivateEndpoint" else "pypi.org"}})


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
    "with subresourceNames and privateConnectionResourceId), or, as Checkov CKV_AZURE_243 accepts, a managed network "
    "outbound rule of type PrivateEndpoint: inline in managedNetwork.outboundRules, or a rule resource of its own "
    "(ManagedNetworkSettingsRule, 3.x OutboundRule, classic WorkspaceNetworkOutboundRulePrivateEndpoint). Endpoints "
    "and rules are linked to their workspace (catalogue: 'How stack rules link resources'): by property dependency "
    "(workspace.id, workspace.name), by ARM id (the connection's target; a rule's own id lies below its workspace's), "
    "by parent or by a single dependency. A hub project (hubResourceId) is reached through its hub's private endpoint "
    "(projects share their hub's). Workspaces that keep public access (absent counts as enabled) are left to "
    "workspace-public-network-disabled.",
    severity=Severity.HIGH,
    level=EnforcementLevel.MANDATORY,
    security=True,
    remediation="Declare an azure-native network.PrivateEndpoint (classic: azure.privatelink.Endpoint) with a "
    "private link service connection to the workspace's id and group id 'amlworkspace' (classic: "
    "privateServiceConnection.privateConnectionResourceId and subresourceNames), plus the private DNS zones "
    "privatelink.api.azureml.ms and privatelink.notebooks.azure.net.",
    unknowns="During preview ids are unknown: an endpoint or rule is linked by property dependency, parent or single "
    "dependency; one that names its workspace by a literal string cannot be linked yet, and a workspace it might "
    "reach is skipped with the SDK's advisory 'can't run policy' diagnostic, whose message says to pass "
    "workspace.id (workspace.name for a rule) instead; the other workspaces are judged. Not a violation: `pulumi up` "
    "links it by id.",
    topics=("network",),
    frameworks=(fw.AZ_PRIVATE_LINK, fw.CKV_AZURE_243, fw.MCSB_NS2),
    types=(*ws.TYPES, *ws.OUTBOUND_RULE_TYPES),
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
        StackSample("outbound private endpoint rule resource, by its id", sample_stack(
            _ws(), _rule(f"{t.ML}:ManagedNetworkSettingsRule"))),
        StackSample("3.x OutboundRule below the managed network, 2.x rule by property dependency", sample_stack(
            _ws(), _ws("ws2"), _rule(f"{t.ML}:OutboundRule", path=("managedNetworks", "default", "outboundRules")),
            SampleResource("azure-native:machinelearningservices/v20240401:ManagedNetworkSettingsRule", "rule2", {
                "id": p.UNKNOWN_STRING, "name": p.UNKNOWN_STRING, "properties": {"type": "PrivateEndpoint"}},
                depends_on={"workspaceName": ("ws2",)}))),
        StackSample("classic outbound private endpoint rule", sample_stack(
            SampleResource(t.CLASSIC_WORKSPACE, "ws", wx.classic(publicNetworkAccessEnabled=False, id=_WS_ID)),
            SampleResource(ws.CLASSIC_OUTBOUND_PRIVATE_ENDPOINT, "rule", {
                "workspaceId": _WS_ID, "serviceResourceId": f"{_RG}/Microsoft.Storage/storageAccounts/st",
                "subResourceTarget": "blob"}))),
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
        StackSample("outbound rule resource of another type", sample_stack(_ws(), _rule(f"{t.ML}:OutboundRule", kind="FQDN")),
                    ("no private endpoint in this stack connects to it",)),
        StackSample("outbound rule resource of another workspace", sample_stack(
            _ws(), _rule(f"{t.ML}:ManagedNetworkSettingsRule", workspace="other")),
            ("no private endpoint in this stack connects to it",)),
        StackSample("endpoint naming the workspace by a literal id during preview", sample_stack(
            _ws(id=p.UNKNOWN_STRING, name=p.UNKNOWN_STRING), _pe()), unknown="private_link_service_id=workspace.id"),
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
