"""job-allowed-compute (stack rule): every job definition runs on a compute declared in the stack
or allowed by config."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from pulumi_policy import EnforcementLevel, Severity
from pulumi_policy.proxy import UnknownValueError

from ..core import props as p
from ..core import shape
from ..core import types as t
from ..core.linking import Linker, Unlinked, linker_of, parse_arm_id
from ..core.options import strings
from ..core.providers import Provider
from ..core.resources import compute as cs
from ..core.resources import jobs as jb
from ..core.rule import SDK_ADVISORY, StackRule
from ..core.samples import SampleResource, StackSample, sample_stack
from ..core.stack import StackItem, derived
from . import samples as js
from .model import JOB_TYPES, TRIAL, JobNode, job_definitions

SERVERLESS: Final = "serverless"
_COMPUTE_TAIL = re.compile(r"/workspaces/([^/]+)/computes/([^/]+)/?$", re.IGNORECASE)


_COMPUTE_FIX: Final = "pass the compute's output instead of a string (compute_id=compute.id)"


@dataclass
class _Computes:
    """The stack's computes: ids, names (with the workspaces they are in; None when unknown) and
    URNs, from their outputs (``linking``: ARM ids, name outputs, the classic workspace id);
    ``open`` when some compute's id or name is unknown yet (during preview)."""

    ids: set[str]
    names: dict[str, set[str | None]]
    urns: set[str]
    open: bool = False


def _index_computes(linker: Linker) -> _Computes:
    computes = _Computes(set(), {}, set())
    for item in linker.index.of_type(*cs.TYPES):
        computes.urns.add(item.urn)
        arm = linker.arm_id(item)
        computes.open = computes.open or linker.id_unknown(item)
        if arm is not None:
            computes.ids.add(str(arm))
        name = p.known_str(item.props, "name") or (arm.name if arm else None)
        if name:
            where = parse_arm_id(p.known_str(item.props, shape.path_of(item.type, item.props, cs.WORKSPACE) or "id")) or arm
            workspace = where.named("workspaces") if where is not None else None
            computes.names.setdefault(name.lower(), set()).add(workspace)
    return computes


def _declared(value: str, computes: _Computes, workspace: str | None) -> bool:
    lowered = value.lower()
    arm = parse_arm_id(value)
    if arm is not None and str(arm) in computes.ids:
        return True
    tail = _COMPUTE_TAIL.search(lowered)
    if tail:
        workspace, name = tail.group(1), tail.group(2)
    else:
        name = lowered[len("azureml:"):] if lowered.startswith("azureml:") else lowered
        if "/" in name or ":" in name:
            return False
    spaces = computes.names.get(name, set())
    return bool(spaces) and (workspace is None or None in spaces or workspace in spaces)


def _allowed_by_config(value: str, allowed: Sequence[str]) -> bool:
    lowered = value.lower()
    tail = _COMPUTE_TAIL.search(lowered)
    name = tail.group(2) if tail else lowered.removeprefix("azureml:")
    if name == SERVERLESS:
        return SERVERLESS in allowed
    return any(a != SERVERLESS and (lowered.startswith(a) or name.startswith(a)) for a in allowed)


def _compute_refs(node: JobNode) -> list[tuple[str, Any]]:
    """(path, value) of the computes a definition names: ``computeId``/``compute`` and a pipeline's
    ``settings.defaultCompute`` (the default of its steps). A value unknown during preview is
    returned as its ``UnknownValueError``, for the caller to accept or raise."""
    places: list[tuple[str, Any, str]] = [(node.path, node.body, k) for k in p.keys_named(node.body, "computeId", "compute")]
    for settings_key in p.keys_named(node.body, "settings"):
        settings = p.get(node.body, [settings_key])
        places.extend((node.child_path(settings_key), settings, k) for k in p.keys_named(settings, "defaultCompute"))
    refs: list[tuple[str, Any]] = []
    for base, mapping, key in places:
        value = p.get_or_unknown(mapping, [key])
        if p.present(value):
            refs.append((f"{base}.{key}", value))
    return refs


def _sets_compute(node: JobNode | None) -> bool:
    while node is not None:
        if _compute_refs(node):
            return True
        node = node.parent
    return False


def _node_compute(node: JobNode, computes: _Computes, workspace: str | None, linked: str,
                  allowed: Sequence[str]) -> Iterator[str]:
    """``linked``: how the job links to a Compute of the stack (``Link.how``; "" for not at all)."""
    if node.kind == TRIAL:
        return  # a trial runs on its sweep's compute
    listing = ", ".join(allowed) or "none"
    refs = _compute_refs(node)
    for path, value in refs:
        if isinstance(value, UnknownValueError):
            if linked == "property dependency":
                continue  # built from a Compute of this stack (compute.id)
            raise value
        if not isinstance(value, str):
            yield f"{path} is {p.type_name(value)}, not a compute reference."
        elif not (_declared(value.strip(), computes, workspace) or _allowed_by_config(value.strip(), allowed)):
            if computes.open and linked:
                continue  # during preview: taken to name the one Compute the job depends on (checked at `pulumi up`)
            if computes.open:
                raise Unlinked(f"the compute {path} names cannot be identified yet (the ids and names of the stack's "
                               f"computes are unknown); {_COMPUTE_FIX}, so the link is known in preview too (`pulumi up` "
                               "links it by id)")
            yield f"{path} references neither a Compute declared in this stack nor an allowed compute (allowedComputes: {listing})."
    if not refs and node.runs_work and not _sets_compute(node.parent) and SERVERLESS not in allowed:
        yield f"{node.child_path('computeId')} is not set (nor a pipeline default), so the job runs on serverless compute, " \
              f"which allowedComputes does not list (allowed: {listing})."


def _linked_to_compute(item: StackItem, linker: Linker) -> str:
    """How the job's body links to a Compute of this stack (``linking``): built from one (a property
    dependency), its parent, or the one Compute it depends on; "" when none."""
    body = shape.body_key(item.type, item.props) or ""
    return linker.find(item, cs.TYPES, key=body, value=None, what="compute").how


def _job_workspace(item: StackItem, linker: Linker) -> str | None:
    """The job's workspace, lower-cased, from its own id (below the workspace's)."""
    arm = linker.arm_id(item)
    return arm.named("workspaces") if arm else None


def _allowed_computes(items: Sequence[StackItem], config: Mapping[str, Any]) -> Iterator[tuple[str, str | None]]:
    linker = derived(items, linker_of)
    index = linker.index
    computes = _index_computes(linker)
    allowed = [a.strip().lower() for a in config["allowedComputes"] if isinstance(a, str) and a.strip()]
    pending: UnknownValueError | None = None
    for item in index.of_type(*JOB_TYPES):
        linked = _linked_to_compute(item, linker)
        nodes, unknown = job_definitions(item.type, item.props)
        pending = pending or unknown
        workspace = _job_workspace(item, linker)
        for node in nodes:
            try:
                for message in _node_compute(node, computes, workspace, linked, allowed):
                    yield message, item.urn
            except UnknownValueError as exc:
                pending = pending or exc
    if pending is not None:
        raise pending  # after reporting what was known: the SDK's advisory for the rest


_CLUSTER = SampleResource(t.COMPUTE, "cluster", {"id": js.COMPUTE_ID, "name": "cpu-cluster", "location": "westeurope",
                                               "properties": {"computeType": "AmlCompute"}})
_CLUSTER_BY_ID = SampleResource("azure-native:machinelearningservices/v20240401:Compute", "cluster", {
    "id": js.COMPUTE_ID, "name": "cpu-cluster"})
_CLASSIC_CLUSTER = SampleResource(t.CLASSIC_CLUSTER, "cluster", {
    "name": "gpu", "machineLearningWorkspaceId": js.WS, "vmSize": "Standard_NC6", "vmPriority": "Dedicated",
    "scaleSettings": {"minNodeCount": 0, "maxNodeCount": 2, "scaleDownNodesAfterIdleDuration": "PT2M"}})
_PREVIEW_CLUSTER = SampleResource(t.COMPUTE, "cluster", {"id": p.UNKNOWN_STRING, "name": p.UNKNOWN_STRING,
                                                       "properties": {"computeType": "AmlCompute"}})


def _outputs(bag: Mapping[str, Any], name: str, known: bool = True, kind: str = "jobs") -> dict[str, Any]:
    """A job's (or schedule's, ``kind``) outputs: its id below its workspace's, its name and its body."""
    body = {k: v for k, v in bag.items() if k not in ("resourceGroupName", "workspaceName")}
    return {"id": f"{js.WS}/{kind}/{name}" if known else p.UNKNOWN_STRING, "name": name if known else p.UNKNOWN_STRING, **body}


def _job_item(properties: Any, name: str = "train", depends_on: Mapping[str, tuple[str, ...]] | None = None,
              known: bool = True) -> SampleResource:
    return SampleResource(t.JOB, name, _outputs(js.job(properties), name, known), depends_on=dict(depends_on or {}))


job_allowed_compute = StackRule(
    name="job-allowed-compute",
    title="Jobs run on allowed compute",
    description="Every job definition must run on a compute declared in the stack or allowed by config (default: serverless).",
    details="Every job definition (jobs, schedules, pipeline steps; azure-native 2.x and 3.x) must run on a compute "
    "declared in the same stack (an azure-native Compute or 2.x MachineLearningCompute, a classic ComputeCluster or "
    "ComputeInstance; by ARM id, azureml:<name> or bare name, or linked by a property dependency) or on a compute "
    "allowed by allowedComputes. A job that names no compute runs on serverless compute (Azure ML v2), which the "
    "default allowedComputes ['serverless'] accepts; a pipeline step without one uses its pipeline's compute.",
    severity=Severity.MEDIUM,
    level=EnforcementLevel.MANDATORY,
    remediation="Point computeId (pipeline steps: compute or computeId; pipelines: settings.default_compute) at a "
    "Compute declared in this stack, e.g. compute.id, or add its name or id prefix to allowedComputes. Keep "
    "'serverless' in allowedComputes to allow serverless compute (no computeId, or azureml:serverless).",
    unknowns="A compute reference unknown during preview is accepted when the job's properties were built from a "
    "Compute of this stack (compute.id). During preview the ids and names of the stack's computes are unknown, so a "
    "literal reference (azureml:<name>, an ARM id) cannot be matched yet: it is taken to name the one Compute the job "
    f"depends on (depends_on), else that definition is skipped with {SDK_ADVISORY}, whose message says to pass "
    "compute.id instead (not a violation: `pulumi up` matches it by id and name); the others are judged.",
    topics=("resource-usage", "cost"),
    options=(
        strings("allowedComputes", [SERVERLESS], "Computes jobs may use besides the stack's own: 'serverless' (no "
                "computeId, serverless or azureml:serverless), or a prefix of a compute name or ARM id (compared "
                "case-insensitively)."),
    ),
    types=jb.TYPES,
    check=_allowed_computes,
    samples=(
        StackSample("by ARM id", sample_stack(_CLUSTER, _job_item(js.command()))),
        StackSample("by ARM id of the compute's output", sample_stack(_CLUSTER_BY_ID, _job_item(js.command(
            computeId=js.COMPUTE_ID.upper())))),
        StackSample("by name, snake_case step keys", sample_stack(_CLUSTER, _job_item(js.pipeline(
            {"s": js.step(computeId=None, compute="azureml:cpu-cluster"), "t": js.step(computeId=None, compute_id="cpu-cluster")},
            settings={"default_compute": "azureml:cpu-cluster"})))),
        StackSample("classic cluster", sample_stack(_CLASSIC_CLUSTER, _job_item(js.command(computeId="azureml:gpu")))),
        StackSample("2.x job on a 2.x cluster", sample_stack(
            SampleResource(t.COMPUTE, "cluster", {**_CLUSTER.props, "location": "westeurope"}, provider=Provider.AN2),
            SampleResource(t.JOB, "train", _outputs(js.job_an2(js.command()), "train")))),
        StackSample("2.x job linked by property dependency", sample_stack(_CLUSTER, SampleResource(
            t.JOB, "train", _outputs(js.job_an2(js.command(computeId=p.UNKNOWN_STRING)), "train"),
            depends_on={"jobBaseProperties": ("cluster",)}))),
        StackSample("serverless by absence and by name", sample_stack(
            _job_item(js.command(computeId=None)), _job_item(js.sweep(computeId="azureml:serverless"), "tune"),
            SampleResource(t.SCHEDULE, "nightly", _outputs(js.schedule(js.pipeline({"s": js.step(computeId=None)}, settings={})),
                                                           "nightly", kind="schedules")))),
        StackSample("unknown id linked by property dependency", sample_stack(_CLUSTER, _job_item(
            js.command(computeId=p.UNKNOWN_STRING), depends_on={"properties": ("cluster",)}))),
        StackSample("allowed prefix", sample_stack(_job_item(js.command(
            computeId="/subscriptions/s/resourceGroups/shared/providers/Microsoft.MachineLearningServices/workspaces/hub/computes/gpu"))),
            config={"allowedComputes": ["/subscriptions/s/resourcegroups/shared/"]}),
        StackSample("compute named by a literal during preview, the one the job depends on", sample_stack(
            _PREVIEW_CLUSTER, _job_item(js.command(computeId="azureml:cpu-cluster"), known=False, depends_on={"": ("cluster",)}))),
        StackSample("compute named by a literal during preview", sample_stack(
            _PREVIEW_CLUSTER, _job_item(js.command(computeId="azureml:cpu-cluster"), known=False)), unknown="compute_id=compute.id"),
        StackSample("undeclared", sample_stack(_CLUSTER, _job_item(js.command(computeId="azureml:gpu-cluster"))),
                    ("properties.computeId references neither a Compute declared in this stack",)),
        StackSample("other workspace", sample_stack(_CLUSTER, _job_item(js.command(
            computeId=js.COMPUTE_ID.replace("/workspaces/ws/", "/workspaces/other/"))),
            SampleResource(t.JOB, "second", {"id": js.WS.replace("/workspaces/ws", "/workspaces/other") + "/jobs/second",
                                             "name": "second", "properties": js.command(computeId="cpu-cluster")})),
            ("properties.computeId references neither", "properties.computeId references neither")),
        StackSample("serverless not allowed", sample_stack(_CLUSTER, _job_item(js.command(computeId=None)),
                                                     _job_item(js.pipeline({"s": js.step(computeId=None)},
                                                                         settings={"default_compute": "serverless"}), "p")),
                    ("properties.computeId is not set (nor a pipeline default), so the job runs on serverless compute",
                     "properties.settings.default_compute references neither"),
                    config={"allowedComputes": ["cpu-"]}),
        StackSample("steps and schedules", sample_stack(_CLUSTER, SampleResource(t.SCHEDULE, "nightly", _outputs(js.schedule(
            js.pipeline({"a": js.step(computeId="azureml:missing"), "b": js.step(computeId=3.0)})), "nightly", kind="schedules"))),
            ("jobDefinition.jobs.a.computeId references neither", "jobDefinition.jobs.b.computeId is a number")),
        StackSample("2.x schedule on an undeclared compute", sample_stack(_CLASSIC_CLUSTER, SampleResource(
            t.SCHEDULE, "nightly", _outputs(js.schedule_an2(js.command(computeId="azureml:cpu-cluster")), "nightly", kind="schedules"))),
            ("scheduleProperties.action.jobBaseProperties.computeId references neither",)),
    ),
)
