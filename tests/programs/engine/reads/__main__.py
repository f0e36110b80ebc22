"""A program that only reads a shared workspace (``Workspace.get``) and adds its own compute to
it. The engine never sends a read to an analyzer (neither Analyze nor AnalyzeStack): the shared
workspace is another team's, judged in their stack."""

import pulumi
from pulumi_azure_native import machinelearningservices as ml

SHARED = ("/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/shared-ml"
          "/providers/Microsoft.MachineLearningServices/workspaces/shared")
TAGS = {"owner": "ml-team", "cost-center": "42"}

shared = ml.Workspace.get("shared", SHARED)

ml.Compute("cluster", resource_group_name="shared-ml", workspace_name=shared.name, location="westeurope", tags=TAGS,
           properties=ml.AmlComputeArgs(
               compute_type="AmlCompute", disable_local_auth=True, properties=ml.AmlComputePropertiesArgs(
                   vm_size="Standard_DS3_v2", enable_node_public_ip=False, remote_login_port_public_access="Disabled",
                   subnet=ml.ResourceIdArgs(id=SHARED.replace("Microsoft.MachineLearningServices/workspaces/shared",
                                                              "Microsoft.Network/virtualNetworks/vnet/subnets/ml")),
                   scale_settings=ml.ScaleSettingsArgs(max_node_count=2, min_node_count=0,
                                                       node_idle_time_before_scale_down="PT2M"))))

pulumi.export("sharedWorkspace", shared.name)
