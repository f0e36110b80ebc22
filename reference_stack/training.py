"""Training: the compute, and the runs on it (a Command job, a Sweep, a Pipeline of the two
components and a nightly Schedule of the same pipeline).

Every job pins its code, environment, components and data by ARM id (job-pinned-assets), runs
as the cluster's managed identity (job-identity) on the cluster declared here
(job-allowed-compute), and is bounded in time and trials (job-limits).
"""

import pulumi
from pulumi_azure_native import machinelearningservices as ml

from assets import (
    CODE_NAME,
    TRAIN_ENV_NAME,
    code_id,
    code_versions,
    component_versions,
    environment_versions,
    labels_id,
    labels_version,
    prep_component_id,
    train_component_id,
    train_env_id,
)
from dependencies import identity
from network import rg
from settings import (
    INSTANCE_NAME,
    client,
    instance_user_object_id,
    location,
    tags,
    training_asset_id,
    training_workspace_name,
)
from workspaces import in_training_workspace

CLUSTER_NAME = "cpu-cluster"
cluster_id = training_asset_id("computes", CLUSTER_NAME)

# Both computes run inside the training workspace's managed network (no subnet of ours,
# compute-in-virtual-network), without public IPs (compute-no-public-ip), without local
# accounts, Entra ID only (compute-local-auth-disabled), without public SSH
# (compute-ssh-not-public), on an approved VM size (compute-allowed-vm-sizes).
cluster = ml.Compute(
    "compute-cpu-cluster",
    resource_group_name=rg.name,
    workspace_name=training_workspace_name,
    compute_name=CLUSTER_NAME,
    location=location,
    # Jobs with a Managed identity run as this identity on the cluster.
    identity=ml.ManagedServiceIdentityArgs(
        type="UserAssigned", user_assigned_identities=[identity.id]
    ),
    properties=ml.AmlComputeArgs(
        compute_type="AmlCompute",
        disable_local_auth=True,
        description="CPU training cluster; scales to zero when idle.",
        properties=ml.AmlComputePropertiesArgs(
            vm_size="Standard_DS3_v2",
            vm_priority="Dedicated",
            os_type="Linux",
            enable_node_public_ip=False,
            remote_login_port_public_access="Disabled",
            # Zero to four nodes, idle nodes released after 15 minutes (compute-cluster-scale).
            scale_settings=ml.ScaleSettingsArgs(
                min_node_count=0,
                max_node_count=4,
                node_idle_time_before_scale_down="PT15M",
            ),
        ),
    ),
    tags=tags,
    opts=in_training_workspace,
)

compute_instance = ml.Compute(
    "compute-instance",
    resource_group_name=rg.name,
    workspace_name=training_workspace_name,
    compute_name=INSTANCE_NAME,
    location=location,
    properties=ml.ComputeInstanceArgs(
        compute_type="ComputeInstance",
        disable_local_auth=True,
        description="Personal development instance; shuts down after 30 idle minutes.",
        properties=ml.ComputeInstancePropertiesArgs(
            vm_size="Standard_DS3_v2",
            enable_node_public_ip=False,
            # Shut down after 30 idle minutes (compute-instance-idle-shutdown).
            idle_time_before_shutdown="PT30M",
            application_sharing_policy="Personal",
            compute_instance_authorization_type="personal",
            personal_compute_instance_settings=ml.PersonalComputeInstanceSettingsArgs(
                assigned_user=ml.AssignedUserArgs(
                    object_id=instance_user_object_id,
                    tenant_id=client.tenant_id,
                ),
            ),
            ssh_settings=ml.ComputeInstanceSshSettingsArgs(ssh_public_access="Disabled"),
        ),
    ),
    tags=tags,
    opts=in_training_workspace,
)

job_opts = pulumi.ResourceOptions(
    depends_on=[
        cluster,
        labels_version,
        code_versions[CODE_NAME],
        environment_versions[TRAIN_ENV_NAME],
        *component_versions.values(),
    ]
)
managed_identity = ml.ManagedIdentityArgs(identity_type="Managed")
labels_input = ml.UriFolderJobInputArgs(
    job_input_type="uri_folder", uri=labels_id, mode="ReadOnlyMount"
)

# The baseline run behind fraud-model v1, at most two hours.
command_job = ml.Job(
    "job-fraud-train-baseline",
    resource_group_name=rg.name,
    workspace_name=training_workspace_name,
    id="fraud-train-baseline",
    properties=ml.CommandJobArgs(
        job_type="Command",
        display_name="Fraud classifier, baseline",
        experiment_name="fraud-train",
        command=(
            "python train.py --data ${{inputs.training_data}} "
            "--learning-rate ${{inputs.learning_rate}} --model ${{outputs.model}}"
        ),
        code_id=code_id,
        environment_id=train_env_id,
        compute_id=cluster_id,
        identity=managed_identity,
        inputs={
            "training_data": labels_input,
            "learning_rate": ml.LiteralJobInputArgs(job_input_type="literal", value="0.1"),
        },
        outputs={
            "model": ml.MLFlowModelJobOutputArgs(
                job_output_type="mlflow_model", mode="ReadWriteMount"
            ),
        },
        limits=ml.CommandJobLimitsArgs(job_limits_type="Command", timeout="PT2H"),
        tags=tags,
    ),
    opts=job_opts,
)

# Hyperparameter search around the baseline: at most 20 trials, 4 at a time, 6 hours.
sweep_job = ml.Job(
    "job-fraud-train-sweep",
    resource_group_name=rg.name,
    workspace_name=training_workspace_name,
    id="fraud-train-sweep",
    properties=ml.SweepJobArgs(
        job_type="Sweep",
        display_name="Fraud classifier, learning-rate and depth sweep",
        experiment_name="fraud-train",
        compute_id=cluster_id,
        identity=managed_identity,
        inputs={"training_data": labels_input},
        objective=ml.ObjectiveArgs(goal="Maximize", primary_metric="auc"),
        sampling_algorithm=ml.RandomSamplingAlgorithmArgs(
            sampling_algorithm_type="Random", seed=42
        ),
        search_space={
            "learning_rate": ["uniform", [0.01, 0.3]],
            "max_depth": ["choice", [[4, 6, 8]]],
        },
        trial=ml.TrialComponentArgs(
            command=(
                "python train.py --data ${{inputs.training_data}} "
                "--learning-rate ${{search_space.learning_rate}} "
                "--max-depth ${{search_space.max_depth}}"
            ),
            code_id=code_id,
            environment_id=train_env_id,
        ),
        early_termination=ml.BanditPolicyArgs(
            policy_type="Bandit", slack_factor=0.1, evaluation_interval=1, delay_evaluation=5
        ),
        limits=ml.SweepJobLimitsArgs(
            job_limits_type="Sweep",
            max_total_trials=20,
            max_concurrent_trials=4,
            timeout="PT6H",
            trial_timeout="PT1H",
        ),
        tags=tags,
    ),
    opts=job_opts,
)


def training_pipeline(display_name: str) -> ml.PipelineJobArgs:
    """Prepare the training data, then train: both steps are the pinned components, on the
    cluster (the pipeline's default compute) as the pipeline's managed identity, each step
    with its own timeout."""
    return ml.PipelineJobArgs(
        job_type="Pipeline",
        display_name=display_name,
        experiment_name="fraud-train",
        identity=managed_identity,
        settings={"default_compute": cluster_id, "continue_on_step_failure": False},
        inputs={"labels": labels_input},
        outputs={
            "model": ml.MLFlowModelJobOutputArgs(
                job_output_type="mlflow_model", mode="ReadWriteMount"
            ),
        },
        # Pipeline steps are untyped in the API; they are written as azure-ai-ml writes them.
        jobs={
            "prep": {
                "type": "command",
                "componentId": prep_component_id,
                "inputs": {
                    "labels": {"job_input_type": "literal", "value": "${{parent.inputs.labels}}"},
                },
                "outputs": {"training_data": {"type": "uri_folder"}},
                "limits": {"job_limits_type": "Command", "timeout": 3600},
            },
            "train": {
                "type": "command",
                "componentId": train_component_id,
                "inputs": {
                    "training_data": {
                        "job_input_type": "literal",
                        "value": "${{parent.jobs.prep.outputs.training_data}}",
                    },
                    "learning_rate": {"job_input_type": "literal", "value": "0.1"},
                },
                "outputs": {"model": {"value": "${{parent.outputs.model}}", "type": "literal"}},
                "limits": {"job_limits_type": "Command", "timeout": 7200},
            },
        },
        tags=tags,
    )


pipeline_job = ml.Job(
    "job-fraud-train-pipeline",
    resource_group_name=rg.name,
    workspace_name=training_workspace_name,
    id="fraud-train-pipeline",
    properties=training_pipeline("Fraud classifier, prepare and train"),
    opts=job_opts,
)

# Retrain nightly on the same pinned inputs (a new labels version is a reviewed change here);
# the schedule's job definition is judged like a job.
schedule = ml.Schedule(
    "schedule-fraud-train-nightly",
    resource_group_name=rg.name,
    workspace_name=training_workspace_name,
    name="fraud-train-nightly",
    properties=ml.SchedulePropertiesArgs(
        display_name="Nightly fraud retraining",
        is_enabled=True,
        trigger=ml.CronTriggerArgs(
            trigger_type="Cron", expression="0 3 * * *", time_zone="UTC"
        ),
        action=ml.JobScheduleActionArgs(
            action_type="CreateJob",
            job_definition=training_pipeline("Fraud classifier, nightly retraining"),
        ),
        tags=tags,
    ),
    opts=job_opts,
)
