"""Rules on the inputs the real azure-native ``*Args`` classes produce: each program runs through the
gate's own runner (the real SDK, the gate's mocks), and the rules judge what the pack would receive,
defaults the classes fill in included."""

from __future__ import annotations

import textwrap
from typing import Any

import pytest

from policies import rule_named
from policies.core import props as p
from policies.core import types as t
from policies.core.rule import ResourceRule
from tests.captures import program_inputs
from tests.sdk import assert_messages, run_resource

pytestmark = pytest.mark.process


def _judge(rule_name: str, resource: dict[str, Any]) -> list[str]:
    rule = rule_named(rule_name)
    assert isinstance(rule, ResourceRule)
    return run_resource(rule, resource["type"], resource["inputs"])


# --- compute and online endpoints ----------------------------------------------------------------

COMPUTE_PROGRAM = textwrap.dedent("""
    from pulumi_azure_native import machinelearningservices as ml

    ml.Compute("cluster", resource_group_name="rg", workspace_name="ws", properties=ml.AmlComputeArgs(
        compute_type="AmlCompute", disable_local_auth=True, properties=ml.AmlComputePropertiesArgs(
            vm_size="Standard_DS3_v2", scale_settings=ml.ScaleSettingsArgs(max_node_count=4))))
    ml.Compute("instance", resource_group_name="rg", workspace_name="ws", properties=ml.ComputeInstanceArgs(
        compute_type="ComputeInstance", properties=ml.ComputeInstancePropertiesArgs(
            vm_size="Standard_DS3_v2", idle_time_before_shutdown="PT30M",
            ssh_settings=ml.ComputeInstanceSshSettingsArgs())))
    ml.Compute("plain", resource_group_name="rg", workspace_name="ws", properties={
        "compute_type": "AmlCompute", "properties": {"vm_size": "Standard_DS3_v2", "enable_node_public_ip": False,
                                                     "scale_settings": {"max_node_count": 2, "min_node_count": 1}}})
    ml.OnlineEndpoint("endpoint", resource_group_name="rg", workspace_name="ws",
                      properties=ml.OnlineEndpointPropertiesArgs(auth_mode="AADToken"))
    ml.OnlineDeployment("deployment", resource_group_name="rg", workspace_name="ws", endpoint_name="endpoint",
                        sku=ml.SkuArgs(name="Default", capacity=2),
                        properties=ml.ManagedOnlineDeploymentArgs(endpoint_compute_type="Managed", model="azureml:m:1"))
""")


@pytest.fixture(scope="module")
def compute_inputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    return program_inputs(tmp_path_factory.mktemp("compute-args"), COMPUTE_PROGRAM)


def test_args_defaults_are_judged_as_the_rules_say(compute_inputs: dict[str, dict[str, Any]]) -> None:
    cluster, instance, plain = compute_inputs["cluster"], compute_inputs["instance"], compute_inputs["plain"]
    # AmlComputePropertiesArgs fills enableNodePublicIp=true and remoteLoginPortPublicAccess=NotSpecified.
    assert_messages(_judge("compute-no-public-ip", cluster), ("enableNodePublicIp is true",))
    assert_messages(_judge("compute-ssh-not-public", cluster), ("remoteLoginPortPublicAccess is 'NotSpecified'",))
    # ScaleSettingsArgs fills minNodeCount=0 (a float over the wire); the rest of the cluster is compliant.
    assert p.get(cluster["inputs"], "properties.properties.scaleSettings.minNodeCount") == 0.0
    for name in ("compute-cluster-scale", "compute-allowed-vm-sizes", "compute-local-auth-disabled"):
        assert _judge(name, cluster) == [], name
    # ComputeInstanceSshSettingsArgs fills sshPublicAccess=Disabled; enableNodePublicIp stays absent.
    assert _judge("compute-ssh-not-public", instance) == []
    assert _judge("compute-instance-idle-shutdown", instance) == []
    assert_messages(_judge("compute-no-public-ip", instance), ("enableNodePublicIp is not set",))
    assert_messages(_judge("compute-local-auth-disabled", instance), ("disableLocalAuth is not set",))
    # A plain dict gets no defaults at all.
    assert _judge("compute-no-public-ip", plain) == []
    assert_messages(_judge("compute-cluster-scale", plain), ("minNodeCount is not 0",))
    assert_messages(_judge("compute-ssh-not-public", plain), ("remoteLoginPortPublicAccess is not set",))


def test_endpoint_args_defaults(compute_inputs: dict[str, dict[str, Any]]) -> None:
    endpoint, deployment = compute_inputs["endpoint"], compute_inputs["deployment"]
    assert endpoint["type"] == t.ONLINE_ENDPOINT and deployment["type"] == t.ONLINE_DEPLOYMENT
    assert _judge("online-endpoint-aad-auth", endpoint) == []
    assert_messages(_judge("online-endpoint-no-public-access", endpoint), ("publicNetworkAccess is 'Enabled'",))
    assert_messages(_judge("online-deployment-no-public-egress", deployment), ("egressPublicNetworkAccess is 'Enabled'",))
    assert _judge("online-deployment-allowed-instances", deployment) == []  # Args fill Standard_F4s_v2, capacity 2.0
    assert _judge("online-deployment-model-pinned", deployment) == []


# --- jobs, schedules and asset versions ----------------------------------------------------------

JOBS_PROGRAM = textwrap.dedent("""
    import pulumi_azure_native.machinelearningservices as ml

    ws = dict(resource_group_name="rg", workspace_name="ws")
    env = "azureml:env:1"

    ml.Job("command", **ws, properties=ml.CommandJobArgs(
        job_type="Command", command="python train.py", environment_id=env, code_id="azureml:code@latest",
        inputs={"raw": ml.UriFolderJobInputArgs(job_input_type="uri_folder", uri="azureml://datastores/b/paths/x/"),
                "lr": ml.LiteralJobInputArgs(job_input_type="literal", value="0.1")}))
    ml.Job("sweep", **ws, properties=ml.SweepJobArgs(
        job_type="Sweep", objective=ml.ObjectiveArgs(goal="Maximize", primary_metric="acc"),
        sampling_algorithm=ml.RandomSamplingAlgorithmArgs(sampling_algorithm_type="Random"), search_space={},
        identity=ml.UserIdentityArgs(identity_type="UserIdentity"),
        trial=ml.TrialComponentArgs(command="x", environment_id="azureml:env@latest"),
        limits=ml.SweepJobLimitsArgs(job_limits_type="Sweep", max_total_trials=200)))
    ml.Job("pipeline", **ws, properties=ml.PipelineJobArgs(
        job_type="Pipeline", identity=ml.ManagedIdentityArgs(identity_type="Managed"),
        jobs={"train": {"type": "command", "component_id": "azureml:train:1", "limits": {"timeout": "PT1H"}}}))
    ml.Schedule("schedule", **ws, properties=ml.SchedulePropertiesArgs(
        action=ml.JobScheduleActionArgs(action_type="CreateJob", job_definition=ml.CommandJobArgs(
            job_type="Command", command="x", environment_id=env,
            identity=ml.AmlTokenArgs(identity_type="AMLToken"),
            limits=ml.CommandJobLimitsArgs(job_limits_type="Command", timeout="P2D"))),
        trigger=ml.CronTriggerArgs(trigger_type="Cron", expression="0 1 * * *")))
    ml.EnvironmentVersion("env", **ws, name="env", properties=ml.EnvironmentVersionPropertiesArgs(
        image="mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04"))
    ml.DataVersion("data", **ws, name="d", properties=ml.MLTableDataArgs(data_type="mltable", data_uri=""))
    ml.FeaturestoreEntityVersion("entity", **ws, name="customer", version="1",
                                 properties=ml.FeaturestoreEntityVersionPropertiesArgs(is_anonymous=True))
""")


@pytest.fixture(scope="module")
def job_inputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    return program_inputs(tmp_path_factory.mktemp("job-args"), JOBS_PROGRAM)


def test_sdk_command_job(job_inputs: dict[str, dict[str, Any]]) -> None:
    command = job_inputs["command"]
    assert_messages(_judge("job-pinned-assets", command), ("properties.codeId names a label",
                                                           "properties.inputs.raw.uri is a storage or datastore path"))
    # CommandJobArgs sets no identity and no limits: Azure's AMLToken default and no time limit.
    assert_messages(_judge("job-identity", command), ("properties.identity is not set",))
    assert_messages(_judge("job-limits", command), ("properties.limits.timeout is not set",))


def test_sdk_sweep_pipeline_and_schedule(job_inputs: dict[str, dict[str, Any]]) -> None:
    sweep, pipeline, schedule = job_inputs["sweep"], job_inputs["pipeline"], job_inputs["schedule"]
    assert_messages(_judge("job-pinned-assets", sweep), ("properties.trial.environmentId names a label",))
    assert_messages(_judge("job-identity", sweep), ())
    assert_messages(_judge("job-limits", sweep), ("maxTotalTrials exceeds maxTotalTrials (100)",
                                                  "maxConcurrentTrials is not set",
                                                  "sets neither timeout nor trialTimeout"))
    for name in ("job-pinned-assets", "job-identity", "job-limits"):
        assert_messages(_judge(name, pipeline), ())
    assert_messages(_judge("job-identity", schedule), ("jobDefinition.identity.identityType is 'AMLToken'",))
    assert_messages(_judge("job-limits", schedule), ("jobDefinition.limits.timeout is longer",))


def test_sdk_asset_versions(job_inputs: dict[str, dict[str, Any]]) -> None:
    env, data, entity = job_inputs["env"], job_inputs["data"], job_inputs["entity"]
    assert_messages(_judge("environment-image-pinned", env), ("properties.image names no tag",))
    # The SDK leaves an unset version out and fills isAnonymous=false; the provider's Check then
    # auto-names the version (the SDK leaves it optional because the provider names it), so
    # Analyze never sees an absent version.
    assert env["inputs"]["version"].startswith("env") and env["inputs"]["properties"]["isAnonymous"] is False
    assert_messages(_judge("asset-version-explicit", env), ())
    assert_messages(_judge("data-version-explicit", data), ("properties.dataUri is empty",))
    assert_messages(_judge("asset-version-explicit", entity), ("properties.isAnonymous is true",
                                                               "properties.indexColumns is not set"))
