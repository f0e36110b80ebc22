"""Reading job definitions: one traversal, ``job_definitions``, finds every job definition of a
resource with its property path: the job itself (``properties`` of a Job,
``properties.action.jobDefinition`` of a Schedule), a sweep's ``trial``, and each step of a
pipeline's untyped ``jobs`` map, recursively for nested pipeline steps. Pipeline steps are
written by hand (``componentId`` or ``component``, ``computeId`` or ``compute``,
``job_input_type`` or ``type``, ...), so every lookup here accepts each spelling
(``props.keys_named``), and the paths in messages use the key as the user wrote it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Final

from pulumi_policy.proxy import UnknownValueError

from ..core import props as p
from ..core import types as t
from ..core.resources import jobs as jb
from ..core.rule import ResourceCheck, Subject
from ..core.shape import read

JOB_TYPES: Final = jb.TYPES

# Pipeline control-flow steps point at other steps (``${{parent.jobs.x}}``); they run nothing.
_CONTROL_FLOW: Final = frozenset({"ifelse", "dowhile", "parallelfor"})
TRIAL: Final = "trial"


@dataclass(frozen=True, eq=False)
class JobNode:
    """One job definition. ``kind`` is the normalised job type (``command``, ``pipeline``,
    ``sweep``, ``automl``, ``spark``, ``parallel``, ... or ``trial`` for a sweep's trial, ``""``
    when unknown); ``steps`` counts its pipeline steps (-1 when they are unknown during preview)."""

    path: str
    body: Mapping[str, Any]
    kind: str
    parent: JobNode | None
    steps: int

    @property
    def runs_work(self) -> bool:
        """True for a definition that runs on compute itself: not a trial (its sweep runs it) and
        not a pipeline with steps (the steps run)."""
        return self.kind != TRIAL and self.steps == 0

    def child_path(self, key: str) -> str:
        return f"{self.path}.{key}"


def _root(type_token: str, props: Mapping[str, Any]) -> tuple[str, Mapping[str, Any]] | None:
    canonical = t.canonical(type_token)
    if canonical == t.JOB:
        body = read(type_token, props, jb.JOB)
        return (body.path, body.raw) if body is not None and isinstance(body.raw, Mapping) else None
    if canonical == t.SCHEDULE:
        action = read(type_token, props, jb.ACTION)
        if action is None or not isinstance(action.raw, Mapping):
            return None
        action_type = read(type_token, props, jb.ACTION_TYPE)
        kind = action_type.raw if action_type is not None and isinstance(action_type.raw, str) else None
        if kind and p.norm_key(kind) != "createjob":
            return None  # CreateMonitor / InvokeBatchEndpoint actions define no job
        body = read(type_token, props, jb.SCHEDULED_JOB)
        return (body.path, body.raw) if body is not None and isinstance(body.raw, Mapping) else None
    return None


def _kind(body: Mapping[str, Any]) -> str:
    for key in p.keys_named(body, "jobType", "type"):
        value = p.get(body, [key])
        if isinstance(value, str) and value.strip():
            return p.norm_key(value.strip())
    if p.keys_named(body, "trial"):
        return "sweep"
    if p.keys_named(body, "jobs"):
        return "pipeline"
    return "command" if p.keys_named(body, "command") else ""


def _steps(path: str, body: Mapping[str, Any], pending: list[UnknownValueError]) -> list[tuple[str, Mapping[str, Any]]]:
    steps: list[tuple[str, Mapping[str, Any]]] = []
    for key in p.keys_named(body, "jobs"):
        jobs = p.get(body, [key])
        if not isinstance(jobs, Mapping):
            continue
        for name in jobs:
            try:
                step = p.get(jobs, [name])
                if isinstance(step, Mapping) and _kind(step) not in _CONTROL_FLOW:
                    steps.append((f"{path}.{key}.{name}", step))
            except UnknownValueError as exc:
                pending.append(exc)
    return steps


def _collect(path: str, body: Mapping[str, Any], parent: JobNode | None, forced_kind: str | None,
             found: list[JobNode], pending: list[UnknownValueError]) -> None:
    try:
        kind = forced_kind if forced_kind is not None else _kind(body)
    except UnknownValueError as exc:
        pending.append(exc)
        kind = ""
    try:
        steps = _steps(path, body, pending)
        count = len(steps)
    except UnknownValueError as exc:
        pending.append(exc)
        steps, count = [], -1
    node = JobNode(path, body, kind, parent, count)
    found.append(node)
    for step_path, step in steps:
        _collect(step_path, step, node, None, found, pending)
    for key in p.keys_named(body, "trial"):
        try:
            trial = p.get(body, [key])
        except UnknownValueError as exc:
            pending.append(exc)
            continue
        if isinstance(trial, Mapping):
            _collect(f"{path}.{key}", trial, node, TRIAL, found, pending)


def job_definitions(type_token: str, props: Mapping[str, Any]) -> tuple[list[JobNode], UnknownValueError | None]:
    """Every job definition of a Job or Schedule, parents before children, and the first
    unknown value met on the way (the definitions under it are left out)."""
    found: list[JobNode] = []
    pending: list[UnknownValueError] = []
    try:
        root = _root(type_token, props)
    except UnknownValueError as exc:
        return found, exc
    if root is not None:
        _collect(root[0], root[1], None, None, found, pending)
    return found, pending[0] if pending else None


NodeJudge = Callable[[JobNode, Mapping[str, Any]], Iterable[str]]


def per_node(*judges: NodeJudge) -> ResourceCheck:
    """A resource check applying ``judges`` to every job definition. A judge that meets an unknown
    value stops for that definition only; the first unknown is raised after all are judged."""

    def check(subject: Subject) -> Iterator[str]:
        nodes, pending = job_definitions(subject.type, subject.props)
        for node in nodes:
            for judge in judges:
                try:
                    yield from judge(node, subject.config)
                except UnknownValueError as exc:
                    pending = pending or exc
        if pending is not None:
            raise pending

    return check


# Normalised reference key -> the asset it names and the asset type of a pinned id.
_REF_KEYS: Final = {
    "componentid": ("component", "components"), "component": ("component", "components"),
    "codeid": ("code", "codes"), "code": ("code", "codes"),
    "environmentid": ("environment", "environments"), "environment": ("environment", "environments"),
}
_DATA_INPUTS: Final = frozenset({"urifile", "urifolder", "mltable"})
MODEL_INPUTS: Final = frozenset({"custommodel", "mlflowmodel", "tritonmodel"})
_AUTOML_DATA: Final = ("trainingData", "validationData", "testData")
# Fine-tuning and distillation jobs (API 2025-12-01; azure-native 3.29's typed Job union has neither, so
# programs write them as plain dicts): their data and model inputs sit in these blocks, as JobInput objects.
_TUNING_BLOCKS: Final = ("fineTuningDetails", "finetuningDetails", "dataGenerationDetails")
_TUNING_DATA: Final = ("trainingData", "validationData")
_TUNING_MODELS: Final = ("model", "studentModel")
_TUNING_KINDS: Final = frozenset({"finetuning", "distillation"})
PIN_FORM: Final = "azureml:<name>:<version> or a versioned asset id"


def asset_refs(node: JobNode) -> Iterator[tuple[str, str, str, Any]]:
    """(asset, expected asset type, path, value) of each code, environment and component reference
    of a definition, in any spelling (an unknown value as its ``UnknownValueError``); a sweep
    step's ``trial`` given as a string names a component."""
    for key in list(node.body):
        entry = _REF_KEYS.get(p.norm_key(key)) if isinstance(key, str) else None
        if entry:
            yield entry[0], entry[1], node.child_path(key), p.get_or_unknown(node.body, [key])
    for key in p.keys_named(node.body, "trial"):
        value = p.get(node.body, [key])
        if isinstance(value, str):
            yield "component", "components", node.child_path(key), value


def binding(value: Any) -> bool:
    """A pipeline data binding (``${{parent.inputs.x}}``): judged where the bound value is defined."""
    return isinstance(value, str) and "${{" in value


def _input_uri(path: str, spec: Mapping[str, Any], default_kind: str = "") -> Iterator[tuple[str, str, Any]]:
    kind_key = p.first_key(spec, "jobInputType", "type")
    kind_value = p.get(spec, [kind_key]) if kind_key else p.MISSING
    kind = p.norm_key(kind_value) if isinstance(kind_value, str) else default_kind
    if kind == "literal":
        return
    uri_key = p.first_key(spec, "uri", "path")
    if kind in _DATA_INPUTS | MODEL_INPUTS or uri_key:
        yield f"{path}.{uri_key or 'uri'}", kind, p.get_or_unknown(spec, [uri_key]) if uri_key else p.MISSING


def data_inputs(node: JobNode) -> Iterator[tuple[str, str, Any]]:
    """(path of the uri, normalised input type, uri value or its ``UnknownValueError``) of each data
    or model input. Literal inputs and plain values (YAML shorthand for literals) are not data.
    AutoML's training, validation and test data count too (``taskDetails.trainingData``, or
    ``training_data`` in a step)."""
    for key in p.keys_named(node.body, "inputs"):
        inputs = p.get(node.body, [key])
        if isinstance(inputs, Mapping):
            for name in inputs:
                spec = p.get(inputs, [name])
                if isinstance(spec, Mapping):
                    yield from _input_uri(f"{node.child_path(key)}.{name}", spec)
    if node.kind in _TUNING_KINDS:
        yield from _tuning_inputs(node)
    if node.kind != "automl":
        return
    bases: list[tuple[str, Any]] = [(node.path, node.body)]
    task_key = p.first_key(node.body, "taskDetails")
    if task_key:
        bases.append((node.child_path(task_key), p.get(node.body, [task_key])))
    for base_path, base in bases:
        for key in p.keys_named(base, *_AUTOML_DATA):
            value = p.get(base, [key])
            if isinstance(value, Mapping):
                yield from _input_uri(f"{base_path}.{key}", value, default_kind="mltable")
            elif p.present(value):
                yield f"{base_path}.{key}", "mltable", value


def _tuning_inputs(node: JobNode) -> Iterator[tuple[str, str, Any]]:
    """A fine-tuning or distillation job's training and validation data and its (student) model."""
    for block_key in p.keys_named(node.body, *_TUNING_BLOCKS):
        block = p.get(node.body, [block_key])
        if not isinstance(block, Mapping):
            continue
        for names, kind in ((_TUNING_DATA, "urifile"), (_TUNING_MODELS, "mlflowmodel")):
            for key in p.keys_named(block, *names):
                value = p.get(block, [key])
                path = f"{node.child_path(block_key)}.{key}"
                if isinstance(value, Mapping):
                    yield from _input_uri(path, value, default_kind=kind)
                elif p.present(value):
                    yield path, kind, value
