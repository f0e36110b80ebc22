"""A private Azure Machine Learning workspace with a managed network, a compute instance and an
online endpoint."""

import pulumi
from pulumi_azure_native import machinelearningservices as ml
from pulumi_azure_native import resources

config = pulumi.Config()
tags = {"owner": config.require("owner"), "cost-center": "ml-42"}

resource_group = resources.ResourceGroup("aml-rg", tags=tags)

workspace = ml.Workspace(
    "workspace",
    resource_group_name=resource_group.name,
    workspace_name="private-workspace",
    identity=ml.ManagedServiceIdentityArgs(type="SystemAssigned"),
    sku=ml.SkuArgs(name="Basic", tier="Basic"),
    public_network_access="Disabled",
    system_datastores_auth_mode="Identity",
    managed_network=ml.ManagedNetworkSettingsArgs(
        isolation_mode="AllowOnlyApprovedOutbound",
        outbound_rules={
            "pypi": ml.FqdnOutboundRuleArgs(type="FQDN", destination="pypi.org", category="UserDefined"),
        },
    ),
    tags=tags,
)

instance = ml.Compute(
    "notebook",
    resource_group_name=resource_group.name,
    workspace_name=workspace.name,
    compute_name="notebook-01",
    properties=ml.ComputeInstanceArgs(
        compute_type="ComputeInstance",
        disable_local_auth=True,
        properties=ml.ComputeInstancePropertiesArgs(
            vm_size="STANDARD_DS3_V2",
            enable_node_public_ip=False,
            idle_time_before_shutdown="PT30M",
        ),
    ),
    tags=tags,
)

endpoint = ml.OnlineEndpoint(
    "scoring",
    resource_group_name=resource_group.name,
    workspace_name=workspace.name,
    endpoint_name="scoring",
    identity=ml.ManagedServiceIdentityArgs(type="SystemAssigned"),
    properties=ml.OnlineEndpointPropertiesArgs(auth_mode="Key"),
    tags=tags,
)

pulumi.export("workspace_id", workspace.id)
pulumi.export("scoring_uri", endpoint.properties.scoring_uri)
