"""An Azure Machine Learning workspace with its dependencies and a compute cluster (pulumi-azure)."""

import pulumi
import pulumi_azure as azure

current = azure.core.get_client_config()

resource_group = azure.core.ResourceGroup("ml-rg", location="westeurope")

insights = azure.appinsights.Insights(
    "ml-insights",
    location=resource_group.location,
    resource_group_name=resource_group.name,
    application_type="web",
)

vault = azure.keyvault.KeyVault(
    "mlvault",
    location=resource_group.location,
    resource_group_name=resource_group.name,
    tenant_id=current.tenant_id,
    sku_name="premium",
    purge_protection_enabled=True,
)

account = azure.storage.Account(
    "mlstorage",
    location=resource_group.location,
    resource_group_name=resource_group.name,
    account_tier="Standard",
    account_replication_type="GRS",
)

workspace = azure.machinelearning.Workspace(
    "workspace",
    location=resource_group.location,
    resource_group_name=resource_group.name,
    application_insights_id=insights.id,
    key_vault_id=vault.id,
    storage_account_id=account.id,
    public_network_access_enabled=False,
    identity=azure.machinelearning.WorkspaceIdentityArgs(type="SystemAssigned"),
)

cluster = azure.machinelearning.ComputeCluster(
    "cpu-cluster",
    location=resource_group.location,
    machine_learning_workspace_id=workspace.id,
    vm_priority="LowPriority",
    vm_size="Standard_DS2_v2",
    scale_settings=azure.machinelearning.ComputeClusterScaleSettingsArgs(
        min_node_count=0,
        max_node_count=2,
        scale_down_nodes_after_idle_duration="PT30S",
    ),
    identity=azure.machinelearning.ComputeClusterIdentityArgs(type="SystemAssigned"),
)

pulumi.export("workspace_id", workspace.id)
