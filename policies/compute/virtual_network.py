"""compute-in-virtual-network (stack rule): every cluster and instance runs in a virtual network, by
its own subnet or its workspace's managed network isolation."""

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
from ..core.options import flag
from ..core.provenance import Sources, built_from, judge, unjudged
from ..core.providers import Provider
from ..core.resources import compute as cs
from ..core.resources import workspace as ws
from ..core.resources.compute import CLUSTER, INSTANCE, compute_kind
from ..core.rule import SDK_ADVISORY, StackRule, fail_closed
from ..core.samples import SampleResource, StackSample, ml_id, sample_stack
from ..core.shape import read
from ..core.stack import StackIndex, StackItem, derived, judge_each
from . import samples as cx

_MANAGED_MODES: Final = frozenset({"allowinternetoutbound", "allowonlyapprovedoutbound"})


_WORKSPACE_FIX: Final = "pass the workspace's output instead of a string (workspace_name=workspace.name)"


def workspaces_of(compute: StackItem, linker: Linker) -> list[StackItem]:
    """The workspace(s) a compute belongs to (``linking``: by property dependency, by its own id
    below ``workspaces/<ws>``, by the classic machineLearningWorkspaceId, by name, by parent or by
    its one workspace dependency). Raises ``Unlinked`` when that cannot be told during preview."""
    key = shape.path_of(compute.type, compute.props, cs.WORKSPACE) or ""
    return linker.find(compute, ws.TYPES, key=key, child_of="workspaces", what="workspace", fix=_WORKSPACE_FIX).require()


def managed(workspace: StackItem, linker: Linker) -> bool:
    """Whether the workspace has managed network isolation, itself or (a Project) through its hub."""
    if _isolated(workspace):
        return True
    if not ws.is_project(workspace.type, workspace.props):
        return False
    hub_key = shape.path_of(workspace.type, workspace.props, ws.HUB) or ""
    hubs = linker.find(workspace, ws.TYPES, key=hub_key, what="hub",
                       fix="pass the hub's output instead of a string (hub_resource_id=hub.id)").require()
    return bool(hubs) and all(_isolated(h) for h in hubs)


def _isolated(workspace: StackItem) -> bool:
    reading = read(workspace.type, workspace.props, ws.ISOLATION_MODE)
    mode = reading.value if reading is not None else None
    return isinstance(mode, str) and mode.strip().lower() in _MANAGED_MODES


# A subnet id unknown during preview (the id of a subnet created in the same stack) is judged by its source.
SUBNET_SOURCES: Final = Sources(cs.SUBNET, (t.SUBNET, t.CLASSIC_SUBNET, t.VIRTUAL_NETWORK, t.CLASSIC_VIRTUAL_NETWORK),
                                "a subnet of this stack")


def _has_subnet(item: StackItem, index: StackIndex, closed: bool) -> bool | str:
    """Whether the compute has a subnet; a problem message when its subnet id is unknown and, failing
    closed, built from something other than a subnet or virtual network of the stack."""
    holder = read(item.type, item.props, cs.SUBNET_HOLDER)  # an unknown above the subnet is a real unknown
    if holder is not None and holder.absent:
        return False
    try:
        subnet = read(item.type, item.props, cs.SUBNET)
    except UnknownValueError as exc:
        if not closed:
            return True  # a subnet is given; its id (a resource of this stack) is known after `pulumi up`
        where = ".".join(str(k) for k in exc.props)
        reason = judge(SUBNET_SOURCES, built_from(item, str(exc.props[0]), index))
        return True if reason is None else f"{unjudged([where], SUBNET_SOURCES.what, reason)} (failClosed)."
    return subnet is not None and isinstance(subnet.raw, str) and bool(subnet.raw.strip())


def _vnet_problem(item: StackItem, linker: Linker, config: Mapping[str, Any]) -> str | None:
    if compute_kind(item.type, item.props) not in (CLUSTER, INSTANCE):
        return None
    subnet = _has_subnet(item, linker.index, fail_closed(config))
    if subnet is True:
        return None
    if isinstance(subnet, str):
        return subnet
    where = shape.path_of(item.type, item.props, cs.SUBNET)
    linked = workspaces_of(item, linker)
    if not linked:
        if config["assumeManagedNetwork"] is True:
            return None
        return (f"The compute has no subnet ({where}) and its workspace is not declared in this stack, so managed network "
                "isolation cannot be confirmed; set a subnet, declare the workspace here, or set assumeManagedNetwork.")
    if all(managed(w, linker) for w in linked):
        return None
    return (f"The compute has no subnet ({where}) and its workspace has no managed network isolation "
            "(managedNetwork.isolationMode AllowInternetOutbound or AllowOnlyApprovedOutbound).")


def _in_virtual_network(items: Sequence[StackItem], config: Mapping[str, Any]) -> Iterator[tuple[str, str | None]]:
    linker = derived(items, linker_of)
    index = linker.index
    return judge_each(index.of_type(*cs.TYPES), lambda item: _vnet_problem(item, linker, config))


def _ws(mode: str | None = "AllowOnlyApprovedOutbound", name: str = "ws", **extra: Any) -> SampleResource:
    """A workspace's outputs: its id and name, as the provider reports them."""
    props: dict[str, Any] = {"id": ml_id("workspaces", name), "name": name, **extra}
    if mode is not None:
        props["managedNetwork"] = {"isolationMode": mode}
    return SampleResource(t.WORKSPACE, name, props)


_WS_ID = ml_id("workspaces", "ws")
_HUB_ID = ml_id("workspaces", "hub")


def _compute(name: str = "cluster", workspace: str = "ws", subnet: bool = False, kind: str = "AmlCompute",
             depends: str | None = None, known: bool = True, unknown_subnet: bool = False,
             subnet_from: str = "") -> SampleResource:
    """A compute's outputs: its id below its workspace's (unknown during preview unless ``known``);
    ``depends`` names the input built from the workspace ("" for a plain dependency); ``subnet_from``
    the resource its (``unknown_subnet``: unknown) subnet id is built from."""
    settings: dict[str, Any] = {"subnet": {"id": p.UNKNOWN_STRING} if unknown_subnet else cx.SUBNET} if subnet else {}
    arm, own = (ml_id("workspaces", workspace, "computes", name), name) if known else (p.UNKNOWN_STRING, p.UNKNOWN_STRING)
    depends_on = {depends: (workspace,)} if depends is not None else {}
    if subnet_from:
        depends_on["properties"] = (subnet_from,)
    return SampleResource(t.COMPUTE, name, {"id": arm, "name": own, "properties": {"computeType": kind, "properties": settings}},
                          depends_on=depends_on)


def _preview_ws(mode: str = "AllowOnlyApprovedOutbound", name: str = "ws") -> SampleResource:
    """A workspace during preview: its id and name unknown."""
    return SampleResource(t.WORKSPACE, name, {"id": p.UNKNOWN_STRING, "name": p.UNKNOWN_STRING,
                                              "managedNetwork": {"isolationMode": mode}})


compute_in_virtual_network = StackRule(
    name="compute-in-virtual-network",
    title="Computes run in a virtual network",
    description="Compute clusters and instances must run in a virtual network: a subnet, or an isolated managed network.",
    details="Every compute cluster and compute instance (azure-native 3.x and 2.x, 2.x's MachineLearningCompute, "
    "classic ComputeCluster and ComputeInstance) must run in a virtual network: it has a subnet (classic: "
    "subnetResourceId), or its workspace (declared in the same stack; a Project through its hub) uses managed network "
    "isolation "
    "(AllowInternetOutbound or AllowOnlyApprovedOutbound). A compute without a subnet whose workspace is not in the stack "
    "is a violation unless assumeManagedNetwork is set. Kubernetes and attached computes are not judged. (Azure Policy "
    "7804b5c7 audits the subnet alone; a managed network isolates the compute the same way.)",
    severity=Severity.HIGH,
    level=EnforcementLevel.MANDATORY,
    security=True,
    remediation="Give the compute a subnet (properties.properties.subnet.id; classic provider: subnetResourceId), or "
    "set the workspace's managedNetwork.isolationMode to AllowOnlyApprovedOutbound (or AllowInternetOutbound). If the "
    "workspace lives in another stack and is known to use a managed network, set assumeManagedNetwork.",
    unknowns="A subnet id that is unknown during preview counts as a subnet; with failClosed it is judged by where it "
    "comes from (built only from subnets and virtual networks of the stack passes). A compute whose type or workspace "
    "link is "
    f"unknown, or whose workspace's isolation mode is unknown, is skipped and {SDK_ADVISORY} is added; the others are "
    "judged.",
    topics=("network",),
    frameworks=(fw.AZ_COMPUTE_IN_VNET, fw.MCSB_NS1),
    options=(
        flag("assumeManagedNetwork", False,
             "Treat computes whose workspace is not declared in this stack as covered by a managed network."),
    ),
    types=t.COMPUTE_TYPES,
    not_covered=cs.ATTACHED,
    check=_in_virtual_network,
    sources=(SUBNET_SOURCES,),
    samples=(
        StackSample("subnet, workspace elsewhere", sample_stack(_compute(subnet=True, workspace="central"))),
        StackSample("managed workspace by the compute's id", sample_stack(_ws(name="WS"), _compute(workspace="ws"))),
        StackSample("managed workspace by property dependency, during preview", sample_stack(
            _preview_ws("AllowInternetOutbound"), _compute(kind="ComputeInstance", known=False, depends="workspaceName"))),
        StackSample("managed workspace, the one it depends on, during preview", sample_stack(
            _preview_ws(), _preview_ws("Disabled", name="other"), _compute(known=False, depends=""))),
        StackSample("project through its hub (by id)", sample_stack(
            _ws(name="hub", kind="Hub"), _ws(None, name="proj", kind="Project", hubResourceId=_HUB_ID),
            _compute(workspace="proj"))),
        StackSample("project through its hub (by property dependency)", sample_stack(
            _ws(name="hub", kind="Hub"),
            SampleResource(t.WORKSPACE, "proj", {"id": ml_id("workspaces", "proj"), "name": "proj", "kind": "Project",
                                                 "hubResourceId": p.UNKNOWN_STRING}, depends_on={"hubResourceId": ("hub",)}),
            _compute(workspace="proj"))),
        StackSample("classic cluster by workspace id", sample_stack(
            SampleResource(t.CLASSIC_WORKSPACE, "cws", {"name": "ws", "id": _WS_ID, "identity": {"type": "SystemAssigned"},
                                                        "managedNetwork": {"isolationMode": "AllowOnlyApprovedOutbound"}}),
            SampleResource(t.CLASSIC_CLUSTER, "ccluster", cx.classic_cluster(machineLearningWorkspaceId=_WS_ID,
                                                                           subnetResourceId=None)))),
        StackSample("classic instance with subnet", sample_stack(
            SampleResource(t.CLASSIC_INSTANCE, "cinst", cx.classic_instance(machineLearningWorkspaceId=_WS_ID)))),
        StackSample("2.x versioned workspace, MachineLearningCompute", sample_stack(
            SampleResource("azure-native:machinelearningservices/v20240401:Workspace", "ws", {
                "id": _WS_ID, "name": "ws", "managedNetwork": {"isolationMode": "AllowOnlyApprovedOutbound"}}),
            SampleResource(cx.MLC, "cluster", {"id": f"{_WS_ID}/computes/cluster", "name": "cluster",
                                               "properties": {"computeType": "AmlCompute", "properties": {}}}))),
        StackSample("assumed managed", sample_stack(_compute(workspace="central")), config={"assumeManagedNetwork": True}),
        StackSample("kubernetes not judged", sample_stack(_ws("Disabled"), _compute(kind="Kubernetes"))),
        StackSample("workspace without isolation", sample_stack(_ws("Disabled"), _compute(depends="workspaceName")),
                    ("its workspace has no managed network isolation",)),
        StackSample("workspace isolation absent", sample_stack(_ws(None), _compute()), ("has no managed network isolation",)),
        StackSample("workspace not in stack", sample_stack(_ws(), _compute(workspace="central")),
                    ("not declared in this stack",)),
        StackSample("workspace not in stack, though it depends on one", sample_stack(
            _ws(), SampleResource(t.COMPUTE, "c", {**_compute("c", workspace="central").props}, depends_on={"": ("ws",)})),
            ("not declared in this stack",)),
        StackSample("literal workspace name during preview", sample_stack(_preview_ws(), _compute(known=False)),
                    unknown="workspace_name=workspace.name"),
        StackSample("empty subnet id", sample_stack(_ws("Disabled"), SampleResource(t.COMPUTE, "c", {
            "id": f"{_WS_ID}/computes/c", "name": "c",
            "properties": {"computeType": "ComputeInstance", "properties": {"subnet": {"id": " "}}}})),
            ("has no subnet (properties.properties.subnet.id)",)),
        StackSample("project whose hub is not isolated", sample_stack(
            _ws("Disabled", name="hub", kind="Hub"), _ws(None, name="proj", kind="Project", hubResourceId=_HUB_ID),
            _compute(workspace="proj")), ("has no managed network isolation",)),
        StackSample("classic cluster, unmanaged workspace", sample_stack(
            SampleResource(t.CLASSIC_WORKSPACE, "cws", {"name": "ws", "id": _WS_ID, "identity": {"type": "SystemAssigned"}}),
            SampleResource(t.CLASSIC_CLUSTER, "ccluster", cx.classic_cluster(machineLearningWorkspaceId=_WS_ID,
                                                                           subnetResourceId=None))),
            ("has no subnet (subnetResourceId)",)),
        StackSample("2.x default-module workspace has no managed network", sample_stack(
            SampleResource(t.WORKSPACE, "ws", {"id": _WS_ID, "name": "ws", "hbiWorkspace": False, "v1LegacyMode": False,
                                               "allowPublicAccessWhenBehindVnet": False}, provider=Provider.AN2),
            SampleResource(t.COMPUTE, "ci", {"id": f"{_WS_ID}/computes/ci", "name": "ci", "properties": {
                "computeType": "ComputeInstance", "properties": {}}}, provider=Provider.AN2)),
            ("its workspace has no managed network isolation",)),
        StackSample("unknown subnet id built from the stack's subnet", sample_stack(
            SampleResource(t.SUBNET, "snet", {"subnetName": "snet"}), _compute(subnet=True, unknown_subnet=True, subnet_from="snet")),
            config={"failClosed": True}),
        StackSample("unknown subnet id, not failing closed", sample_stack(_compute(subnet=True, unknown_subnet=True))),
        StackSample("unknown subnet id built from a workspace, failing closed", sample_stack(
            _ws(), _compute(subnet=True, unknown_subnet=True, subnet_from="ws")),
            ("properties.properties.subnet.id is unknown during preview and not shown to be a subnet of this stack: "
             f"built from {t.WORKSPACE} 'ws' (failClosed).",),
            config={"failClosed": True}),
        StackSample("two computes, one judged each", sample_stack(
            _ws("Disabled"), _compute("a"), _compute("b", subnet=True), _compute("c", workspace="elsewhere")),
            ("has no managed network isolation", "not declared in this stack")),
    ),
)
