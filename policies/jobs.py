"""Rules on Azure ML job definitions: jobs (``Job``) and the jobs schedules create (``Schedule``
with a ``CreateJob`` action), and the environment images they run.

One traversal, ``job_definitions``, finds every job definition of a resource with its property
path: the job itself (``properties`` of a Job, ``properties.action.jobDefinition`` of a
Schedule), a sweep's ``trial``, and each step of a pipeline's untyped ``jobs`` map, recursively
for nested pipeline steps. Pipeline steps are written by hand (``componentId`` or ``component``,
``computeId`` or ``compute``, ``job_input_type`` or ``type``, ...), so every lookup here accepts
each spelling, and the paths in messages use the key as the user wrote it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from pulumi_policy import EnforcementLevel, Severity
from pulumi_policy.proxy import UnknownValueError

from . import props as p
from . import types as t
from .credentials import credential_value_reason
from .messages import quote_known
from .refs import parse_ref
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
from .types import COMPUTE, ENVIRONMENT_VERSION, JOB, REGISTRY_ENVIRONMENT_VERSION, SCHEDULE

JOB_TYPES: Final = (JOB, SCHEDULE)
# Also declared in policies/compute.py; candidates for types.py.
CLASSIC_COMPUTE_TYPES: Final = (f"{t.CLASSIC_ML}/computeCluster:ComputeCluster",
                                f"{t.CLASSIC_ML}/computeInstance:ComputeInstance")

# ---------------------------------------------------------------------------------------------
# Generic helpers (candidates for props.py: see the module report)
# ---------------------------------------------------------------------------------------------


def keys_named(mapping: Any, *names: str) -> list[str]:
    """The keys of ``mapping`` spelled as any of ``names`` (``component_id`` == ``componentId``),
    as the user wrote them, so a message can name the path the user knows."""
    if not isinstance(mapping, Mapping):
        return []
    wanted = {p.norm_key(n) for n in names}
    return [k for k in mapping if isinstance(k, str) and p.norm_key(k) in wanted]


def first_key(mapping: Any, *names: str) -> str | None:
    found = keys_named(mapping, *names)
    return found[0] if found else None


def as_number(value: Any) -> float | None:
    """A value read already, as ``props.get_number`` would read it (floats, numeric strings)."""
    return p.get_number({"value": value}, "value")


def get_or_unknown(mapping: Any, key: str) -> Any:
    """``props.get`` of one key, returning an unknown value as its ``UnknownValueError`` instead of
    raising it, so a judge can report the other values first and raise after."""
    try:
        return p.get(mapping, [key])
    except UnknownValueError as exc:
        return exc


def present(value: Any) -> bool:
    """Set to something (an explicit null counts as absent: generated dicts write ``None``)."""
    return value is not p.MISSING and value is not None


_DURATION = re.compile(
    r"^P(?=\d|T\d)"
    r"(?:(?P<w>\d+(?:[.,]\d+)?)W)?(?:(?P<d>\d+(?:[.,]\d+)?)D)?"
    r"(?:T(?=\d)(?:(?P<h>\d+(?:[.,]\d+)?)H)?(?:(?P<m>\d+(?:[.,]\d+)?)M)?(?:(?P<s>\d+(?:[.,]\d+)?)S)?)?$",
    re.IGNORECASE,
)
_UNIT_SECONDS: Final = {"w": 604800, "d": 86400, "h": 3600, "m": 60, "s": 1}


def parse_duration(value: Any) -> float | None:
    """Seconds in a job duration: an ISO-8601 duration of weeks, days, hours, minutes and seconds
    (``PT2H``, ``P1DT2H``, ``PT0.5H``: the REST form), or a number of seconds (the form Azure ML
    YAML and SDK v2 write in pipeline steps, also as a numeric string). None for anything else,
    including negative values and years or months, whose length is not fixed."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value) if value >= 0 else None
    if not isinstance(value, str):
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        match = _DURATION.match(text)
        if match is None:
            return None
        return sum(float(v.replace(",", ".")) * _UNIT_SECONDS[k] for k, v in match.groupdict().items() if v)
    return seconds if seconds >= 0 else None


# ---------------------------------------------------------------------------------------------
# The traversal
# ---------------------------------------------------------------------------------------------

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
    if canonical == JOB:
        body = p.get_map(props, "properties")
        return ("properties", body) if body is not None else None
    if canonical == SCHEDULE:
        action = p.get_map(props, "properties.action")
        action_type = p.get_str(action, "actionType") if action is not None else None
        if action is None or (action_type and p.norm_key(action_type) != "createjob"):
            return None  # CreateMonitor / InvokeBatchEndpoint actions define no job
        body = p.get_map(action, "jobDefinition")
        return ("properties.action.jobDefinition", body) if body is not None else None
    return None


def _kind(body: Mapping[str, Any]) -> str:
    for key in keys_named(body, "jobType", "type"):
        value = p.get(body, [key])
        if isinstance(value, str) and value.strip():
            return p.norm_key(value.strip())
    if keys_named(body, "trial"):
        return "sweep"
    if keys_named(body, "jobs"):
        return "pipeline"
    return "command" if keys_named(body, "command") else ""


def _steps(path: str, body: Mapping[str, Any], pending: list[UnknownValueError]) -> list[tuple[str, Mapping[str, Any]]]:
    steps: list[tuple[str, Mapping[str, Any]]] = []
    for key in keys_named(body, "jobs"):
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
    for key in keys_named(body, "trial"):
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


# ---------------------------------------------------------------------------------------------
# What a job definition references
# ---------------------------------------------------------------------------------------------

# Normalised reference key -> the asset it names and the asset type of a pinned id.
_REF_KEYS: Final = {
    "componentid": ("component", "components"), "component": ("component", "components"),
    "codeid": ("code", "codes"), "code": ("code", "codes"),
    "environmentid": ("environment", "environments"), "environment": ("environment", "environments"),
}
_DATA_INPUTS: Final = frozenset({"urifile", "urifolder", "mltable"})
_MODEL_INPUTS: Final = frozenset({"custommodel", "mlflowmodel", "tritonmodel"})
_AUTOML_DATA: Final = ("trainingData", "validationData", "testData")
PIN_FORM: Final = "azureml:<name>:<version> or a versioned asset id"


def asset_refs(node: JobNode) -> Iterator[tuple[str, str, str, Any]]:
    """(asset, expected asset type, path, value) of each code, environment and component reference
    of a definition, in any spelling (an unknown value as its ``UnknownValueError``); a sweep
    step's ``trial`` given as a string names a component."""
    for key in list(node.body):
        entry = _REF_KEYS.get(p.norm_key(key)) if isinstance(key, str) else None
        if entry:
            yield entry[0], entry[1], node.child_path(key), get_or_unknown(node.body, key)
    for key in keys_named(node.body, "trial"):
        value = p.get(node.body, [key])
        if isinstance(value, str):
            yield "component", "components", node.child_path(key), value


def _binding(value: Any) -> bool:
    """A pipeline data binding (``${{parent.inputs.x}}``): judged where the bound value is defined."""
    return isinstance(value, str) and "${{" in value


def _input_uri(path: str, spec: Mapping[str, Any], default_kind: str = "") -> Iterator[tuple[str, str, Any]]:
    kind_key = first_key(spec, "jobInputType", "type")
    kind_value = p.get(spec, [kind_key]) if kind_key else p.MISSING
    kind = p.norm_key(kind_value) if isinstance(kind_value, str) else default_kind
    if kind == "literal":
        return
    uri_key = first_key(spec, "uri", "path")
    if kind in _DATA_INPUTS | _MODEL_INPUTS or uri_key:
        yield f"{path}.{uri_key or 'uri'}", kind, get_or_unknown(spec, uri_key) if uri_key else p.MISSING


def data_inputs(node: JobNode) -> Iterator[tuple[str, str, Any]]:
    """(path of the uri, normalised input type, uri value or its ``UnknownValueError``) of each data
    or model input. Literal inputs and plain values (YAML shorthand for literals) are not data.
    AutoML's training, validation and test data count too (``taskDetails.trainingData``, or
    ``training_data`` in a step)."""
    for key in keys_named(node.body, "inputs"):
        inputs = p.get(node.body, [key])
        if isinstance(inputs, Mapping):
            for name in inputs:
                spec = p.get(inputs, [name])
                if isinstance(spec, Mapping):
                    yield from _input_uri(f"{node.child_path(key)}.{name}", spec)
    if node.kind != "automl":
        return
    bases: list[tuple[str, Any]] = [(node.path, node.body)]
    task_key = first_key(node.body, "taskDetails")
    if task_key:
        bases.append((node.child_path(task_key), p.get(node.body, [task_key])))
    for base_path, base in bases:
        for key in keys_named(base, *_AUTOML_DATA):
            value = p.get(base, [key])
            if isinstance(value, Mapping):
                yield from _input_uri(f"{base_path}.{key}", value, default_kind="mltable")
            elif present(value):
                yield f"{base_path}.{key}", "mltable", value


# ---------------------------------------------------------------------------------------------
# job-pinned-assets
# ---------------------------------------------------------------------------------------------


def _raise_first(values: Iterable[Any]) -> None:
    """Raise the first unknown among values already judged (see ``get_or_unknown``)."""
    for value in values:
        if isinstance(value, UnknownValueError):
            raise value


def _pinned_refs(node: JobNode, config: Mapping[str, Any]) -> Iterator[str]:
    refs = list(asset_refs(node))
    for asset, asset_type, path, value in refs:
        if not present(value) or isinstance(value, UnknownValueError):
            continue
        if isinstance(value, Mapping):
            yield f"{path} is an inline (anonymous) {asset} definition; register it and reference a pinned version ({PIN_FORM})."
        elif not isinstance(value, str):
            yield f"{path} is {p.type_name(value)}, not a {asset} reference."
        else:
            ref = parse_ref(value)
            if not ref.pinned:
                yield f"{path} {ref.problem}; pin it ({PIN_FORM})."
            elif ref.asset_type not in (None, asset_type):
                yield f"{path} points to {ref.asset_type}, not {asset_type}."
    _raise_first(value for *_, value in refs)


def _pinned_inputs(node: JobNode, config: Mapping[str, Any]) -> Iterator[str]:
    inputs = list(data_inputs(node))
    for path, kind, uri in inputs:
        noun = "model" if kind in _MODEL_INPUTS else "data"
        want = f"reference a registered {noun} asset version ({PIN_FORM})"
        if isinstance(uri, UnknownValueError):
            continue
        if not present(uri):
            yield f"{path} is not set; {want}."
        elif not isinstance(uri, str):
            yield f"{path} is {p.type_name(uri)}, not a {noun} asset reference."
        elif not _binding(uri):
            ref = parse_ref(uri)
            if ref.scope == "path" and config["allowRawDataPaths"]:
                continue
            if not ref.pinned:
                yield f"{path} {ref.problem}; {want}."
            elif ref.asset_type not in (None, expected := "models" if noun == "model" else "data"):
                yield f"{path} points to {ref.asset_type}, not {expected}."
    _raise_first(uri for *_, uri in inputs)


_WS: Final = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/ws"
_ENV_ID: Final = f"{_WS}/environments/sklearn/versions/3"
_CODE_ID: Final = f"{_WS}/codes/train-src/versions/1"
_COMPUTE_ID: Final = f"{_WS}/computes/cpu-cluster"
_DATA: Final = "azureml:transactions:1"
_MANAGED: Final = {"identityType": "Managed"}
_VERSIONED_JOB: Final = "azure-native:machinelearningservices/v20240401:Job"
_PREVIEW_SCHEDULE: Final = "azure-native:machinelearningservices/v20230401preview:Schedule"


def _command(**extra: Any) -> dict[str, Any]:
    """A compliant command job (``Job.properties``), as the SDK's CommandJobArgs serialises it."""
    return {"jobType": "Command", "command": "python train.py", "environmentId": _ENV_ID, "codeId": _CODE_ID,
            "computeId": _COMPUTE_ID, "identity": _MANAGED,
            "inputs": {"data": {"jobInputType": "uri_folder", "uri": _DATA, "mode": "ReadOnlyMount"},
                       "lr": {"jobInputType": "literal", "value": "0.1"}},
            "limits": {"jobLimitsType": "Command", "timeout": "PT2H"}, **extra}


def _sweep(limits: Any = None, **extra: Any) -> dict[str, Any]:
    return {"jobType": "Sweep", "computeId": _COMPUTE_ID, "identity": _MANAGED,
            "objective": {"goal": "Maximize", "primaryMetric": "accuracy"},
            "samplingAlgorithm": {"samplingAlgorithmType": "Random"}, "searchSpace": {"lr": ["uniform", [0.01, 0.1]]},
            "trial": {"command": "python train.py", "environmentId": _ENV_ID, "codeId": _CODE_ID},
            "limits": limits if limits is not None else {"jobLimitsType": "Sweep", "maxTotalTrials": 20.0,
                                                         "maxConcurrentTrials": 4.0, "timeout": "PT6H"},
            **extra}


def _step(**extra: Any) -> dict[str, Any]:
    """A pipeline step as azure-ai-ml writes it (snake_case inputs, camelCase ids)."""
    return {"type": "command", "componentId": "azureml:train:3", "computeId": _COMPUTE_ID, "identity": {"type": "managed"},
            "limits": {"job_limits_type": "Command", "timeout": "PT1H"},
            "inputs": {"data": {"job_input_type": "uri_folder", "uri": _DATA},
                       "epochs": {"job_input_type": "literal", "value": "${{parent.inputs.epochs}}"}}, **extra}


def _pipeline(steps: Mapping[str, Any], **extra: Any) -> dict[str, Any]:
    return {"jobType": "Pipeline", "settings": {"default_compute": _COMPUTE_ID}, "jobs": dict(steps), **extra}


def _job(properties: Any) -> dict[str, Any]:
    return {"resourceGroupName": "rg", "workspaceName": "ws", "properties": properties}


def _schedule(job_definition: Any, action_type: str = "CreateJob") -> dict[str, Any]:
    return {"resourceGroupName": "rg", "workspaceName": "ws", "properties": {
        "action": {"actionType": action_type, "jobDefinition": job_definition},
        "trigger": {"triggerType": "Cron", "expression": "0 1 * * *"}}}


job_pinned_assets = ResourceRule(
    name="job-pinned-assets",
    description="Every job definition (the job, a sweep's trial, each pipeline step, also in schedules) must reference "
    "its code, environment and component by a pinned version, and read data and model inputs from pinned asset "
    "versions rather than raw storage or datastore paths. Absent references are not judged (a component-based step "
    "takes them from the component), a data or model input without a uri is a violation; literal inputs and "
    "pipeline bindings (${{...}}) are not data.",
    severity=Severity.HIGH,
    level=EnforcementLevel.MANDATORY,
    remediation="Reference code, environments and components as azureml:<name>:<version> or a versioned asset id "
    "(.../<type>/<name>/versions/<v>), never @latest, a label, a container id or an inline definition; register input "
    "data as a DataVersion (models as a ModelVersion) and use its pinned reference as the input's uri. Set "
    "allowRawDataPaths to accept storage and datastore paths as inputs.",
    unknowns="A reference or input unknown during preview (built from another resource's output): the SDK's advisory "
    "'can't run policy' diagnostic, after the definitions that can be judged are reported.",
    topics=("data-versioning", "reproducibility"),
    types=JOB_TYPES,
    options=(
        Option("allowRawDataPaths", {
            "type": "boolean", "default": False,
            "description": "Accept raw storage and datastore paths (https://, abfss://, azureml://datastores/...) as "
            "job inputs.",
        }),
    ),
    check=per_node(_pinned_refs, _pinned_inputs),
    samples=(
        Sample("command job, SDK shape", _job(_command())),
        Sample("registry and short forms", _job(_command(
            environmentId="azureml://registries/azureml/environments/sklearn-1.5/versions/7", codeId="azureml:src:2",
            inputs={"model": {"jobInputType": "mlflow_model", "uri": "azureml://registries/shared/models/m/versions/4"},
                    "table": {"jobInputType": "mltable", "uri": f"azureml:{_WS}/data/t/versions/2"}}))),
        Sample("sweep with trial", _job(_sweep()), type=_VERSIONED_JOB),
        Sample("pipeline with bindings, snake_case", _job(_pipeline({
            "prep": _step(component_id="azureml:prep:1"),
            "train": _step(inputs={"data": {"job_input_type": "uri_folder", "uri": "${{parent.jobs.prep.outputs.out}}"}}),
            "gate": {"type": "if_else", "condition": "${{parent.jobs.train.outputs.ok}}", "true_block": "${{parent.jobs.prep}}"},
        }, inputs={"raw": {"jobInputType": "uri_folder", "uri": _DATA}}))),
        Sample("raw paths allowed by config", _job(_command(inputs={
            "data": {"jobInputType": "uri_file", "uri": "https://acct.blob.core.windows.net/c/iris.csv"}})),
            config={"allowRawDataPaths": True}),
        Sample("schedule, versioned token", _schedule(_command()), type=_PREVIEW_SCHEDULE),
        Sample("schedule for a monitor", _schedule({"environmentId": "azureml:env@latest"}, "CreateMonitor"),
               type=SCHEDULE),
        Sample("latest environment and label component", _job(_command(
            environmentId="azureml:AzureML-sklearn-1.0@latest", componentId="azureml:train@production")),
            ("properties.environmentId names a label", "properties.componentId names a label")),
        Sample("container id and empty code", _job(_command(
            environmentId=f"{_WS}/environments/sklearn", codeId="  ")),
            ("properties.environmentId names no version", "properties.codeId is empty")),
        Sample("raw input paths", _job(_command(inputs={
            "a": {"jobInputType": "uri_folder", "uri": "azureml://datastores/workspaceblobstore/paths/raw/"},
            "b": {"jobInputType": "uri_file", "uri": "abfss://c@acct.dfs.core.windows.net/x.csv"},
            "c": {"jobInputType": "custom_model", "uri": "azureml:m:latest"}})),
            ("properties.inputs.a.uri is a storage or datastore path", "properties.inputs.b.uri is a storage",
             "properties.inputs.c.uri names the version 'latest'")),
        Sample("wrong asset types", _job(_command(
            environmentId=f"{_WS}/codes/x/versions/1",
            inputs={"d": {"jobInputType": "uri_folder", "uri": f"{_WS}/models/m/versions/1"}})),
            ("properties.environmentId points to codes, not environments",
             "properties.inputs.d.uri points to models, not data")),
        Sample("sweep trial unpinned", _job(_sweep(trial={"command": "x", "environment_id": "azureml:env",
                                                          "codeId": 3.0})),
               ("properties.trial.environment_id names no version", "properties.trial.codeId is a number")),
        Sample("pipeline steps, nested", _job(_pipeline({
            "train": _step(component="azureml:train@latest"),
            "inner": {"type": "pipeline", "componentId": "azureml:inner:1", "jobs": {
                "score": _step(code="./src", environment={"image": "python:3.11"},
                               inputs={"m": {"type": "mlflow_model", "path": "runs:/abc/model"}})}},
            "tune": {"type": "sweep", "trial": {"componentId": "azureml:train"}, "limits": {"max_total_trials": 4}},
        })),
            ("properties.jobs.train.component names a label",
             "properties.jobs.inner.jobs.score.code is not a recognised",
             "properties.jobs.inner.jobs.score.environment is an inline (anonymous) environment",
             "properties.jobs.inner.jobs.score.inputs.m.path is not a recognised",
             "properties.jobs.tune.trial.componentId names no version")),
        Sample("input without uri, automl data", _job({
            "jobType": "AutoML", "identity": _MANAGED,
            "taskDetails": {"taskType": "Classification", "targetColumnName": "y",
                            "trainingData": {"jobInputType": "mltable", "uri": "wasbs://c@a.blob.core.windows.net/t/"}},
            "inputs": {"x": {"jobInputType": "uri_file"}}}),
            ("properties.taskDetails.trainingData.uri is a storage", "properties.inputs.x.uri is not set")),
        Sample("schedule job definition", _schedule(_command(codeId="azureml:src@latest")),
               ("properties.action.jobDefinition.codeId names a label",), type=SCHEDULE),
        Sample("unpinned asset still judged when raw paths allowed", _job(_command(inputs={
            "d": {"jobInputType": "uri_folder", "uri": "azureml:transactions@latest"}})),
            ("names a label",), config={"allowRawDataPaths": True}),
    ),
)

# ---------------------------------------------------------------------------------------------
# environment-image-pinned
# ---------------------------------------------------------------------------------------------

_DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$", re.IGNORECASE)
DOCKER_HUB: Final = "docker.io"


@dataclass(frozen=True)
class ImageRef:
    registry: str  # lower-cased host[:port]; docker.io when the image names none
    repository: str  # lower-cased path without tag
    tag: str | None
    digest: str | None


def parse_image(image: str) -> ImageRef:
    """Split a container image reference (``[registry/]repo[:tag][@digest]``) the way Docker does:
    the first component is a registry only when it has a dot or a port, or is ``localhost``."""
    text = image.strip()
    name, _, digest = text.partition("@")
    first, slash, rest = name.partition("/")
    if slash and ("." in first or ":" in first or first.lower() == "localhost"):
        registry, path = first.lower(), rest
    else:
        registry, path = DOCKER_HUB, name
    head, _, last = path.rpartition("/")
    repo_last, colon, tag = last.partition(":")
    repository = f"{head}/{repo_last}" if head else repo_last
    if registry == DOCKER_HUB and "/" not in repository:
        repository = f"library/{repository}"
    return ImageRef(registry, repository.lower(), tag if colon else None, digest or None)


def registry_allowed(ref: ImageRef, allowed: Iterable[str]) -> bool:
    """Entries are a registry host (``myacr.azurecr.io``), a wildcard host (``*.azurecr.io``) or a
    host with a repository prefix (``myacr.azurecr.io/team``, as Azure Policy 5853517a accepts)."""
    for entry in allowed:
        host, _, prefix = entry.strip().lower().rstrip("/").partition("/")
        if host.startswith("*."):
            host_ok = ref.registry.endswith(host[1:]) and len(ref.registry) > len(host) - 1
        else:
            host_ok = ref.registry == host
        if host_ok and (not prefix or ref.repository == prefix or ref.repository.startswith(f"{prefix}/")):
            return True
    return False


def _image(path: str, image: Any, config: Mapping[str, Any]) -> Iterator[str]:
    if not isinstance(image, str):
        yield f"{path} is {p.type_name(image)}, not a container image reference."
        return
    if not image.strip():
        yield f"{path} is empty; name a container image."
        return
    ref = parse_image(image)
    allowed = [r for r in config["allowedRegistries"] if isinstance(r, str)]
    if not registry_allowed(ref, allowed):
        yield f"{path} comes from a registry that is not in allowedRegistries (allowed: {', '.join(allowed) or 'none'})."
    if ref.digest is not None:
        if not _DIGEST.match(ref.digest):
            yield f"{path} has a digest that is not sha256:<64 hex digits>."
        return
    if config["requireDigest"]:
        yield f"{path} is not pinned by digest (@sha256:...), which requireDigest demands."
    elif ref.tag is None or not ref.tag.strip():
        yield f"{path} names no tag, which means 'latest'; pin a version tag or a digest."
    elif ref.tag.strip().lower() == "latest":
        yield f"{path} uses the tag 'latest'; pin a version tag or a digest."


def _build_context(path: str, build: Mapping[str, Any]) -> Iterator[str]:
    for key in keys_named(build, "contextUri", "path"):
        value = p.get(build, [key])
        reason = credential_value_reason(value) if isinstance(value, str) else None
        if reason:
            yield f"{path}.{key} carries a credential ({reason}); let the workspace identity read the build context."


def _environment(path: str, body: Mapping[str, Any] | None, config: Mapping[str, Any]) -> Iterator[str]:
    """An environment definition (EnvironmentVersion properties, or an inline job environment)."""
    image_key = first_key(body, "image")
    build_key = first_key(body, "build")
    image = p.get(body, [image_key]) if body is not None and image_key else p.MISSING
    build = p.get(body, [build_key]) if body is not None and build_key else p.MISSING
    if present(image):
        yield from _image(f"{path}.{image_key}", image, config)
    if isinstance(build, Mapping):
        yield from _build_context(f"{path}.{build_key}", build)
    elif not present(image):
        yield f"{path} declares neither an image nor a build context."


def _inline_environments(node: JobNode, config: Mapping[str, Any]) -> Iterator[str]:
    for key in keys_named(node.body, "environment", "environmentId"):
        value = p.get(node.body, [key])
        if isinstance(value, Mapping):
            yield from _environment(node.child_path(key), value, config)


def _environment_image(subject: Subject) -> Iterator[str]:
    if t.canonical(subject.type) in (ENVIRONMENT_VERSION, REGISTRY_ENVIRONMENT_VERSION):
        yield from _environment("properties", p.get_map(subject.props, "properties"), subject.config)
    else:
        yield from per_node(_inline_environments)(subject)


_MCR_IMAGE: Final = "mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:20240709.v1"
_SHA: Final = "sha256:" + "ab12" * 16


def _env(**properties: Any) -> dict[str, Any]:
    return {"resourceGroupName": "rg", "workspaceName": "ws", "name": "train-env", "version": "3",
            "properties": {"osType": "Linux", "isAnonymous": False, **properties}}


environment_image_pinned = ResourceRule(
    name="environment-image-pinned",
    description="Environment versions (and environments defined inline in job definitions) must use an image from an "
    "allowed registry, pinned by a version tag or a sha256 digest; an image without a tag means 'latest'. An "
    "environment built from a build context instead must not carry a SAS token in its context URI. An environment "
    "with neither an image nor a build context is a violation.",
    severity=Severity.HIGH,
    level=EnforcementLevel.MANDATORY,
    remediation="Use an image from an allowed registry (allowedRegistries; e.g. mcr.microsoft.com or your own "
    "*.azurecr.io registry) with a version tag or @sha256:<digest> (requireDigest demands a digest). For build "
    "contexts, remove the SAS token from properties.build.contextUri and grant the workspace identity read access.",
    unknowns="An image or context URI unknown during preview (e.g. built from a registry's login server output): the "
    "SDK's advisory 'can't run policy' diagnostic.",
    topics=("supply-chain", "reproducibility"),
    frameworks=(Framework("Azure Policy", "5853517a-63de-11ea-bc55-0242ac130003",
                          "[Preview]: Configure allowed registries for specified Azure Machine Learning computes"),),
    types=(ENVIRONMENT_VERSION, REGISTRY_ENVIRONMENT_VERSION, *JOB_TYPES),
    options=(
        Option("allowedRegistries", {
            "type": "array", "items": {"type": "string"}, "default": ["mcr.microsoft.com"],
            "description": "Registries images may come from: a host (myacr.azurecr.io), a wildcard host (*.azurecr.io) "
            "or a host with a repository prefix (myacr.azurecr.io/team); compared case-insensitively. Images without a "
            "registry come from docker.io.",
        }),
        Option("requireDigest", {
            "type": "boolean", "default": False,
            "description": "Require a sha256 digest rather than a version tag.",
        }),
    ),
    check=_environment_image,
    samples=(
        Sample("mcr tagged", _env(image=_MCR_IMAGE)),
        Sample("digest, own registry by wildcard", _env(image=f"Myacr.azurecr.io/team/train@{_SHA}"),
               config={"allowedRegistries": ["*.azurecr.io"], "requireDigest": True}),
        Sample("registry with repository prefix", {"properties": {"image": "myacr.azurecr.io/team/x:1.2"}},
               config={"allowedRegistries": ["myacr.azurecr.io/team"]}),
        Sample("build context, snake_case", {"properties": {"build": {"context_uri": "https://a.blob.core.windows.net/c/"}}}),
        Sample("registry environment version", {"environmentName": "e", "registryName": "r", "version": "1",
                                                "properties": {"image": _MCR_IMAGE}}, type=REGISTRY_ENVIRONMENT_VERSION),
        Sample("build context without SAS", _env(build={"contextUri": "https://acct.blob.core.windows.net/ctx/",
                                                         "dockerfilePath": "Dockerfile"})),
        Sample("job with registered environment only", _job(_command()), type=JOB),
        Sample("inline step environment pinned", _job(_pipeline({"s": _step(
            environment={"image": _MCR_IMAGE, "conda_file": "conda.yml"})})), type=_VERSIONED_JOB),
        Sample("no tag", _env(image="mcr.microsoft.com/azureml/curated"), ("properties.image names no tag",)),
        Sample("latest and docker hub", _env(image="python:latest"),
               ("properties.image comes from a registry that is not in allowedRegistries", "uses the tag 'latest'")),
        Sample("digest required", _env(image=_MCR_IMAGE), ("is not pinned by digest",), config={"requireDigest": True}),
        Sample("bad digest", _env(image="mcr.microsoft.com/x@sha256:1234"), ("digest that is not sha256",)),
        Sample("wildcard does not match the bare domain", _env(image="azurecr.io/x:1"),
               ("not in allowedRegistries (allowed: *.azurecr.io)",), config={"allowedRegistries": ["*.azurecr.io"]}),
        Sample("prefix is a path boundary", _env(image="myacr.azurecr.io/teamx/x:1"),
               ("not in allowedRegistries",), config={"allowedRegistries": ["myacr.azurecr.io/team"]}),
        Sample("SAS build context", _env(build={"contextUri": "https://a.blob.core.windows.net/ctx?sv=2022-11-02&sig=abcdefghijklmnopqrstuvwx"}),
               ("properties.build.contextUri carries a credential",)),
        Sample("neither image nor build", _env(), ("declares neither an image nor a build context",)),
        Sample("image wrong type", _env(image=3.0), ("properties.image is a number",)),
        Sample("inline environments in jobs", _schedule(_pipeline({
            "a": _step(environment={"image": "ubuntu"}),
            "b": _step(environment={"build": {"path": "https://a.blob.core.windows.net/c?sp=r&sig=abcdefghijklmnopqrstuvwx"}}),
        })), ("properties.action.jobDefinition.jobs.a.environment.image comes from a registry",
              "properties.action.jobDefinition.jobs.a.environment.image names no tag",
              "properties.action.jobDefinition.jobs.b.environment.build.path carries a credential"), type=SCHEDULE),
    ),
)

# ---------------------------------------------------------------------------------------------
# job-identity
# ---------------------------------------------------------------------------------------------

KNOWN_IDENTITY_TYPES: Final = ("AMLToken", "Managed", "UserIdentity", "aml_token", "managed", "user_identity")


def _identity(node: JobNode) -> tuple[str, Any]:
    """(path, value) of a definition's identity object (MISSING when none is set)."""
    key = first_key(node.body, "identity")
    value = p.get(node.body, [key]) if key else p.MISSING
    return node.child_path(key or "identity"), value if present(value) else p.MISSING


def _inherits_identity(node: JobNode) -> bool:
    """A step directly under the root pipeline runs with the root's identity when it sets none; Azure
    does not pass identities down through nested pipeline steps (serverless compute docs)."""
    parent = node.parent
    return parent is not None and parent.parent is None and _identity(parent)[1] is not p.MISSING


def _job_identity(node: JobNode, config: Mapping[str, Any]) -> Iterator[str]:
    if node.kind == TRIAL:
        return  # a trial runs under its sweep's identity
    allowed = [a for a in config["allowedIdentityTypes"] if isinstance(a, str)]
    listing = ", ".join(allowed) or "none"
    path, identity = _identity(node)
    if identity is p.MISSING:
        if node.runs_work and not config["allowAbsent"] and not _inherits_identity(node):
            yield f"{path} is not set, so the job runs with the default AMLToken identity; allowed: {listing}."
        return
    if not isinstance(identity, Mapping):
        yield f"{path} is {p.type_name(identity)}, not an identity object; allowed: {listing}."
        return
    type_key = first_key(identity, "identityType", "type")
    value = p.get(identity, [type_key]) if type_key else p.MISSING
    path = f"{path}.{type_key or 'identityType'}"
    if not present(value):
        yield f"{path} is not set; allowed: {listing}."
    elif not isinstance(value, str):
        yield f"{path} is {p.type_name(value)}, not an identity type; allowed: {listing}."
    elif p.norm_key(value) not in {p.norm_key(a) for a in allowed}:
        yield f"{path} is {quote_known(value, (*KNOWN_IDENTITY_TYPES, *allowed))}, which is not allowed; allowed: {listing}."


job_identity = ResourceRule(
    name="job-identity",
    description="Every job definition (also in schedules and pipeline steps) must run under an allowed identity type. "
    "An absent identity means Azure's AMLToken default and is a violation unless allowAbsent; a pipeline step without "
    "one inherits the root pipeline's.",
    severity=Severity.MEDIUM,
    level=EnforcementLevel.MANDATORY,
    remediation="Set identity.identityType (in pipeline steps identity.type) to Managed or UserIdentity on each job, "
    "or on each step of a pipeline, and grant that identity the data access the job needs.",
    unknowns="An identity unknown during preview: the SDK's advisory 'can't run policy' diagnostic, after the "
    "definitions that can be judged are reported.",
    topics=("identity", "data-access"),
    frameworks=(Framework("MCSB", "IM-3", "Manage application identities securely and automatically"),),
    types=JOB_TYPES,
    options=(
        Option("allowedIdentityTypes", {
            "type": "array", "items": {"type": "string"}, "default": ["Managed", "UserIdentity"],
            "description": "Identity types a job may run under (AMLToken, Managed, UserIdentity; compared ignoring case "
            "and underscores, so user_identity == UserIdentity).",
        }),
        Option("allowAbsent", {
            "type": "boolean", "default": False,
            "description": "Accept jobs that set no identity (they run with the AMLToken default).",
        }),
    ),
    check=per_node(_job_identity),
    samples=(
        Sample("managed", _job(_command())),
        Sample("user identity, snake_case", _job({"job_type": "Command", "identity": {"identity_type": "UserIdentity"}})),
        Sample("sweep: trial not judged", _job(_sweep())),
        Sample("pipeline: steps inherit the root identity", _job(_pipeline(
            {"a": _step(identity=None), "b": _step(identity={"type": "user_identity"})}, identity=_MANAGED))),
        Sample("absent allowed by config", _job({"jobType": "Command"}), config={"allowAbsent": True}),
        Sample("AMLToken allowed by config", _schedule(_command(identity={"identityType": "AMLToken"})), type=SCHEDULE,
               config={"allowedIdentityTypes": ["AMLToken", "Managed"]}),
        Sample("absent", _job({"jobType": "Command", "command": "x"}),
               ("properties.identity is not set, so the job runs with the default AMLToken identity",)),
        Sample("aml token", _job(_command(identity={"identityType": "AMLToken"})),
               ("properties.identity.identityType is 'AMLToken', which is not allowed",), type=_VERSIONED_JOB),
        Sample("wrong types", _job(_pipeline({"a": _step(identity="managed"), "b": _step(identity={"type": 1.0})},
                                             identity=_MANAGED)),
               ("properties.jobs.a.identity is a string", "properties.jobs.b.identity.type is a number")),
        Sample("identity without a type", _job(_command(identity={"clientId": "x"})),
               ("properties.identity.identityType is not set",)),
        Sample("nested pipeline steps do not inherit", _job(_pipeline({"inner": {"type": "pipeline", "jobs": {
            "s": _step(identity=None)}}}, identity=_MANAGED)),
            ("properties.jobs.inner.jobs.s.identity is not set",)),
        Sample("pipeline without identity", _schedule(_pipeline({"a": _step(identity=None),
                                                                 "b": _step(identity={"type": "aml_token"})})),
               ("jobDefinition.jobs.a.identity is not set", "jobDefinition.jobs.b.identity.type is 'aml_token'"),
               type=SCHEDULE),
        Sample("unknown value not quoted", _job(_command(identity={"identityType": "Sp-9x"})),
               ("a value outside the known set (not shown)",)),
    ),
)

# ---------------------------------------------------------------------------------------------
# job-allowed-compute (stack rule)
# ---------------------------------------------------------------------------------------------

SERVERLESS: Final = "serverless"
_COMPUTE_TAIL = re.compile(r"/workspaces/([^/]+)/computes/([^/]+)/?$", re.IGNORECASE)
_WORKSPACE_TAIL = re.compile(r"/workspaces/([^/]+)(?:/|$)", re.IGNORECASE)


@dataclass
class _Computes:
    """The stack's computes: ids, names (with the workspaces they are in; None when unknown) and URNs."""

    ids: set[str]
    names: dict[str, set[str | None]]
    urns: set[str]


def _known_str(props: Any, *paths: str) -> str | None:
    """The first known, non-empty string among ``paths`` (an unknown one is skipped)."""
    for path in paths:
        try:
            value = p.get_str(props, path)
        except UnknownValueError:
            continue
        if value and value.strip():
            return value.strip()
    return None


def _workspace_of(text: str | None) -> str | None:
    match = _WORKSPACE_TAIL.search(text or "")
    return match.group(1).lower() if match else None


def _index_computes(index: StackIndex) -> _Computes:
    computes = _Computes(set(), {}, set())
    for item in index.of_type(COMPUTE, *CLASSIC_COMPUTE_TYPES):
        computes.urns.add(item.urn)
        arm_id = _known_str(item.props, "id")
        if arm_id:
            computes.ids.add(arm_id.lower())
        tail = _COMPUTE_TAIL.search(arm_id or "")
        name = _known_str(item.props, "computeName", "name") or (tail.group(2) if tail else None)
        if name:
            workspace = (_known_str(item.props, "workspaceName") or _workspace_of(arm_id)
                         or _workspace_of(_known_str(item.props, "machineLearningWorkspaceId")))
            computes.names.setdefault(name.lower(), set()).add(workspace.lower() if workspace else None)
    return computes


def _declared(value: str, computes: _Computes, workspace: str | None) -> bool:
    lowered = value.lower()
    if lowered in computes.ids:
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
    places: list[tuple[str, Any, str]] = [(node.path, node.body, k) for k in keys_named(node.body, "computeId", "compute")]
    for settings_key in keys_named(node.body, "settings"):
        settings = p.get(node.body, [settings_key])
        places.extend((node.child_path(settings_key), settings, k) for k in keys_named(settings, "defaultCompute"))
    refs: list[tuple[str, Any]] = []
    for base, mapping, key in places:
        value = get_or_unknown(mapping, key)
        if present(value):
            refs.append((f"{base}.{key}", value))
    return refs


def _sets_compute(node: JobNode | None) -> bool:
    while node is not None:
        if _compute_refs(node):
            return True
        node = node.parent
    return False


def _node_compute(node: JobNode, computes: _Computes, workspace: str | None, linked: bool,
                  allowed: Sequence[str]) -> Iterator[str]:
    if node.kind == TRIAL:
        return  # a trial runs on its sweep's compute
    listing = ", ".join(allowed) or "none"
    refs = _compute_refs(node)
    for path, value in refs:
        if isinstance(value, UnknownValueError):
            if linked:
                continue  # built from a Compute of this stack (property dependency)
            raise value
        if not isinstance(value, str):
            yield f"{path} is {p.type_name(value)}, not a compute reference."
        elif not (_declared(value.strip(), computes, workspace) or _allowed_by_config(value.strip(), allowed)):
            yield f"{path} references neither a Compute declared in this stack nor an allowed compute (allowedComputes: {listing})."
    if not refs and node.runs_work and not _sets_compute(node.parent) and SERVERLESS not in allowed:
        yield f"{node.child_path('computeId')} is not set (nor a pipeline default), so the job runs on serverless compute, " \
              f"which allowedComputes does not list (allowed: {listing})."


def _linked_to_compute(item: StackItem, computes: _Computes) -> bool:
    return any(urn in computes.urns for key, urns in item.property_dependencies.items()
               if p.norm_key(key) == "properties" for urn in urns)


def _job_workspace(item: StackItem) -> str | None:
    name = _known_str(item.props, "workspaceName")
    return name.lower() if name else _workspace_of(_known_str(item.props, "id"))


def _allowed_computes(items: Sequence[StackItem], config: Mapping[str, Any]) -> Iterator[tuple[str, str | None]]:
    index = StackIndex(items)
    computes = _index_computes(index)
    allowed = [a.strip().lower() for a in config["allowedComputes"] if isinstance(a, str) and a.strip()]
    pending: UnknownValueError | None = None
    for item in index.of_type(*JOB_TYPES):
        linked = _linked_to_compute(item, computes)
        nodes, unknown = job_definitions(item.type, item.props)
        pending = pending or unknown
        workspace = _job_workspace(item)
        for node in nodes:
            try:
                for message in _node_compute(node, computes, workspace, linked, allowed):
                    yield message, item.urn
            except UnknownValueError as exc:
                pending = pending or exc
    if pending is not None:
        raise pending  # after reporting what was known: the SDK's advisory for the rest


def _stack(*resources: SampleResource) -> tuple[SampleResource, ...]:
    return (SampleResource(t.STACK, "sample-dev", {}), *resources)


_CLUSTER = SampleResource(COMPUTE, "cluster", {"resourceGroupName": "rg", "workspaceName": "ws",
                                               "computeName": "cpu-cluster", "location": "westeurope",
                                               "properties": {"computeType": "AmlCompute"}})
_CLUSTER_BY_ID = SampleResource("azure-native:machinelearningservices/v20240401:Compute", "cluster", {
    "id": _COMPUTE_ID, "name": "cpu-cluster"})
_CLASSIC_CLUSTER = SampleResource(CLASSIC_COMPUTE_TYPES[0], "cluster", {
    "name": "gpu", "machineLearningWorkspaceId": _WS, "vmSize": "Standard_NC6"})


def _job_item(properties: Any, name: str = "train", depends_on: Mapping[str, tuple[str, ...]] | None = None) -> SampleResource:
    return SampleResource(JOB, name, _job(properties), depends_on=dict(depends_on or {}))


job_allowed_compute = StackRule(
    name="job-allowed-compute",
    description="Every job definition (jobs, schedules, pipeline steps) must run on a Compute declared in the same "
    "stack (by ARM id, azureml:<name> or bare name, or linked by a property dependency) or on a compute allowed by "
    "allowedComputes. A job that names no compute runs on serverless compute (Azure ML v2), which the default "
    "allowedComputes ['serverless'] accepts; a pipeline step without one uses its pipeline's compute.",
    severity=Severity.MEDIUM,
    level=EnforcementLevel.MANDATORY,
    remediation="Point computeId (pipeline steps: compute or computeId; pipelines: settings.default_compute) at a "
    "Compute declared in this stack, e.g. compute.id, or add its name or id prefix to allowedComputes. Keep "
    "'serverless' in allowedComputes to allow serverless compute (no computeId, or azureml:serverless).",
    unknowns="A compute reference unknown during preview is accepted when the job's properties depend on a Compute of "
    "this stack; otherwise that definition is skipped and the SDK's advisory 'can't run policy' diagnostic is added "
    "after the others are judged.",
    topics=("resource-usage", "cost"),
    options=(
        Option("allowedComputes", {
            "type": "array", "items": {"type": "string"}, "default": [SERVERLESS],
            "description": "Computes jobs may use besides the stack's own: 'serverless' (no computeId, serverless or "
            "azureml:serverless), or a prefix of a compute name or ARM id (compared case-insensitively).",
        }),
    ),
    check=_allowed_computes,
    samples=(
        StackSample("by ARM id", _stack(_CLUSTER, _job_item(_command()))),
        StackSample("by ARM id of the compute's output", _stack(_CLUSTER_BY_ID, _job_item(_command(
            computeId=_COMPUTE_ID.upper())))),
        StackSample("by name, snake_case step keys", _stack(_CLUSTER, _job_item(_pipeline(
            {"s": _step(computeId=None, compute="azureml:cpu-cluster"), "t": _step(computeId=None, compute_id="cpu-cluster")},
            settings={"default_compute": "azureml:cpu-cluster"})))),
        StackSample("classic cluster", _stack(_CLASSIC_CLUSTER, _job_item(_command(computeId="azureml:gpu")))),
        StackSample("serverless by absence and by name", _stack(
            _job_item(_command(computeId=None)), _job_item(_sweep(computeId="azureml:serverless"), "tune"),
            SampleResource(SCHEDULE, "nightly", _schedule(_pipeline({"s": _step(computeId=None)}, settings={}))))),
        StackSample("unknown id linked by property dependency", _stack(_CLUSTER, _job_item(
            _command(computeId=p.UNKNOWN_STRING), depends_on={"properties": ("cluster",)}))),
        StackSample("allowed prefix", _stack(_job_item(_command(
            computeId="/subscriptions/s/resourceGroups/shared/providers/Microsoft.MachineLearningServices/workspaces/hub/computes/gpu"))),
            config={"allowedComputes": ["/subscriptions/s/resourcegroups/shared/"]}),
        StackSample("undeclared", _stack(_CLUSTER, _job_item(_command(computeId="azureml:gpu-cluster"))),
                    ("properties.computeId references neither a Compute declared in this stack",)),
        StackSample("other workspace", _stack(_CLUSTER, _job_item(_command(
            computeId=_COMPUTE_ID.replace("/workspaces/ws/", "/workspaces/other/"))),
            SampleResource(JOB, "second", {"workspaceName": "other", "properties": _command(computeId="cpu-cluster")})),
            ("properties.computeId references neither", "properties.computeId references neither")),
        StackSample("serverless not allowed", _stack(_CLUSTER, _job_item(_command(computeId=None)),
                                                     _job_item(_pipeline({"s": _step(computeId=None)},
                                                                         settings={"default_compute": "serverless"}), "p")),
                    ("properties.computeId is not set (nor a pipeline default), so the job runs on serverless compute",
                     "properties.settings.default_compute references neither"),
                    config={"allowedComputes": ["cpu-"]}),
        StackSample("steps and schedules", _stack(_CLUSTER, SampleResource(SCHEDULE, "nightly", _schedule(_pipeline({
            "a": _step(computeId="azureml:missing"), "b": _step(computeId=3.0)})))),
            ("jobDefinition.jobs.a.computeId references neither", "jobDefinition.jobs.b.computeId is a number")),
    ),
)

# ---------------------------------------------------------------------------------------------
# job-limits
# ---------------------------------------------------------------------------------------------


def _limits(node: JobNode, *path: str) -> tuple[str, Mapping[str, Any] | None]:
    """(path, mapping) of the limits object at ``path`` below the definition (any spelling)."""
    where: str = node.path
    body: Mapping[str, Any] | None = node.body
    for name in path:
        key = first_key(body, name)
        where = f"{where}.{key or name}"
        value = p.get(body, [key]) if key else None
        body = value if isinstance(value, Mapping) else None
    return where, body


def _read(limits: Mapping[str, Any] | None, base: str, name: str) -> tuple[str, Any]:
    key = first_key(limits, name)
    value = p.get(limits, [key]) if limits is not None and key else p.MISSING
    return f"{base}.{key or name}", value if present(value) else p.MISSING


def _duration_at_most(path: str, value: Any, max_hours: Any) -> Iterator[str]:
    seconds = parse_duration(value)
    if seconds is None:
        yield f"{path} is {p.type_name(value) if not isinstance(value, str) else 'not a duration'}; write an ISO-8601 " \
              "duration such as PT2H (or a number of seconds)."
    elif isinstance(max_hours, (int, float)) and seconds > max_hours * 3600:
        yield f"{path} is longer than maxTimeoutHours ({max_hours:g} hours)."


def _count_at_most(path: str, value: Any, limit: Any, key: str) -> Iterator[str]:
    number = as_number(value)
    if number is None:
        yield f"{path} is {p.type_name(value)}, not a number of trials."
    elif not number.is_integer() or number < 1:
        yield f"{path} is not a whole number of at least 1."
    elif isinstance(limit, (int, float)) and number > limit:
        yield f"{path} exceeds {key} ({limit:g})."


def _command_limits(node: JobNode, config: Mapping[str, Any], required: bool) -> Iterator[str]:
    base, limits = _limits(node, "limits")
    path, timeout = _read(limits, base, "timeout")
    if timeout is p.MISSING:
        if required:
            yield f"{path} is not set, so the job can run without a time limit; set it to at most " \
                  f"{config['maxTimeoutHours']:g} hours (maxTimeoutHours)."
        return
    yield from _duration_at_most(path, timeout, config["maxTimeoutHours"])


def _sweep_limits(node: JobNode, config: Mapping[str, Any]) -> Iterator[str]:
    base, limits = _limits(node, "limits")
    total_path, total = _read(limits, base, "maxTotalTrials")
    concurrent_path, concurrent = _read(limits, base, "maxConcurrentTrials")
    if total is p.MISSING:
        yield f"{total_path} is not set, so the sweep is unbounded; set it to at most {config['maxTotalTrials']:g} (maxTotalTrials)."
    else:
        yield from _count_at_most(total_path, total, config["maxTotalTrials"], "maxTotalTrials")
    if concurrent is not p.MISSING:
        yield from _count_at_most(concurrent_path, concurrent, config["maxConcurrentTrials"], "maxConcurrentTrials")
    elif (total_number := as_number(total)) is None or total_number > config["maxConcurrentTrials"]:
        yield f"{concurrent_path} is not set, so every trial may run at once; set it to at most " \
              f"{config['maxConcurrentTrials']:g} (maxConcurrentTrials)."
    timeouts = [_read(limits, base, name) for name in ("timeout", "trialTimeout")]
    for path, value in timeouts:
        if value is not p.MISSING:
            yield from _duration_at_most(path, value, config["maxTimeoutHours"])
    if config["requireTimeout"] and all(value is p.MISSING for _, value in timeouts):
        yield f"{base} sets neither timeout nor trialTimeout, so the sweep has no time limit."


def _automl_limits(node: JobNode, config: Mapping[str, Any]) -> Iterator[str]:
    """AutoML limits are judged when set: Azure's defaults (e.g. a 6-hour timeout) bound an unset one."""
    base, limits = _limits(node, "taskDetails", "limitSettings")
    for name in ("timeout", "trialTimeout"):
        path, value = _read(limits, base, name)
        if value is not p.MISSING:
            yield from _duration_at_most(path, value, config["maxTimeoutHours"])
    for name, key in (("maxTrials", "maxTotalTrials"), ("maxConcurrentTrials", "maxConcurrentTrials")):
        path, value = _read(limits, base, name)
        if value is not p.MISSING:
            yield from _count_at_most(path, value, config[key], key)


def _job_limits(node: JobNode, config: Mapping[str, Any]) -> Iterator[str]:
    if node.kind == "command":
        yield from _command_limits(node, config, required=bool(config["requireTimeout"]))
    elif node.kind == "pipeline":
        yield from _command_limits(node, config, required=False)  # Azure has no pipeline timeout; its steps have
    elif node.kind == "sweep":
        yield from _sweep_limits(node, config)
    elif node.kind == "automl":
        yield from _automl_limits(node, config)


job_limits = ResourceRule(
    name="job-limits",
    description="Command jobs (also pipeline steps and scheduled jobs) must set limits.timeout (ISO-8601, or seconds in "
    "steps) of at most maxTimeoutHours; an absent timeout means no limit and is a violation while requireTimeout. "
    "Sweeps must bound maxTotalTrials and maxConcurrentTrials (absent total: unbounded; absent concurrency: all trials "
    "at once) and set timeout or trialTimeout. Pipelines have no timeout of their own (their steps are judged); AutoML "
    "limit settings are judged when set. Spark and parallel jobs are not judged.",
    severity=Severity.MEDIUM,
    level=EnforcementLevel.ADVISORY,
    remediation="Set limits.timeout (e.g. PT4H) on command jobs and command pipeline steps, and on sweeps "
    "limits.maxTotalTrials, limits.maxConcurrentTrials and limits.timeout or limits.trialTimeout within this policy's "
    "config (maxTimeoutHours, maxTotalTrials, maxConcurrentTrials).",
    unknowns="A limit unknown during preview: the SDK's advisory 'can't run policy' diagnostic, after the definitions "
    "that can be judged are reported.",
    topics=("cost", "resource-usage"),
    types=JOB_TYPES,
    options=(
        Option("maxTimeoutHours", {"type": "number", "default": 24,
                                   "description": "Longest timeout (job, sweep or trial) in hours."}),
        Option("requireTimeout", {"type": "boolean", "default": True,
                                  "description": "Require a timeout on command jobs and sweeps."}),
        Option("maxTotalTrials", {"type": "integer", "default": 100,
                                  "description": "Most trials a sweep (or AutoML job) may run."}),
        Option("maxConcurrentTrials", {"type": "integer", "default": 8,
                                       "description": "Most trials a sweep (or AutoML job) may run at once."}),
    ),
    check=per_node(_job_limits),
    samples=(
        Sample("command", _job(_command())),
        Sample("day and hours at the limit", _job(_command(limits={"timeout": "P1DT0H"}))),
        Sample("sweep, floats", _job(_sweep())),
        Sample("sweep, trial timeout only, few trials", _job(_sweep({"max_total_trials": 6, "trial_timeout": "PT30M"}))),
        Sample("pipeline steps in seconds", _job(_pipeline({
            "a": _step(limits={"timeout": 7200}), "b": _step(limits={"timeout": "3600"}),
            "tune": {"type": "sweep", "trial": {"componentId": "azureml:t:1"},
                     "limits": {"max_total_trials": 20, "max_concurrent_trials": 4, "timeout": 7200}}})),
            type=_VERSIONED_JOB),
        Sample("automl within limits", _job({"jobType": "AutoML", "taskDetails": {"taskType": "Regression",
               "limitSettings": {"timeout": "PT6H", "maxTrials": 50.0, "maxConcurrentTrials": 4.0}}})),
        Sample("timeout optional by config", _job(_command(limits=None)), config={"requireTimeout": False}),
        Sample("longer limit by config", _schedule(_command(limits={"timeout": "PT48H"})), type=SCHEDULE,
               config={"maxTimeoutHours": 72}),
        Sample("no timeout", _job(_command(limits=None)),
               ("properties.limits.timeout is not set, so the job can run without a time limit",)),
        Sample("too long", _job(_command(limits={"jobLimitsType": "Command", "timeout": "P2D"})),
               ("properties.limits.timeout is longer than maxTimeoutHours (24 hours)",)),
        Sample("not a duration", _job(_command(limits={"timeout": "2 hours"})),
               ("properties.limits.timeout is not a duration",)),
        Sample("months are not fixed", _job(_command(limits={"timeout": "P1M"})), ("is not a duration",)),
        Sample("unbounded sweep", _job(_sweep({"jobLimitsType": "Sweep"})),
               ("maxTotalTrials is not set, so the sweep is unbounded", "maxConcurrentTrials is not set",
                "sets neither timeout nor trialTimeout")),
        Sample("sweep over the limits", _job(_sweep({"maxTotalTrials": 500.0, "maxConcurrentTrials": 32.0,
                                                     "timeout": "PT6H", "trialTimeout": "PT30H"})),
               ("properties.limits.maxTotalTrials exceeds maxTotalTrials (100)",
                "properties.limits.maxConcurrentTrials exceeds maxConcurrentTrials (8)",
                "properties.limits.trialTimeout is longer than maxTimeoutHours")),
        Sample("sweep without concurrency, many trials", _job(_sweep({"maxTotalTrials": 50, "timeout": "PT2H"})),
               ("maxConcurrentTrials is not set, so every trial may run at once",)),
        Sample("wrong types", _job(_sweep({"maxTotalTrials": "many", "maxConcurrentTrials": 2.5, "timeout": True})),
               ("maxTotalTrials is a string", "maxConcurrentTrials is not a whole number", "timeout is a boolean")),
        Sample("pipeline steps", _schedule(_pipeline({"a": _step(limits=None), "b": _step(limits={"timeout": 172800})})),
               ("jobDefinition.jobs.a.limits.timeout is not set", "jobDefinition.jobs.b.limits.timeout is longer"),
               type=SCHEDULE),
        Sample("automl over the limits", _job({"jobType": "AutoML", "taskDetails": {"limitSettings": {
            "timeout": "P3D", "maxTrials": 1000.0}}}),
            ("limitSettings.timeout is longer", "limitSettings.maxTrials exceeds maxTotalTrials (100)")),
    ),
)

RULES = (job_pinned_assets, environment_image_pinned, job_identity, job_allowed_compute, job_limits)
