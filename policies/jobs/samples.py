"""Job shapes the job rules' samples share: compliant definitions as the SDK's ``*Args`` classes
(and azure-ai-ml, for pipeline steps) serialise them, for each sample to change one thing."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

WS: Final = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/ws"
ENV_ID: Final = f"{WS}/environments/sklearn/versions/3"
CODE_ID: Final = f"{WS}/codes/train-src/versions/1"
COMPUTE_ID: Final = f"{WS}/computes/cpu-cluster"
DATA: Final = "azureml:transactions:1"
MANAGED: Final = {"identityType": "Managed"}
VERSIONED_JOB: Final = "azure-native:machinelearningservices/v20240401:Job"
PREVIEW_SCHEDULE: Final = "azure-native:machinelearningservices/v20230401preview:Schedule"


def command(**extra: Any) -> dict[str, Any]:
    """A compliant command job (``Job.properties``), as the SDK's CommandJobArgs serialises it."""
    return {"jobType": "Command", "command": "python train.py", "environmentId": ENV_ID, "codeId": CODE_ID,
            "computeId": COMPUTE_ID, "identity": MANAGED,
            "inputs": {"data": {"jobInputType": "uri_folder", "uri": DATA, "mode": "ReadOnlyMount"},
                       "lr": {"jobInputType": "literal", "value": "0.1"}},
            "limits": {"jobLimitsType": "Command", "timeout": "PT2H"}, **extra}


def sweep(limits: Any = None, **extra: Any) -> dict[str, Any]:
    return {"jobType": "Sweep", "computeId": COMPUTE_ID, "identity": MANAGED,
            "objective": {"goal": "Maximize", "primaryMetric": "accuracy"},
            "samplingAlgorithm": {"samplingAlgorithmType": "Random"}, "searchSpace": {"lr": ["uniform", [0.01, 0.1]]},
            "trial": {"command": "python train.py", "environmentId": ENV_ID, "codeId": CODE_ID},
            "limits": limits if limits is not None else {"jobLimitsType": "Sweep", "maxTotalTrials": 20.0,
                                                         "maxConcurrentTrials": 4.0, "timeout": "PT6H"},
            **extra}


def step(**extra: Any) -> dict[str, Any]:
    """A pipeline step as azure-ai-ml writes it (snake_case inputs, camelCase ids)."""
    return {"type": "command", "componentId": "azureml:train:3", "computeId": COMPUTE_ID, "identity": {"type": "managed"},
            "limits": {"job_limits_type": "Command", "timeout": "PT1H"},
            "inputs": {"data": {"job_input_type": "uri_folder", "uri": DATA},
                       "epochs": {"job_input_type": "literal", "value": "${{parent.inputs.epochs}}"}}, **extra}


def pipeline(steps: Mapping[str, Any], **extra: Any) -> dict[str, Any]:
    return {"jobType": "Pipeline", "settings": {"default_compute": COMPUTE_ID}, "jobs": dict(steps), **extra}


def job(properties: Any) -> dict[str, Any]:
    return {"resourceGroupName": "rg", "workspaceName": "ws", "properties": properties}


def schedule(job_definition: Any, action_type: str = "CreateJob") -> dict[str, Any]:
    return {"resourceGroupName": "rg", "workspaceName": "ws", "properties": {
        "action": {"actionType": action_type, "jobDefinition": job_definition},
        "trigger": {"triggerType": "Cron", "expression": "0 1 * * *"}}}


def job_an2(properties: Any) -> dict[str, Any]:
    """A job as azure-native 2.x spells it: its body under jobBaseProperties."""
    return {"resourceGroupName": "rg", "workspaceName": "ws", "jobBaseProperties": properties}


def schedule_an2(job_definition: Any) -> dict[str, Any]:
    """A schedule as azure-native 2.x spells it: scheduleProperties.action.jobBaseProperties."""
    return {"resourceGroupName": "rg", "workspaceName": "ws", "scheduleProperties": {
        "action": {"actionType": "CreateJob", "jobBaseProperties": job_definition},
        "trigger": {"triggerType": "Cron", "expression": "0 1 * * *"}}}
