"""Compute for a workspace: every stack gets the same training cluster."""

import pulumi
from pulumi_azure_native import machinelearningservices as ml


def training_cluster(name: str, workspace: ml.Workspace, resource_group: pulumi.Input[str],
                     max_nodes: int = 4) -> ml.Compute:
    return ml.Compute(
        name,
        resource_group_name=resource_group,
        workspace_name=workspace.name,
        compute_name=name,
        properties=ml.AmlComputeArgs(
            compute_type="AmlCompute",
            disable_local_auth=True,
            properties=ml.AmlComputePropertiesArgs(
                vm_size="Standard_DS3_v2",
                vm_priority="Dedicated",
                scale_settings=ml.ScaleSettingsArgs(min_node_count=0, max_node_count=max_nodes,
                                                    node_idle_time_before_scale_down="PT15M"),
            ),
        ),
    )
