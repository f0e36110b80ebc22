"""job-pinned-assets: every job definition references code, environment, component and input data
by a pinned version."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, Severity
from pulumi_policy.proxy import UnknownValueError

from ..core import props as p
from ..core import types as t
from ..core.options import flag
from ..core.refs import parse_ref, pin_problem
from ..core.rule import SDK_ADVISORY, ResourceRule
from ..core.samples import Sample
from . import samples as js
from .model import JOB_TYPES, MODEL_INPUTS, PIN_FORM, JobNode, asset_refs, binding, data_inputs, per_node


def _raise_first(values: Iterable[Any]) -> None:
    """Raise the first unknown among values already judged (see ``get_or_unknown``)."""
    for value in values:
        if isinstance(value, UnknownValueError):
            raise value


def _pinned_refs(node: JobNode, config: Mapping[str, Any]) -> Iterator[str]:
    refs = list(asset_refs(node))
    for asset, asset_type, path, value in refs:
        if not p.present(value) or isinstance(value, UnknownValueError):
            continue
        if isinstance(value, Mapping):
            yield f"{path} is an inline (anonymous) {asset} definition; register it and reference a pinned version ({PIN_FORM})."
        elif not isinstance(value, str):
            yield f"{path} is {p.type_name(value)}, not a {asset} reference."
        elif problem := pin_problem(path, value, asset_type, f"pin it ({PIN_FORM})"):
            yield problem
    _raise_first(value for *_, value in refs)


def _pinned_inputs(node: JobNode, config: Mapping[str, Any]) -> Iterator[str]:
    inputs = list(data_inputs(node))
    for path, kind, uri in inputs:
        noun = "model" if kind in MODEL_INPUTS else "data"
        want = f"reference a registered {noun} asset version ({PIN_FORM})"
        if isinstance(uri, UnknownValueError):
            continue
        if not p.present(uri):
            yield f"{path} is not set; {want}."
        elif not isinstance(uri, str):
            yield f"{path} is {p.type_name(uri)}, not a {noun} asset reference."
        elif binding(uri) or (parse_ref(uri).scope == "path" and config["allowRawDataPaths"]):
            continue  # judged where the binding is defined; raw paths allowed by config
        elif problem := pin_problem(path, uri, "models" if noun == "model" else "data", want):
            yield problem
    _raise_first(uri for *_, uri in inputs)


def _fine_tuning(model: str = "azureml://registries/azureml-meta/models/Llama-2-7b/versions/11",
                 data: str = js.DATA) -> dict[str, Any]:
    """A fine-tuning job as the REST API's example writes it (API 2025-12-01)."""
    return {"jobType": "FineTuning", "computeId": "gpu-compute", "experimentName": "llm-finetuning",
            "fineTuningDetails": {"modelProvider": "Custom", "taskType": "TextCompletion",
                                  "model": {"jobInputType": "mlflow_model", "mode": "ReadOnlyMount", "uri": model},
                                  "trainingData": {"jobInputType": "uri_file", "mode": "ReadOnlyMount", "uri": data}}}


job_pinned_assets = ResourceRule(
    name="job-pinned-assets",
    title="Jobs use pinned assets",
    description="Every job definition must reference its code, environment, component and data inputs by pinned versions.",
    details="Every job definition (the job, a sweep's trial, each pipeline step, also in schedules) must reference "
    "its code, environment and component by a pinned version, and read data and model inputs from pinned asset "
    "versions rather than raw storage or datastore paths. Absent references are not judged (a component-based step "
    "takes them from the component), a data or model input without a uri is a violation; literal inputs and "
    "pipeline bindings (${{...}}) are not data. Fine-tuning and distillation jobs (jobType FineTuning, Distillation: "
    "API 2025-12-01, not in azure-native 3.29's typed Job union, so programs write them as plain dicts) are judged by "
    "that dict's shape: fineTuningDetails.{model, trainingData, validationData}, dataGenerationDetails.{trainingData, "
    "validationData} and finetuningDetails.studentModel.",
    severity=Severity.HIGH,
    level=EnforcementLevel.MANDATORY,
    remediation="Reference code, environments and components as azureml:<name>:<version> or a versioned asset id "
    "(.../<type>/<name>/versions/<v>), never @latest, a label, a container id or an inline definition; register input "
    "data as a DataVersion (models as a ModelVersion) and use its pinned reference as the input's uri. Set "
    "allowRawDataPaths to accept storage and datastore paths as inputs.",
    unknowns=f"A reference or input unknown during preview (built from another resource's output): {SDK_ADVISORY}, "
    "after the definitions that can be judged are reported.",
    topics=("data-versioning", "reproducibility"),
    types=JOB_TYPES,
    options=(
        flag("allowRawDataPaths", False, "Accept raw storage and datastore paths (https://, abfss://, azureml://datastores/...) "
             "as job inputs."),
    ),
    check=per_node(_pinned_refs, _pinned_inputs),
    samples=(
        Sample("command job, SDK shape", js.job(js.command())),
        Sample("registry and short forms", js.job(js.command(
            environmentId="azureml://registries/azureml/environments/sklearn-1.5/versions/7", codeId="azureml:src:2",
            inputs={"model": {"jobInputType": "mlflow_model", "uri": "azureml://registries/shared/models/m/versions/4"},
                    "table": {"jobInputType": "mltable", "uri": f"azureml:{js.WS}/data/t/versions/2"}}))),
        Sample("sweep with trial, 2.x versioned module", js.job_an2(js.sweep()), type=js.VERSIONED_JOB),
        Sample("pipeline with bindings, snake_case", js.job(js.pipeline({
            "prep": js.step(component_id="azureml:prep:1"),
            "train": js.step(inputs={"data": {"job_input_type": "uri_folder", "uri": "${{parent.jobs.prep.outputs.out}}"}}),
            "gate": {"type": "if_else", "condition": "${{parent.jobs.train.outputs.ok}}", "true_block": "${{parent.jobs.prep}}"},
        }, inputs={"raw": {"jobInputType": "uri_folder", "uri": js.DATA}}))),
        Sample("raw paths allowed by config", js.job(js.command(inputs={
            "data": {"jobInputType": "uri_file", "uri": "https://acct.blob.core.windows.net/c/iris.csv"}})),
            config={"allowRawDataPaths": True}),
        Sample("schedule, 2.x preview module", js.schedule_an2(js.command()), type=js.PREVIEW_SCHEDULE),
        Sample("schedule for a monitor", js.schedule({"environmentId": "azureml:env@latest"}, "CreateMonitor"),
               type=t.SCHEDULE),
        Sample("latest environment and label component", js.job(js.command(
            environmentId="azureml:AzureML-sklearn-1.0@latest", componentId="azureml:train@production")),
            ("properties.environmentId names a label", "properties.componentId names a label")),
        Sample("container id and empty code", js.job(js.command(
            environmentId=f"{js.WS}/environments/sklearn", codeId="  ")),
            ("properties.environmentId names no version", "properties.codeId is empty")),
        Sample("raw input paths", js.job(js.command(inputs={
            "a": {"jobInputType": "uri_folder", "uri": "azureml://datastores/workspaceblobstore/paths/raw/"},
            "b": {"jobInputType": "uri_file", "uri": "abfss://c@acct.dfs.core.windows.net/x.csv"},
            "c": {"jobInputType": "custom_model", "uri": "azureml:m:latest"}})),
            ("properties.inputs.a.uri is a storage or datastore path", "properties.inputs.b.uri is a storage",
             "properties.inputs.c.uri names the version 'latest'")),
        Sample("wrong asset types", js.job(js.command(
            environmentId=f"{js.WS}/codes/x/versions/1",
            inputs={"d": {"jobInputType": "uri_folder", "uri": f"{js.WS}/models/m/versions/1"}})),
            ("properties.environmentId points to codes, not environments",
             "properties.inputs.d.uri points to models, not data")),
        Sample("sweep trial unpinned", js.job(js.sweep(trial={"command": "x", "environment_id": "azureml:env",
                                                          "codeId": 3.0})),
               ("properties.trial.environment_id names no version", "properties.trial.codeId is a number")),
        Sample("pipeline steps, nested", js.job(js.pipeline({
            "train": js.step(component="azureml:train@latest"),
            "inner": {"type": "pipeline", "componentId": "azureml:inner:1", "jobs": {
                "score": js.step(code="./src", environment={"image": "python:3.11"},
                               inputs={"m": {"type": "mlflow_model", "path": "runs:/abc/model"}})}},
            "tune": {"type": "sweep", "trial": {"componentId": "azureml:train"}, "limits": {"max_total_trials": 4}},
        })),
            ("properties.jobs.train.component names a label",
             "properties.jobs.inner.jobs.score.code is not a recognised",
             "properties.jobs.inner.jobs.score.environment is an inline (anonymous) environment",
             "properties.jobs.inner.jobs.score.inputs.m.path is not a recognised",
             "properties.jobs.tune.trial.componentId names no version")),
        Sample("input without uri, automl data", js.job({
            "jobType": "AutoML", "identity": js.MANAGED,
            "taskDetails": {"taskType": "Classification", "targetColumnName": "y",
                            "trainingData": {"jobInputType": "mltable", "uri": "wasbs://c@a.blob.core.windows.net/t/"}},
            "inputs": {"x": {"jobInputType": "uri_file"}}}),
            ("properties.taskDetails.trainingData.uri is a storage", "properties.inputs.x.uri is not set")),
        Sample("schedule job definition", js.schedule(js.command(codeId="azureml:src@latest")),
               ("properties.action.jobDefinition.codeId names a label",), type=t.SCHEDULE),
        Sample("2.x schedule job definition", js.schedule_an2(js.command(codeId="azureml:src@latest")),
               ("scheduleProperties.action.jobBaseProperties.codeId names a label",), type=t.SCHEDULE),
        Sample("2.x raw input path", js.job_an2(js.command(inputs={
            "a": {"jobInputType": "uri_folder", "uri": "azureml://datastores/workspaceblobstore/paths/raw/"}})),
            ("jobBaseProperties.inputs.a.uri is a storage or datastore path",)),
        Sample("unpinned asset still judged when raw paths allowed", js.job(js.command(inputs={
            "d": {"jobInputType": "uri_folder", "uri": "azureml:transactions@latest"}})),
            ("names a label",), config={"allowRawDataPaths": True}),
        Sample("fine-tuning job, pinned (a plain dict: not in azure-native 3.29's Job union)", js.job(_fine_tuning()),
               sdk=False),
        Sample("fine-tuning job on a raw blob path and an unversioned model", js.job(_fine_tuning(
            model="azureml://registries/azureml-meta/models/Llama-2-7b",
            data="https://acct.blob.core.windows.net/train/chat.jsonl")),
            ("properties.fineTuningDetails.model.uri names no version",
             "properties.fineTuningDetails.trainingData.uri is a storage or datastore path"), sdk=False),
        Sample("distillation job with an unpinned student model", js.job({
            "jobType": "Distillation", "computeId": "gpu-compute",
            "dataGenerationDetails": {"teacherModelEndpoint": {"endpointName": "teacher"},
                                      "trainingData": {"jobInputType": "uri_file", "uri": js.DATA}},
            "finetuningDetails": {"studentModel": {"job_input_type": "mlflow_model",
                                                   "uri": "azureml://registries/azureml-meta/models/Meta-Llama-3.1-8B-Instruct/labels/latest"}}}),
            ("properties.finetuningDetails.studentModel.uri names a label",), sdk=False),
    ),
)
