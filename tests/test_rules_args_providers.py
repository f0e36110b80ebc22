"""Rules on what programs written with azure-native 2.x and the classic pulumi-azure 6.x really send:
each program runs in its SDK env through the gate's runner (as tests/test_rules_args.py does for
3.x), so the defaults each SDK fills in, and those it leaves to the provider, are what is judged."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest

from policies import rule_named
from policies.core.rule import ResourceRule
from policies.core.types import STACK
from tests.sdk import assert_messages, run_resource
from tests.test_samples_sdk import run_in_env

pytestmark = pytest.mark.process


def _inputs(tmp_path: Path, env: str, body: str) -> dict[str, dict[str, Any]]:
    capture = run_in_env(tmp_path, env, {"__main__.py": textwrap.dedent(body)})
    return {r.name: {"type": r.type, "inputs": r.inputs} for r in capture.resources if r.type != STACK}


def _judge(rule_name: str, resource: dict[str, Any]) -> list[str]:
    rule = rule_named(rule_name)
    assert isinstance(rule, ResourceRule)
    return run_resource(rule, resource["type"], resource["inputs"])


AN2_PROGRAM = """
    import pulumi_azure_native.machinelearningservices as ml

    ws = dict(resource_group_name="rg", workspace_name="ws")
    ml.Workspace("workspace", resource_group_name="rg", sku=ml.SkuArgs(name="Basic"),
                 identity=ml.ManagedServiceIdentityArgs(type="SystemAssigned"), public_network_access="Disabled")
    ml.OnlineEndpoint("endpoint", **ws, online_endpoint_properties=ml.OnlineEndpointArgs(auth_mode="AADToken"))
    ml.OnlineDeployment("deployment", **ws, endpoint_name="endpoint", online_deployment_properties=ml.ManagedOnlineDeploymentArgs(
        endpoint_compute_type="Managed", model="azureml:m:1"))
    ml.Compute("instance", **ws, properties=ml.ComputeInstanceArgs(
        compute_type="ComputeInstance", disable_local_auth=True, properties=ml.ComputeInstancePropertiesArgs(
            vm_size="Standard_DS3_v2", ssh_settings=ml.ComputeInstanceSshSettingsArgs())))
    ml.Schedule("schedule", **ws, schedule_properties=ml.ScheduleArgs(
        action=ml.JobScheduleActionArgs(action_type="CreateJob", job_base_properties=ml.CommandJobArgs(
            job_type="Command", command="python train.py", environment_id="azureml:env:1")),
        trigger=ml.CronTriggerArgs(trigger_type="Cron", expression="0 1 * * *")))
    ml.DataVersion("data", **ws, name="d", version="1", data_version_base_properties=ml.UriFileDataVersionArgs(
        data_type="uri_file", data_uri="https://acct.blob.core.windows.net/c/f.csv?sv=2022-11-02&sp=r&sig=abcdef"))
"""


@pytest.fixture(scope="module")
def an2_inputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    return _inputs(tmp_path_factory.mktemp("an2-args"), "an2", AN2_PROGRAM)


def test_an2_workspace_defaults_and_api(an2_inputs: dict[str, dict[str, Any]]) -> None:
    workspace = an2_inputs["workspace"]
    # 2.x's Workspace fills hbiWorkspace, v1LegacyMode and allowPublicAccessWhenBehindVnet for any input.
    assert workspace["inputs"]["hbiWorkspace"] is False and workspace["inputs"]["allowPublicAccessWhenBehindVnet"] is False
    assert _judge("workspace-public-network-disabled", workspace) == []
    assert_messages(_judge("workspace-managed-network-isolation", workspace), (
        "azure-native 2.x's default Workspace (API 2023-04-01) has no managedNetwork.isolationMode",))
    assert_messages(_judge("workspace-system-datastores-identity", workspace), (
        "azure-native 2.x's default Workspace (API 2023-04-01) has no systemDatastoresAuthMode",))


def test_an2_endpoint_bodies_and_their_args_defaults(an2_inputs: dict[str, dict[str, Any]]) -> None:
    endpoint, deployment = an2_inputs["endpoint"], an2_inputs["deployment"]
    assert _judge("online-endpoint-aad-auth", endpoint) == []
    # 2.x's OnlineEndpointArgs fills publicNetworkAccess=Enabled, as 3.x's does.
    assert_messages(_judge("online-endpoint-no-public-access", endpoint), ("onlineEndpointProperties.publicNetworkAccess is 'Enabled'",))
    assert_messages(_judge("online-deployment-no-public-egress", deployment),
                    ("onlineDeploymentProperties.egressPublicNetworkAccess is 'Enabled'",))
    # 2.x's deployment Args fill no instance type (3.x's fill Standard_F4s_v2).
    assert_messages(_judge("online-deployment-allowed-instances", deployment), ("onlineDeploymentProperties.instanceType is not set",))
    assert _judge("online-deployment-model-pinned", deployment) == []


def test_an2_instance_schedule_and_data(an2_inputs: dict[str, dict[str, Any]]) -> None:
    assert_messages(_judge("compute-instance-idle-shutdown", an2_inputs["instance"]), (
        "azure-native 2.x's default Compute (API 2023-04-01) has no properties.idleTimeBeforeShutdown",))
    assert _judge("compute-ssh-not-public", an2_inputs["instance"]) == []  # Args fill sshPublicAccess=Disabled
    assert_messages(_judge("job-identity", an2_inputs["schedule"]),
                    ("scheduleProperties.action.jobBaseProperties.identity is not set",))
    assert_messages(_judge("data-uri-no-sas-token", an2_inputs["data"]), ("dataVersionBaseProperties.dataUri carries a credential",))
    assert _judge("data-version-explicit", an2_inputs["data"]) == []


CLASSIC_PROGRAM = """
    import pulumi_azure.machinelearning as ml

    ml.Workspace("workspace", resource_group_name="rg", application_insights_id="/ai", key_vault_id="/kv",
                 storage_account_id="/st", identity=ml.WorkspaceIdentityArgs(type="SystemAssigned"))
    ml.ComputeCluster("cluster", machine_learning_workspace_id="/ws", vm_size="Standard_DS3_v2", vm_priority="Dedicated",
                      scale_settings=ml.ComputeClusterScaleSettingsArgs(
                          min_node_count=0, max_node_count=2, scale_down_nodes_after_idle_duration="PT2M"))
    ml.DatastoreBlobstorage("blob", workspace_id="/ws", storage_container_id="/c", account_key="not-a-real-key")
"""


@pytest.fixture(scope="module")
def classic_inputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    return _inputs(tmp_path_factory.mktemp("classic-args"), "classic", CLASSIC_PROGRAM)


def _by_default(messages: list[str], path: str, value: str) -> None:
    """One message about ``path`` holding the provider's default ``value``: absent and judged as the
    default, or filled with it (as the bridged provider's Check fills Terraform's defaults)."""
    assert len(messages) == 1, messages
    starts = (f"{path} is not set (absent means {value}", f"{path} is {value}", f"{path} is '{value}'")
    assert messages[0].startswith(starts), messages


def test_classic_absent_values_take_the_providers_defaults(classic_inputs: dict[str, dict[str, Any]]) -> None:
    """The classic SDK fills nothing; an absent value is the provider's documented default."""
    workspace, cluster = classic_inputs["workspace"], classic_inputs["cluster"]
    assert _judge("workspace-allowed-sku", workspace) == []  # skuName: Basic
    _by_default(_judge("workspace-public-network-disabled", workspace), "publicNetworkAccessEnabled", "true")
    _by_default(_judge("workspace-system-datastores-identity", workspace), "storageAccountAccessType", "AccessKey")
    _by_default(_judge("compute-local-auth-disabled", cluster), "localAuthEnabled", "true")
    _by_default(_judge("compute-no-public-ip", cluster), "nodePublicIpEnabled", "true")
    assert _judge("compute-ssh-not-public", cluster) == [] and _judge("compute-cluster-scale", cluster) == []


def test_classic_datastore_secret_is_judged(classic_inputs: dict[str, dict[str, Any]]) -> None:
    """The classic SDK wraps accountKey as a secret: still an inline secret in the program."""
    assert_messages(_judge("datastore-no-inline-credentials", classic_inputs["blob"]),
                    ("accountKey is set, so the datastore uses AccountKey credentials", "accountKey holds an inline secret"))
